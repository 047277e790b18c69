package dev.ale.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ale.cluster.fleet.Capacity;
import dev.ale.cluster.fleet.Fleet;
import dev.ale.cluster.fleet.Node;
import dev.ale.cluster.fleet.NodeDown;
import dev.ale.server.NodeSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;

/**
 * The front's HTTP to its nodes: every call carries the cluster secret; a call to a node that
 * cannot be reached, or that dies while the call runs, becomes {@link NodeDown} (never a hang:
 * the node's in-flight calls fail as soon as it is declared dead), and the fleet stops placing
 * there at once.
 */
final class NodeCalls implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(NodeCalls.class.getName());
    /** Headers a caller's request keeps on its way to the node. */
    private static final List<String> PASSED = List.of("Authorization", "XRL-Authorization", "Content-Type", "Accept");
    private static final Duration POLL_TIMEOUT = Duration.ofSeconds(3);

    private final HttpClient http;
    private final Fleet fleet;
    private final String secret;

    NodeCalls(Fleet fleet, String secret) {
        this.fleet = fleet;
        this.secret = secret;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(3))
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
    }

    /** One request to {@code node}; {@code headers} are the caller's, filtered to {@link #PASSED}. */
    HttpResponse<InputStream> send(Node node, String method, String pathAndQuery, Map<String, String> headers, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(node.url().resolve(pathAndQuery))
                .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .header(NodeSettings.SECRET_HEADER, secret);
        for (String h : PASSED) {
            String v = headers.get(h);
            if (v != null) b.header(h, v);
        }
        return await(node, node.track(http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofInputStream())));
    }

    private <T> T await(Node node, CompletableFuture<T> call) {
        try {
            return call.get();
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            throw new NodeDown("interrupted while waiting for node " + name(node));
        } catch (CancellationException e) {
            throw new NodeDown("the call to node " + name(node) + " was cancelled");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof NodeDown down) throw down;
            if (cause instanceof IOException io) {
                fleet.unreachable(node, io instanceof ConnectException);
                throw new NodeDown("node " + name(node) + " did not answer (" + describe(io)
                        + "); its sandboxes and environments may be lost: retry the episode (a new one is placed on a live node)");
            }
            throw new IllegalStateException("a call to node " + name(node) + " failed", cause);
        }
    }

    /** Asks one node for its report and hands it to the fleet; a node that does not answer is marked so. */
    void poll(Node node) {
        long sent = System.nanoTime();
        HttpRequest request = HttpRequest.newBuilder(node.url().resolve("/v1/node")).timeout(POLL_TIMEOUT)
                .header(NodeSettings.SECRET_HEADER, secret).GET().build();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((r, e) -> {
            if (e != null) {
                unanswered(node, e.toString());
                fleet.unreachable(node, e instanceof ConnectException || e.getCause() instanceof ConnectException);
                return;
            }
            if (r.statusCode() != 200) {
                unanswered(node, "HTTP " + r.statusCode() + " " + new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
                fleet.unreachable(node, false);
                return;
            }
            try {
                fleet.reported(node, capacity(JSON.readTree(r.body())), sent);
            } catch (IOException | RuntimeException bad) {
                unanswered(node, bad.toString());
                fleet.unreachable(node, false);
            }
        });
    }

    /** Logged once per change of heart: a node that was answering stops. */
    private static void unanswered(Node node, String why) {
        LOG.log(System.Logger.Level.WARNING, "node " + name(node) + " at " + node.url() + " did not report: " + why);
    }

    static Capacity capacity(JsonNode j) {
        Map<String, Integer> owners = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : j.path("owners").properties()) {
            owners.put(e.getKey(), e.getValue().asInt());
        }
        JsonNode slots = j.path("slots");
        String name = j.path("name").asText("");
        if (!name.matches(NodeSettings.NAME_PATTERN)) throw new IllegalArgumentException("a node reported the bad name '" + name + "'");
        return new Capacity(name, slots.isIntegralNumber() ? OptionalInt.of(slots.asInt()) : OptionalInt.empty(),
                j.path("used").asInt(), owners, j.path("cpus").asInt(1), j.path("memory_available_bytes").asLong(0));
    }

    private static String name(Node node) {
        return node.name().orElse(node.url().toString());
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }

    @Override
    public void close() {
        http.close();
    }
}
