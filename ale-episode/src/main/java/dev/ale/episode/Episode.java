package dev.ale.episode;

import dev.ale.agent.tool.ToolRunner;
import dev.ale.containment.GuardedBackend;
import dev.ale.containment.GuardedSandbox;
import dev.ale.core.AleException;
import dev.ale.core.episode.EndReason;
import dev.ale.core.episode.LiveEpisode;
import dev.ale.core.episode.Step;
import dev.ale.core.episode.ToolRun;
import dev.ale.core.episode.Trajectory;
import dev.ale.core.episode.VerifierResult;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.model.ChatMessage;
import dev.ale.core.model.Usage;
import dev.ale.core.passport.FilesystemRules;
import dev.ale.core.passport.Passport;
import dev.ale.core.passport.Phase;
import dev.ale.core.sandbox.SandboxRequest;
import dev.ale.core.task.Task;
import dev.ale.core.tool.ToolContext;
import dev.ale.episode.reward.Rewards;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.HashMap;

/**
 * One attempt at one task by one policy in one fresh guarded sandbox, as a state machine:
 * {@code SETUP} (the task's files and setup script) → {@code AGENT} (protected paths sealed; steps
 * driven from outside) → {@code VERIFY} (every agent process gone, the monitor's watch over) →
 * {@code ENDED} (the sandbox destroyed, the trajectory and reward written down). It owns every
 * end rule; the agent loop and the GEM environment only drive it. Infrastructure failures end it
 * as {@link EndReason#INFRASTRUCTURE} rather than throwing, so a run goes on.
 */
public final class Episode implements LiveEpisode, AutoCloseable {

    /** Where an episode is in its life. */
    public enum State { SETUP, AGENT, VERIFY, ENDED }

    /** Labels every episode's sandbox carries. */
    public static final String TASK_LABEL = "task";

    private final Task task;
    private final String episodeId;
    private final String policy;
    private final Clock clock;
    private final Instant started;
    private final List<ChatMessage> messages = new ArrayList<>();
    private final List<Step> steps = new ArrayList<>();
    private State state = State.SETUP;
    private Optional<GuardedSandbox> sandbox = Optional.empty();
    private Optional<GuardedToolContext> tools = Optional.empty();
    private Duration setupTime = Duration.ZERO;
    private Instant agentStart;
    private int step;
    private Optional<EpisodeEnd> end = Optional.empty();
    private Optional<Ending> ending = Optional.empty();

    private Episode(Task task, String episodeId, String policy, Clock clock) {
        this.task = task;
        this.episodeId = episodeId;
        this.policy = policy;
        this.clock = clock;
        this.started = clock.instant();
        this.agentStart = started;
    }

    /**
     * Makes the episode's sandbox, sets the task up and opens the agent phase. When the sandbox will
     * not start or setup fails the episode is over at once: {@link #ending()} says why.
     */
    public static Episode open(GuardedBackend backend, Task task, String episodeId, String policy, Map<String, String> labels) {
        return open(backend, task, episodeId, policy, labels, Clock.systemUTC());
    }

    static Episode open(GuardedBackend backend, Task task, String episodeId, String policy, Map<String, String> labels, Clock clock) {
        Episode e = new Episode(task, episodeId, policy, clock);
        Map<String, String> all = new HashMap<>(labels);
        all.put(TASK_LABEL, task.id());
        try {
            e.sandbox = Optional.of(backend.create(new SandboxRequest(withTaskHidden(task), all, false)
                    .declaredAs(task.passport().fingerprint())
                    .forEpisode(episodeId).startingIn(Phase.SETUP)));
        } catch (AleException ex) {
            e.endNow(EndReason.INFRASTRUCTURE, "sandbox would not start: " + ex.getMessage());
            return e;
        }
        try {
            GuardedSandbox s = e.sandbox.get();
            Instant setupStart = clock.instant();
            Optional<String> failure = TaskSetup.run(s, task);
            e.setupTime = Duration.between(setupStart, clock.instant());
            if (failure.isPresent()) {
                e.endNow(EndReason.INFRASTRUCTURE, failure.get());
                return e;
            }
            s.enterPhase(Phase.AGENT);
            e.agentStart = clock.instant();
            GuardedToolContext context = new GuardedToolContext(s, task.environment().workdir(), task.environment().env(),
                    e.agentStart.plus(task.budget().wallTime()), clock);
            context.skipEarlierEvents();
            e.tools = Optional.of(context);
            e.state = State.AGENT;
        } catch (AleException | IllegalStateException ex) {
            e.endNow(EndReason.INFRASTRUCTURE, "setting up task " + task.id() + " failed: " + ex.getMessage());
        }
        return e;
    }

