package dev.ale.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.core.event.SafetyEvent;
import dev.ale.containment.GuardedSandbox;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Locale;

/**
 * The model proxy, {@code /v1/chat/completions} and {@code /v1/models} in OpenAI form, for agent
 * programs inside sandboxes (they reach it through the gateway with {@code OPENAI_BASE_URL} and
 * their sandbox's own token in {@code OPENAI_API_KEY}). Each call is forwarded to the configured
 * upstream model server, streamed or not as asked; it is refused once the sandbox is killed or
 * its passport's token budget is spent; and it is recorded, with the episode step it belongs
 * to, in the sandbox's {@link ModelLedger}.
 */
final class ModelProxyRoutes {

    /** A conversation grows with every turn: larger than the other JSON bodies, still bounded. */
    private static final int REQUEST_LIMIT = 16 << 20;
    /** A non-streamed reply is read whole before it is passed on; past this it is refused. */
    private static final int RESPONSE_LIMIT = 64 << 20;
    private static final int RECORDED_RESPONSE = 4 << 20;

    /** A sandbox the proxy serves: its guard (kill state, passport) and the step a call now belongs to. */
    record Served(String sandboxId, GuardedSandbox guarded, OptionalInt step) {
    }

    private final Optional<ModelUpstream> upstream;
    private final Sandboxes sandboxes;
    private final Envs envs;
    private final Metrics metrics;
    private final HttpClient http;
    private final ModelLedgers ledgers;

    ModelProxyRoutes(Optional<ModelUpstream> upstream, Sandboxes sandboxes, Envs envs, ModelLedgers ledgers, Metrics metrics) {
        this.upstream = upstream;
        this.ledgers = ledgers;
        this.sandboxes = sandboxes;
        this.envs = envs;
        this.metrics = metrics;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    }

    void register(Routes routes) {
        routes.post("/v1/chat/completions", this::chat);
        routes.get("/v1/models", this::models);
        routes.get("/v1/sandboxes/{id}/model-calls", this::sandboxCalls);
    }

    private void sandboxCalls(Context ctx) {
        Hosted h = sandboxes.find(Auth.caller(ctx), ctx.pathParam("id"));
        ModelLedger ledger = ledgers.of(h.id(), h.guarded().passport().model().tokens());
        Routes.json(ctx, 200, ledger.toJson());
    }

    private Served served(Context ctx) {
        Caller caller = Auth.caller(ctx);
        String id = caller.sandbox().orElseThrow(() -> ApiError.forbidden(
                "the model proxy serves sandboxes: call it with a sandbox's own token (OPENAI_API_KEY inside it,"
                        + " model_token in its description), not a server token"));
        Optional<Hosted> hosted = sandboxes.byId(id);
        if (hosted.isPresent()) return new Served(id, hosted.get().guarded(), OptionalInt.empty());
        return envs.liveBySandbox(id)
                .map(live -> new Served(id, live.guarded(), OptionalInt.of(live.step())))
                .orElseThrow(() -> ApiError.notFound("sandbox " + id + " is not served here any more"));
    }

    private ModelUpstream upstream() {
        return upstream.orElseThrow(() -> new ApiError(503, "no_upstream",
                "this server has no model upstream; start it with ale serve --model-upstream URL"));
    }

    private static void notKilled(Served s) {
        Optional<String> reason = s.guarded().killReason().or(() -> s.guarded().events().stream()
                .filter(e -> e.action() == SafetyEvent.Action.KILL).map(SafetyEvent::rule).findFirst());
        if (reason.isPresent()) {
            throw new ApiError(403, "sandbox_killed", "sandbox " + s.sandboxId() + " was killed (" + reason.get()
                    + "); the model proxy serves it no more");
        }
    }

