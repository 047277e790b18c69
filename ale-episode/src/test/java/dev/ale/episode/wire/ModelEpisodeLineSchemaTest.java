package dev.ale.episode.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ale.agent.loop.AgentLoop;
import dev.ale.agent.loop.LoopSettings;
import dev.ale.agent.model.OpenAiClient;
import dev.ale.agent.policy.ModelPolicy;
import dev.ale.agent.testing.ScriptedModelServer;
import dev.ale.agent.tool.Toolbox;
import dev.ale.containment.TestContainment;
import dev.ale.core.episode.Trajectory;
import dev.ale.core.task.Task;
import dev.ale.episode.EpisodeRunner;
import dev.ale.episode.EpisodeSpec;
import dev.ale.episode.SumTask;
import dev.ale.episode.reward.Rewards;
import dev.ale.episode.trajectory.TrajectoryJson;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The line of an episode a model played over real HTTP (a scripted OpenAI-compatible server on
 * loopback) conforms to docs/schemas/trajectory-line.schema.json: its steps carry the raw exchange
 * and the assistant messages carry OpenAI tool calls, which replayed episodes never have.
 */
@Tag("root")
class ModelEpisodeLineSchemaTest {

    @RegisterExtension
    static final TestContainment containment = new TestContainment();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aModelEpisodesLineWithItsExchangesConforms() throws Exception {
        Task task = SumTask.in(dir);
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            server.replyToolCall("shell", "{\"command\":\"awk '{s+=$1} END {print s}' numbers.txt > sum.txt\"}")
                    .replyToolCall("finish", "{\"summary\":\"done\"}");
            EpisodeRunner runner = new EpisodeRunner(containment.containment(), new AgentLoop(Toolbox.standard(), LoopSettings.defaults()));
            Trajectory t = runner.run(task, new ModelPolicy(new OpenAiClient(server.config()), "openai:" + server.config().model()),
                    new EpisodeSpec("model.sum.0", 0, OptionalLong.of(3)), s -> { });
            JsonNode line = JSON.readTree(TrajectoryJson.line(t, task.passport(), Rewards.of(t, task.passport().detectors())));

            assertThat(line.path("steps").get(0).path("exchange").path("request").asText()).contains("\"messages\"");
            assertThat(line.path("messages").findValues("tool_calls")).isNotEmpty();
            assertThat(SchemaSubset.errors(SchemaSubset.schema("trajectory-line.schema.json"), line)).isEmpty();
        }
    }
}