    /**
     * The task's passport with the task's own directory hidden from its sandbox: on the host root
     * the agent would otherwise find its reference solution and tests by searching the disk. A
     * sandbox on another base (a rootfs, an image) never shows the host's task directory.
     */
    static Passport withTaskHidden(Task task) {
        FilesystemRules fs = task.passport().filesystem();
        if (fs.rootfs().isPresent() || fs.image().isPresent()) return task.passport();
        List<String> hidden = new ArrayList<>(fs.hidden());
        hidden.add(task.directory().toAbsolutePath().normalize().toString());
        return task.passport().withFilesystem(new FilesystemRules(fs.rootfs(), hidden, fs.readOnly(), fs.image()));
    }

    public String id() {
        return episodeId;
    }

    public synchronized State state() {
        return state;
    }

    /** The sandbox, while the episode has one. */
    public Optional<GuardedSandbox> sandbox() {
        return sandbox;
    }

    /** The step a model call made now belongs to: the one running, or else the next. */
    public synchronized int currentStep() {
        return Math.max(step, 1);
    }

    public synchronized int stepsTaken() {
        return steps.size();
    }

    /** How the episode ended, once it has. */
    public synchronized Optional<Ending> ending() {
        return ending;
    }

    @Override
    public String instruction() {
        return task.instruction();
    }

    @Override
    public ToolContext tools() {
        return tools.orElseThrow(() -> new IllegalStateException("episode " + episodeId + " has no agent phase"));
    }

    @Override
    public synchronized OptionalInt beginStep() {
        if (state != State.AGENT) return OptionalInt.empty();
        // the sandbox may have been killed, or the time spent, between two steps
        Optional<EpisodeEnd> before = killed(List.of()).or(this::outOfTime);
        if (before.isPresent()) {
            finish(before.get());
            return OptionalInt.empty();
        }
        step = steps.size() + 1;
        tools().enterStep(step);
        return OptionalInt.of(step);
    }

    @Override
    public synchronized StepRecord endStep(Step draft) {
        if (state != State.AGENT) throw new IllegalStateException("episode " + episodeId + " is " + state + ", not in its agent phase");
        List<SafetyEvent> late = tools().drainEvents();
        List<ToolRun> runs = new ArrayList<>(draft.tools());
        if (!runs.isEmpty()) runs.add(runs.removeLast().withMoreEvents(late));
        Step recorded = new Step(draft.index(), draft.started(), draft.modelTime(), draft.response(), runs, draft.duration());
        steps.add(recorded);
        Optional<EpisodeEnd> verdict = endRule(recorded, late);
        verdict.ifPresent(this::finish);
        return new StepRecord(recorded, verdict);
    }

    /** The end rules after a step, in the one order every driver gets. */
    private Optional<EpisodeEnd> endRule(Step last, List<SafetyEvent> late) {
        List<SafetyEvent> events = new ArrayList<>(late);
        last.tools().forEach(r -> events.addAll(r.events()));
        Optional<EpisodeEnd> killed = killed(events);
        if (killed.isPresent()) return killed;
        if (last.tools().stream().anyMatch(r -> r.status() == ToolRun.Status.KILLED)) {
            return Optional.of(new EpisodeEnd(EndReason.KILLED, "killed"));
        }
        Optional<ToolRun> finish = last.tools().stream().filter(r -> r.status() == ToolRun.Status.FINISHED).findFirst();
        if (finish.isPresent()) return Optional.of(new EpisodeEnd(EndReason.FINISHED, finish.get().observation()));
        long tokens = usage().totalTokens();
        if (tokens >= task.budget().maxTokens()) {
            return Optional.of(new EpisodeEnd(EndReason.TOKEN_BUDGET, "used " + tokens + " of " + task.budget().maxTokens() + " tokens"));
        }
        if (steps.size() >= task.budget().maxSteps()) {
            return Optional.of(new EpisodeEnd(EndReason.STEP_BUDGET, "used all " + task.budget().maxSteps() + " steps"));
        }
        return outOfTime();
    }

