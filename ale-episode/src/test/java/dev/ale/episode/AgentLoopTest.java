package dev.ale.episode;

import dev.ale.agent.loop.AgentLoop;
import dev.ale.agent.loop.LoopSettings;
import dev.ale.agent.policy.Policy;
import dev.ale.agent.policy.ReplayPolicy;
import dev.ale.agent.policy.ScriptedPolicy;
import dev.ale.agent.policy.ScriptedPolicy.ScriptedCall;
import dev.ale.agent.tool.Toolbox;
import dev.ale.containment.GuardedBackend;
import dev.ale.containment.TestContainment;
import dev.ale.core.episode.EndReason;
import dev.ale.core.episode.Step;
import dev.ale.core.episode.ToolRun;
import dev.ale.core.episode.Trajectory;
import dev.ale.core.model.ChatMessage;
import dev.ale.core.model.ModelException;
import dev.ale.core.model.ModelRequest;
import dev.ale.core.model.ModelResponse;
import dev.ale.core.model.ToolCall;
import dev.ale.core.model.Usage;
import dev.ale.core.passport.Passport;
import dev.ale.core.task.AgentBudget;
import dev.ale.core.task.Task;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The agent loop driving real episodes (real tools in a real guarded sandbox) with policies that
 * misbehave in every way a model can. The episode destroys its sandbox when it ends, so what the
 * agent left behind is read while a step's callback runs, or through the verifier's log.
 */
@Tag("root")
class AgentLoopTest {

    @RegisterExtension
    static final TestContainment containment = new TestContainment();

    @TempDir
    Path dir;

    private final AgentLoop loop = new AgentLoop(Toolbox.standard(), LoopSettings.defaults());

    /** Opens an episode of {@code task}, lets {@code loop} drive it with the policy made for it, and returns how it ended. */
    static Ending drive(GuardedBackend backend, AgentLoop loop, Task task, Clock clock, Function<Episode, Policy> policyFor,
                        BiConsumer<Episode, Step> onStep) {
        try (Episode episode = Episode.open(backend, task, "ep-" + System.nanoTime(), "test", Map.of(), clock)) {
            assertThat(episode.state()).as(episode.ending().map(Ending::detail).orElse("")).isEqualTo(Episode.State.AGENT);
            loop.run(episode, policyFor.apply(episode), OptionalLong.of(7), s -> onStep.accept(episode, s));
            assertThat(episode.state()).as("the loop returns only once the episode has ended").isEqualTo(Episode.State.ENDED);
            return episode.ending().orElseThrow();
        }
    }

    private Trajectory run(Policy policy, AgentBudget budget) throws IOException {
        return drive(containment.containment(), loop, HelloTask.in(dir, budget), Clock.systemUTC(), e -> policy, (e, s) -> { }).trajectory();
    }

    private Trajectory run(Policy policy) throws IOException {
        return run(policy, HelloTask.BUDGET);
    }

    private static ScriptedPolicy script(ScriptedCall... calls) {
        return ScriptedPolicy.ofCalls("scripted", List.of(calls));
    }

    /** A policy answering from a function of the request, recording every request it saw. */
    static final class FunctionPolicy implements Policy {
        final List<ModelRequest> requests = new CopyOnWriteArrayList<>();
        private final Function<ModelRequest, ModelResponse> answer;

        FunctionPolicy(Function<ModelRequest, ModelResponse> answer) {
            this.answer = answer;
        }

        @Override
        public String name() {
            return "function";
        }

        @Override
        public ModelResponse next(ModelRequest request) {
            requests.add(request);
            return answer.apply(request);
        }
    }

    static ModelResponse call(String tool, String arguments) {
        return ModelResponse.offline(ChatMessage.assistant("", List.of(new ToolCall("c" + System.nanoTime(), tool, arguments))));
    }

    /** A call that reports having cost {@code prompt + completion} tokens. */
    static ModelResponse costly(String tool, String arguments, int prompt, int completion) {
        ModelResponse m = call(tool, arguments);
        return new ModelResponse(m.message(), "tool_calls", new Usage(prompt, completion), Optional.empty(), Optional.empty());
    }

