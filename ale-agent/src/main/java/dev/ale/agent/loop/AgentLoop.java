package dev.ale.agent.loop;

import dev.ale.agent.policy.Policy;
import dev.ale.agent.tool.ToolRunner;
import dev.ale.agent.tool.Toolbox;
import dev.ale.core.episode.EndReason;
import dev.ale.core.episode.LiveEpisode;
import dev.ale.core.episode.Step;
import dev.ale.core.episode.ToolRun;
import dev.ale.core.model.ChatMessage;
import dev.ale.core.model.ModelException;
import dev.ale.core.model.ModelRequest;
import dev.ale.core.model.ModelResponse;
import dev.ale.core.model.ToolCall;
import dev.ale.core.tool.ToolContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * The ReAct loop: the policy sees the conversation and answers with tool calls; each call runs in
 * the sandbox through the {@link ToolContext} (so the monitor checks it first) and its
 * observation goes back into the conversation, with what the monitor blocked and why. Nothing the
 * policy says can crash an episode: malformed arguments, unknown tools and turns without a tool
 * call become observations telling it what was wrong. The loop ends on {@code finish}, a kill,
 * a spent budget, or a model server that fails for good.
 */
public final class AgentLoop {

    private final Toolbox tools;
    private final ToolRunner runner;
    private final LoopSettings settings;
    private final ContextWindow window;

    public AgentLoop(Toolbox tools, LoopSettings settings) {
        this.tools = tools;
        this.runner = new ToolRunner(tools);
        this.settings = settings;
        this.window = new ContextWindow(settings.maxObservationChars(), settings.maxContextChars());
    }

    /**
     * Drives one episode's agent phase until the episode ends. {@code onStep} sees each step as
     * soon as the episode has recorded it. The episode applies the end rules; the loop ends it only
     * for what it alone sees: the model server failed, or the policy stopped acting.
     */
    public void run(LiveEpisode episode, Policy policy, OptionalLong seed, Consumer<Step> onStep) {
        ToolContext context = episode.tools();
        List<ChatMessage> messages = new ArrayList<>();
        Consumer<ChatMessage> say = m -> {
            messages.add(m);
            episode.converse(m);
        };
        say.accept(ChatMessage.system(settings.systemPrompt().formatted(context.workdir())));
        say.accept(ChatMessage.user(episode.instruction()));
        int idleTurns = 0;
        for (OptionalInt next = episode.beginStep(); next.isPresent(); next = episode.beginStep()) {
            int index = next.getAsInt();
            Instant started = Instant.now();
            ModelResponse response;
            try {
                response = policy.next(new ModelRequest(window.fit(messages), tools.specs(), settings.temperature(),
                        OptionalInt.empty(), seed, settings.logprobs()));
            } catch (ModelException e) {
                episode.end(EndReason.MODEL_ERROR, e.getMessage());
                return;
            }
            Duration modelTime = Duration.between(started, Instant.now());
            say.accept(response.message());
            List<ToolCall> calls = response.message().toolCalls();
            List<ToolRun> runs = new ArrayList<>();
            if (calls.isEmpty()) {
                idleTurns++;
                String why = response.finishReason().equals("length")
                        ? "Your reply was cut at the token limit before it made a tool call."
                        : "Your reply made no tool call.";
                say.accept(ChatMessage.user("[ALE] " + why + " Act through a tool; call `finish` when the task is done."));
            } else {
                idleTurns = 0;
                Optional<String> stopped = Optional.empty();
                for (ToolCall call : calls) {
                    if (stopped.isPresent()) {
                        // every call needs its answer for the conversation to stay well-formed
                        say.accept(ChatMessage.tool(call.id(), call.name(), "[ALE] not run: " + stopped.get()));
                        continue;
                    }
                    ToolRun run = runner.run(call, context);
                    runs.add(run);
                    say.accept(ChatMessage.tool(call.id(), call.name(), window.observation(run.observation())));
                    if (run.status() == ToolRun.Status.KILLED) stopped = Optional.of("the sandbox was killed");
                    if (run.status() == ToolRun.Status.FINISHED) stopped = Optional.of("finish was called before it");
                }
            }
            LiveEpisode.StepRecord record = episode.endStep(new Step(index, started, modelTime, response, runs,
                    Duration.between(started, Instant.now())));
            onStep.accept(record.step());
            if (record.end().isPresent()) return;
            if (idleTurns >= settings.maxTurnsWithoutAction()) {
                episode.end(EndReason.NO_ACTION, idleTurns + " turns in a row without a tool call");
                return;
            }
        }
    }
}
