package dev.ale.episode.env;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ale.core.model.ToolCall;
import java.util.Locale;
import java.util.Optional;

/** Reads an {@link Action} from the JSON a trainer sent. */
public final class Actions {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Actions() {
    }

    /**
     * Reads an action in the task's format: for {@link ActionFormat.Kind#SHELL} a string is one shell
     * command; for {@link ActionFormat.Kind#TEXT} the action must be a string, for the task's parser;
     * otherwise (and for an object in the shell format) one tool call, as {@link #parse(JsonNode, String)}.
     */
    public static Action parse(JsonNode action, String fallbackId, ActionFormat.Kind kind) {
        return switch (kind) {
            case TOOL -> parse(action, fallbackId);
            case SHELL -> action != null && action.isTextual()
                    ? shell(action.asText(), fallbackId)
                    : parse(action, fallbackId);
            case TEXT -> action != null && action.isTextual()
                    ? new Action.Text(action.asText())
                    : new Action.Malformed("this task takes its action as text (a JSON string), not a "
                            + (action == null || action.isNull() ? "missing action" : "JSON " + action.getNodeType().name().toLowerCase(Locale.ROOT)));
        };
    }

    private static Action shell(String command, String id) {
        if (command.isBlank()) return new Action.Malformed("the action is an empty shell command");
        return new Action.Call(new ToolCall(id, "shell", JSON.createObjectNode().put("command", command).toString()));
    }

    /**
     * Reads the forms trainers send: OpenAI's {@code {"type": "function", "function": {"name", "arguments"}}}
     * (arguments a JSON string), {@code {"name", "arguments"}} (arguments a string or an object),
     * and {@code {"tool", "arguments"}}. A bare string is read as JSON of one of those.
     */
    public static Action parse(JsonNode action, String fallbackId) {
        if (action == null || action.isNull() || action.isMissingNode()) return new Action.Malformed("no action: send one tool call, e.g. "
                + "{\"name\": \"shell\", \"arguments\": {\"command\": \"ls\"}}");
        if (action.isTextual()) {
            try {
                JsonNode parsed = JSON.readTree(action.asText());
                if (parsed != null && parsed.isObject()) return parse(parsed, fallbackId);
            } catch (JsonProcessingException e) {
                // falls through to the message below
            }
            return new Action.Malformed("the action is a string that is not a JSON tool call; send {\"name\": TOOL, \"arguments\": {...}}");
        }
        if (!action.isObject()) return new Action.Malformed("the action must be a JSON object (one tool call), not a JSON "
                + action.getNodeType().name().toLowerCase(Locale.ROOT));
        JsonNode call = action;
        if (action.has("function")) {
            call = action.get("function");
            if (!call.isObject()) return new Action.Malformed("`function` must be an object with `name` and `arguments`");
        }
        JsonNode name = call.has("name") ? call.get("name") : call.get("tool");
        if (name == null || !name.isTextual() || name.asText().isBlank()) {
            return new Action.Malformed("the action names no tool: give `name` (or `function.name`, or `tool`) as a string");
        }
        JsonNode args = call.get("arguments");
        String text;
        if (args == null || args.isNull()) text = "{}";
        else if (args.isTextual()) text = args.asText();
        else text = args.toString(); // an object, or something the runner will reject with its usual message
        String id = Optional.ofNullable(action.get("id")).filter(JsonNode::isTextual).map(JsonNode::asText).orElse(fallbackId);
        return new Action.Call(new ToolCall(id, name.asText(), text));
    }
}
