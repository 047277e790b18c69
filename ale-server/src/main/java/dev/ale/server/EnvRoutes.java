package dev.ale.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.core.AleException;
import dev.ale.core.task.Task;
import dev.ale.episode.env.Action;
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

    private static final Set<String> MAKE_FIELDS = Set.of("task", "task_dir", "seed", "passport", "idle_timeout_seconds");
    private static final Set<String> RESET_FIELDS = Set.of("seed");
    private static final Set<String> STEP_FIELDS = Set.of("action");
    private static final Set<String> ROCK_MAKE_FIELDS = Set.of("env_id", "seed");
    private static final Set<String> ROCK_RESET_FIELDS = Set.of("sandbox_id", "seed");
    private static final Set<String> ROCK_STEP_FIELDS = Set.of("sandbox_id", "action");
    private static final Set<String> ROCK_ID_FIELDS = Set.of("sandbox_id");
    private static final Duration MAX_IDLE = Duration.ofDays(1);

    private final Envs envs;
    private final Map<String, Task> byId = new LinkedHashMap<>();
    private final Map<String, Task> byDir = new LinkedHashMap<>();
    private final Passports passports;
    private final Metrics metrics;
    private final Duration defaultIdle;

    EnvRoutes(Envs envs, List<Task> tasks, Passports passports, Metrics metrics, Duration defaultIdle) {
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
                .orElseThrow(() -> ApiError.invalidField("task_dir", "no task directory " + dir.get() + " under the server's --tasks; there are " + byDir.keySet()));
        if (f.has("passport")) task = task.withPassport(passports.resolve(f.node("passport"), Auth.caller(ctx).admin()));
        Duration idle = f.seconds("idle_timeout_seconds", MAX_IDLE).orElse(defaultIdle);
        HostedEnv h = envs.make(Auth.caller(ctx), task, seed(f), idle);
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
        ObjectNode json = resetJson(h, seed(f));
        json.put("env_id", h.id());
        Routes.json(ctx, 200, json);
    }

    private void step(Context ctx) {
        HostedEnv h = find(ctx, ctx.pathParam("id"));
        Fields f = Fields.of(Bodies.object(ctx), STEP_FIELDS);
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
        Fields f = Fields.of(Bodies.object(ctx), ROCK_MAKE_FIELDS);
        String id = f.string("env_id").orElseThrow(() -> ApiError.invalidField("env_id", "is required (a task id)"));
        HostedEnv h = envs.make(Auth.caller(ctx), task(id, "env_id"), seed(f), defaultIdle);
        ObjectNode json = Views.object();
        json.put("sandbox_id", h.id());
        Routes.json(ctx, 200, json);
    }

    private void rockReset(Context ctx) {
        Fields f = Fields.of(Bodies.object(ctx), ROCK_RESET_FIELDS);
        Routes.json(ctx, 200, resetJson(find(ctx, sandboxId(f)), seed(f)));
    }

    private void rockStep(Context ctx) {
        Fields f = Fields.of(Bodies.object(ctx), ROCK_STEP_FIELDS);
        Routes.json(ctx, 200, stepJson(find(ctx, sandboxId(f)), f.node("action")));
    }

    private void rockClose(Context ctx) {
        Fields f = Fields.of(Bodies.object(ctx), ROCK_ID_FIELDS);
        HostedEnv h = find(ctx, sandboxId(f));
        envs.close(h);
        ObjectNode json = Views.object();
        json.put("sandbox_id", h.id());
        Routes.json(ctx, 200, json);
    }

    /** ROCK answers the environment ids there are; ALE adds the caller's environments. */
    private void rockList(Context ctx) {
        Fields.of(Bodies.object(ctx), ROCK_ID_FIELDS);
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

    private ObjectNode resetJson(HostedEnv h, OptionalLong requested) {
        OptionalLong seed = requested.isPresent() ? requested : h.seed();
        Observation o = h.call(() -> {
            envs.abandoning(h);
            try {
                return h.env().reset(seed);
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
                Action action = Actions.parse(body.orElse(null), "call_" + (h.env().stepsTaken() + 1));
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
        json.put("created_at", h.createdAt().toString());
        json.put("idle_timeout_seconds", h.idleTimeout().toSeconds());
        json.put("idle_expires_at", h.idleExpiresAt().toString());
        return json;
    }
}
