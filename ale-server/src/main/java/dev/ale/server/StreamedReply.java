package dev.ale.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Puts a streamed chat completion back together as it passes through the proxy: the SSE
 * {@code data:} lines are read as they go by, and the deltas of the first choice (content,
 * reasoning, tool calls by index) are joined into the one message a non-streamed reply would
 * hold. Usage comes from the chunk that carries it ({@code stream_options.include_usage}).
 */
final class StreamedReply {

    /** Past this much text a reply is recorded cut short (and says so); the client still gets all of it. */
    private static final int MAX_RECORDED = 4 << 20;

    private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
    private final StringBuilder content = new StringBuilder();
    private final StringBuilder reasoning = new StringBuilder();
    private final Map<Integer, String[]> calls = new TreeMap<>(); // index -> {id, name, arguments}
    private String id = "";
    private String model = "";
    private String finishReason;
    private JsonNode usage;
    private boolean truncated;
    private boolean cutShort;
    private int chunks;

    /**
     * Feeds bytes as they came. A chunk may end mid-line or mid-character, so lines are cut at the
     * newline byte (which no multi-byte UTF-8 character contains) and only then decoded.
     */
    void feed(byte[] bytes, int length) {
        for (int i = 0; i < length; i++) {
            if (bytes[i] != '\n') {
                if (line.size() <= MAX_RECORDED) line.write(bytes[i]);
                continue;
            }
            String one = line.toString(StandardCharsets.UTF_8).strip();
            line.reset();
            if (one.startsWith("data:")) data(one.substring(5).strip());
        }
    }

    private void data(String payload) {
        if (payload.isEmpty() || payload.equals("[DONE]")) return;
        JsonNode chunk;
        try {
            chunk = Bodies.JSON.readTree(payload);
        } catch (IOException e) {
            return; // not ours to judge: the client gets it as it came
        }
        chunks++;
        if (chunk.path("id").isTextual()) id = chunk.get("id").asText();
        if (chunk.path("model").isTextual()) model = chunk.get("model").asText();
        if (chunk.path("usage").isObject()) usage = chunk.get("usage");
        JsonNode choice = chunk.path("choices").path(0);
        if (choice.path("finish_reason").isTextual()) finishReason = choice.get("finish_reason").asText();
        JsonNode delta = choice.path("delta");
        append(content, delta.path("content"));
        append(reasoning, delta.path("reasoning_content"));
        for (JsonNode call : delta.path("tool_calls")) {
            String[] c = calls.computeIfAbsent(call.path("index").asInt(calls.size()), i -> new String[] {"", "", ""});
            if (call.path("id").isTextual()) c[0] = call.get("id").asText();
            JsonNode f = call.path("function");
            if (f.path("name").isTextual()) c[1] += f.get("name").asText();
            if (f.path("arguments").isTextual()) c[2] = cap(c[2] + f.get("arguments").asText());
        }
    }

    private void append(StringBuilder to, JsonNode piece) {
        if (!piece.isTextual()) return;
        if (to.length() + piece.asText().length() > MAX_RECORDED) {
            truncated = true;
            return;
        }
        to.append(piece.asText());
    }

    private String cap(String s) {
        if (s.length() <= MAX_RECORDED) return s;
        truncated = true;
        return s.substring(0, MAX_RECORDED);
    }

    /** The upstream broke off (or ran past its time) after the stream had begun. */
    void cutShort() {
        cutShort = true;
    }

    Optional<JsonNode> usage() {
        return Optional.ofNullable(usage);
    }

    int completionChars() {
        int n = content.length() + reasoning.length();
        for (String[] c : calls.values()) n += c[1].length() + c[2].length();
        return n;
    }

    /** The reply as one {@code chat.completion}, with {@code ale_streamed_chunks} saying how many chunks made it. */
    ObjectNode completion() {
        ObjectNode json = Views.object();
        json.put("id", id);
        json.put("object", "chat.completion");
        json.put("model", model);
        ObjectNode choice = json.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", content.toString());
        if (!reasoning.isEmpty()) message.put("reasoning_content", reasoning.toString());
        if (!calls.isEmpty()) {
            ArrayNode tools = message.putArray("tool_calls");
            for (String[] c : calls.values()) {
                ObjectNode t = tools.addObject();
                t.put("id", c[0]);
                t.put("type", "function");
                t.putObject("function").put("name", c[1]).put("arguments", c[2]);
            }
        }
        if (finishReason == null) choice.putNull("finish_reason");
        else choice.put("finish_reason", finishReason);
        if (usage != null) json.set("usage", usage);
        json.put("ale_streamed_chunks", chunks);
        if (truncated) json.put("ale_truncated", true);
        if (cutShort) json.put("ale_cut_short", true);
        return json;
    }
}
