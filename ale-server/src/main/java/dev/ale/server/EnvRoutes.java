package dev.ale.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.core.AleException;
import dev.ale.core.task.Task;
import dev.ale.episode.env.Action;
import dev.ale.episode.env.ActionFormat;
import dev.ale.episode.env.Actions;
import dev.ale.episode.env.Environment;
import dev.ale.episode.env.EnvironmentException;
import dev.ale.episode.env.Observation;
import dev.ale.episode.env.StepResult;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * GEM environments: a task as an episode a remote trainer steps one tool call at a time.
 * {@code /v1/envs} is ALE's own form; {@code /apis/v1/envs/gem/*} answers ROCK's GEM client
 * ({@code rock.make(env_id)}), bodies unwrapped as ROCK's admin server answers them.
 */
final class EnvRoutes {

    static final String ROCK = "/apis/v1/envs/gem";

    private static final Set<String> MAKE_FIELDS = Set.of("task", "task_dir", "seed", "passport", "idle_timeout_seconds", "action_format",
            "group", "sample");
    private static final Set<String> RESET_FIELDS = Set.of("seed", "group", "sample");
    private static final Set<String> STEP_FIELDS = Set.of("action");
    /** ROCK's make may carry a sandbox_id (ALE always makes a fresh environment) and other fields of its own: all ignored. */
    private static final Set<String> ROCK_MAKE_FIELDS = Set.of("env_id", "seed", "sandbox_id", "action_format", "group", "sample");
    private static final Set<String> ROCK_RESET_FIELDS = Set.of("sandbox_id", "seed", "group", "sample");
    private static final Set<String> ROCK_STEP_FIELDS = Set.of("sandbox_id", "action");
    private static final Set<String> ROCK_ID_FIELDS = Set.of("sandbox_id");
    private static final Duration MAX_IDLE = Duration.ofDays(1);

    private final Envs envs;
    private final Map<String, Task> byId = new LinkedHashMap<>();
    private final TaskImages images;
    private final Map<String, Task> byDir = new LinkedHashMap<>();
    private final Passports passports;
    private final Metrics metrics;
    private final Duration defaultIdle;
    private final int maxActionBytes;

    EnvRoutes(Envs envs, List<Task> tasks, TaskImages images, Passports passports, Metrics metrics, Duration defaultIdle, int maxActionBytes) {
        this.images = images;
        this.maxActionBytes = maxActionBytes;
        this.envs = envs;
        for (Task t : tasks) {
            byId.put(t.id(), t);
            byDir.putIfAbsent(t.directory().getFileName().toString(), t);
        }
        this.passports = passports;
        this.metrics = metrics;
        this.defaultIdle = defaultIdle;
    }

    void register(Routes routes) {
        routes.post("/v1/envs", this::make);
        routes.get("/v1/envs", this::list);
        routes.get("/v1/envs/{id}", this::get);
        routes.post("/v1/envs/{id}/reset", this::reset);
        routes.post("/v1/envs/{id}/step", this::step);
        routes.post("/v1/envs/{id}/close", this::close);
        routes.put("/v1/envs/{id}/files", this::writeFile);
        routes.post(ROCK + "/make", this::rockMake);
        routes.post(ROCK + "/reset", this::rockReset);
        routes.post(ROCK + "/step", this::rockStep);
        routes.post(ROCK + "/close", this::rockClose);
        routes.post(ROCK + "/list", this::rockList);
    }

