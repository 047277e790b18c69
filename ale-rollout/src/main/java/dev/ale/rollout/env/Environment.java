package dev.ale.rollout.env;

import dev.ale.agent.tool.ToolRunner;
import dev.ale.core.AleException;
import dev.ale.core.episode.EndReason;
import dev.ale.core.episode.Step;
import dev.ale.core.episode.ToolRun;
import dev.ale.core.episode.Trajectory;
import dev.ale.core.episode.VerifierResult;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.model.ChatMessage;
import dev.ale.core.model.ModelResponse;
import dev.ale.core.model.Usage;
import dev.ale.core.passport.Phase;
import dev.ale.core.sandbox.SandboxRequest;
import dev.ale.core.task.Task;
import dev.ale.rollout.Containment;
import dev.ale.rollout.episode.GuardedToolContext;
import dev.ale.rollout.episode.TaskSetup;
import dev.ale.rollout.episode.Verification;
import dev.ale.rollout.reward.Reward;
import dev.ale.rollout.reward.Rewards;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * One task as a GEM environment: the episode {@code EpisodeRunner} runs, driven one tool call at a
 * time by a remote trainer. {@link #reset} makes a fresh guarded sandbox and sets the task up
 * exactly as an episode does (setup phase, protected paths sealed, agent phase); {@link #step}
 * runs one call through the same tools and monitor as the agent loop; when the episode ends the
 * verifier runs (unless the sandbox was killed), the reward is computed and the sandbox is
 * destroyed. Calls are serialised: one environment is one episode at a time.
 */
public final class Environment implements AutoCloseable {

    /** Where an environment is: made but not reset, in an episode, between episodes, or closed for good. */
    public enum State {
        NEW, RUNNING, ENDED, CLOSED;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final String POLICY = "remote";

    private final String id;
    private final Task task;
    private final Containment containment;
    private final ToolRunner runner;
    private final Consumer<StepResult.Ending> onEnd;

    /**
     * The episode in progress as others may read it without waiting for a step: its sandbox and
     * the step a model call made now belongs to (the one running, or else the next).
     */
    public record Live(String episodeId, Containment.Guarded guarded, int step) {
    }

    private volatile Optional<Live> live = Optional.empty();
    private State state = State.NEW;
    private Episode episode;
    private Optional<StepResult.Ending> last = Optional.empty();

    public Environment(String id, Task task, Containment containment, ToolRunner runner, Consumer<StepResult.Ending> onEnd) {
        this.id = id;
        this.task = task;
        this.containment = containment;
        this.runner = runner;
        this.onEnd = onEnd;
    }

    public String id() {
        return id;
    }

    public Task task() {
        return task;
    }

    public synchronized State state() {
        return state;
    }

    /** The episode now running (or the last one), by id. */
    public synchronized Optional<String> episodeId() {
        return Optional.ofNullable(episode).map(e -> e.episodeId);
    }

    /** The episode in progress; never waits, even while a step runs (a command in it may be asking). */
    public Optional<Live> live() {
        return live;
    }

    public synchronized int stepsTaken() {
        return episode == null ? 0 : episode.steps.size();
    }

    /** How the last finished episode ended. */
    public synchronized Optional<StepResult.Ending> lastEnding() {
        return last;
    }

    /**
     * Starts a fresh episode: an episode still running is abandoned (its sandbox destroyed, not
     * verified). Fails with {@link EnvironmentException} if the sandbox will not start or the
     * task's setup fails; the environment is then between episodes, and a reset may try again.
     */
    public synchronized Observation reset(OptionalLong seed) {
        if (state == State.CLOSED) throw new EnvironmentException(AleException.Fault.INPUT, "environment " + id + " is closed");
        abandon();
        String episodeId = id + "-" + UUID.randomUUID().toString().substring(0, 8);
        Instant started = Instant.now();
        Containment.Guarded guarded;
        try {
            guarded = containment.createUnsealed(new SandboxRequest(task.passport(),
                    Map.of("episode", episodeId, "task", task.id(), "env", id), false), Optional.of(episodeId));
        } catch (AleException e) {
            state = State.ENDED;
            throw new EnvironmentException(AleException.Fault.ENVIRONMENT, "sandbox for task " + task.id() + " would not start: " + e.getMessage(), e);
        }
        try {
            Instant setupStart = Instant.now();
            Optional<String> failure = TaskSetup.run(guarded.sandbox(), task);
            if (failure.isPresent()) throw new EnvironmentException(AleException.Fault.ENVIRONMENT, failure.get());
            Duration setup = Duration.between(setupStart, Instant.now());
            guarded.watch().sealProtected();
            guarded.sandbox().enterPhase(Phase.AGENT);
            Instant agentStart = Instant.now();
            GuardedToolContext context = new GuardedToolContext(guarded, task.environment().workdir(), agentStart.plus(task.budget().wallTime()));
            context.skipEarlierEvents();
            episode = new Episode(episodeId, seed, guarded, context, started, setup, agentStart);
        } catch (RuntimeException e) {
            guarded.close();
            state = State.ENDED;
            if (e instanceof EnvironmentException ee) throw ee;
            throw new EnvironmentException(AleException.Fault.ENVIRONMENT, "setting up task " + task.id() + " failed: " + e.getMessage(), e);
        }
        episode.messages.add(ChatMessage.user(task.instruction()));
        state = State.RUNNING;
        live = Optional.of(new Live(episodeId, episode.guarded, 1));
        return new Observation(episodeId, task.id(), task.instruction(), runner.tools().specs(), task.environment().workdir(),
                task.budget().maxSteps(), task.budget().wallTime());
    }

    /** Runs one action as the next step. Only while an episode runs ({@link State#RUNNING}). */
    public synchronized StepResult step(Action action) {
        if (state != State.RUNNING) {
            throw new EnvironmentException(AleException.Fault.INPUT, "environment " + id + " is " + state.wire()
                    + (state == State.CLOSED ? "" : "; reset it to start an episode"));
        }
        Episode e = episode;
        int index = e.steps.size() + 1;
        e.context.enterStep(index);
        live = Optional.of(new Live(e.episodeId, e.guarded, index));
        Instant started = Instant.now();
        List<ToolRun> runs = new ArrayList<>();
        String observation;
        String status;
        ChatMessage said;
        switch (action) {
            case Action.Call c -> {
                ToolRun run = runner.run(c.call(), e.context);
                runs.add(run);
                observation = run.observation();
                status = run.status().name().toLowerCase(Locale.ROOT);
                said = ChatMessage.assistant("", List.of(c.call()));
                e.messages.add(said);
                e.messages.add(ChatMessage.tool(c.call().id(), c.call().name(), observation));
            }
            case Action.Malformed m -> {
                observation = "[ALE] error: " + m.why();
                status = "malformed";
                said = ChatMessage.assistant("", List.of());
                e.messages.add(said);
                e.messages.add(ChatMessage.user(observation));
            }
        }
        List<SafetyEvent> late = e.context.drainEvents();
        if (!runs.isEmpty()) runs.add(runs.removeLast().withMoreEvents(late));
        List<SafetyEvent> events = runs.isEmpty() ? late : runs.getLast().events();
        e.steps.add(new Step(index, started, Duration.ZERO, ModelResponse.offline(said), runs, Duration.between(started, Instant.now())));

        Optional<String> killed = ToolRunner.killedBy(e.guarded.killReason(), events);
        Optional<EndReason> end = Optional.empty();
        String detail = "";
        if (killed.isPresent()) {
            end = Optional.of(EndReason.KILLED);
            detail = killed.get();
        } else if (!runs.isEmpty() && runs.getLast().status() == ToolRun.Status.FINISHED) {
            end = Optional.of(EndReason.FINISHED);
            detail = observation;
        } else if (index >= task.budget().maxSteps()) {
            end = Optional.of(EndReason.STEP_BUDGET);
            detail = "used all " + task.budget().maxSteps() + " steps";
        } else if (!Instant.now().isBefore(e.agentStart.plus(task.budget().wallTime()))) {
            end = Optional.of(EndReason.WALL_TIME);
            detail = "used all " + task.budget().wallTime() + " of wall time";
        }
        if (end.isEmpty()) {
            live = Optional.of(new Live(e.episodeId, e.guarded, index + 1));
            return new StepResult(index, observation, 0, false, false, status, events, Optional.empty(), Optional.empty());
        }
        StepResult.Ending ending = finish(end.get(), detail);
        boolean terminated = end.get() == EndReason.KILLED || end.get() == EndReason.FINISHED;
        return new StepResult(index, observation, ending.reward().total(), terminated, !terminated, status, events, killed, Optional.of(ending));
    }

    /** Ends the episode: the agent's shell closed, the verifier run unless it was killed, the reward computed, the sandbox destroyed. */
    private StepResult.Ending finish(EndReason reason, String detail) {
        Episode e = episode;
        Duration agent = Duration.between(e.agentStart, Instant.now());
        Instant verifyStart = Instant.now();
        Optional<VerifierResult> verdict = Optional.empty();
        EndReason end = reason;
        String why = detail;
        try {
            e.context.close();
            // the agent's acts are over: what the verifier does is not charged to it
            e.guarded.watch().close();
            if (reason != EndReason.KILLED && e.guarded.killReason().isEmpty()) {
                e.guarded.sandbox().enterPhase(Phase.VERIFY);
                verdict = Optional.of(Verification.run(e.guarded.sandbox(), task));
            }
        } catch (AleException ex) {
            end = EndReason.INFRASTRUCTURE;
            why = "verifier could not run: " + ex.getMessage();
        }
        Duration verify = Duration.between(verifyStart, Instant.now());
        Trajectory t = new Trajectory(e.episodeId, task.id(), POLICY, task.passport().id(), e.messages, e.steps, e.guarded.watch().events(),
                end, why, verdict, Usage.NONE, e.started,
                new Trajectory.Timings(e.setup, agent, verify, Duration.between(e.started, Instant.now())));
        Reward reward = Rewards.of(t, task.passport().detectors());
        try {
            e.guarded.close();
        } finally {
            state = State.ENDED;
        }
        StepResult.Ending ending = new StepResult.Ending(end, why, t, reward, e.guarded.sandbox().id());
        last = Optional.of(ending);
        live = Optional.empty();
        onEnd.accept(ending);
        return ending;
    }

    private void abandon() {
        if (state != State.RUNNING) return;
        live = Optional.empty();
        try {
            episode.context.close();
        } finally {
            episode.guarded.close();
            state = State.ENDED;
        }
    }

    /** Destroys the sandbox of an episode still running (unverified). Idempotent. */
    @Override
    public synchronized void close() {
        if (state == State.CLOSED) return;
        try {
            abandon();
        } finally {
            state = State.CLOSED;
        }
    }

    /** One episode's moving parts. */
    private static final class Episode {
        final String episodeId;
        final OptionalLong seed;
        final Containment.Guarded guarded;
        final GuardedToolContext context;
        final Instant started;
        final Duration setup;
        final Instant agentStart;
        final List<ChatMessage> messages = new ArrayList<>();
        final List<Step> steps = new ArrayList<>();

        Episode(String episodeId, OptionalLong seed, Containment.Guarded guarded, GuardedToolContext context, Instant started,
                Duration setup, Instant agentStart) {
            this.episodeId = episodeId;
            this.seed = seed;
            this.guarded = guarded;
            this.context = context;
            this.started = started;
            this.setup = setup;
            this.agentStart = agentStart;
        }
    }
}
