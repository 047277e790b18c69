package dev.ale.server;

import dev.ale.episode.Ending;
import dev.ale.agent.tool.ToolRunner;
import dev.ale.agent.tool.Toolbox;
import dev.ale.core.task.Task;
import dev.ale.containment.GuardedBackend;
import dev.ale.episode.env.ActionFormat;
import dev.ale.episode.env.Environment;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.ale.runs.RunStore;
import java.util.LinkedHashMap;
import java.util.Optional;

/**
 * The GEM environments this server made, scoped like {@link Sandboxes}: an admin reaches all, an
 * env token only its own (another's answers 404). They share the token's sandbox quota, and one
 * left idle past its idle timeout is closed, so a trainer that vanishes leaks nothing.
 */
final class Envs implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Envs.class.getName());

    private final GuardedBackend containment;
    private final Quota quota;
    private final Metrics metrics;
    private final ToolRunner runner = new ToolRunner(Toolbox.standard());
    private final Map<String, HostedEnv> byId = new ConcurrentHashMap<>();
    private final ScheduledExecutorService reaper;

    private final ModelLedgers ledgers;
    private final Optional<RunStore> episodes;
    private final List<EpisodeEnd> endListeners = new CopyOnWriteArrayList<>();

    /** Told of every episode that ends in one of these environments: whose it was, its task, and how it ended. */
    @FunctionalInterface
    interface EpisodeEnd {
        void ended(String owner, String task, Ending ending);
    }

    /**
     * {@code episodes}: where each finished episode's line goes (its trajectory, reward, and the
     * model-proxy calls its sandbox made), as {@code ale run} writes them.
     */
    Envs(GuardedBackend containment, Quota quota, Metrics metrics, Duration reapPeriod, ModelLedgers ledgers, Optional<RunStore> episodes) {
        this.containment = containment;
        this.ledgers = ledgers;
        this.episodes = episodes;
        this.quota = quota;
        this.metrics = metrics;
        this.reaper = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("ale-server-env-reaper").factory());
        long period = Math.max(50, reapPeriod.toMillis());
        reaper.scheduleWithFixedDelay(this::reapIdle, period, period, TimeUnit.MILLISECONDS);
    }

    int count() {
        return byId.size();
    }

    /** Sandboxes the environments hold now: one per episode running (none between episodes). */
    int sandboxCount() {
        int n = 0;
        for (HostedEnv h : byId.values()) if (h.env().live().isPresent()) n++;
        return n;
    }

    /** A new environment; {@code format} chooses the action format, else the task's own ({@code gem.yaml}). */
    HostedEnv make(Caller caller, Task task, OptionalLong seed, Optional<String> group, OptionalLong sample, Optional<ActionFormat.Kind> format,
                   Duration idle) {
        ActionFormat declared = ActionFormat.of(task);
        ActionFormat chosen = format.map(k -> declared.as(k, task.id())).orElse(declared);
        quota.acquire(caller);
        String id = "env-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        Environment env = new Environment(id, task, containment, runner, ending -> ended(id, task, ending), chosen);
        HostedEnv h = new HostedEnv(env, caller.name(), seed, group, sample, idle);
        byId.put(id, h);
        return h;
    }

    /** Counts the episode, and writes its line with the model-proxy calls its sandbox made. */
    private void ended(String envId, Task task, Ending ending) {
        HostedEnv.EpisodeLabels labels = Optional.ofNullable(byId.get(envId)).map(HostedEnv::current)
                .orElse(new HostedEnv.EpisodeLabels(OptionalLong.empty(), Optional.empty(), OptionalLong.empty()));
        OptionalLong seed = labels.seed();
        metrics.episodeEnded(ending);
        Optional.ofNullable(byId.get(envId)).ifPresent(h -> endListeners.forEach(l -> l.ended(h.owner(), task.id(), ending)));
        ArrayNode calls = Views.object().arrayNode();
        ledgers.forget(ending.sandboxId()).ifPresent(l -> l.calls().forEach(c -> calls.add(c.toJson())));
        episodes.ifPresent(store -> {
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("env", envId);
            extra.put("seed", seed.isPresent() ? seed.getAsLong() : null);
            // the trainer's GRPO group: ale export takes advantages within it rather than within the task
            labels.group().ifPresent(g -> extra.put("group", g));
            if (labels.sample().isPresent()) extra.put("sample", labels.sample().getAsLong());
            extra.put("model_calls", calls);
            try {
                store.append(ending.trajectory(), task.passport(), List.of(), extra);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "could not record episode " + ending.trajectory().episodeId() + " of " + envId, e);
            }
        });
    }

    void onEpisodeEnd(EpisodeEnd listener) {
        endListeners.add(listener);
    }

    private static Optional<String> sandboxOf(Environment env) {
        return env.live().map(l -> l.guarded().id());
    }

    /** The episode whose sandbox is {@code sandboxId}, if one is running: for the model proxy. */
    Optional<Environment.Live> liveBySandbox(String sandboxId) {
        for (HostedEnv h : byId.values()) {
            Optional<Environment.Live> live = h.env().live();
            if (live.isPresent() && live.get().guarded().id().equals(sandboxId)) return live;
        }
        return Optional.empty();
    }

    /** The model-proxy token of the episode running in {@code h}, if its passport allows the proxy. */
    Optional<String> modelToken(HostedEnv h) {
        return sandboxOf(h.env()).flatMap(containment::modelToken);
    }

    /** An episode about to be abandoned (a reset or a close): its model calls are dropped with it. */
    void abandoning(HostedEnv h) {
        sandboxOf(h.env()).ifPresent(ledgers::forget);
    }

    /** The environment {@code id} if the caller may reach it; 404 otherwise, the same answer as for no such id. */
    HostedEnv find(Caller caller, String id) {
        HostedEnv h = byId.get(id);
        if (h == null || h.closed() || !caller.reaches(h.owner())) throw ApiError.notFound("no environment " + id);
        return h;
    }

    List<HostedEnv> list(Caller caller) {
        List<HostedEnv> out = new ArrayList<>();
        for (HostedEnv h : byId.values()) if (!h.closed() && caller.reaches(h.owner())) out.add(h);
        out.sort(Comparator.comparing(HostedEnv::createdAt));
        return List.copyOf(out);
    }

    void close(HostedEnv h) {
        if (byId.remove(h.id(), h)) quota.release(h.owner());
        abandoning(h);
        h.close();
    }

    private void reapIdle() {
        Instant now = Instant.now();
        for (HostedEnv h : byId.values()) {
            if (!h.idle(now)) continue;
            try {
                LOG.log(System.Logger.Level.INFO, "closing environment " + h.id() + ": idle for " + h.idleTimeout().toSeconds() + " s");
                close(h);
                metrics.sandboxReaped();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "could not close idle environment " + h.id(), e);
            }
        }
    }

    @Override
    public void close() {
        reaper.shutdownNow();
        for (HostedEnv h : List.copyOf(byId.values())) {
            try {
                close(h);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "could not close environment " + h.id(), e);
            }
        }
    }
}
