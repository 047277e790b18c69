package dev.ale.episode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ale.agent.loop.AgentLoop;
import dev.ale.agent.loop.LoopSettings;
import dev.ale.agent.model.ModelConfig;
import dev.ale.agent.model.OpenAiClient;
import dev.ale.agent.policy.ModelPolicy;
import dev.ale.agent.testing.Reply;
import dev.ale.agent.testing.ScriptedModelServer;
import dev.ale.agent.tool.Toolbox;
import dev.ale.core.episode.EndReason;
import dev.ale.core.episode.ToolRun;
import dev.ale.core.episode.Trajectory;
import dev.ale.core.model.ToolCall;
import dev.ale.core.task.Task;
import dev.ale.episode.SumTask;
import dev.ale.containment.TestContainment;
import dev.ale.episode.EpisodeRunner;
import dev.ale.episode.EpisodeSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import java.util.ArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Episodes driven by a model over real HTTP: a scripted OpenAI-compatible server on loopback
 * plays the model, ALE's client talks to it, the tools run in real guarded sandboxes.
 */
@Tag("root")
class ModelEpisodesTest {

    @RegisterExtension
    static final TestContainment containment = new TestContainment();

    @TempDir
    Path dir;
    private ScriptedModelServer server;
    private Task task;

    @BeforeEach
    void start() throws IOException {
        server = ScriptedModelServer.start();
        task = SumTask.in(dir);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Trajectory run(ModelConfig config) {
        return run(config, LoopSettings.defaults());
    }

    private Trajectory run(ModelConfig config, LoopSettings settings) {
        OpenAiClient client = new OpenAiClient(config);
        EpisodeRunner runner = new EpisodeRunner(containment.containment(), new AgentLoop(Toolbox.standard(), settings));
        return runner.run(task, new ModelPolicy(client, "openai:" + config.model()),
                new EpisodeSpec("model-" + System.nanoTime(), 0, OptionalLong.of(3)), s -> { });
    }

    private static String observation(JsonNode request, int fromEnd) {
        List<JsonNode> messages = new ArrayList<>();
        request.path("messages").forEach(messages::add);
        return messages.get(messages.size() - fromEnd).path("content").asText();
    }

    @Test
    void aModelSolvesTheTaskThroughToolCallsAndEveryExchangeIsKept() {
        server.replyToolCall("shell", "{\"command\":\"cat numbers.txt\"}")
                .replyToolCall("shell", "{\"command\":\"awk '{s+=$1} END {print s}' numbers.txt > sum.txt && cat sum.txt\"}")
                .replyToolCall("finish", "{\"summary\":\"sum written\"}");

        Trajectory t = run(server.config());

        assertThat(t.end()).isEqualTo(EndReason.FINISHED);
        assertThat(t.passed()).as(t.verifier().map(v -> v.log()).orElse("")).isTrue();
        assertThat(t.policy()).isEqualTo("openai:" + ScriptedModelServer.MODEL);
        assertThat(server.requests()).hasSize(3);
        JsonNode first = server.request(1).json();
        assertThat(first.path("tools")).hasSize(8);
        assertThat(first.path("seed").asLong()).isEqualTo(3);
        assertThat(first.path("messages").get(1).path("content").asText()).contains("sum of the numbers");
        // the second request carries the first observation, answering the first call by its id
        assertThat(observation(server.request(2).json(), 1)).contains("stdout:\n3\n4\n5\n0\n");
        assertThat(server.request(2).json().path("messages").get(3).path("tool_call_id").asText())
                .isEqualTo(server.request(2).json().path("messages").get(2).path("tool_calls").get(0).path("id").asText());
        assertThat(t.steps()).allSatisfy(s -> assertThat(s.response().exchange()).isPresent());
        assertThat(t.steps().get(1).response().exchange().orElseThrow().requestBody()).contains("\"tool_call_id\"");
        assertThat(t.usage().totalTokens()).isPositive();
    }

    @Test
    void malformedArgumentsAndUnknownToolsAreToldToTheModelWhichThenRecovers() {
        server.replyToolCall("shell", "{\"command\": \"ls\"")
                .replyToolCall("bash", "{\"command\":\"ls\"}")
                .replyToolCall("write_file", "{\"path\":\"sum.txt\",\"content\":\"12\\n\"}")
                .replyToolCall("finish", "{}");

        Trajectory t = run(server.config());

        assertThat(observation(server.request(2).json(), 1)).contains("[ALE] error: the arguments of `shell` are not a JSON object");
        assertThat(observation(server.request(3).json(), 1)).contains("there is no tool named `bash`");
        assertThat(t.steps().get(0).tools().getFirst().status()).isEqualTo(ToolRun.Status.ERROR);
        assertThat(t.passed()).isTrue();
    }

    @Test
    void serverErrorsAreRetriedThenTheEpisodeGoesOn() {
        server.replyStatus(500, "overloaded").replyTooManyRequests(0)
                .replyToolCall("write_file", "{\"path\":\"sum.txt\",\"content\":\"12\\n\"}")
                .replyToolCall("finish", "{}");

        Trajectory t = run(server.config());

        assertThat(t.passed()).isTrue();
        assertThat(t.steps().getFirst().response().exchange().orElseThrow().attempts()).isEqualTo(3);
    }

    @Test
    void aServerThatKeepsFailingEndsTheEpisodeAsAModelErrorNotTheAgentsFault() {
        server.respondWith(r -> Reply.status(500, "the GPU fell over"));

        Trajectory t = run(server.config());

        assertThat(t.end()).isEqualTo(EndReason.MODEL_ERROR);
        assertThat(t.end().agentsDoing()).isFalse();
        assertThat(t.detail()).contains("500").contains("3 attempts");
        assertThat(t.verifier()).isEmpty();
    }

    @Test
    void aServerThatIsDownEndsTheEpisodeAsAModelError() {
        ModelConfig config = server.config();
        server.stop();

        Trajectory t = run(config);

        assertThat(t.end()).isEqualTo(EndReason.MODEL_ERROR);
        assertThat(t.detail()).contains(config.baseUrl().toString().replace("/v1", ""));
    }

    @Test
    void aSlowServerIsGivenUpOnAfterItsTimeoutAndRetries() {
        server.respondWith(r -> Reply.toolCall("finish", "{}").delayed(Duration.ofSeconds(3)));

        Trajectory t = run(server.config().withTimeouts(Duration.ofMillis(300), Duration.ofSeconds(1)));

        assertThat(t.end()).isEqualTo(EndReason.MODEL_ERROR);
        assertThat(t.detail()).contains("unavailable after 3 attempts").contains("no reply within the request timeout of 300 ms");
    }

    @Test
    void aStreamedReplyWithToolCallsInPiecesDrivesTheEpisode() {
        server.reply(Reply.toolCalls(new ToolCall("call_a", "write_file", "{\"path\":\"sum.txt\",\"content\":\"12\\n\"}")))
                .replyToolCall("finish", "{\"summary\":\"streamed\"}");

        Trajectory t = run(server.config().withStream(true));

        assertThat(server.request(1).streamed()).isTrue();
        assertThat(t.passed()).isTrue();
        assertThat(t.detail()).isEqualTo("streamed");
        assertThat(t.steps().getFirst().response().exchange().orElseThrow().responseBody()).contains("chat.completion.chunk");
    }

    @Test
    void whenTheConversationOutgrowsTheContextOldTurnsAreDroppedWithANote() {
        server.respondWith(r -> r.messages().size() > 30
                ? Reply.toolCall("finish", "{}")
                : Reply.toolCall("shell", "{\"command\":\"seq 1 3000\"}"));

        Trajectory t = run(server.config(), LoopSettings.defaults().withContextLimits(1_000, 8_000));

        JsonNode last = server.lastRequest().json();
        assertThat(last.toString().length()).isLessThan(16_000);
        assertThat(last.path("messages").get(2).path("content").asText()).contains("dropped to fit the context window");
        assertThat(t.messages().size()).isGreaterThan(last.path("messages").size());
    }
}
