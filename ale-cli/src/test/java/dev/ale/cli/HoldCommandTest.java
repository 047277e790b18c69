package dev.ale.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code ale hold ls|approve|deny} against a running {@code ale serve}, which also tells a webhook of each hold. */
@Tag("root")
@Timeout(240)
class HoldCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anOperatorListsAndApprovesAHoldFromTheCommandLineAndASecondAnswerIsRefusedWithWhoDecided() throws Exception {
        HttpServer hook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        List<String> posted = new CopyOnWriteArrayList<>();
        hook.createContext("/hold", x -> {
            try (InputStream in = x.getRequestBody()) {
                posted.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            x.sendResponseHeaders(204, -1);
            x.close();
        });
        hook.start();
        try (Ale ale = Ale.withFreshDataDir()) {
            String java = ProcessHandle.current().info().command().orElseThrow();
            Process serve = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                    "--data-dir", ale.dataDir().toString(), "serve", "--port", "0", "--out", ale.dataDir().resolve("runs").toString(),
                    "--hold-webhook", "http://127.0.0.1:" + hook.getAddress().getPort() + "/hold")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
                Matcher token = Pattern.compile("admin token \\(also in (\\S+)\\): (\\S+)").matcher(out.readLine());
                assertThat(token.find()).isTrue();
                Matcher url = Pattern.compile("serving on (http://127\\.0\\.0\\.1:\\d+)").matcher(out.readLine());
                assertThat(url.find()).isTrue();
                String server = url.group(1);
                HttpClient http = HttpClient.newHttpClient();
                String passport = "{\"passport\": \"id: held\\ndetectors:\\n  tunnel: {action: hold}\\nhold: {deadline: 2m}\\n\"}";
                JsonNode created = JSON.readTree(post(http, server + "/v1/sandboxes", token.group(2), passport).body());
                String id = created.get("id").asText();
                CompletableFuture<HttpResponse<String>> call = CompletableFuture.supplyAsync(() -> post(http, server + "/v1/sandboxes/" + id + "/exec",
                        token.group(2), "{\"command\": \"autossh -M 0 -R 9000:localhost:22 agent@203.0.113.9; echo ran\", \"timeout_seconds\": 120}"));

                Ale.Result[] listed = new Ale.Result[1];
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    listed[0] = ale.run("hold", "ls", "--server", server);
                    return listed[0].out().contains("pending");
                });
                assertThat(listed[0].exit()).isZero();
                Matcher holdId = Pattern.compile("(hold-[0-9a-f]{12})\\s+pending\\s+command\\s+" + id).matcher(listed[0].out());
                assertThat(holdId.find()).as(listed[0].out()).isTrue();
                await().atMost(Duration.ofSeconds(10)).until(() -> posted.stream().anyMatch(p -> p.contains(holdId.group(1))));

                Ale.Result approved = ale.run("hold", "approve", holdId.group(1), "--server", server);
                assertThat(approved.exit()).as(approved.err()).isZero();
                assertThat(approved.out()).contains(holdId.group(1) + " approved by admin");

                Ale.Result second = ale.run("hold", "deny", holdId.group(1), "--server", server);
                assertThat(second.exit()).isEqualTo(2);
                assertThat(second.err().strip().lines()).hasSize(1);
                assertThat(second.err()).contains("already approved by admin");

                HttpResponse<String> result = call.get(120, TimeUnit.SECONDS);
                assertThat(JSON.readTree(result.body()).get("stdout").asText()).contains("ran");
                assertThat(ale.run("hold", "ls", "--server", server).out()).contains("approved").contains("admin");
            } finally {
                serve.destroyForcibly();
                serve.waitFor(60, TimeUnit.SECONDS);
            }
        } finally {
            hook.stop(0);
        }
    }

    @Test
    void withoutARunningServerItIsOneClearLineAndExit3() throws Exception {
        try (Ale ale = Ale.withFreshDataDir()) {
            Files.writeString(ale.dataDir().resolve("server-admin-token"), "some-token-0123456789\n");
            Ale.Result r = ale.run("hold", "ls", "--server", "http://127.0.0.1:1");
            assertThat(r.exit()).isEqualTo(3);
            assertThat(r.err().strip().lines()).hasSize(1);
            assertThat(r.err()).contains("cannot reach ale serve at http://127.0.0.1:1");

            Ale.Result badId = ale.run("hold", "approve", "../../v1/sandboxes", "--server", "http://127.0.0.1:1");
            assertThat(badId.exit()).isEqualTo(2);
            assertThat(badId.err()).contains("is not a hold id");
        }
    }

    private static HttpResponse<String> post(HttpClient http, String url, String token, String body) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
