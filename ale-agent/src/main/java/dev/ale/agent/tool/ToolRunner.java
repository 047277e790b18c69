package dev.ale.agent.tool;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ale.core.episode.ToolRun;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.model.ToolCall;
import dev.ale.core.tool.Tool;
import dev.ale.core.tool.ToolContext;
import dev.ale.core.tool.ToolResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Locale;

/**
 * One tool call, run the way the agent loop runs it: an unknown tool, arguments that are not a
 * JSON object or a tool that fails become an observation that says what was wrong; events the
 * monitor raised are appended as {@code [ALE] blocked/killed} notes. Shared by the loop and by
 * environments stepped from outside, so both judge a call the same way.
 */
public final class ToolRunner {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Toolbox tools;

    public ToolRunner(Toolbox tools) {
        this.tools = tools;
    }

    public Toolbox tools() {
        return tools;
    }

    /**
     * Runs one call and says how it went: its observation (with what the monitor blocked or
     * killed, and why), its status and its events. Never throws for what a model can send.
     */
    public ToolRun run(ToolCall call, ToolContext context) {
        Instant start = Instant.now();
        Optional<Tool> tool = tools.find(call.name());
        ToolRun.Status status;
        String text;
        if (tool.isEmpty()) {
            status = ToolRun.Status.ERROR;
            text = "[ALE] error: there is no tool named `" + call.name() + "`. The tools are: " + String.join(", ", tools.names()) + ".";
        } else {
            Optional<JsonNode> args = parse(call.arguments());
            if (args.isEmpty()) {
                status = ToolRun.Status.ERROR;
                text = "[ALE] error: the arguments of `" + call.name() + "` are not a JSON object: " + describeBadJson(call.arguments())
                        + ". Send one JSON object matching the tool's parameters.";
            } else {
                ToolResult result;
                try {
                    result = tool.get().call(args.get(), context);
                } catch (RuntimeException e) {
                    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                    result = new ToolResult.Failure(message.startsWith(call.name() + ":") ? message : call.name() + ": " + message);
                }
                text = switch (result) {
                    case ToolResult.Observation o -> o.text();
                    case ToolResult.Failure f -> "[ALE] error: " + f.text();
                    case ToolResult.Finished f -> f.text();
                };
                status = switch (result) {
                    case ToolResult.Observation o -> ToolRun.Status.OK;
                    case ToolResult.Failure f -> ToolRun.Status.ERROR;
                    case ToolResult.Finished f -> ToolRun.Status.FINISHED;
                };
            }
        }
        List<SafetyEvent> events = context.drainEvents();
        StringBuilder observation = new StringBuilder(text);
        for (SafetyEvent e : events) {
            if (e.action() == SafetyEvent.Action.ALERT) continue;
            if (!observation.isEmpty() && observation.charAt(observation.length() - 1) != '\n') observation.append('\n');
            observation.append("[ALE] ").append(e.action() == SafetyEvent.Action.KILL ? "killed" : "blocked").append(" by rule ")
                    .append(e.rule()).append(" (").append(e.category().wire()).append("): ").append(e.detail()).append('\n');
        }
        Optional<String> killed = killedBy(context.killReason(), events);
        if (killed.isPresent()) {
            status = ToolRun.Status.KILLED;
            observation.append("[ALE] the sandbox was killed (").append(killed.get()).append("); the episode is over.\n");
        } else if (status == ToolRun.Status.OK && events.stream().anyMatch(e -> e.action() == SafetyEvent.Action.BLOCK)) {
            status = ToolRun.Status.BLOCKED;
        }
        return new ToolRun(call, status, observation.toString(), Duration.between(start, Instant.now()), events);
    }

    /**
     * Why the sandbox is dead: what it says itself, else the rule of a KILL event among
     * {@code events}. The kill switch acts on its own thread, so a KILL event may arrive before
     * the sandbox reports being killed.
     */
    public static Optional<String> killedBy(Optional<String> sandboxKill, List<SafetyEvent> events) {
        return sandboxKill.or(() -> events.stream().filter(e -> e.action() == SafetyEvent.Action.KILL).map(SafetyEvent::rule).findFirst());
    }

    private static Optional<JsonNode> parse(String arguments) {
        String text = arguments.isBlank() ? "{}" : arguments;
        try {
            JsonNode node = JSON.readTree(text);
            return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    private static String describeBadJson(String arguments) {
        try {
            JsonNode node = JSON.readTree(arguments);
            return "got " + (node == null ? "nothing" : "a JSON " + node.getNodeType().name().toLowerCase(Locale.ROOT));
        } catch (JsonProcessingException e) {
            return e.getOriginalMessage() + " at column " + e.getLocation().getColumnNr();
        }
    }
}
