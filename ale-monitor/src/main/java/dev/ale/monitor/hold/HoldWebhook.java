package dev.ale.monitor.hold;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Tells an operator's URL of each hold as it opens: one POST of the hold's JSON, on a virtual
 * thread of its own, given up after {@code timeout}. A slow or dead webhook never delays the hold,
 * the monitor or the sandbox; its failures are logged and counted.
 */
public final class HoldWebhook implements Consumer<Hold> {

    private static final System.Logger LOG = System.getLogger(HoldWebhook.class.getName());
    private static final Thread.Builder SENDERS = Thread.ofVirtual().name("ale-hold-webhook-", 0);

    private final URI url;
    private final Duration timeout;
    private final HttpClient client;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    /**
     * @param url     an http or https URL
     * @param timeout the longest one POST may take, connecting included
     */
    public HoldWebhook(URI url, Duration timeout) {
        this.url = Objects.requireNonNull(url, "url");
        String scheme = url.getScheme() == null ? "" : url.getScheme();
        if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
            throw new IllegalArgumentException("hold webhook " + url + ": use an http:// or https:// URL with a host");
        }
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("hold webhook timeout must be positive: " + timeout);
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public void accept(Hold hold) {
        String body = HoldJson.toJson(hold).toString();
        SENDERS.start(() -> send(hold.id(), body));
    }

    private void send(String id, String body) {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<Void> r = client.send(request, HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() / 100 == 2) {
                delivered.incrementAndGet();
                return;
            }
            LOG.log(System.Logger.Level.WARNING, "hold webhook " + url + " answered " + r.statusCode() + " for " + id);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "hold webhook " + url + " failed for " + id + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failed.incrementAndGet();
    }

    /** POSTs answered with a 2xx. */
    public long delivered() {
        return delivered.get();
    }

    /** POSTs that failed, timed out or were answered otherwise. */
    public long failed() {
        return failed.get();
    }
}
