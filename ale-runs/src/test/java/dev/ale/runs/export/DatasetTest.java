package dev.ale.runs.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Episode lines become chat-dataset rows with group-relative credit, worked out by hand. */
class DatasetTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Offset<Double> CLOSE = Offset.offset(1e-9);

    private static JsonNode line(String episode, String task, double total, double... stepRewards) throws Exception {
        StringBuilder steps = new StringBuilder();
        for (int i = 0; i < stepRewards.length; i++) steps.append(i == 0 ? "" : ",").append("{\"index\":").append(i + 1).append(",\"reward\":").append(stepRewards[i]).append('}');
        return JSON.readTree("""
                {"episode": "%s", "task": "%s", "policy": "replay", "messages": [{"role": "user", "content": "do it"}],
                 "reward": {"score": 1, "penalty": 0, "killed": false, "total": %s}, "steps": [%s]}
                """.formatted(episode, task, total, steps));
    }

    @Test
    void rowsCarryMessagesRewardAndGroupRelativeCredit() throws Exception {
        List<JsonNode> lines = List.of(
                line("a0", "a", 1.0, 0.0, 1.0),
                line("a1", "a", -1.0, -1.0),
                line("b0", "b", 0.5, 0.5),
                JSON.readTree("{\"episode\": \"a2\", \"task\": \"a\", \"end\": \"infrastructure\", \"steps\": []}"));

        List<ObjectNode> rows = Dataset.of(lines, 0.5);

        assertThat(rows).extracting(r -> r.get("episode").asText()).containsExactly("a0", "a1", "b0");
        ObjectNode a0 = rows.get(0);
        assertThat(a0.get("messages").get(0).get("content").asText()).isEqualTo("do it");
        // group a: rewards 1 and -1, mean 0, std 1
        assertThat(a0.get("advantage").asDouble()).isCloseTo(1.0, CLOSE);
        assertThat(rows.get(1).get("advantage").asDouble()).isCloseTo(-1.0, CLOSE);
        // a lone episode has nothing to be compared with
        assertThat(rows.get(2).get("advantage").asDouble()).isZero();
        // returns with gamma 0.5: a0 [0 + 0.5 * 1, 1]; a1 [-1]; chunk returns 0.5, 1, -1: mean 1/6
        assertThat(a0.get("steps").get(0).get("return").asDouble()).isCloseTo(0.5, CLOSE);
        double mean = 0.5 / 3;
        double std = Math.sqrt((Math.pow(0.5 - mean, 2) + Math.pow(1 - mean, 2) + Math.pow(-1 - mean, 2)) / 3);
        assertThat(a0.get("steps").get(1).get("advantage").asDouble()).isCloseTo((1 - mean) / std, CLOSE);
        assertThat(rows.get(1).get("steps").get(0).get("advantage").asDouble()).isCloseTo((-1 - mean) / std, CLOSE);
    }
}
