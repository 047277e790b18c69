package dev.ale.episode;

import dev.ale.agent.loop.AgentLoop;
import dev.ale.agent.loop.LoopSettings;
import dev.ale.agent.policy.Policy;
import dev.ale.agent.policy.ScriptedPolicy;
import dev.ale.agent.policy.ScriptedPolicy.ScriptedCall;
import dev.ale.agent.tool.ToolRunner;
import dev.ale.agent.tool.Toolbox;
import dev.ale.containment.TestContainment;
import dev.ale.core.episode.EndReason;
import dev.ale.core.episode.LiveEpisode;
import dev.ale.core.episode.Step;
import dev.ale.core.episode.ToolRun;
import dev.ale.core.model.ChatMessage;
import dev.ale.core.model.ModelResponse;
import dev.ale.core.model.ToolCall;
import dev.ale.core.model.Usage;
import dev.ale.core.passport.Passport;
import dev.ale.core.sandbox.SandboxInfo;
import dev.ale.core.task.AgentBudget;
import dev.ale.core.task.Task;
import dev.ale.episode.AgentLoopTest.FunctionPolicy;
import dev.ale.episode.env.Action;
import dev.ale.episode.env.Environment;
import dev.ale.episode.env.StepResult;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The episode owns its end rules: the agent loop and the GEM environment, driving the same task,
 * end it for the same reason with the same words; and the lifecycle holds at its edges (a failed
 * setup, steps after the end, an abandoned episode) with nothing left behind.
 */
@Tag("root")
class EpisodeTest {

    @RegisterExtension
    static final TestContainment containment = new TestContainment();

    @TempDir
    Path dir;

    private final AgentLoop loop = new AgentLoop(Toolbox.standard(), LoopSettings.defaults());

    private Ending driveLoop(Task task, Function<Episode, Policy> policyFor, BiConsumer<Episode, Step> onStep) {
        return AgentLoopTest.drive(containment.containment(), loop, task, Clock.systemUTC(), policyFor, onStep);
    }

    private Ending driveLoop(Task task, Policy policy) {
        return driveLoop(task, e -> policy, (e, s) -> { });
    }

    private static Environment environment(Task task, List<Ending> ended) {
        return new Environment("env-" + System.nanoTime(), task, containment.containment(), new ToolRunner(Toolbox.standard()), ended::add);
    }

    private static Action shell(String command) {
        return new Action.Call(new ToolCall("c" + System.nanoTime(), "shell", "{\"command\":\"" + command + "\"}"));
    }

    private static Action finish(String summary) {
        return new Action.Call(new ToolCall("c" + System.nanoTime(), "finish", "{\"summary\":\"" + summary + "\"}"));
    }

    private Episode open(Task task, Clock clock) {
        return Episode.open(containment.containment(), task, "ep-" + System.nanoTime(), "test", Map.of(), clock);
    }

    private static Step draft(int index, List<ToolRun> runs) {
        return new Step(index, Instant.now(), Duration.ZERO, ModelResponse.offline(ChatMessage.assistant("", List.of())), runs, Duration.ZERO);
    }

    private static boolean gone(String sandboxId) {
        return containment.containment().find(sandboxId).isEmpty()
                && containment.containment().list().stream().map(SandboxInfo::id).noneMatch(sandboxId::equals);
    }

    @Test
    void theStepBudgetEndsEitherDriverAfterTheSameStepWithTheSameWords() throws IOException {
        Task task = HelloTask.in(dir, new AgentBudget(2, 100_000, Duration.ofMinutes(2)));
        List<Ending> ended = new ArrayList<>();
        StepResult first;
        StepResult second;
        try (Environment env = environment(task, ended)) {
            env.reset(OptionalLong.empty());
            first = env.step(shell("true"));
            second = env.step(shell("true"));
        }
        Ending agent = driveLoop(task, new FunctionPolicy(r -> AgentLoopTest.call("shell", "{\"command\":\"true\"}")));

        assertThat(first.ending()).isEmpty();
        assertThat(first.truncated()).isFalse();
        Ending gem = second.ending().orElseThrow();
        assertThat(second.truncated()).isTrue();
        assertThat(second.terminated()).isFalse();
        assertThat(ended).containsExactly(gem);
        assertThat(gem.reason()).isEqualTo(EndReason.STEP_BUDGET);
        assertThat(agent.reason()).isEqualTo(EndReason.STEP_BUDGET);
        assertThat(gem.detail()).isEqualTo(agent.detail()).isEqualTo("used all 2 steps");
        assertThat(gem.trajectory().steps()).hasSize(2);
        assertThat(agent.trajectory().steps()).hasSize(2);
    }

