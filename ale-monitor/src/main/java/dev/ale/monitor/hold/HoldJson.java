package dev.ale.monitor.hold;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A hold as JSON, the one form the server's {@code /holds}, {@code ale hold ls} and the webhook
 * use: {@code {id, sandboxId, episodeId?, step?, category, ruleId, detail, kind, createdAt,
 * deadline, state, decidedBy?, decidedAt?}}.
 */
public final class HoldJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HoldJson() {
    }

    public static ObjectNode toJson(Hold h) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", h.id());
        o.put("sandboxId", h.sandboxId());
        h.episodeId().ifPresent(e -> o.put("episodeId", e));
        h.step().ifPresent(s -> o.put("step", s));
        o.put("category", h.category().wire());
        o.put("ruleId", h.ruleId());
        o.put("detail", h.detail());
        o.put("kind", h.kind().wire());
        o.put("createdAt", h.createdAt().toString());
        o.put("deadline", h.deadline().toString());
        o.put("state", h.state().wire());
        h.decidedBy().ifPresent(d -> o.put("decidedBy", d));
        h.decidedAt().ifPresent(d -> o.put("decidedAt", d.toString()));
        return o;
    }
}
