package dev.ale.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.core.model.StreamedCompletion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Puts a streamed chat completion back together as it passes through the proxy: the SSE
 * {@code data:} lines are read as they go by and handed to core's {@link StreamedCompletion}, the
 * one place ALE joins chunks (the agent's model client uses it too). A chunk that is not JSON is
 * not ours to judge: the client gets it as it came, and the record leaves it out.
 */
final class StreamedReply {

    /** Past this much text a reply is recorded cut short (and says so); the client still gets all of it. */
    private static final int MAX_RECORDED = 4 << 20;

    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final StreamedCompletion reply = new StreamedCompletion(MAX_RECORDED);
    private boolean cutShort;

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
        try {
            reply.add(Bodies.JSON.readTree(payload));
        } catch (IOException e) {
            // not ours to judge: the client gets it as it came
        }
    }

    /** The upstream broke off (or ran past its time) after the stream had begun. */
    void cutShort() {
        cutShort = true;
    }

    Optional<JsonNode> usage() {
        return reply.usage();
    }

    int completionChars() {
        return reply.completionChars();
    }

    /** The reply as one {@code chat.completion}, with {@code ale_streamed_chunks} saying how many chunks made it. */
    ObjectNode completion() {
        ObjectNode json = reply.toCompletion();
        json.put("ale_streamed_chunks", reply.chunks());
        if (reply.truncated()) json.put("ale_truncated", true);
        if (cutShort) json.put("ale_cut_short", true);
        return json;
    }
}
