package dev.ale.image;

import com.sun.net.httpserver.HttpServer;
import dev.ale.image.registry.Credentials;
import dev.ale.image.registry.Mirrors;
import dev.ale.image.registry.RegistryClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import java.util.Comparator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bearer-token flow registries use. The distribution registry's own token mode needs a
 * signing certificate and a separate token service, so the auth front here is the test's: a
 * loopback HTTP server that answers 401 with a {@code WWW-Authenticate: Bearer realm=…}
 * challenge, issues a token at its realm for a basic login, and forwards authorized requests
 * to the real registry (content, digests and redirects are the registry's own).
 */
@Tag("root")
class TokenAuthTest {

    @RegisterExtension
    static final LoopbackRegistry registry = new LoopbackRegistry();

    private HttpServer front;
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private Path data;

    @BeforeEach
    void start() throws Exception {
        data = Files.createTempDirectory("ale-images");
        registry.pushImage("private/app", "1", "amd64", List.of(new TarBuilder().file("secret", 0644, "ok").tar()), TestImages.config("A=1", "/"));
        front = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        HttpClient upstream = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        String realm = "http://127.0.0.1:" + front.getAddress().getPort() + "/token";
        front.createContext("/token", ex -> {
            String auth = Optional.ofNullable(ex.getRequestHeaders().getFirst("Authorization")).orElse("");
            seen.add("token " + ex.getRequestURI().getRawQuery() + " " + auth);
            boolean ok = auth.equals("Basic " + Base64.getEncoder().encodeToString("puller:pa55".getBytes()));
            byte[] body = ok ? "{\"token\":\"tok-123\",\"expires_in\":300}".getBytes() : "{\"errors\":[]}".getBytes();
            ex.sendResponseHeaders(ok ? 200 : 401, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        front.createContext("/v2/", ex -> {
            String auth = Optional.ofNullable(ex.getRequestHeaders().getFirst("Authorization")).orElse("");
            seen.add(ex.getRequestURI().getPath() + " " + auth);
            if (!auth.equals("Bearer tok-123")) {
                ex.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"" + realm + "\",service=\"ale-test\",scope=\"repository:private/app:pull\"");
                ex.sendResponseHeaders(401, -1);
                ex.close();
                return;
            }
            try {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(registry.url() + ex.getRequestURI()));
                String accept = ex.getRequestHeaders().getFirst("Accept");
                if (accept != null) b.header("Accept", accept);
                HttpResponse<InputStream> r = upstream.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
                for (Map.Entry<String, List<String>> h : r.headers().map().entrySet()) {
                    if (!h.getKey().equalsIgnoreCase("content-length") && !h.getKey().equals(":status")) ex.getResponseHeaders().put(h.getKey(), h.getValue());
                }
                byte[] body = r.body().readAllBytes();
                ex.sendResponseHeaders(r.statusCode(), body.length == 0 ? -1 : body.length);
                ex.getResponseBody().write(body);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                ex.close();
            }
        });
        front.start();
    }

    @AfterEach
    void stop() throws IOException {
        front.stop(0);
        try (Stream<Path> w = Files.walk(data)) {
            for (Path p : w.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private ImageStore store(Credentials credentials) {
        return new ImageStore(data, RegistryClient.Settings.defaults().withCredentials(credentials)
                .withMirrors(Mirrors.from(Optional.empty(), List.of("ghcr.io=http://127.0.0.1:" + front.getAddress().getPort()))));
    }

    @Test
    void aChallengeIsAnsweredWithATokenFromItsRealmForTheRepositorysPullScope() {
        String host = "127.0.0.1:" + front.getAddress().getPort();
        ImageStore s = store(Credentials.of(Map.of(host, new Credentials.Login("puller", "pa55"))));

        var root = s.resolve("ghcr.io/private/app:1");

        assertThat(root.layers()).hasSize(1);
        assertThat(seen).anyMatch(l -> l.startsWith("token service=ale-test&scope=repository%3Aprivate%2Fapp%3Apull Basic "));
        assertThat(seen).anyMatch(l -> l.startsWith("/v2/private/app/blobs/") && l.endsWith("Bearer tok-123"));
        // the challenge is answered once; later requests carry the token straight away
        assertThat(seen.stream().filter(l -> l.startsWith("token")).count()).isEqualTo(1);
    }

    @Test
    void aRefusedLoginIsOneLineAndNeverEchoesTheSecret() {
        String host = "127.0.0.1:" + front.getAddress().getPort();
        ImageStore s = store(Credentials.of(Map.of(host, new Credentials.Login("puller", "wrong-secret"))));

        ImagePullTest.assertOneLineFailure(() -> s.pull("ghcr.io/private/app:1", PullProgress.none()), "refused the configured login");
        try {
            s.pull("ghcr.io/private/app:1", PullProgress.none());
        } catch (RuntimeException e) {
            assertThat(e.getMessage()).doesNotContain("wrong-secret").doesNotContain(Base64.getEncoder().encodeToString("puller:wrong-secret".getBytes()));
        }
        ImagePullTest.assertOneLineFailure(() -> store(Credentials.none()).pull("ghcr.io/private/app:1", PullProgress.none()),
                "refused an anonymous pull");
    }
}