    @Test
    void finishOnTheLastAllowedStepEndsFinishedUnderEitherDriver() throws IOException {
        Task task = HelloTask.in(dir, new AgentBudget(2, 100_000, Duration.ofMinutes(2)));
        List<Ending> ended = new ArrayList<>();
        StepResult last;
        try (Environment env = environment(task, ended)) {
            env.reset(OptionalLong.empty());
            env.step(shell("echo hello > out.txt"));
            last = env.step(finish("done"));
        }
        // the scripted policy calls finish once its one call is spent: on step 2 of 2
        Ending agent = driveLoop(task, ScriptedPolicy.ofCalls("scripted", List.of(new ScriptedCall("shell", "{\"command\":\"true\"}"))));

        Ending gem = last.ending().orElseThrow();
        assertThat(gem.reason()).isEqualTo(EndReason.FINISHED);
        assertThat(gem.detail()).isEqualTo("done");
        assertThat(last.terminated()).isTrue();
        assertThat(last.truncated()).isFalse();
        assertThat(gem.trajectory().passed()).as("a finished episode is verified: %s", gem.trajectory().verifier()).isTrue();
        assertThat(agent.reason()).isEqualTo(EndReason.FINISHED);
        assertThat(agent.detail()).isEqualTo("script ended");
        assertThat(agent.trajectory().steps()).hasSize(2);
        assertThat(agent.trajectory().verifier()).isPresent();
    }

    @Test
    void finishBeatsATokenAndAStepBudgetSpentOnTheSameStep() throws IOException {
        Task task = HelloTask.in(dir, new AgentBudget(2, 500, Duration.ofMinutes(2)));
        FunctionPolicy policy = new FunctionPolicy(r -> r.messages().size() > 2
                ? AgentLoopTest.costly("finish", "{\"summary\":\"done\"}", 400, 100)
                : AgentLoopTest.costly("shell", "{\"command\":\"true\"}", 100, 100));

        Ending agent = driveLoop(task, policy);

        assertThat(agent.reason()).isEqualTo(EndReason.FINISHED);
        assertThat(agent.trajectory().steps()).hasSize(2);
        assertThat(agent.trajectory().usage().totalTokens()).isEqualTo(700);
    }

    @Test
    void theTokenBudgetComesBeforeTheStepBudgetAndOnlyModelTurnsSpendTokens() throws IOException {
        Task task = HelloTask.in(dir, new AgentBudget(1, 1, Duration.ofMinutes(2)));
        StepResult gemStep;
        try (Environment env = environment(task, new ArrayList<>())) {
            env.reset(OptionalLong.empty());
            gemStep = env.step(shell("true"));
        }
        Ending agent = driveLoop(task, new FunctionPolicy(r -> AgentLoopTest.costly("shell", "{\"command\":\"true\"}", 10, 5)));

        // step 1 spent both budgets: the token budget is named
        assertThat(agent.reason()).isEqualTo(EndReason.TOKEN_BUDGET);
        assertThat(agent.detail()).isEqualTo("used 15 of 1 tokens");
        assertThat(agent.trajectory().steps()).hasSize(1);
        // a trainer's step costs no tokens, so not even a one-token budget runs out
        Ending gem = gemStep.ending().orElseThrow();
        assertThat(gem.reason()).isEqualTo(EndReason.STEP_BUDGET);
        assertThat(gem.trajectory().usage()).isEqualTo(Usage.NONE);
    }

    @Test
    void aSandboxKilledBetweenStepsEndsEitherDriverAtTheNextStepWithTheKillReason() throws IOException {
        Task task = HelloTask.in(dir, HelloTask.BUDGET);
        StepResult afterKill;
        try (Environment env = environment(task, new ArrayList<>())) {
            env.reset(OptionalLong.empty());
            env.step(shell("true"));
            env.live().orElseThrow().guarded().kill("test.between-steps");
            afterKill = env.step(finish("too late"));
        }
        FunctionPolicy policy = new FunctionPolicy(r -> AgentLoopTest.call("shell", "{\"command\":\"true\"}"));
        Ending agent = driveLoop(task, e -> policy, (e, s) -> e.sandbox().orElseThrow().kill("test.between-steps"));

        Ending gem = afterKill.ending().orElseThrow();
        assertThat(gem.reason()).isEqualTo(EndReason.KILLED);
        assertThat(gem.detail()).isEqualTo("test.between-steps");
        assertThat(afterKill.terminated()).isTrue();
        assertThat(afterKill.killReason()).hasValue("test.between-steps");
        assertThat(gem.trajectory().steps()).as("the finish after the kill never ran").hasSize(1);
        assertThat(agent.reason()).isEqualTo(EndReason.KILLED);
        assertThat(agent.detail()).isEqualTo("test.between-steps");
        assertThat(agent.trajectory().steps()).hasSize(1);
        assertThat(policy.requests).as("the policy is not asked for a step the episode will not take").hasSize(1);
        assertThat(gem.trajectory().verifier()).isEmpty();
        assertThat(agent.trajectory().verifier()).isEmpty();
    }

