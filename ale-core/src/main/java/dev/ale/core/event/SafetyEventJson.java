package dev.ale.core.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.util.stream.Collectors;

/**
 * The one serializer and the one reader of a SafetyEvent's wire form ({@link SafetyEventWire}),
 * used by the CLI, the server, trajectories, the audit payload and the report.
 */
public final class SafetyEventJson {

    /** Strict: no unknown field, no number read as text or text as a number, no fraction cut to a step. */
    private static final ObjectMapper MAPPER = strict();

    private SafetyEventJson() {
    }

    public static ObjectNode toJson(SafetyEvent e) {
        return MAPPER.valueToTree(SafetyEventWire.of(e));
    }

    /** Reads what {@link #toJson} wrote; a field that is missing, extra or wrong throws IllegalArgumentException naming it. */
    public static SafetyEvent fromJson(JsonNode json) {
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("a safety event must be a JSON object, not " + (json == null ? "nothing" : json.getNodeType()));
        }
        SafetyEventWire wire;
        try {
            wire = MAPPER.treeToValue(json, SafetyEventWire.class);
        } catch (JsonProcessingException e) {
            String where = e instanceof JsonMappingException m && !m.getPath().isEmpty()
                    ? "event field `" + m.getPath().stream().map(r -> r.getFieldName() == null ? "[" + r.getIndex() + "]" : r.getFieldName())
                            .collect(Collectors.joining(".")) + "`: "
                    : "not a safety event: ";
            throw new IllegalArgumentException(where + e.getOriginalMessage().lines().findFirst().orElse(""), e);
        }
        return wire.toEvent();
    }

    private static ObjectMapper strict() {
        JsonMapper mapper = JsonMapper.builder()
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
        for (CoercionInputShape shape : new CoercionInputShape[] {CoercionInputShape.Integer, CoercionInputShape.Float,
                CoercionInputShape.Boolean}) {
            mapper.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
        }
        return mapper;
    }
}