    private void make(Context ctx) {
        Fields f = Fields.of(Bodies.object(ctx), MAKE_FIELDS);
        Optional<String> id = f.string("task");
        Optional<String> dir = f.string("task_dir");
        if (id.isPresent() == dir.isPresent()) throw ApiError.invalidField("task", "give exactly one of task (a task id) and task_dir (a directory name)");
        Task task = id.isPresent() ? task(id.get(), "task") : Optional.ofNullable(byDir.get(dir.get()))
                .orElseThrow(() -> ApiError.invalidField("task_dir",
                        "no task directory " + dir.get() + " under the server's --tasks; there are " + byDir.keySet()));
        if (f.has("passport")) task = task.withPassport(passports.resolve(f.node("passport"), Auth.caller(ctx).admin()));
        Duration idle = f.seconds("idle_timeout_seconds", MAX_IDLE).orElse(defaultIdle);
        // its image is built (or found in the build cache) under the passport it runs under, before the env exists
        HostedEnv h = envs.make(Auth.caller(ctx), images.prepare(task), seed(f), group(f), sample(f), format(f), idle);
        Routes.json(ctx, 201, env(h));
    }

    private void list(Context ctx) {
        ObjectNode json = Views.object();
        ArrayNode list = json.putArray("envs");
        envs.list(Auth.caller(ctx)).forEach(h -> list.add(env(h)));
        Routes.json(ctx, 200, json);
    }

    private void get(Context ctx) {
        Routes.json(ctx, 200, env(find(ctx, ctx.pathParam("id"))));
    }

    private void reset(Context ctx) {
        HostedEnv h = find(ctx, ctx.pathParam("id"));
        Fields f = Fields.of(Bodies.object(ctx), RESET_FIELDS);
        ObjectNode json = resetJson(h, h.labelsFor(seed(f), group(f), sample(f)));
        json.put("env_id", h.id());
        Routes.json(ctx, 200, json);
    }

    private void step(Context ctx) {
        HostedEnv h = find(ctx, ctx.pathParam("id"));
        Fields f = Fields.of(actionBody(ctx), STEP_FIELDS);
        ObjectNode json = stepJson(h, f.node("action"));
        json.put("env_id", h.id());
        Routes.json(ctx, 200, json);
    }

    private void close(Context ctx) {
        HostedEnv h = find(ctx, ctx.pathParam("id"));
        envs.close(h);
        ObjectNode json = Views.object();
        json.put("env_id", h.id());
        json.put("state", h.env().state().wire());
        Routes.json(ctx, 200, json);
    }

    private void rockMake(Context ctx) {
        Fields f = Fields.lenient(Bodies.object(ctx), ROCK_MAKE_FIELDS, "ROCK gem make");
        String id = f.string("env_id").orElseThrow(() -> ApiError.invalidField("env_id", "is required (a task id)"));
        HostedEnv h = envs.make(Auth.caller(ctx), images.prepare(task(id, "env_id")), seed(f), group(f), sample(f), format(f), defaultIdle);
        ObjectNode json = Views.object();
        json.put("sandbox_id", h.id());
        Routes.json(ctx, 200, json);
    }

    private void rockReset(Context ctx) {
        Fields f = Fields.lenient(Bodies.object(ctx), ROCK_RESET_FIELDS, "ROCK gem reset");
        HostedEnv h = find(ctx, sandboxId(f));
        Routes.json(ctx, 200, resetJson(h, h.labelsFor(seed(f), group(f), sample(f))));
    }

    private void rockStep(Context ctx) {
        Fields f = Fields.lenient(actionBody(ctx), ROCK_STEP_FIELDS, "ROCK gem step");
        Routes.json(ctx, 200, stepJson(find(ctx, sandboxId(f)), f.node("action")));
    }

    private void rockClose(Context ctx) {
        Fields f = Fields.lenient(Bodies.object(ctx), ROCK_ID_FIELDS, "ROCK gem close");
        HostedEnv h = find(ctx, sandboxId(f));
        envs.close(h);
        ObjectNode json = Views.object();
        json.put("sandbox_id", h.id());
        Routes.json(ctx, 200, json);
    }

