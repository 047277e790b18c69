package dev.ale.agent.loop;

import dev.ale.agent.SandboxToolContext;
import dev.ale.agent.policy.Policy;
import dev.ale.agent.policy.ReplayPolicy;
import dev.ale.agent.policy.ScriptedPolicy.ScriptedCall;
import dev.ale.agent.policy.ScriptedPolicy;
import dev.ale.agent.tool.Toolbox;
import dev.ale.core.episode.EndReason;
import dev.ale.core.episode.Step;
import dev.ale.core.episode.ToolRun;
import dev.ale.core.model.ChatMessage;
import dev.ale.core.model.ModelException;
import dev.ale.core.model.ModelRequest;
import dev.ale.core.model.ModelResponse;
import dev.ale.core.model.ToolCall;
import dev.ale.core.model.Usage;
import dev.ale.core.passport.Passport;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.task.AgentBudget;
import dev.ale.sandbox.testing.RealSandboxes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** The agent loop driving real tools in a real sandbox, with policies that misbehave in every way a model can. */
@Tag("root")
class AgentLoopTest {

    @RegisterExtension
    static final RealSandboxes sandboxes = new RealSandboxes();

    private static final AgentBudget BUDGET = new AgentBudget(10, 100_000, Duration.ofMinutes(2));
    private final AgentLoop loop = new AgentLoop(Toolbox.standard(), LoopSettings.defaults());

    private AgentRun run(Policy policy, AgentBudget budget, Sandbox sandbox) {
        try (SandboxToolContext context = new SandboxToolContext(sandbox)) {
            return loop.run("Write hello to /workspace/out.txt.", policy, context, budget, OptionalLong.of(7), step -> { });
        }
    }

    private AgentRun run(Policy policy) {
        return run(policy, BUDGET, sandboxes.sandbox(Passport.defaults()));
    }

    private static ScriptedPolicy script(ScriptedCall... calls) {
        return ScriptedPolicy.ofCalls("scripted", List.of(calls));
    }

    /** A policy answering from a function of the request, recording every request it saw. */
    private static final class FunctionPolicy implements Policy {
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

    private static ModelResponse call(String tool, String arguments) {
        return ModelResponse.offline(ChatMessage.assistant("", List.of(new ToolCall("c" + System.nanoTime(), tool, arguments))));
    }

    @Test
    void aScriptedEpisodeRunsItsToolsRecordsEveryStepAndEndsOnFinish() {
        Sandbox sandbox = sandboxes.sandbox(Passport.defaults());
        List<Step> seen = new ArrayList<>();
        AgentRun run;
        try (SandboxToolContext context = new SandboxToolContext(sandbox)) {
            run = loop.run("Write hello to /workspace/out.txt.", script(
                    new ScriptedCall("write_file", "{\"path\":\"out.txt\",\"content\":\"hello\\n\"}"),
                    new ScriptedCall("shell", "{\"command\":\"cat out.txt\"}"),
                    new ScriptedCall("finish", "{\"summary\":\"wrote it\"}")), context, BUDGET, OptionalLong.empty(), seen::add);
            assertThat(context.steps()).containsExactly(1, 2, 3);
        }

        assertThat(run.end()).isEqualTo(EndReason.FINISHED);
        assertThat(run.detail()).isEqualTo("wrote it");
        assertThat(run.steps()).hasSize(3).isEqualTo(seen);
        assertThat(run.steps().get(1).tools().getFirst().observation()).contains("stdout:\nhello\n");
        assertThat(new String(sandbox.files().read("/workspace/out.txt"), StandardCharsets.UTF_8)).isEqualTo("hello\n");
        // OpenAI form: system, user, then each assistant turn answered by its tool message
        assertThat(run.messages()).extracting(ChatMessage::role).containsExactly(ChatMessage.Role.SYSTEM, ChatMessage.Role.USER,
                ChatMessage.Role.ASSISTANT, ChatMessage.Role.TOOL, ChatMessage.Role.ASSISTANT, ChatMessage.Role.TOOL,
                ChatMessage.Role.ASSISTANT, ChatMessage.Role.TOOL);
        assertThat(run.messages().get(3).toolCallId()).isEqualTo(Optional.of(run.messages().get(2).toolCalls().getFirst().id()));
    }

