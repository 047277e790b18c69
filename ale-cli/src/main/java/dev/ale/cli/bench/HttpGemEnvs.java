package dev.ale.cli.bench;

import dev.ale.cli.common.Version;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.core.AleException;
import dev.ale.core.task.Task;
import dev.ale.containment.GuardedBackend;
import dev.ale.server.AleServer;
import dev.ale.server.Tokens;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The measured side: an {@link AleServer} in this JVM on 127.0.0.1, over the same containment as
 * the baseline, and environments made, reset and stepped through its {@code /v1/envs} routes with
 * {@link HttpClient} (HTTP/1.1, kept-alive connections, as a trainer's client holds them).
 * Closing stops the server, which closes every environment it made.
 */
final class HttpGemEnvs implements GemStepBench.Side {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The OpenAI form of the call, as a trainer relays its model's tool call. */
    private static final String STEP_BODY;

    static {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode action = body.putObject("action");
        action.put("type", "function");
        ObjectNode function = action.putObject("function");
        function.put("name", GemStepBench.TOOL);
        function.put("arguments", GemStepBench.ARGUMENTS);
        STEP_BODY = body.toString();
    }

    private final Task task;
    private final AleServer server;
    private final HttpClient client;
    private final String token;
    private final URI base;
    private final AtomicInteger count = new AtomicInteger();

    HttpGemEnvs(GuardedBackend containment, Task task) {
        this.task = task;
        Tokens tokens = Tokens.generatedAdmin();
        this.token = tokens.all().getFirst().token();
        // the bench's envs sit idle while the other side runs: the server must not reap them meanwhile
        this.server = AleServer.start(AleServer.Config.of(AleServer.Config.LOOPBACK, 0, tokens)
                .withTasks(List.of(task)).withIdleTimeout(Duration.ofHours(1)), containment);
        this.base = URI.create("http://" + AleServer.Config.LOOPBACK + ":" + server.port());
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    }

    String url() {
        return base.toString();
    }

    @Override
    public Env open() {
        int n = count.incrementAndGet();
        JsonNode made = post("/v1/envs", "{\"task\": " + JSON.valueToTree(task.id()) + ", \"seed\": " + n + "}", 201);
        String id = made.get("env_id").asText();
        post("/v1/envs/" + id + "/reset", "{}", 200);
        return new Env(id);
    }

    /** One environment on the server, reached by its id. */
    final class Env implements GemStepBench.Env {

        private final String id;
        private final HttpRequest step;
        private final HttpRequest look;

        private Env(String id) {
            this.id = id;
            this.step = request("/v1/envs/" + id + "/step", STEP_BODY);
            this.look = authorized("/v1/envs/" + id).GET().build();
        }

        @Override
        public void step() {
            JsonNode r = send(step, 200);
            JsonNode info = r.path("info");
            if (!info.path("tool_status").asText().equals("ok") || r.path("terminated").asBoolean() || r.path("truncated").asBoolean()) {
                throw new AleException(AleException.Fault.ENVIRONMENT, "environment " + id + " over HTTP, step " + info.path("step").asInt()
                        + ": status " + info.path("tool_status").asText() + ", terminated " + r.path("terminated").asBoolean()
                        + ", truncated " + r.path("truncated").asBoolean() + ": " + r.path("observation").asText().strip());
            }
        }

        /** {@code GET /v1/envs/{id}}: a round trip through the same client, server and token check that runs no step. */
        void look() {
            send(look, 200);
        }
    }

    private JsonNode post(String path, String body, int expected) {
        return send(request(path, body), expected);
    }

    private HttpRequest request(String path, String body) {
        return authorized(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private HttpRequest.Builder authorized(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + token).timeout(Duration.ofMinutes(5));
    }

    private JsonNode send(HttpRequest request, int expected) {
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AleException(AleException.Fault.ENVIRONMENT, request.method() + " " + request.uri() + " (the bench's own server) failed: "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AleException(AleException.Fault.ENVIRONMENT, request.method() + " " + request.uri() + " was interrupted", e);
        }
        if (response.statusCode() != expected) {
            throw new AleException(AleException.Fault.ENVIRONMENT, request.method() + " " + request.uri() + " answered "
                    + response.statusCode() + ": " + response.body().strip());
        }
        try {
            return JSON.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw new AleException(AleException.Fault.ENVIRONMENT, request.method() + " " + request.uri() + " answered with no JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            client.close();
        } finally {
            server.close();
        }
    }
}
