package dev.ale.episode.env;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.ale.core.model.ToolSpec;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.tool.Tool;
import dev.ale.core.tool.ToolContext;
import dev.ale.core.tool.ToolResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A text action read by the task's own parser script, inside the sandbox like any tool call (so the
 * monitor judges it): the text on its stdin, and on its stdout either plain text (the observation)
 * or one JSON object {@code {"observation": "...", "finish": false, "malformed": false}}. {@code finish}
 * ends the episode as the {@code finish} tool does (the verifier scores it); {@code malformed} says
 * the text was not an action. A parser that exits non-zero failed: the step's observation says so.
 */
final class ParserTool implements Tool {

    static final String NAME = "parse_text_action";
    /** How a malformed text begins its failure text, so the environment can tell it from a failed parser. */
    static final String MALFORMED = "malformed action: ";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final String script;

    ParserTool(String script) {
        this.script = script;
    }

    @Override
    public ToolSpec spec() {
        return new ToolSpec(NAME, "The task's parser of text actions (not offered to the agent).",
                JsonNodeFactory.instance.objectNode().put("type", "object"));
    }

    /** The call the environment makes for a text action. */
    static String arguments(String text) {
        return JsonNodeFactory.instance.objectNode().put("text", text).toString();
    }

    @Override
    public ToolResult call(JsonNode arguments, ToolContext context) {
        String text = arguments.path("text").asText();
        ExecRequest request = ExecRequest.of(argv()).withStdin(text.getBytes(StandardCharsets.UTF_8)).withTimeout(TIMEOUT)
                .withCwd(context.workdir());
        ExecResult r = context.exec(request);
        if (r.killed() || r.reason().isPresent()) return new ToolResult.Failure("the task's parser was stopped: " + r.reason().orElse("killed"));
        if (r.exitCode() != 0) {
            return new ToolResult.Failure("the task's parser failed (exit " + r.exitCode() + "): " + tail(r.stderr().isBlank() ? r.stdout() : r.stderr()));
        }
        JsonNode out = json(r.stdout());
        if (out == null) return new ToolResult.Observation(r.stdout());
        String observation = out.path("observation").asText("");
        if (out.path("malformed").asBoolean(false)) return new ToolResult.Failure(MALFORMED + observation);
        if (out.path("finish").asBoolean(false)) return new ToolResult.Finished(observation);
        return new ToolResult.Observation(observation);
    }

    /** The interpreter its {@code #!} line names (it must take {@code -c}), else {@code /bin/sh}. */
    private List<String> argv() {
        List<String> argv = new ArrayList<>();
        if (script.startsWith("#!")) {
            String line = script.lines().findFirst().orElse("#!/bin/sh").substring(2).strip();
            argv.addAll(List.of(line.split("\\s+")));
        } else {
            argv.add("/bin/sh");
        }
        argv.add("-c");
        argv.add(script);
        return argv;
    }

    private static JsonNode json(String stdout) {
        String s = stdout.strip();
        if (!s.startsWith("{")) return null;
        try {
            JsonNode n = JSON.readTree(s);
            return n != null && n.isObject() && n.has("observation") ? n : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private static String tail(String text) {
        String t = text.strip();
        return t.length() <= 2000 ? t : "…" + t.substring(t.length() - 2000);
    }
}