    @Test
    void malformedArgumentsBecomeAnObservationAndTheEpisodeGoesOn() {
        AgentRun run = run(script(
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
    void anUnknownToolIsAnsweredWithTheToolsThereAre() {
        AgentRun run = run(script(new ScriptedCall("python", "{\"code\":\"print(1)\"}")));

        ToolRun first = run.steps().getFirst().tools().getFirst();
        assertThat(first.status()).isEqualTo(ToolRun.Status.ERROR);
        assertThat(first.observation()).contains("there is no tool named `python`")
                .contains("shell, read_file, write_file, edit, list_dir, search, fetch, finish");
    }

    @Test
    void turnsWithoutAToolCallAreToldSoAndEndTheEpisodeAfterTheLimit() {
        FunctionPolicy chatty = new FunctionPolicy(r -> ModelResponse.offline(ChatMessage.assistant("I think I am done.", List.of())));

        AgentRun run = run(chatty);

        assertThat(run.end()).isEqualTo(EndReason.NO_ACTION);
        assertThat(run.steps()).hasSize(3);
        assertThat(chatty.requests.get(1).messages().getLast().content()).contains("Your reply made no tool call");
    }

    @Test
    void theStepBudgetEndsTheEpisode() {
        FunctionPolicy busy = new FunctionPolicy(r -> call("shell", "{\"command\":\"true\"}"));

        AgentRun run = run(busy, new AgentBudget(3, 100_000, Duration.ofMinutes(2)), sandboxes.sandbox(Passport.defaults()));

        assertThat(run.end()).isEqualTo(EndReason.STEP_BUDGET);
        assertThat(run.steps()).hasSize(3);
    }

    @Test
    void theTokenBudgetEndsTheEpisodeOnceItIsSpent() {
        FunctionPolicy costly = new FunctionPolicy(r -> {
            ModelResponse m = call("shell", "{\"command\":\"true\"}");
            return new ModelResponse(m.message(), "tool_calls", new Usage(400, 100), Optional.empty(), Optional.empty());
        });

        AgentRun run = run(costly, new AgentBudget(50, 1_200, Duration.ofMinutes(2)), sandboxes.sandbox(Passport.defaults()));

        assertThat(run.end()).isEqualTo(EndReason.TOKEN_BUDGET);
        assertThat(run.steps()).hasSize(3);
        assertThat(run.usage()).isEqualTo(new Usage(1200, 300));
    }

    @Test
    void wallTimeEndsTheEpisode() {
        FunctionPolicy slow = new FunctionPolicy(r -> call("shell", "{\"command\":\"sleep 1.2\"}"));

        AgentRun run = run(slow, new AgentBudget(50, 100_000, Duration.ofSeconds(1)), sandboxes.sandbox(Passport.defaults()));

        assertThat(run.end()).isEqualTo(EndReason.WALL_TIME);
        assertThat(run.steps()).hasSize(1);
    }

    @Test
    void aModelServerThatFailsForGoodEndsTheEpisodeAsAModelError() {
        FunctionPolicy down = new FunctionPolicy(r -> {
            throw new ModelException(ModelException.Kind.UNAVAILABLE, 4, "http://127.0.0.1:9/v1 did not answer after 4 attempts");
        });

        AgentRun run = run(down);

        assertThat(run.end()).isEqualTo(EndReason.MODEL_ERROR);
        assertThat(run.end().agentsDoing()).isFalse();
        assertThat(run.detail()).contains("after 4 attempts");
    }

    @Test
    void longObservationsAreCutWithANoteAndOldTurnsDroppedWithASummary() {
        AgentLoop small = new AgentLoop(Toolbox.standard(), LoopSettings.defaults().withContextLimits(1_000, 6_000));
        FunctionPolicy flood = new FunctionPolicy(r -> r.messages().size() > 40
                ? call("finish", "{}")
                : call("shell", "{\"command\":\"seq 1 5000\"}"));
        AgentRun run;
        try (SandboxToolContext context = new SandboxToolContext(sandboxes.sandbox(Passport.defaults()))) {
            run = small.run("count", flood, context, new AgentBudget(12, 1_000_000, Duration.ofMinutes(2)), OptionalLong.empty(), s -> { });
        }

        ChatMessage firstObservation = run.messages().get(3);
        assertThat(firstObservation.content().length()).isLessThanOrEqualTo(1_000);
        assertThat(firstObservation.content()).startsWith("exit code 0").contains("characters cut by ALE").endsWith("5000\n");
        ModelRequest last = flood.requests.getLast();
        assertThat(ContextWindow.size(last.messages())).isLessThanOrEqualTo(6_000);
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
    void aKilledSandboxEndsTheEpisodeWithTheKillReason() {
        Sandbox sandbox = sandboxes.sandbox(Passport.defaults());
        FunctionPolicy policy = new FunctionPolicy(r -> {
            if (r.messages().size() > 2) sandbox.kill("mining.stratum.login");
            return call("shell", "{\"command\":\"echo hi\"}");
        });

        AgentRun run = run(policy, BUDGET, sandbox);

        assertThat(run.end()).isEqualTo(EndReason.KILLED);
        assertThat(run.detail()).isEqualTo("mining.stratum.login");
        ToolRun last = run.steps().getLast().tools().getLast();
        assertThat(last.status()).isEqualTo(ToolRun.Status.KILLED);
        assertThat(last.observation()).contains("the sandbox was killed (mining.stratum.login)");
    }

    @Test
    void replayWritesTheSolutionRunsItAndFinishes() {
        Sandbox sandbox = sandboxes.sandbox(Passport.defaults());

        AgentRun run = run(ReplayPolicy.ofSolution("#!/bin/bash\nset -e\necho hello > /workspace/out.txt\n"), BUDGET, sandbox);

        assertThat(run.end()).isEqualTo(EndReason.FINISHED);
        assertThat(run.steps()).extracting(s -> s.tools().getFirst().call().name()).containsExactly("write_file", "shell", "finish");
        assertThat(new String(sandbox.files().read("/workspace/out.txt"), StandardCharsets.UTF_8)).isEqualTo("hello\n");
    }
}
