package dev.ale.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One streamed chat completion put back together from its {@code chat.completion.chunk}s, the one
 * place ALE does it: the agent's model client and the server's model proxy both feed it. The first
 * choice's deltas are joined (content, {@code reasoning_content}, tool calls by {@code index},
 * which defaults to the call's position in its chunk), the last finish reason and the usage of
 * the chunk that carries it are kept, and log probabilities are appended in order. Text past
 * {@code maxRecordedChars} is not kept (and {@link #truncated()} says so).
 */
public final class StreamedCompletion {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A tool call as far as its deltas have come: id and name once, the arguments in pieces. */
    public record PartialToolCall(int index, Optional<String> id, Optional<String> name, String arguments) {
    }

    private final int maxRecordedChars;
    private final StringBuilder content = new StringBuilder();
    private final StringBuilder reasoning = new StringBuilder();
    private final SortedMap<Integer, Call> calls = new TreeMap<>();
    private String id = "";
    private String model = "";
    private Optional<String> finishReason = Optional.empty();
    private Optional<JsonNode> usage = Optional.empty();
    private Optional<ArrayNode> logprobs = Optional.empty();
    private boolean sawChoice;
    private boolean truncated;
    private int chunks;

    public StreamedCompletion(int maxRecordedChars) {
        if (maxRecordedChars < 0) throw new IllegalArgumentException("maxRecordedChars must be >= 0: " + maxRecordedChars);
        this.maxRecordedChars = maxRecordedChars;
    }

    /** Adds one parsed chunk; returns the content text it added, for a listener that shows text as it comes. */
    public String add(JsonNode chunk) {
        chunks++;
        if (id.isEmpty() && chunk.path("id").isTextual()) id = chunk.get("id").asText();
        if (model.isEmpty() && chunk.path("model").isTextual()) model = chunk.get("model").asText();
        if (chunk.path("usage").isObject()) usage = Optional.of(chunk.get("usage"));
        JsonNode choice = chunk.path("choices").path(0);
        if (!choice.isObject()) return "";
        sawChoice = true;
        if (choice.path("finish_reason").isTextual()) finishReason = Optional.of(choice.get("finish_reason").asText());
        JsonNode delta = choice.path("delta");
        String text = delta.path("content").isTextual() ? delta.get("content").asText() : "";
        append(content, text);
        append(reasoning, delta.path("reasoning_content").isTextual() ? delta.get("reasoning_content").asText() : "");
        JsonNode pieces = delta.path("tool_calls");
        for (int position = 0; position < pieces.size(); position++) {
            JsonNode piece = pieces.get(position);
            calls.computeIfAbsent(piece.path("index").asInt(position), i -> new Call()).add(piece, this);
        }
        JsonNode tokens = choice.path("logprobs").path("content");
        if (tokens.isArray()) {
            ArrayNode all = logprobs.orElseGet(JSON::createArrayNode);
            all.addAll((ArrayNode) tokens);
            logprobs = Optional.of(all);
        }
        return text;
    }

    public String content() {
        return content.toString();
    }

    public String reasoning() {
        return reasoning.toString();
    }

    public List<PartialToolCall> toolCalls() {
        List<PartialToolCall> out = new ArrayList<>(calls.size());
        calls.forEach((index, c) -> out.add(new PartialToolCall(index, c.id, c.name, c.arguments.toString())));
        return List.copyOf(out);
    }

    public Optional<String> finishReason() {
        return finishReason;
    }

    /** The {@code usage} object of the chunk that carried one. */
    public Optional<JsonNode> usage() {
        return usage;
    }

    /** Every chunk's {@code logprobs.content} tokens, in order. */
    public Optional<ArrayNode> logprobs() {
        return logprobs;
    }

    /** Whether any chunk had a first choice. */
    public boolean sawChoice() {
        return sawChoice;
    }

    /** Whether text past the recording limit was left out. */
    public boolean truncated() {
        return truncated;
    }

    public int chunks() {
        return chunks;
    }

    /** The characters the model produced: content, reasoning, tool names and arguments. */
    public int completionChars() {
        int n = content.length() + reasoning.length();
        for (Call c : calls.values()) n += c.name.map(String::length).orElse(0) + c.arguments.length();
        return n;
    }

    /** The reply as the one {@code chat.completion} a non-streamed call would have answered. */
    public ObjectNode toCompletion() {
        ObjectNode json = JSON.createObjectNode();
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
            for (PartialToolCall c : toolCalls()) {
                ObjectNode t = tools.addObject();
                t.put("id", c.id().orElse(""));
                t.put("type", "function");
                t.putObject("function").put("name", c.name().orElse("")).put("arguments", c.arguments());
            }
        }
        if (finishReason.isEmpty()) choice.putNull("finish_reason");
        else choice.put("finish_reason", finishReason.get());
        logprobs.ifPresent(tokens -> choice.putObject("logprobs").set("content", tokens));
        usage.ifPresent(u -> json.set("usage", u));
        return json;
    }

    private void append(StringBuilder to, String piece) {
        if (piece.isEmpty()) return;
        if (to.length() + piece.length() > maxRecordedChars) {
            truncated = true;
            return;
        }
        to.append(piece);
    }

    /** One tool call being put together. */
    private static final class Call {
        Optional<String> id = Optional.empty();
        Optional<String> name = Optional.empty();
        final StringBuilder arguments = new StringBuilder();

        void add(JsonNode piece, StreamedCompletion owner) {
            // some servers repeat id and name in every delta; the first non-empty one counts
            if (id.isEmpty() && !piece.path("id").asText("").isEmpty()) id = Optional.of(piece.get("id").asText());
            JsonNode function = piece.path("function");
            if (name.isEmpty() && !function.path("name").asText("").isEmpty()) name = Optional.of(function.get("name").asText());
            JsonNode args = function.path("arguments");
            // a server that sends an object instead of text gets its JSON text
            owner.append(arguments, args.isTextual() ? args.asText() : args.isMissingNode() || args.isNull() ? "" : args.toString());
        }
    }
}