    /** The context size as the loop's window counts it: characters, plus a little per message and per call. */
    private static int contextSize(List<ChatMessage> messages) {
        int n = 0;
        for (ChatMessage m : messages) {
            n += m.content().length() + 16;
            for (ToolCall c : m.toolCalls()) n += c.name().length() + c.arguments().length() + 32;
        }
        return n;
    }

    @Test
    void aScriptedEpisodeRunsItsToolsRecordsEveryStepAndEndsOnFinish() throws IOException {
        List<Step> seen = new ArrayList<>();
        List<Integer> currentSteps = new ArrayList<>();
        List<String> written = new ArrayList<>();
        Ending ending = drive(containment.containment(), loop, HelloTask.in(dir, HelloTask.BUDGET), Clock.systemUTC(), e -> script(
                new ScriptedCall("write_file", "{\"path\":\"out.txt\",\"content\":\"hello\\n\"}"),
                new ScriptedCall("shell", "{\"command\":\"cat out.txt\"}"),
                new ScriptedCall("finish", "{\"summary\":\"wrote it\"}")), (e, s) -> {
                    seen.add(s);
                    currentSteps.add(e.currentStep());
                    if (s.index() == 1) {
                        written.add(new String(e.sandbox().orElseThrow().files().read("/workspace/out.txt"), StandardCharsets.UTF_8));
                    }
                });
        Trajectory run = ending.trajectory();

        assertThat(run.end()).isEqualTo(EndReason.FINISHED);
        assertThat(run.detail()).isEqualTo("wrote it");
        assertThat(run.steps()).hasSize(3).isEqualTo(seen);
        assertThat(run.steps()).extracting(Step::index).containsExactly(1, 2, 3);
        // the episode counted each step as it ran
        assertThat(currentSteps).containsExactly(1, 2, 3);
        assertThat(run.steps().get(1).tools().getFirst().observation()).contains("stdout:\nhello\n");
        assertThat(written).containsExactly("hello\n");
        assertThat(run.passed()).as("the verifier found the file: %s", run.verifier()).isTrue();
        assertThat(run.verifier().orElseThrow().log()).contains("out.txt is 'hello'");
        // OpenAI form: system, user, then each assistant turn answered by its tool message
        assertThat(run.messages()).extracting(ChatMessage::role).containsExactly(ChatMessage.Role.SYSTEM, ChatMessage.Role.USER,
                ChatMessage.Role.ASSISTANT, ChatMessage.Role.TOOL, ChatMessage.Role.ASSISTANT, ChatMessage.Role.TOOL,
                ChatMessage.Role.ASSISTANT, ChatMessage.Role.TOOL);
        assertThat(run.messages().get(1).content()).isEqualTo(HelloTask.INSTRUCTION);
        assertThat(run.messages().get(3).toolCallId()).isEqualTo(Optional.of(run.messages().get(2).toolCalls().getFirst().id()));
    }

    @Test
    void malformedArgumentsBecomeAnObservationAndTheEpisodeGoesOn() throws IOException {
        Trajectory run = run(script(
                new ScriptedCall("shell", "{\"command\": \"ls\""),
                new ScriptedCall("shell", "[\"ls\"]"),
                new ScriptedCall("shell", "{\"command\": 42}"),
                new ScriptedCall("shell", "{\"command\":\"echo still here\"}")));

        List<ToolRun> runs = run.steps().stream().flatMap(s -> s.tools().stream()).toList();
        assertThat(runs.get(0).status()).isEqualTo(ToolRun.Status.ERROR);
        assertThat(runs.get(0).observation()).contains("the arguments of `shell` are not a JSON object").contains("column");
        assertThat(runs.get(1).observation()).contains("got a JSON array");
        assertThat(runs.get(2).observation()).contains("argument `command` must be a string, was number");
        assertThat(runs.get(3).status()).isEqualTo(ToolRun.Status.OK);
        assertThat(runs.get(3).observation()).contains("still here");
        assertThat(run.end()).isEqualTo(EndReason.FINISHED);
    }

