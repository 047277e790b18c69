package dev.ale.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Two nodes' histories of one passport, as {@code GET /passports/{id}/history} gives them, merged as the front answers. */
class PassportHistoriesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FP = "sha256:" + "ab".repeat(32);

    private static JsonNode node(String sandbox, String episode, String first, String last, int records, int denied, String killAt, long seq)
            throws Exception {
        return JSON.readTree("""
                {"passport": "coder-1", "since": null, "until": null,
                 "versions": [{"id": "coder-1", "fingerprint": "%s", "first": "%s", "last": "%s", "records": %d}],
                 "sandboxes": ["%s"], "episodes": ["%s"],
                 "hosts_reached": {"pypi.org:443": 2}, "hosts_refused": {"203.0.113.9:80": %d}, "protected_writes": {},
                 "events_by_category": {"egress-denied": %d, "metadata": 1},
                 "kills": [{"seq": %d, "time": "%s", "kind": "safety_event", "sandbox": "%s", "episode": "%s", "step": 2,
                            "rule": "metadata.imds", "detail": "x", "decision": null, "by": null}],
                 "holds": []}
                """.formatted(FP, first, last, records, sandbox, episode, denied, denied, seq, killAt, sandbox, episode));
    }

    @Test
    void countsAreSummedAVersionOnBothNodesIsOneAndEveryActAndSandboxNamesItsNode() throws Exception {
        PassportHistories h = new PassportHistories();
        assertThat(h.any()).isFalse();
        h.add("n1", node("sb-00000000000000a1", "env-00000000000000a1-1a2b3c4d", "2026-03-01T10:00:00Z", "2026-03-01T10:05:00Z", 7, 3,
                "2026-03-01T10:04:00Z", 41));
        h.add("n2", node("sb-00000000000000b2", "env-00000000000000b2-5e6f7a8b", "2026-03-01T09:59:59.500Z", "2026-03-01T10:06:00.250Z", 5, 1,
                "2026-03-01T10:00:00.500Z", 9));
        JsonNode m = h.merged();

        assertThat(m.path("passport").asText()).isEqualTo("coder-1");
        assertThat(m.path("versions")).hasSize(1);
        JsonNode v = m.path("versions").get(0);
        assertThat(v.path("records").asInt()).isEqualTo(12);
        assertThat(v.path("first").asText()).as("the earlier of the two, by instant").isEqualTo("2026-03-01T09:59:59.500Z");
        assertThat(v.path("last").asText()).isEqualTo("2026-03-01T10:06:00.250Z");
        assertThat(v.path("nodes")).extracting(JsonNode::asText).containsExactly("n1", "n2");
        assertThat(m.path("events_by_category").path("egress-denied").asInt()).isEqualTo(4);
        assertThat(m.path("events_by_category").path("metadata").asInt()).isEqualTo(2);
        assertThat(m.path("hosts_reached").path("pypi.org:443").asInt()).isEqualTo(4);
        assertThat(m.path("hosts_refused").path("203.0.113.9:80").asInt()).isEqualTo(4);
        assertThat(m.path("sandboxes")).extracting(JsonNode::asText).containsExactly("n1.sb-00000000000000a1", "n2.sb-00000000000000b2");
        assertThat(m.path("episodes")).extracting(JsonNode::asText).containsExactly("env-00000000000000a1-1a2b3c4d", "env-00000000000000b2-5e6f7a8b");
        assertThat(m.path("by_node").path("n2").path("episodes")).extracting(JsonNode::asText).containsExactly("env-00000000000000b2-5e6f7a8b");
        assertThat(m.path("by_node").path("n1").path("sandboxes")).extracting(JsonNode::asText).containsExactly("n1.sb-00000000000000a1");
        // in time order over the nodes: 10:00:00.500 is before 10:04:00 (though n2 answered second)
        List<String> kills = new ArrayList<>();
        m.path("kills").forEach(k -> kills.add(k.path("node").asText() + " " + k.path("sandbox").asText() + " #" + k.path("seq").asText()));
        assertThat(kills).containsExactly("n2 n2.sb-00000000000000b2 #9", "n1 n1.sb-00000000000000a1 #41");
        assertThat(m.path("holds")).isEmpty();
    }

    @Test
    void actsAreOrderedByTheirInstantNotByTheText() throws Exception {
        PassportHistories h = new PassportHistories();
        h.add("n2", node("sb-00000000000000b2", "e2", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z", 1, 0, "2026-03-01T10:00:00.900Z", 1));
        h.add("n1", node("sb-00000000000000a1", "e1", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z", 1, 0, "2026-03-01T10:00:00Z", 1));
        // as text, "10:00:00.900Z" sorts before "10:00:00Z"
        assertThat(h.merged().path("kills")).extracting(k -> k.path("node").asText()).containsExactly("n1", "n2");
    }
}