    /** ROCK answers the environment ids there are; ALE adds the caller's environments. */
    private void rockList(Context ctx) {
        Fields.lenient(Bodies.object(ctx), ROCK_ID_FIELDS, "ROCK gem list");
        ObjectNode json = Views.object();
        ArrayNode ids = json.putArray("env_id");
        byId.keySet().forEach(ids::add);
        ArrayNode list = json.putArray("sandboxes");
        for (HostedEnv h : envs.list(Auth.caller(ctx))) {
            ObjectNode e = list.addObject();
            e.put("sandbox_id", h.id());
            e.put("env_id", h.env().task().id());
            e.put("state", h.env().state().wire());
        }
        Routes.json(ctx, 200, json);
    }

    private ObjectNode resetJson(HostedEnv h, HostedEnv.EpisodeLabels labels) {
        OptionalLong seed = labels.seed();
        Observation o = h.call(() -> {
            envs.abandoning(h);
            try {
                Observation fresh = h.env().reset(seed);
                h.running(labels);
                return fresh;
            } catch (EnvironmentException e) {
                throw refusal(h, e);
            }
        });
        ObjectNode json = Views.object();
        json.put("observation", o.instruction());
        ObjectNode info = json.putObject("info");
        info.put("episode_id", o.episodeId());
        info.put("task", o.taskId());
        if (seed.isPresent()) info.put("seed", seed.getAsLong());
        else info.putNull("seed");
        info.put("workdir", o.workdir());
        info.put("max_steps", o.maxSteps());
        info.put("wall_time_seconds", o.wallTime().toSeconds());
        info.put("action_format", o.actionFormat().wire());
        if (labels.group().isPresent()) info.put("group", labels.group().get());
        else info.putNull("group");
        if (labels.sample().isPresent()) info.put("sample", labels.sample().getAsLong());
        else info.putNull("sample");
        ArrayNode tools = info.putArray("tools");
        o.tools().forEach(t -> tools.add(dev.ale.core.model.ChatJson.toJson(t)));
        Optional<String> token = envs.modelToken(h);
        if (token.isPresent()) info.put("model_token", token.get());
        else info.putNull("model_token");
        return json;
    }

    private ObjectNode stepJson(HostedEnv h, Optional<JsonNode> body) {
        long start = System.nanoTime();
        StepResult r;
        try {
            r = h.call(() -> {
                Action action = body.isPresent() && body.get().isTextual() && body.get().asText().equals(OVERSIZE)
                        ? new Action.Malformed(oversize(h))
                        : Actions.parse(body.orElse(null), "call_" + (h.env().stepsTaken() + 1), h.env().format().kind());
                try {
                    return h.env().step(action);
                } catch (EnvironmentException e) {
                    throw refusal(h, e);
                }
            });
        } finally {
            metrics.envStep(Duration.ofNanos(System.nanoTime() - start));
        }
        return Views.step(r);
    }

    /** Stands for an action over the limit, which is never parsed: the step says so instead of the request failing. */
    private static final String OVERSIZE = "\u0000ale-oversize-action";

    /**
     * A step body: up to the transport's limit is read, so that an action over the server's own
     * limit becomes an observation (naming the files route) rather than a 413 the policy never sees.
     */
    private ObjectNode actionBody(Context ctx) {
        byte[] bytes = Bodies.bytes(ctx, Bodies.FILE_LIMIT);
        ObjectNode body = Bodies.object(ctx, bytes);
        if (bytes.length > maxActionBytes && body.has("action")) body.put("action", OVERSIZE);
        return body;
    }

    private String oversize(HostedEnv h) {
        return "this action is over this server's limit of " + maxActionBytes + " bytes for one action; write large content with"
                + " PUT /v1/envs/" + h.id() + "/files?path=PATH (the raw bytes as the body), then act on the file";
    }

