package dev.ale.image.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ale.core.AleException.Fault;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * A client of the OCI distribution API: manifests and blobs, with the token dance registries
 * do (a 401 names a realm; the realm gives a bearer token for the repository's pull scope),
 * basic auth where a registry asks for it, redirects followed without carrying credentials
 * to another host, and every byte checked against its digest.
 */
public final class RegistryClient {

    /** Where to reach registries, with which logins, and how long to wait for an answer or for the next bytes. */
    public record Settings(Mirrors mirrors, Credentials credentials, Duration timeout) {
        public static Settings defaults() {
            return new Settings(Mirrors.none(), Credentials.none(), Duration.ofSeconds(30));
        }

        public Settings withMirrors(Mirrors m) {
            return new Settings(m, credentials, timeout);
        }

        public Settings withCredentials(Credentials c) {
            return new Settings(mirrors, c, timeout);
        }

        public Settings withTimeout(Duration t) {
            return new Settings(mirrors, credentials, t);
        }
    }

    /** A manifest or index as served, with the digest it was verified against. */
    public record Fetched(byte[] body, String contentType, Digest digest) {
    }

    private static final int MAX_MANIFEST = 4 << 20;
    private static final int MAX_REDIRECTS = 5;

    private final Settings settings;
    private final HttpClient http;
    /** Authorization per endpoint and repository, learned from a challenge. */
    private final Map<String, String> authorizations = new ConcurrentHashMap<>();

    public RegistryClient(Settings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder()
                .connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER) // followed by hand, so credentials stay with their host
                .build();
    }

    /** The manifest or index {@code reference} (a tag or digest) of {@code image}; checked against the digest when one is asked for. */
    public Fetched manifest(ImageReference image, String reference) {
        HttpResponse<InputStream> r = send(image, "/manifests/" + reference, MediaTypes.ACCEPT, "manifest " + reference);
        byte[] body;
        try (InputStream in = r.body()) {
            body = in.readNBytes(MAX_MANIFEST + 1);
        } catch (IOException e) {
            throw transfer(image, e);
        }
        if (body.length > MAX_MANIFEST) throw new RegistryException(Fault.ENVIRONMENT, image + ": the manifest is larger than 4 MiB");
        Digest actual = Digest.of(body);
        if (reference.startsWith("sha256:") && !actual.equals(Digest.parse(reference))) {
            throw new RegistryException(Fault.ENVIRONMENT, image + ": digest mismatch: asked for manifest " + reference + ", got content " + actual);
        }
        Optional<String> header = r.headers().firstValue("Docker-Content-Digest");
        if (header.isPresent() && header.get().startsWith("sha256:") && !header.get().equals(actual.toString())) {
            throw new RegistryException(Fault.ENVIRONMENT, image + ": digest mismatch: the registry says " + header.get()
                    + " but the manifest it sent is " + actual);
        }
        String type = r.headers().firstValue("Content-Type").orElse("").replaceAll(";.*$", "").strip();
        return new Fetched(body, type, actual);
    }

    /**
     * Streams blob {@code d} of {@code image} into {@code out}, reporting bytes as they come;
     * fails when its size or sha256 differs from the descriptor's (the caller discards what it wrote).
     */
    public void blob(ImageReference image, Descriptor d, OutputStream out, LongConsumer progress) {
        HttpResponse<InputStream> r = send(image, "/blobs/" + d.digest(), "*/*", "blob " + d.digest().shortId());
        MessageDigest sha = Digest.sha256();
        long total = 0;
        AtomicLong lastRead = new AtomicLong(System.nanoTime());
        InputStream in = r.body();
        Thread guard = stallGuard(in, lastRead);
        try (in) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) >= 0; ) {
                lastRead.set(System.nanoTime());
                total += n;
                if (d.size() >= 0 && total > d.size()) {
                    throw new RegistryException(Fault.ENVIRONMENT, image + ": blob " + d.digest() + " is larger than its descriptor's " + d.size() + " bytes");
                }
                sha.update(buf, 0, n);
                out.write(buf, 0, n);
                progress.accept(n);
            }
        } catch (IOException e) {
            if (System.nanoTime() - lastRead.get() >= settings.timeout().toNanos()) {
                throw new RegistryException(Fault.ENVIRONMENT, image + ": the registry stopped sending blob " + d.digest().shortId()
                        + " for " + settings.timeout().toSeconds() + "s");
            }
            throw transfer(image, e);
        } finally {
            guard.interrupt();
        }
        Digest actual = Digest.of(sha);
        if (!actual.equals(d.digest())) {
            throw new RegistryException(Fault.ENVIRONMENT, image + ": digest mismatch: blob " + d.digest() + " arrived as " + actual);
        }
        if (d.size() >= 0 && total != d.size()) {
            throw new RegistryException(Fault.ENVIRONMENT, image + ": blob " + d.digest() + " has " + total + " bytes, its descriptor says " + d.size());
        }
    }

    /** Parses a fetched body, for callers that go on to walk an index. */
    public static JsonNode json(Fetched f, String what) {
        return Manifests.tree(f.body(), what);
    }

    private HttpResponse<InputStream> send(ImageReference image, String path, String accept, String what) {
        URI base = settings.mirrors().endpoint(image.registry());
        URI uri = URI.create(base + "/v2/" + image.repository() + path);
        String authKey = base + "|" + image.repository();
        boolean challenged = false;
        for (int hop = 0; hop <= MAX_REDIRECTS; ) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(settings.timeout()).header("Accept", accept).GET();
            String auth = sameOrigin(uri, base) ? authorizations.get(authKey) : null;
            if (auth != null) b.header("Authorization", auth);
            HttpResponse<InputStream> r = exchange(image, b.build());
            int status = r.statusCode();
            if (status == 401 && !challenged && sameOrigin(uri, base)) {
                close(r);
                challenged = true;
                authorizations.put(authKey, authorize(image, base, r.headers().firstValue("WWW-Authenticate").orElse("")));
                continue;
            }
            if (status >= 300 && status < 400 && r.headers().firstValue("Location").isPresent()) {
                close(r);
                uri = uri.resolve(r.headers().firstValue("Location").get());
                if (uri.getScheme().equals("http") && !Mirrors.isLoopback(uri.getHost())) {
                    throw new RegistryException(Fault.ENVIRONMENT, image + ": the registry redirected to plain http at " + uri.getHost() + "; refused");
                }
                hop++;
                continue;
            }
            if (status / 100 == 2) return r;
            close(r);
            throw switch (status) {
                case 401, 403 -> new RegistryException(Fault.INPUT, image + ": the registry refused access to " + what + " (HTTP " + status
                        + "); log in (docker login, or REGISTRY_AUTH_FILE) with an account that may pull it");
                case 404 -> new RegistryException(Fault.INPUT, image + ": not found in " + image.registry()
                        + (what.startsWith("manifest") ? " (no such repository, tag or digest)" : " (" + what + " is missing)"));
                case 429 -> new RegistryException(Fault.ENVIRONMENT, image + ": the registry is rate-limiting pulls (HTTP 429); try later or use a mirror");
                default -> new RegistryException(Fault.ENVIRONMENT, image + ": " + what + ": the registry answered HTTP " + status);
            };
        }
        throw new RegistryException(Fault.ENVIRONMENT, image + ": more than " + MAX_REDIRECTS + " redirects for " + what);
    }

    /** The Authorization header a challenge asks for: a bearer token from its realm, or basic auth with the login. */
    private String authorize(ImageReference image, URI base, String header) {
        Challenge c = Challenge.parse(header).orElseThrow(() -> new RegistryException(Fault.ENVIRONMENT,
                image + ": the registry answered 401 without a WWW-Authenticate challenge"));
        Optional<Credentials.Login> login = settings.credentials().forHost(hostPort(base));
        if (c.isBasic()) {
            Credentials.Login l = login.orElseThrow(() -> new RegistryException(Fault.INPUT, image + ": " + hostPort(base)
                    + " asks for a login and none is configured (docker login, or REGISTRY_AUTH_FILE)"));
            return "Basic " + l.basic();
        }
        if (!c.isBearer() || !c.params().containsKey("realm")) {
            throw new RegistryException(Fault.ENVIRONMENT, image + ": unsupported auth challenge \"" + c.scheme() + "\"");
        }
        URI realm;
        try {
            realm = URI.create(c.params().get("realm"));
        } catch (IllegalArgumentException e) {
            throw new RegistryException(Fault.ENVIRONMENT, image + ": the registry's token realm is not a URL");
        }
        if (realm.getHost() == null || !(realm.getScheme().equals("https") || (realm.getScheme().equals("http") && Mirrors.isLoopback(realm.getHost())))) {
            throw new RegistryException(Fault.ENVIRONMENT, image + ": the token realm " + realm.getScheme() + "://" + realm.getHost()
                    + " is not https (plain http only on loopback); refused");
        }
        String scope = c.params().getOrDefault("scope", "repository:" + image.repository() + ":pull");
        StringBuilder q = new StringBuilder(realm.toString()).append(realm.getQuery() == null ? "?" : "&");
        if (c.params().containsKey("service")) q.append("service=").append(enc(c.params().get("service"))).append('&');
        q.append("scope=").append(enc(scope));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(q.toString())).timeout(settings.timeout()).GET();
        // the login goes to the token realm only; it is what the registry's challenge asked for
        login.ifPresent(l -> b.header("Authorization", "Basic " + l.basic()));
        HttpResponse<InputStream> r = exchange(image, b.build());
        byte[] body;
        try (InputStream in = r.body()) {
            body = in.readNBytes(1 << 20);
        } catch (IOException e) {
            throw transfer(image, e);
        }
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            throw new RegistryException(Fault.INPUT, image + ": the token server " + realm.getHost() + " refused "
                    + (login.isPresent() ? "the configured login" : "an anonymous pull (log in: docker login, or REGISTRY_AUTH_FILE)"));
        }
        if (r.statusCode() / 100 != 2) {
            throw new RegistryException(Fault.ENVIRONMENT, image + ": the token server " + realm.getHost() + " answered HTTP " + r.statusCode());
        }
        JsonNode t = Manifests.tree(body, "the token server's answer");
        String token = t.path("token").asText(t.path("access_token").asText(""));
        if (token.isEmpty()) throw new RegistryException(Fault.ENVIRONMENT, image + ": the token server's answer holds no token");
        return "Bearer " + token;
    }

    private HttpResponse<InputStream> exchange(ImageReference image, HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw new RegistryException(Fault.ENVIRONMENT, image + ": " + request.uri().getHost() + ":" + port(request.uri())
                    + " did not answer within " + settings.timeout().toSeconds() + "s");
        } catch (ConnectException e) {
            throw new RegistryException(Fault.ENVIRONMENT, image + ": cannot connect to " + request.uri().getHost() + ":" + port(request.uri())
                    + " (" + Optional.ofNullable(e.getMessage()).orElse("connection refused") + ")");
        } catch (IOException e) {
            throw transfer(image, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(Fault.ENVIRONMENT, image + ": interrupted");
        }
    }

    /** Closes the body when no byte has come for the timeout, so a stalled registry cannot hang a pull. */
    private Thread stallGuard(InputStream in, AtomicLong lastRead) {
        long limit = settings.timeout().toNanos();
        return Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    Thread.sleep(Math.max(50, settings.timeout().toMillis() / 4));
                    if (System.nanoTime() - lastRead.get() >= limit) {
                        in.close();
                        return;
                    }
                }
            } catch (InterruptedException | IOException e) {
                // done, or closing failed: the read fails on its own
            }
        });
    }

    private static RegistryException transfer(ImageReference image, IOException e) {
        return new RegistryException(Fault.ENVIRONMENT, image + ": transfer failed: "
                + Optional.ofNullable(e.getMessage()).orElse(e.getClass().getSimpleName()), e);
    }

    private static void close(HttpResponse<InputStream> r) {
        try {
            r.body().close();
        } catch (IOException e) {
            // nothing to keep
        }
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equals(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : u.getScheme().equals("https") ? 443 : 80;
    }

    private static String hostPort(URI u) {
        return u.getPort() >= 0 ? u.getHost() + ":" + u.getPort() : u.getHost();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
