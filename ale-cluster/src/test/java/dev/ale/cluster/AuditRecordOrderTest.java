package dev.ale.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The front's merge of many nodes' audit records orders them by instant, then node, then each chain's sequence. */
class AuditRecordOrderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode record(String node, long seq, String time) {
        return JSON.createObjectNode().put("node", node).put("seq", seq).put("time", time);
    }

    @Test
    void aFractionOfASecondSortsAfterTheWholeSecondThoughItsTextSortsBefore() {
        List<ObjectNode> all = new ArrayList<>(List.of(
                record("n1", 8, "2026-03-01T12:00:01Z"),
                record("n2", 3, "2026-03-01T12:00:00.500Z"),
                record("n1", 7, "2026-03-01T12:00:00Z"),
                record("n2", 2, "2026-03-01T12:00:00Z"),
                record("n1", 6, "2026-03-01T12:00:00Z")));
        all.sort(FrontRoutes.RECORD_ORDER);

        assertThat(all).extracting(o -> o.path("node").asText() + "#" + o.path("seq").asLong())
                .containsExactly("n1#6", "n1#7", "n2#2", "n2#3", "n1#8");
    }
}