    private Optional<EpisodeEnd> killed(List<SafetyEvent> events) {
        return ToolRunner.killedBy(sandbox.flatMap(GuardedSandbox::killReason), events).map(why -> new EpisodeEnd(EndReason.KILLED, why));
    }

    private Optional<EpisodeEnd> outOfTime() {
        if (clock.instant().isBefore(agentStart.plus(task.budget().wallTime()))) return Optional.empty();
        return Optional.of(new EpisodeEnd(EndReason.WALL_TIME, "used all " + task.budget().wallTime() + " of wall time"));
    }

    @Override
    public synchronized void converse(ChatMessage message) {
        messages.add(message);
    }

    @Override
    public synchronized void end(EndReason reason, String detail) {
        if (state == State.AGENT) finish(new EpisodeEnd(reason, detail));
    }

    /** Ends the agent phase: the verifier runs unless the agent was killed or did not end it, the reward is computed, the sandbox goes. */
    private void finish(EpisodeEnd why) {
        Instant verifyStart = clock.instant();
        Duration agent = Duration.between(agentStart, verifyStart);
        EpisodeEnd end = why;
        Optional<VerifierResult> verdict = Optional.empty();
        state = State.VERIFY;
        try {
            tools.ifPresent(GuardedToolContext::close);
            GuardedSandbox s = sandbox.orElseThrow();
            // entering verify ends the watch: what the verifier does is not charged to the agent
            s.enterPhase(Phase.VERIFY);
            if (why.reason() != EndReason.KILLED && why.reason().agentsDoing() && s.killReason().isEmpty()) {
                verdict = Optional.of(Verification.run(s, task));
            }
        } catch (AleException e) {
            end = new EpisodeEnd(EndReason.INFRASTRUCTURE, "verifier could not run: " + e.getMessage());
        }
        Duration verify = Duration.between(verifyStart, clock.instant());
        writeDown(end, verdict, agent, verify);
    }

    /** Over before the agent phase began: nothing to verify. */
    private void endNow(EndReason reason, String detail) {
        messages.add(ChatMessage.user(task.instruction()));
        writeDown(new EpisodeEnd(reason, detail), Optional.empty(), Duration.ZERO, Duration.ZERO);
    }

    private void writeDown(EpisodeEnd end, Optional<VerifierResult> verdict, Duration agent, Duration verify) {
        List<SafetyEvent> events = sandbox.map(GuardedSandbox::events).orElse(List.of());
        Trajectory t = new Trajectory(episodeId, task.id(), policy, task.passport().id(), messages, steps, events, end.reason(),
                end.detail(), verdict, usage(), started,
                new Trajectory.Timings(setupTime, agent, verify, Duration.between(started, clock.instant())));
        String sandboxId = sandbox.map(GuardedSandbox::id).orElse("");
        try {
            sandbox.ifPresent(GuardedSandbox::destroy);
        } finally {
            state = State.ENDED;
            this.end = Optional.of(end);
            ending = Optional.of(new Ending(end.reason(), end.detail(), t, Rewards.of(t, task.passport().detectors()), sandboxId));
        }
    }

    private Usage usage() {
        Usage total = Usage.NONE;
        for (Step s : steps) total = total.plus(s.response().usage());
        return total;
    }

    /** Abandons an episode still running: its sandbox destroyed, not verified, nothing written down. Idempotent. */
    @Override
    public synchronized void close() {
        if (state == State.ENDED) return;
        try {
            tools.ifPresent(GuardedToolContext::close);
        } finally {
            sandbox.ifPresent(GuardedSandbox::destroy);
            state = State.ENDED;
        }
    }
}