    @Test
    void wallTimeSpentBetweenStepsEndsTheEpisodeBeforeTheNextOne() throws IOException {
        SteppedClock clock = new SteppedClock();
        try (Episode episode = open(HelloTask.in(dir, new AgentBudget(10, 100_000, Duration.ofMinutes(1))), clock)) {
            assertThat(episode.beginStep()).hasValue(1);
            assertThat(episode.endStep(draft(1, List.of())).end()).isEmpty();
            // a trainer that thinks for longer than the budget (skipped, not slept)
            clock.skip(Duration.ofSeconds(61));

            assertThat(episode.beginStep()).isEmpty();
            Ending ending = episode.ending().orElseThrow();
            assertThat(ending.reason()).isEqualTo(EndReason.WALL_TIME);
            assertThat(ending.detail()).isEqualTo("used all PT1M of wall time");
            assertThat(ending.trajectory().steps()).hasSize(1);
            assertThat(gone(ending.sandboxId())).isTrue();
        }
    }

    @Test
    void aFailingSetupEndsTheEpisodeAtOnceAsInfrastructureWithTheScriptsOutputAndNoSandboxLeft() throws IOException {
        Task task = HelloTask.in(dir, HelloTask.INSTRUCTION, HelloTask.BUDGET, Passport.defaults(), "echo 'no such tool' >&2; exit 7\n");

        try (Episode episode = open(task, Clock.systemUTC())) {
            assertThat(episode.state()).isEqualTo(Episode.State.ENDED);
            Ending ending = episode.ending().orElseThrow();
            assertThat(ending.reason()).isEqualTo(EndReason.INFRASTRUCTURE);
            assertThat(ending.detail()).contains("setup script setup.sh of task hello failed (exit 7)").contains("no such tool");
            assertThat(ending.sandboxId()).isNotEmpty();
            assertThat(gone(ending.sandboxId())).as("the sandbox setup ran in is destroyed").isTrue();
            assertThat(ending.trajectory().steps()).isEmpty();
            assertThat(ending.trajectory().verifier()).isEmpty();
            assertThat(episode.beginStep()).isEmpty();
            assertThatThrownBy(episode::tools).isInstanceOf(IllegalStateException.class).hasMessageContaining("no agent phase");
        }
    }

    @Test
    void afterTheEndNoStepBeginsNoStepIsRecordedAndTheEndingStands() throws IOException {
        try (Episode episode = open(HelloTask.in(dir, HelloTask.BUDGET), Clock.systemUTC())) {
            assertThat(episode.beginStep()).hasValue(1);
            ToolRun finish = new ToolRunner(Toolbox.standard()).run(new ToolCall("c1", "finish", "{\"summary\":\"done\"}"), episode.tools());
            LiveEpisode.StepRecord record = episode.endStep(draft(1, List.of(finish)));
            assertThat(record.end()).hasValue(new LiveEpisode.EpisodeEnd(EndReason.FINISHED, "done"));
            Ending ending = episode.ending().orElseThrow();

            assertThat(episode.beginStep()).isEmpty();
            assertThat(episode.beginStep()).isEmpty();
            assertThatThrownBy(() -> episode.endStep(draft(2, List.of()))).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(episode.id()).hasMessageContaining("ENDED");
            episode.end(EndReason.MODEL_ERROR, "too late to matter");
            assertThat(episode.ending()).hasValue(ending);
            assertThat(episode.stepsTaken()).isEqualTo(1);
        }
    }

    @Test
    void aStepCannotBeRecordedForAnEpisodeThatNeverReachedItsAgentPhase() throws IOException {
        Task task = HelloTask.in(dir, HelloTask.INSTRUCTION, HelloTask.BUDGET, Passport.defaults(), "exit 1\n");

        try (Episode episode = open(task, Clock.systemUTC())) {
            assertThatThrownBy(() -> episode.endStep(draft(1, List.of()))).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("not in its agent phase");
            assertThat(episode.stepsTaken()).isZero();
        }
    }

    @Test
    void abandoningARunningEpisodeDestroysItsSandboxAndWritesNothingDown() throws IOException {
        Episode episode = open(HelloTask.in(dir, HelloTask.BUDGET), Clock.systemUTC());
        assertThat(episode.state()).isEqualTo(Episode.State.AGENT);
        String sandboxId = episode.sandbox().orElseThrow().id();
        assertThat(gone(sandboxId)).as("a running episode has its sandbox").isFalse();
        assertThat(episode.beginStep()).hasValue(1);
        episode.tools().shell("sleep 600 > /dev/null 2>&1 &", Duration.ofSeconds(10));

        episode.close();

        assertThat(gone(sandboxId)).isTrue();
        assertThat(episode.state()).isEqualTo(Episode.State.ENDED);
        assertThat(episode.ending()).as("abandoned, not ended: nothing verified or written down").isEmpty();
        assertThat(episode.beginStep()).isEmpty();
        episode.close();
    }
}