    @Test
    void anUnknownToolIsAnsweredWithTheToolsThereAre() throws IOException {
        Trajectory run = run(script(new ScriptedCall("python", "{\"code\":\"print(1)\"}")));

        ToolRun first = run.steps().getFirst().tools().getFirst();
        assertThat(first.status()).isEqualTo(ToolRun.Status.ERROR);
        assertThat(first.observation()).contains("there is no tool named `python`")
                .contains("shell, read_file, write_file, edit, list_dir, search, fetch, finish");
        assertThat(run.end()).isEqualTo(EndReason.FINISHED);
    }

    @Test
    void turnsWithoutAToolCallAreToldSoAndEndTheEpisodeAfterTheLimit() throws IOException {
        FunctionPolicy chatty = new FunctionPolicy(r -> ModelResponse.offline(ChatMessage.assistant("I think I am done.", List.of())));

        Trajectory run = run(chatty);

        assertThat(run.end()).isEqualTo(EndReason.NO_ACTION);
        assertThat(run.detail()).isEqualTo("3 turns in a row without a tool call");
        assertThat(run.steps()).hasSize(3);
        assertThat(chatty.requests).hasSize(3);
        assertThat(chatty.requests.get(1).messages().getLast().content()).contains("Your reply made no tool call");
        // stopping is the agent's doing: what it left is still judged
        assertThat(run.verifier().orElseThrow().log()).contains("out.txt is ''");
        assertThat(run.passed()).isFalse();
    }

    @Test
    void theStepBudgetEndsTheEpisode() throws IOException {
        FunctionPolicy busy = new FunctionPolicy(r -> call("shell", "{\"command\":\"true\"}"));

        Trajectory run = run(busy, new AgentBudget(3, 100_000, Duration.ofMinutes(2)));

        assertThat(run.end()).isEqualTo(EndReason.STEP_BUDGET);
        assertThat(run.detail()).isEqualTo("used all 3 steps");
        assertThat(run.steps()).hasSize(3);
        assertThat(busy.requests).hasSize(3);
    }

    @Test
    void theTokenBudgetEndsTheEpisodeOnceItIsSpent() throws IOException {
        FunctionPolicy expensive = new FunctionPolicy(r -> costly("shell", "{\"command\":\"true\"}", 400, 100));

        Trajectory run = run(expensive, new AgentBudget(50, 1_200, Duration.ofMinutes(2)));

        assertThat(run.end()).isEqualTo(EndReason.TOKEN_BUDGET);
        assertThat(run.detail()).isEqualTo("used 1500 of 1200 tokens");
        assertThat(run.steps()).hasSize(3);
        assertThat(run.usage()).isEqualTo(new Usage(1200, 300));
    }

    @Test
    void wallTimeEndsTheEpisode() throws IOException {
        SteppedClock clock = new SteppedClock();
        // a model that takes longer than the whole budget to answer (time skipped, not slept)
        Ending ending = drive(containment.containment(), loop, HelloTask.in(dir, new AgentBudget(50, 100_000, Duration.ofMinutes(1))), clock,
                e -> new FunctionPolicy(r -> {
                    clock.skip(Duration.ofSeconds(61));
                    return call("shell", "{\"command\":\"echo slow\"}");
                }), (e, s) -> { });

        assertThat(ending.reason()).isEqualTo(EndReason.WALL_TIME);
        assertThat(ending.detail()).isEqualTo("used all PT1M of wall time");
        assertThat(ending.trajectory().steps()).hasSize(1);
        assertThat(ending.trajectory().steps().getFirst().tools().getFirst().observation()).contains("slow");
    }

    @Test
    void aModelServerThatFailsForGoodEndsTheEpisodeAsAModelError() throws IOException {
        FunctionPolicy down = new FunctionPolicy(r -> {
            throw new ModelException(ModelException.Kind.UNAVAILABLE, 4, "http://127.0.0.1:9/v1 did not answer after 4 attempts");
        });

        Trajectory run = run(down);

        assertThat(run.end()).isEqualTo(EndReason.MODEL_ERROR);
        assertThat(run.end().agentsDoing()).isFalse();
        assertThat(run.detail()).contains("after 4 attempts");
        assertThat(run.steps()).isEmpty();
        assertThat(run.verifier()).isEmpty();
    }

