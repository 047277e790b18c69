package dev.ale.episode.env;

import dev.ale.agent.tool.ToolRunner;
import dev.ale.agent.tool.Toolbox;
import dev.ale.core.model.ToolCall;
import dev.ale.containment.GuardedBackend;
import dev.ale.containment.GuardedSandbox;
import dev.ale.core.AleException;
import dev.ale.core.episode.EndReason;
import dev.ale.core.episode.LiveEpisode;
import dev.ale.core.episode.Step;
import dev.ale.core.episode.ToolRun;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.model.ChatMessage;
import dev.ale.core.model.ModelResponse;
import dev.ale.core.task.Task;
import dev.ale.episode.Ending;
import dev.ale.episode.Episode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * One task as a GEM environment: an {@link Episode} driven one tool call at a time by a remote
 * trainer instead of the agent loop. {@link #reset} opens a fresh episode; {@link #step} runs one
 * call through the episode's guarded tools and hands the step to the episode, which decides
 * whether it ended (and then verifies, rewards and destroys the sandbox). Calls are serialised:
 * one environment is one episode at a time.
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
    private final GuardedBackend backend;
    private final ToolRunner runner;
    private final Consumer<Ending> onEnd;
    private final ActionFormat format;
    private final Optional<ToolRunner> parser;

    /** The episode in progress as others may read it without waiting for a step: its sandbox and the step a model call made now belongs to. */
    public record Live(String episodeId, GuardedSandbox guarded, int step) {
    }

    private volatile Optional<Episode> running = Optional.empty();
    private State state = State.NEW;
    private Optional<Episode> episode = Optional.empty();
    private Optional<Ending> last = Optional.empty();

    /** An environment reading actions as the task declares ({@link ActionFormat#of}). */
    public Environment(String id, Task task, GuardedBackend backend, ToolRunner runner, Consumer<Ending> onEnd) {
        this(id, task, backend, runner, onEnd, ActionFormat.of(task));
    }

    public Environment(String id, Task task, GuardedBackend backend, ToolRunner runner, Consumer<Ending> onEnd, ActionFormat format) {
        this.id = id;
        this.task = task;
        this.backend = backend;
        this.runner = runner;
        this.onEnd = onEnd;
        this.format = format;
        this.parser = format.parser().map(script -> new ToolRunner(new Toolbox(List.of(new ParserTool(script)))));
    }

    /** How this environment reads a trainer's action. */
    public ActionFormat format() {
        return format;
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
        return episode.map(Episode::id);
    }

    /** The episode in progress; never waits, even while a step runs (a command in it may be asking). */
    public Optional<Live> live() {
        return running.flatMap(e -> e.sandbox().map(s -> new Live(e.id(), s, e.currentStep())));
    }

    public synchronized int stepsTaken() {
        return episode.map(Episode::stepsTaken).orElse(0);
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
        Episode e = Episode.open(backend, task, episodeId, POLICY, Map.of("env", id));
        episode = Optional.of(e);
        if (e.state() != Episode.State.AGENT) {
            state = State.ENDED;
            String why = e.ending().map(Ending::detail).orElse("the episode did not start");
            throw new EnvironmentException(AleException.Fault.ENVIRONMENT, "task " + task.id() + ": " + why);
        }
        e.converse(ChatMessage.user(task.instruction()));
        state = State.RUNNING;
        running = Optional.of(e);
        // a text task's agent has no tools: its words go to the task's parser
        return new Observation(episodeId, task.id(), task.instruction(), format.kind() == ActionFormat.Kind.TEXT ? List.of() : runner.tools().specs(),
                task.environment().workdir(), task.budget().maxSteps(), task.budget().wallTime(), format.kind());
    }

    /** Runs one action as the next step. Only while an episode runs ({@link State#RUNNING}). */
    public synchronized StepResult step(Action action) {
        if (state != State.RUNNING) {
            throw new EnvironmentException(AleException.Fault.INPUT, "environment " + id + " is " + state.wire()
                    + (state == State.CLOSED ? "" : "; reset it to start an episode"));
        }
        Episode e = episode.orElseThrow();
        if (action instanceof Action.Malformed m && !format.malformedUsesStep()) return unspent(e, "[ALE] error: " + m.why());
        OptionalInt begun = e.beginStep();
        if (begun.isEmpty()) return ended(e, e.stepsTaken(), "", "ended", List.of());
        int index = begun.getAsInt();
        Instant started = Instant.now();
        List<ToolRun> runs = new ArrayList<>();
        String observation;
        String status;
        ChatMessage said;
        switch (action) {
            case Action.Call c -> {
                ToolRun run = runner.run(c.call(), e.tools());
                runs.add(run);
                observation = run.observation();
                status = run.status().name().toLowerCase(Locale.ROOT);
                said = ChatMessage.assistant("", List.of(c.call()));
                e.converse(said);
                e.converse(ChatMessage.tool(c.call().id(), c.call().name(), observation));
            }
            case Action.Text t -> {
                ToolCall call = new ToolCall("text_" + index, ParserTool.NAME, ParserTool.arguments(t.text()));
                ToolRun run = parser.orElseThrow().run(call, e.tools());
                boolean malformed = run.status() == ToolRun.Status.ERROR && run.observation().startsWith("[ALE] error: " + ParserTool.MALFORMED);
                // a malformed text that raised nothing may leave the budget alone; the step begun is simply not ended
                if (malformed && !format.malformedUsesStep() && run.events().isEmpty()) return unspent(e, run.observation(), t.text());
                runs.add(run);
                observation = run.observation();
                status = malformed ? "malformed" : run.status().name().toLowerCase(Locale.ROOT);
                said = ChatMessage.assistant(t.text(), List.of());
                e.converse(said);
                e.converse(ChatMessage.user(observation));
            }
            case Action.Malformed m -> {
                observation = "[ALE] error: " + m.why();
                status = "malformed";
                said = ChatMessage.assistant("", List.of());
                e.converse(said);
                e.converse(ChatMessage.user(observation));
            }
        }
        LiveEpisode.StepRecord record = e.endStep(new Step(index, started, Duration.ZERO, ModelResponse.offline(said), runs,
                Duration.between(started, Instant.now())));
        List<SafetyEvent> events = record.step().tools().isEmpty() ? List.of() : record.step().tools().getLast().events();
        if (record.end().isEmpty()) return new StepResult(index, observation, 0, false, false, status, events, Optional.empty(), Optional.empty());
        return ended(e, index, observation, status, events);
    }

    /** A malformed action that, by the task's setting, spends no step: said and answered, nothing else. */
    private StepResult unspent(Episode e, String observation) {
        return unspent(e, observation, "");
    }

    private StepResult unspent(Episode e, String observation, String text) {
        e.converse(ChatMessage.assistant(text, List.of()));
        e.converse(ChatMessage.user(observation));
        return new StepResult(e.stepsTaken(), observation, 0, false, false, "malformed", List.of(), Optional.empty(), Optional.empty());
    }

    /**
     * Writes a file into the running episode's sandbox for the trainer, outside any step: for content
     * too large for one action. Guarded as every file operation is (protected paths are refused).
     */
    public synchronized void writeFile(String path, byte[] content) {
        if (state != State.RUNNING) {
            throw new EnvironmentException(AleException.Fault.INPUT, "environment " + id + " is " + state.wire() + "; files go into a running episode");
        }
        episode.orElseThrow().sandbox().orElseThrow().files().write(path, content);
    }

    private StepResult ended(Episode e, int index, String observation, String status, List<SafetyEvent> events) {
        Ending ending = e.ending().orElseThrow();
        state = State.ENDED;
        running = Optional.empty();
        last = Optional.of(ending);
        onEnd.accept(ending);
        boolean terminated = ending.reason() == EndReason.KILLED || ending.reason() == EndReason.FINISHED;
        Optional<String> killed = ending.reason() == EndReason.KILLED ? Optional.of(ending.detail()) : Optional.empty();
        return new StepResult(index, observation, ending.reward().total(), terminated, !terminated, status, events, killed,
                Optional.of(ending));
    }

    private void abandon() {
        if (state != State.RUNNING) return;
        running = Optional.empty();
        try {
            episode.ifPresent(Episode::close);
        } finally {
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
}