    private void models(Context ctx) {
        Served s = served(ctx);
        notKilled(s);
        ModelUpstream up = upstream();
        HttpRequest.Builder request = HttpRequest.newBuilder(up.resolve("/models")).timeout(Duration.ofSeconds(30)).GET();
        up.apiKey().ifPresent(k -> request.header("Authorization", "Bearer " + k));
        try {
            HttpResponse<byte[]> r = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            ctx.status(r.statusCode()).contentType(r.headers().firstValue("Content-Type").orElse("application/json")).result(r.body());
        } catch (IOException e) {
            throw unavailable(up, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(up, e);
        }
    }

    private void chat(Context ctx) {
        Instant at = Instant.now();
        Served s = served(ctx);
        ModelLedger ledger = ledgers.of(s.sandboxId(), s.guarded().passport().model().tokens());
        try {
            notKilled(s);
        } catch (ApiError e) {
            metrics.proxyRequest("refused_killed");
            throw e;
        }
        ModelUpstream up = upstream();
        ObjectNode body = Bodies.object(ctx, REQUEST_LIMIT);
        JsonNode stream = body.path("stream");
        if (!stream.isMissingNode() && !stream.isNull() && !stream.isBoolean()) throw ApiError.invalidField("stream", "must be true or false");
        if (!body.path("messages").isArray()) throw ApiError.invalidField("messages", "must be a list of chat messages");
        long left = ledger.left();
        if (left <= 0) {
            metrics.proxyRequest("refused_budget");
            throw new ApiError(429, "token_budget_exhausted", "sandbox " + s.sandboxId() + " has spent its passport's model token budget of "
                    + ledger.budget() + " (model.tokens)");
        }
        capCompletion(body, left);
        boolean streamed = stream.asBoolean(false);
        if (streamed && !body.has("stream_options")) body.putObject("stream_options").put("include_usage", true);

        byte[] sent;
        try {
            sent = Bodies.JSON.writeValueAsBytes(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be written", e);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(up.resolve("/chat/completions"))
                .timeout(up.timeout())
                .header("Content-Type", "application/json")
                .header("Accept", streamed ? "text/event-stream" : "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(sent));
        up.apiKey().ifPresent(k -> request.header("Authorization", "Bearer " + k));
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (java.net.http.HttpTimeoutException e) {
            metrics.proxyRequest("upstream_unavailable");
            throw new ApiError(504, "upstream_timeout", "the model server did not answer within " + up.timeout().toSeconds() + " s");
        } catch (IOException e) {
            metrics.proxyRequest("upstream_unavailable");
            throw unavailable(up, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(up, e);
        }
        String type = response.headers().firstValue("Content-Type").orElse("application/json");
        boolean eventStream = type.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
        JsonNode reply;
        long[] usage;
        long replyBytes;
        // the request timeout covers the wait for the head; this one, the whole reply
        Thread deadline = Thread.ofVirtual().start(() -> closeAfter(response.body(), up.timeout()));
        try (InputStream in = response.body()) {
            if (eventStream) {
                StreamedReply assembled = relayStream(ctx, response.statusCode(), type, in);
                reply = assembled.completion();
                replyBytes = assembled.completionChars();
                usage = assembled.usage().map(ModelProxyRoutes::reported)
                        .orElseGet(() -> estimated(sent.length, assembled.completionChars()));
            } else {
                byte[] all = in.readNBytes(RESPONSE_LIMIT + 1);
                if (all.length > RESPONSE_LIMIT) {
                    metrics.proxyRequest("upstream_error");
                    throw new ApiError(502, "upstream_too_large", "the model server's reply is over " + RESPONSE_LIMIT + " bytes");
                }
                ctx.status(response.statusCode()).contentType(type).result(all);
                reply = parsed(all);
                replyBytes = all.length;
                usage = reply.path("usage").isObject() ? reported(reply.get("usage"))
                        : response.statusCode() / 100 == 2 ? estimated(sent.length, all.length) : new long[] {0, 0, 0};
            }
        } catch (IOException e) {
            metrics.proxyRequest("upstream_unavailable");
            throw unavailable(up, e);
        } finally {
            deadline.interrupt();
        }
        ModelCall call = new ModelCall(ledger.nextIndex(), at, s.step(), response.statusCode(), eventStream, parsed(sent), reply,
                usage[0], usage[1], usage[2] == 1, Duration.between(at, Instant.now()));
        ledger.add(call, sent.length + replyBytes);
        metrics.proxyCall(call);
    }

    /**
     * Keeps a completion that names its limit inside what is left of the budget. One that names
     * none is sent as it is (a limit past the model's context would be refused upstream), so the
     * call that crosses the budget may overshoot it; every call after is refused.
     */
    private static void capCompletion(ObjectNode body, long left) {
        for (String field : new String[] {"max_tokens", "max_completion_tokens"}) {
            JsonNode v = body.path(field);
            if (v.isMissingNode() || v.isNull()) continue;
            if (!v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 1) throw ApiError.invalidField(field, "must be a whole number >= 1");
            if (v.asLong() > left) body.put(field, left);
        }
    }

    /** Closes {@code in} once {@code limit} has passed, unless interrupted first: a reply may not take longer than that. */
    private static void closeAfter(InputStream in, Duration limit) {
        try {
            Thread.sleep(limit);
        } catch (InterruptedException done) {
            return;
        }
        try {
            in.close();
        } catch (IOException ignored) {
            // closed already
        }
    }

    /**
     * Passes an SSE reply on chunk by chunk as it comes, reading it on the way. Once the stream
     * has begun, a failure upstream can only cut it short: the client sees the stream end, and
     * the record keeps what came ({@code ale_cut_short}).
     */
    private static StreamedReply relayStream(Context ctx, int status, String type, InputStream in) throws IOException {
        ctx.status(status);
        ctx.res().setContentType(type);
        ctx.res().setHeader("Cache-Control", "no-cache");
        ctx.res().setHeader("X-Accel-Buffering", "no");
        StreamedReply assembled = new StreamedReply();
        OutputStream out = ctx.res().getOutputStream();
        boolean clientGone = false;
        byte[] buffer = new byte[8192];
        while (true) {
            int n;
            try {
                n = in.read(buffer);
            } catch (IOException e) {
                assembled.cutShort();
                break;
            }
            if (n < 0) break;
            assembled.feed(buffer, n);
            if (clientGone) continue; // read to the end all the same: the reply is the episode's, and its usage comes last
            try {
                out.write(buffer, 0, n);
                out.flush();
            } catch (IOException e) {
                clientGone = true;
            }
        }
        return assembled;
    }

    private static JsonNode parsed(byte[] bytes) {
        try {
            JsonNode n = Bodies.JSON.readTree(bytes);
            return n == null ? Views.object().textNode("") : n;
        } catch (IOException e) {
            String text = new String(bytes, 0, Math.min(bytes.length, RECORDED_RESPONSE), StandardCharsets.UTF_8);
            return Views.object().textNode(text);
        }
    }

    /** {prompt, completion, estimated=0} from an OpenAI usage object. */
    private static long[] reported(JsonNode usage) {
        return new long[] {Math.max(0, usage.path("prompt_tokens").asLong()), Math.max(0, usage.path("completion_tokens").asLong()), 0};
    }

    /** {prompt, completion, estimated=1}: four characters to a token, rounded up. */
    private static long[] estimated(long promptBytes, long completionChars) {
        return new long[] {(promptBytes + 3) / 4, (completionChars + 3) / 4, 1};
    }

    private static ApiError unavailable(ModelUpstream up, Exception e) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new ApiError(502, "upstream_unavailable", "the model server at " + up.baseUrl() + " cannot be reached: " + why);
    }
}
