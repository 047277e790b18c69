package dev.ale.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ale.containment.GuardedBackend;
import dev.ale.containment.GuardedSandbox;
import dev.ale.core.sandbox.SandboxInfo;
import dev.ale.core.sandbox.SandboxStats;
import dev.ale.episode.Ending;
import dev.ale.episode.env.Environment;
import dev.ale.server.console.ConsoleSource;
import dev.ale.server.console.FleetRow;
import dev.ale.server.console.Principal;
import dev.ale.server.console.TaskTally;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The console's view of this server: its tokens, its sandboxes and environments (scoped as the
 * API scopes them), its model ledgers, and a tally of the GEM episodes it hosted by owner and task.
 */
final class ConsoleBridge implements ConsoleSource {

    private final Tokens tokens;
    private final Sandboxes sandboxes;
    private final Envs envs;
    private final ModelLedgers ledgers;
    private final GuardedBackend containment;
    private final Supplier<URI> api;
    /** Ended episodes by owner, then task: an env token's console shows its own. */
    private final Map<String, Map<String, TaskTally>> ended = new TreeMap<>();

    ConsoleBridge(Tokens tokens, Sandboxes sandboxes, Envs envs, ModelLedgers ledgers, GuardedBackend containment, Supplier<URI> api) {
        this.tokens = tokens;
        this.sandboxes = sandboxes;
        this.envs = envs;
        this.ledgers = ledgers;
        this.containment = containment;
        this.api = api;
        envs.onEpisodeEnd(this::count);
    }

    private synchronized void count(String owner, String task, Ending ending) {
        boolean passed = ending.trajectory().verifier().map(v -> v.passed()).orElse(false);
        ended.computeIfAbsent(owner, o -> new TreeMap<>()).merge(task,
                new TaskTally(task, 0, 1, passed ? 1 : 0, ending.reward().killed() ? 1 : 0, ending.reward().total()),
                (a, b) -> new TaskTally(task, 0, a.ended() + 1, a.passed() + b.passed(), a.kills() + b.kills(), a.rewardSum() + b.rewardSum()));
    }

    @Override
    public Optional<Principal> signIn(String token) {
        return tokens.find(token).map(t -> new Principal(t.name(), t.admin(), t.token()));
    }

    private static Caller caller(Principal who) {
        return new Caller(who.name(), who.admin(), OptionalInt.empty(), Optional.empty());
    }

    @Override
    public List<FleetRow> fleet(Principal who) {
        Caller caller = caller(who);
        List<FleetRow> rows = new ArrayList<>();
        for (Hosted h : sandboxes.list(caller)) rows.add(row(h));
        for (HostedEnv e : envs.list(caller)) rows.add(row(e));
        rows.sort((a, b) -> a.createdAt().compareTo(b.createdAt()));
        return List.copyOf(rows);
    }

    private static FleetRow row(Hosted h) {
        GuardedSandbox g = h.guarded();
        SandboxInfo info = g.info();
        SandboxStats stats = stats(g);
        return new FleetRow(Optional.of(h.id()), Optional.empty(), Optional.empty(), h.owner(), info.passportId(), Optional.empty(),
                OptionalInt.empty(), info.createdAt(), state(info), stats.cpuTime(), stats.memoryBytes());
    }

    private static FleetRow row(HostedEnv e) {
        Optional<Environment.Live> live = e.env().live();
        String task = e.env().task().id();
        if (live.isEmpty()) {
            return new FleetRow(Optional.empty(), Optional.of(e.id()), Optional.of(task), e.owner(), e.env().task().passport().id(),
                    e.env().episodeId(), OptionalInt.empty(), e.createdAt(), FleetRow.State.IDLE, Duration.ZERO, 0);
        }
        GuardedSandbox g = live.get().guarded();
        SandboxInfo info = g.info();
        SandboxStats stats = stats(g);
        return new FleetRow(Optional.of(g.id()), Optional.of(e.id()), Optional.of(task), e.owner(), info.passportId(),
                Optional.of(live.get().episodeId()), OptionalInt.of(live.get().step()), info.createdAt(), state(info), stats.cpuTime(),
                stats.memoryBytes());
    }

    private static FleetRow.State state(SandboxInfo info) {
        return info.state() == SandboxInfo.State.RUNNING ? FleetRow.State.RUNNING : FleetRow.State.KILLED;
    }

    /** Usage from the cgroup; none once the sandbox is gone from under the read. */
    private static SandboxStats stats(GuardedSandbox g) {
        try {
            return g.stats();
        } catch (RuntimeException e) {
            return new SandboxStats(Duration.ZERO, 0, 0, 0);
        }
    }

    @Override
    public Optional<Served> sandbox(Principal who, String id) {
        Caller caller = caller(who);
        Optional<Hosted> made = sandboxes.byId(id).filter(h -> caller.reaches(h.owner()));
        if (made.isPresent()) return Optional.of(new Served(row(made.get()), made.get().guarded()));
        for (HostedEnv e : envs.list(caller)) {
            Optional<Environment.Live> live = e.env().live();
            if (live.isPresent() && live.get().guarded().id().equals(id)) return Optional.of(new Served(row(e), live.get().guarded()));
        }
        return Optional.empty();
    }

    @Override
    public Optional<JsonNode> modelCalls(String sandboxId) {
        return ledgers.find(sandboxId).map(ModelLedger::toJson);
    }

    @Override
    public synchronized List<TaskTally> tasks(Principal who) {
        Map<String, TaskTally> byTask = new TreeMap<>();
        ended.forEach((owner, tallies) -> {
            if (who.admin() || who.name().equals(owner)) tallies.values().forEach(t -> byTask.merge(t.task(), t, ConsoleBridge::sum));
        });
        for (HostedEnv e : envs.list(caller(who))) {
            if (e.env().live().isEmpty()) continue;
            String task = e.env().task().id();
            byTask.merge(task, new TaskTally(task, 1, 0, 0, 0, 0), ConsoleBridge::sum);
        }
        return List.copyOf(byTask.values());
    }

    private static TaskTally sum(TaskTally a, TaskTally b) {
        return new TaskTally(a.task(), a.running() + b.running(), a.ended() + b.ended(), a.passed() + b.passed(), a.kills() + b.kills(),
                a.rewardSum() + b.rewardSum());
    }

    @Override
    public GuardedBackend containment() {
        return containment;
    }

    @Override
    public URI api() {
        return api.get();
    }
}
