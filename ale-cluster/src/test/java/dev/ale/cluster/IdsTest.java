package dev.ale.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class IdsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void sandboxAndEnvironmentIdsAndModelTokensGetTheirNodeAndNothingElseDoes() throws Exception {
        JsonNode reply = JSON.readTree("""
                {"env_id": "env-0123456789abcdef", "info": {"episode_id": "env-0123456789abcdef-1a2b3c4d", "model_token": "tok123",
                 "events": [{"sandbox": "sb-0a1b2c3d", "rule": "x", "id": "evt-1"}]},
                 "sandboxes": [{"sandbox_id": "env-00000000000000aa", "env_id": "greet"}], "env_ids": ["greet"], "id": "chatcmpl-9"}
                """);
        JsonNode out = Ids.outward(reply, "n2");
        assertThat(out.path("env_id").asText()).isEqualTo("n2.env-0123456789abcdef");
        assertThat(out.path("info").path("model_token").asText()).isEqualTo("n2.tok123");
        assertThat(out.path("info").path("episode_id").asText()).isEqualTo("env-0123456789abcdef-1a2b3c4d");
        assertThat(out.path("info").path("events").get(0).path("sandbox").asText()).isEqualTo("n2.sb-0a1b2c3d");
        assertThat(out.path("info").path("events").get(0).path("id").asText()).isEqualTo("evt-1");
        assertThat(out.path("sandboxes").get(0).path("sandbox_id").asText()).isEqualTo("n2.env-00000000000000aa");
        assertThat(out.path("sandboxes").get(0).path("env_id").asText()).as("a task id").isEqualTo("greet");
        assertThat(out.path("id").asText()).isEqualTo("chatcmpl-9");
    }

    @Test
    void theRewriteInTheBytesGivesWhatTheTreeRewriteGivesAndLeavesEveryOtherByteAsTheNodeWroteIt() throws Exception {
        String reply = """
                {"env_id":"env-0123456789abcdef", "observation": "{\\"env_id\\": \\"env-0123456789abcdef\\", \\"model_token\\": \\"t\\"}",
                 "info": {"model_token": "tok\\u0031", "events": [{"sandbox": "sb-0a1b2c3d", "id": "evt-1"}, "sb-0a1b2c3d"]},
                 "sandboxes": [{"sandbox_id": "env-00000000000000aa", "env_id": "greet"}], "id": "sb-0a1b2c3d", "reward": 1.0}
                """;
        byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
        byte[] out = Ids.outward(bytes, "n2");
        assertThat(JSON.readTree(out)).isEqualTo(Ids.outward(JSON.readTree(bytes), "n2"));
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(text).isEqualTo(reply.replace("\"env_id\":\"env-0123", "\"env_id\":\"n2.env-0123").replace("\"tok", "\"n2.tok")
                .replace("\"sandbox\": \"sb-", "\"sandbox\": \"n2.sb-").replace("\"sandbox_id\": \"env-", "\"sandbox_id\": \"n2.env-")
                .replace("\"id\": \"sb-", "\"id\": \"n2.sb-"));
        assertThat(JSON.readTree(out).path("observation").asText()).as("an id inside a string is text, not an id").doesNotContain("n2.");
        assertThat(JSON.readTree(out).path("info").path("events").get(1).asText()).as("an array's string is no field").isEqualTo("sb-0a1b2c3d");

        byte[] plain = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(Ids.outward(plain, "n2")).as("nothing to rewrite: the same bytes").isSameAs(plain);
        byte[] notJson = "sb-0a1b2c3d is not JSON {".getBytes(StandardCharsets.UTF_8);
        assertThat(Ids.outward(notJson, "n2")).isSameAs(notJson);
    }

    @Test
    void rockStartIdsHoldIdsAndTheirSandboxFieldsGetTheirNodeInTheTreeAndInTheBytes() throws Exception {
        String reply = """
                {"status": "Success", "result": {"sandbox_id": "rock-0123456789abcdef", "ale_sandbox_id": "sb-0a1b2c3d", "host_name": "rock-x"},
                 "holds": [{"id": "hold-0123456789ab", "sandboxId": "sb-0a1b2c3d", "ruleId": "hold-rule"}], "image": "rock-0123456789abcdef"}
                """;
        byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
        JsonNode out = JSON.readTree(Ids.outward(bytes, "n1"));
        assertThat(out).isEqualTo(Ids.outward(JSON.readTree(bytes), "n1"));
        assertThat(out.path("result").path("sandbox_id").asText()).isEqualTo("n1.rock-0123456789abcdef");
        assertThat(out.path("result").path("ale_sandbox_id").asText()).isEqualTo("n1.sb-0a1b2c3d");
        assertThat(out.path("result").path("host_name").asText()).as("not an id's shape").isEqualTo("rock-x");
        assertThat(out.path("holds").get(0).path("id").asText()).isEqualTo("n1.hold-0123456789ab");
        assertThat(out.path("holds").get(0).path("sandboxId").asText()).isEqualTo("n1.sb-0a1b2c3d");
        assertThat(out.path("holds").get(0).path("ruleId").asText()).as("a rule id is no id of the node's").isEqualTo("hold-rule");
        assertThat(out.path("image").asText()).as("an id's shape in a field that holds none").isEqualTo("rock-0123456789abcdef");
    }

    @Test
    void anIdSplitsAtItsFirstDotOnly() {
        assertThat(Ids.split("n1.sb-0a1b2c3d")).contains(new Ids.Routed("n1", "sb-0a1b2c3d"));
        assertThat(Ids.split("ale-node-x7k2p.tok.with.dots")).contains(new Ids.Routed("ale-node-x7k2p", "tok.with.dots"));
        assertThat(Ids.split("sb-0a1b2c3d")).isEmpty();
        assertThat(Ids.split(".sb-0a1b2c3d")).isEmpty();
        assertThat(Ids.split("n1.")).isEmpty();
    }

    @Test
    void aReplyIsPassedOnUnparsedOnlyWhenItCannotHoldANodeIdOrToken() {
        assertThat(Ids.mayName("{\"env_id\":\"env-0123456789abcdef\",\"reward\":1}".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(Ids.mayName("[{\"id\":\"sb-0a1b2c3d\"}]".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(Ids.mayName("{\"model_token\":\"t\"}".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(Ids.mayName("{\"status\":\"ok\",\"nodes\":3}".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(Ids.mayName("{\"model\":\"m\",\"sb\":1,\"env\":2}".getBytes(StandardCharsets.UTF_8))).as("look-alikes").isFalse();
        assertThat(Ids.mayName("{\"sandbox_id\":\"rock-0123456789abcdef\"}".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(Ids.mayName("[{\"id\":\"hold-0123456789ab\"}]".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(Ids.mayName("{\"rocky\":\"holder\",\"hold\":1,\"rock\":2}".getBytes(StandardCharsets.UTF_8))).as("look-alikes").isFalse();
        assertThat(Ids.mayName(new byte[] {'s', 'b'})).isFalse();
        assertThat(Ids.mayName(new byte[0])).isFalse();
    }
}
