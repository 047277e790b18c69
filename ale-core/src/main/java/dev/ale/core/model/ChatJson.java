package dev.ale.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Chat messages in OpenAI's wire form, the one ALE writes everywhere (requests, trajectories,
 * datasets): {@code role}, {@code content}, {@code tool_calls} as {@code function} calls with
 * arguments as a JSON string, {@code tool_call_id} and {@code name} on tool answers.
 */
public final class ChatJson {

    private ChatJson() {
    }

    public static ObjectNode toJson(ChatMessage m) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("role", m.role().wire());
        // "" rather than null beside tool calls: some servers' chat templates fail on a null content
        json.put("content", m.content());
        if (!m.toolCalls().isEmpty()) {
            ArrayNode calls = json.putArray("tool_calls");
            for (ToolCall c : m.toolCalls()) {
                ObjectNode call = calls.addObject();
                call.put("id", c.id());
                call.put("type", "function");
                call.putObject("function").put("name", c.name()).put("arguments", c.arguments());
            }
        }
        m.toolCallId().ifPresent(id -> json.put("tool_call_id", id));
        m.name().ifPresent(n -> json.put("name", n));
        return json;
    }

    public static ArrayNode toJson(List<ChatMessage> messages) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        messages.forEach(m -> array.add(toJson(m)));
        return array;
    }

    private static String joinParts(JsonNode parts) {
        StringBuilder b = new StringBuilder();
        for (JsonNode p : parts) {
            if (!p.path("text").isTextual()) throw new IllegalArgumentException("message `content` parts must carry `text`");
            b.append(p.get("text").asText());
        }
        return b.toString();
    }

    /** A tool as OpenAI's {@code tools} array lists it. */
    public static ObjectNode toJson(ToolSpec tool) {
        ObjectNode json = JsonNodeFactory.instance.objectNode().put("type", "function");
        json.putObject("function").put("name", tool.name()).put("description", tool.description()).set("parameters", tool.parameters());
        return json;
    }
}
