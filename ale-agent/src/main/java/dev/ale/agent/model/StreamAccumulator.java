package dev.ale.agent.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.ale.core.model.ChatMessage;
import dev.ale.core.model.ModelResponse;
import dev.ale.core.model.StreamedCompletion;
import dev.ale.core.model.ToolCall;
import dev.ale.core.model.Usage;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds one completion from a server-sent event stream of {@code chat.completion.chunk}s, fed
 * line by line: the SSE framing and the checks a model client needs (a stream that breaks off, an
 * error mid-stream, no choices) are here; the chunks themselves are joined by core's
 * {@link StreamedCompletion}, as the server's model proxy joins them. Text is passed to the
 * listener as it comes.
 */
final class StreamAccumulator {

    private final CompletionListener listener;
    private final List<String> events = new ArrayList<>();
    private final StringBuilder data = new StringBuilder();
    private boolean dataPending;
    private boolean done;

    private final StreamedCompletion reply = new StreamedCompletion(Integer.MAX_VALUE);

    StreamAccumulator(CompletionListener listener) {
        this.listener = listener;
    }

    void line(String line) throws BadReply {
        if (done) return;
        if (line.isEmpty()) {
            dispatch();
        } else if (line.startsWith("data:")) {
            // an event may spread its data over several lines; they join with newlines (SSE spec)
            if (dataPending) data.append('\n');
            data.append(line.startsWith("data: ") ? line.substring(6) : line.substring(5));
            dataPending = true;
        }
        // ':' comments (keep-alives) and event:, id:, retry: fields carry nothing a completion needs
    }

    /** The stream has ended: the completion it carried, or why there is none. */
    ModelResponse finish() throws BadReply {
        dispatch();
        if (events.isEmpty()) throw BadReply.malformed("the stream has no data: lines; it is not a server-sent event stream");
        if (!done && reply.finishReason().isEmpty()) throw BadReply.broken("the stream ended before a finish_reason or [DONE]");
        if (!reply.sawChoice()) throw BadReply.malformed("no chunk of the stream has choices[0]");
        List<ToolCall> toolCalls = new ArrayList<>();
        for (StreamedCompletion.PartialToolCall c : reply.toolCalls()) {
            toolCalls.add(ChatWire.toolCall(text(c.id()), text(c.name()), c.arguments(), c.index(),
                    "the streamed tool call with index " + c.index()));
        }
        Optional<JsonNode> lp = reply.logprobs().map(tokens -> ChatWire.JSON.createObjectNode().set("content", tokens));
        Usage usage = reply.usage().map(ChatWire::usage).orElse(Usage.NONE);
        return new ModelResponse(ChatMessage.assistant(reply.content(), toolCalls), reply.finishReason().orElse(""), usage, lp,
                Optional.empty());
    }

    /** The data of every event so far, one per line, as the exchange keeps it. */
    String rawBody() {
        return String.join("\n", events);
    }

    private void dispatch() throws BadReply {
        if (!dataPending) return;
        String payload = data.toString();
        data.setLength(0);
        dataPending = false;
        events.add(payload);
        if (payload.strip().equals("[DONE]")) {
            done = true;
            return;
        }
        JsonNode chunk = ChatWire.parse(payload, "stream event " + events.size());
        if (chunk.has("error")) {
            throw BadReply.broken("the server reported an error mid-stream: " + ChatWire.errorMessage(payload));
        }
        String text = reply.add(chunk);
        if (!text.isEmpty()) listener.text(text);
    }

    private static JsonNode text(Optional<String> value) {
        return value.<JsonNode>map(TextNode::valueOf).orElse(ChatWire.JSON.missingNode());
    }
}