    @Test
    void longObservationsAreCutWithANoteAndOldTurnsDroppedWithASummary() throws IOException {
        AgentLoop small = new AgentLoop(Toolbox.standard(), LoopSettings.defaults().withContextLimits(1_000, 6_000));
        FunctionPolicy flood = new FunctionPolicy(r -> r.messages().size() > 40
                ? call("finish", "{}")
                : call("shell", "{\"command\":\"seq 1 5000\"}"));
        Task task = HelloTask.in(dir, "count", new AgentBudget(12, 1_000_000, Duration.ofMinutes(2)), Passport.defaults(), "true\n");

        Trajectory run = drive(containment.containment(), small, task, Clock.systemUTC(), e -> flood, (e, s) -> { }).trajectory();

        ChatMessage firstObservation = run.messages().get(3);
        assertThat(firstObservation.content().length()).isLessThanOrEqualTo(1_000);
        assertThat(firstObservation.content()).startsWith("exit code 0").contains("characters cut by ALE").endsWith("5000\n");
        // the step keeps the whole observation; only what the policy is sent is cut
        assertThat(run.steps().getFirst().tools().getFirst().observation()).contains("\n2500\n").hasSizeGreaterThan(1_000);
        ModelRequest last = flood.requests.getLast();
        assertThat(contextSize(last.messages())).isLessThanOrEqualTo(6_000);
        assertThat(last.messages().get(0).role()).isEqualTo(ChatMessage.Role.SYSTEM);
        assertThat(last.messages().get(1).content()).isEqualTo("count");
        assertThat(last.messages().get(2).content()).contains("earlier turns were dropped to fit the context window")
                .contains("- shell {\"command\":\"seq 1 5000\"}");
        // what was sent stays paired: every tool message answers an assistant call sent with it
        assertThat(last.messages().get(3).role()).isEqualTo(ChatMessage.Role.ASSISTANT);
        // the trajectory keeps everything
        assertThat(run.messages()).hasSize(2 + 2 * run.steps().size());
    }

    @Test
    void aKilledSandboxEndsTheEpisodeWithTheKillReason() throws IOException {
        Ending ending = drive(containment.containment(), loop, HelloTask.in(dir, HelloTask.BUDGET), Clock.systemUTC(), e -> new FunctionPolicy(r -> {
            if (r.messages().size() > 2) e.sandbox().orElseThrow().kill("mining.stratum.login");
            return call("shell", "{\"command\":\"echo hi\"}");
        }), (e, s) -> { });
        Trajectory run = ending.trajectory();

        assertThat(run.end()).isEqualTo(EndReason.KILLED);
        assertThat(run.detail()).isEqualTo("mining.stratum.login");
        assertThat(run.steps()).hasSize(2);
        ToolRun last = run.steps().getLast().tools().getLast();
        assertThat(last.status()).isEqualTo(ToolRun.Status.KILLED);
        assertThat(last.observation()).contains("the sandbox was killed (mining.stratum.login)");
        assertThat(run.verifier()).as("a killed episode is not verified").isEmpty();
    }

    @Test
    void replayWritesTheSolutionRunsItAndFinishes() throws IOException {
        Trajectory run = run(ReplayPolicy.ofSolution("#!/bin/bash\nset -e\necho hello > /workspace/out.txt\n"));

        assertThat(run.end()).isEqualTo(EndReason.FINISHED);
        assertThat(run.steps()).extracting(s -> s.tools().getFirst().call().name()).containsExactly("write_file", "shell", "finish");
        assertThat(run.passed()).as("the verifier found the file: %s", run.verifier()).isTrue();
        assertThat(run.verifier().orElseThrow().log()).contains("out.txt is 'hello'");
    }
}