    /** A file into the running episode's sandbox, for content too large for one action. */
    private void writeFile(Context ctx) {
        HostedEnv h = find(ctx, ctx.pathParam("id"));
        String path = ctx.queryParam("path");
        if (path == null || path.isEmpty()) throw ApiError.invalidField("path", "the query parameter is required");
        if (path.indexOf('\0') >= 0) throw ApiError.invalidField("path", "must not contain NUL");
        byte[] body = Bodies.bytes(ctx, Bodies.FILE_LIMIT);
        h.call(() -> {
            try {
                h.env().writeFile(path, body);
            } catch (EnvironmentException e) {
                throw refusal(h, e);
            }
            return null;
        });
        ObjectNode json = Views.object();
        json.put("path", path);
        json.put("size", body.length);
        Routes.json(ctx, 200, json);
    }

    private static Optional<String> group(Fields f) {
        Optional<JsonNode> n = f.node("group");
        if (n.isEmpty()) return Optional.empty();
        if (!n.get().isTextual() && !n.get().isIntegralNumber()) throw ApiError.invalidField("group", "must be a string or an integer");
        String g = n.get().asText();
        if (g.isBlank() || g.length() > 256) throw ApiError.invalidField("group", "must be 1-256 characters");
        return Optional.of(g);
    }

    private static OptionalLong sample(Fields f) {
        Optional<JsonNode> n = f.node("sample");
        if (n.isEmpty()) return OptionalLong.empty();
        if (!n.get().isIntegralNumber() || !n.get().canConvertToLong() || n.get().asLong() < 0) {
            throw ApiError.invalidField("sample", "must be a non-negative integer");
        }
        return OptionalLong.of(n.get().asLong());
    }

    private static Optional<ActionFormat.Kind> format(Fields f) {
        Optional<String> text = f.string("action_format");
        if (text.isEmpty()) return Optional.empty();
        return Optional.of(ActionFormat.Kind.of(text.get())
                .orElseThrow(() -> ApiError.invalidField("action_format", "one of tool, shell, text; not '" + text.get() + "'")));
    }

    private static ApiError refusal(HostedEnv h, EnvironmentException e) {
        if (e.fault() == AleException.Fault.INPUT) return new ApiError(409, "env_not_running", e.getMessage());
        return new ApiError(502, "env_setup_failed", "environment " + h.id() + ": " + e.getMessage());
    }

    private Task task(String id, String field) {
        Task t = byId.get(id);
        if (t == null) throw ApiError.invalidField(field, "no task " + id + " on this server (ale serve --tasks DIR); there are " + byId.keySet());
        return t;
    }

    private static OptionalLong seed(Fields f) {
        Optional<JsonNode> n = f.node("seed");
        if (n.isEmpty()) return OptionalLong.empty();
        if (!n.get().canConvertToLong() || !n.get().isIntegralNumber()) throw ApiError.invalidField("seed", "must be an integer");
        return OptionalLong.of(n.get().asLong());
    }

    private static String sandboxId(Fields f) {
        String id = f.string("sandbox_id").orElseThrow(() -> ApiError.invalidField("sandbox_id", "is required"));
        if (id.isBlank()) throw ApiError.invalidField("sandbox_id", "must not be blank");
        return id;
    }

    private HostedEnv find(Context ctx, String id) {
        return envs.find(Auth.caller(ctx), id);
    }

    private static ObjectNode env(HostedEnv h) {
        Environment e = h.env();
        ObjectNode json = Views.object();
        json.put("env_id", h.id());
        json.put("task", e.task().id());
        json.put("passport", e.task().passport().id());
        json.put("owner", h.owner());
        json.put("state", e.state().wire());
        if (e.episodeId().isPresent()) json.put("episode_id", e.episodeId().get());
        else json.putNull("episode_id");
        json.put("steps", e.stepsTaken());
        json.put("action_format", e.format().kind().wire());
        json.put("created_at", h.createdAt().toString());
        json.put("idle_timeout_seconds", h.idleTimeout().toSeconds());
        json.put("idle_expires_at", h.idleExpiresAt().toString());
        return json;
    }
}
