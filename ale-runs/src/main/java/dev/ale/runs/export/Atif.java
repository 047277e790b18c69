package dev.ale.runs.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.core.AleException;
import dev.ale.episode.trajectory.TrajectoryLine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A run's episodes in Harbor's Agent Trajectory Interchange Format (ATIF v1.4, Harbor's RFC 0001):
 * one {@code trajectory.json} per episode. The conversation becomes steps (system and user
 * messages as their own steps; each assistant turn an agent step with its tool calls and, as its
 * observation, the tool results the model saw), each agent step carries the model's token counts
 * (and logprobs, when asked for) in {@code metrics}, and ALE's own facts (SafetyEvents, tool
 * statuses, the reward and GRPO advantage) go in the format's {@code extra} objects, since ATIF's
 * models refuse unknown fields everywhere else. docs/schemas/atif-trajectory.schema.json states
 * the subset of ATIF written here.
 */
public final class Atif {

    /** The {@code schema_version} every file carries. */
    public static final String SCHEMA_VERSION = "ATIF-v1.4";
    /** The file name of each episode's trajectory, in a directory named for the episode. */
    public static final String FILE = "trajectory.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One episode's trajectory and the directory name it is written under. */
    public record Episode(String episode, String directory, ObjectNode trajectory) {
    }

    private Atif() {
    }

    /**
     * Every episode line as an ATIF trajectory, in file order; the reward and the advantages are those
     * {@link Dataset#of} gives (an episode the infrastructure ended has no reward and none). A line
     * {@link TrajectoryLine} cannot read throws IllegalArgumentException.
     */
    public static List<Episode> of(List<JsonNode> lines, String aleVersion, double gamma) {
        Map<String, ObjectNode> credit = new HashMap<>();
        for (ObjectNode row : Dataset.of(lines, gamma)) credit.put(row.path("episode").asText(), row);
        List<Episode> out = new ArrayList<>();
        Set<String> directories = new HashSet<>();
        for (JsonNode line : lines) {
            TrajectoryLine e = TrajectoryLine.read(line);
            String dir = directoryName(e.episode());
            // two ids that differ only in characters a file name cannot hold must not overwrite each other
            for (int n = 2; !directories.add(dir); n++) dir = directoryName(e.episode()) + "-" + n;
            out.add(new Episode(e.episode(), dir, trajectory(line, e, aleVersion, Optional.ofNullable(credit.get(e.episode())))));
        }
        return out;
    }

    /** Writes each trajectory to {@code dir/EPISODE/trajectory.json} (each whole, then moved into place); returns how many. */
    public static int write(Path dir, List<Episode> episodes) {
        try {
            for (Episode e : episodes) {
                Path sub = dir.resolve(e.directory());
                Files.createDirectories(sub);
                Path file = sub.resolve(FILE);
                Path tmp = sub.resolve(FILE + ".tmp");
                Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(e.trajectory()) + "\n", StandardCharsets.UTF_8);
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException ex) {
            throw new AleException(AleException.Fault.ENVIRONMENT, "cannot write ATIF trajectories under " + dir + ": " + ex.getMessage(), ex);
        }
        return episodes.size();
    }

    /** Episode ids are RUN.TASK.SAMPLE or a GEM episode's id; anything a path could misread becomes '_'. */
    static String directoryName(String episode) {
        String name = episode.replaceAll("[^A-Za-z0-9._-]", "_");
        return name.isEmpty() || name.chars().allMatch(c -> c == '.') ? "episode" + name.replace('.', '_') : name;
    }

    private static ObjectNode trajectory(JsonNode line, TrajectoryLine e, String aleVersion, Optional<ObjectNode> credit) {
        ObjectNode t = JsonNodeFactory.instance.objectNode();
        t.put("schema_version", SCHEMA_VERSION);
        t.put("session_id", e.episode());
        ObjectNode agent = t.putObject("agent");
        agent.put("name", "ale");
        agent.put("version", aleVersion);
        modelName(e.policy()).ifPresent(m -> agent.put("model_name", m));
        agent.putObject("extra").put("policy", e.policy());
        ArrayNode steps = t.putArray("steps");
        JsonNode lineSteps = line.path("steps");
        JsonNode creditSteps = credit.map(c -> c.path("steps")).orElse(JsonNodeFactory.instance.arrayNode());
        ObjectNode agentStep = null;
        int turn = 0;
        for (JsonNode m : e.messages()) {
            String role = m.path("role").asText();
            String content = m.path("content").asText("");
            switch (role) {
                case "assistant" -> {
                    agentStep = step(steps, "agent", content);
                    agentTurn(agentStep, m, lineSteps.path(turn), creditSteps.path(turn), modelName(e.policy()));
                    turn++;
                }
                case "tool" -> {
                    if (agentStep == null) agentStep = step(steps, "agent", "");
                    ObjectNode result = observation(agentStep).addObject();
                    String callId = m.path("tool_call_id").asText("");
                    // a result names its call only when that call is in this step, as ATIF's validator demands
                    if (!callId.isEmpty() && callIds(agentStep).contains(callId)) result.put("source_call_id", callId);
                    result.put("content", content);
                }
                case "system", "user" -> {
                    step(steps, role, content);
                    agentStep = null;
                }
                default -> throw new IllegalArgumentException("episode " + e.episode() + ": a message of role `" + role + "` has no ATIF step");
            }
        }
        t.put("notes", "Exported by ALE from episodes.jsonl. Each agent step is one policy turn; its observation holds the tool results"
                + " the policy saw. extra.ale holds ALE's SafetyEvents, tool statuses, the reward and the GRPO advantage.");
        ObjectNode fin = t.putObject("final_metrics");
        JsonNode usage = line.path("usage");
        if (usage.has("prompt_tokens")) fin.put("total_prompt_tokens", usage.path("prompt_tokens").asLong());
        if (usage.has("completion_tokens")) fin.put("total_completion_tokens", usage.path("completion_tokens").asLong());
        fin.put("total_steps", steps.size());
        ObjectNode finExtra = fin.putObject("extra");
        e.reward().ifPresent(r -> finExtra.putObject("reward").put("score", r.score()).put("penalty", r.penalty()).put("killed", r.killed())
                .put("total", r.total()));
        credit.ifPresent(c -> finExtra.put("advantage", c.path("advantage").asDouble()));
        finExtra.put("passed", e.passed());
        finExtra.put("end", e.end());
        ObjectNode extra = t.putObject("extra");
        ObjectNode ale = extra.putObject("ale");
        ale.put("task", e.task());
        ale.put("end", e.end());
        ale.put("detail", e.detail());
        ale.put("passed", e.passed());
        e.cause().ifPresent(c -> ale.put("cause", c));
        if (line.has("verifier")) ale.set("verifier", line.get("verifier"));
        for (String key : List.of("started", "iteration", "arm", "group", "sample", "env", "seed")) {
            if (line.has(key)) ale.set(key, line.get(key));
        }
        ale.set("events", line.path("events").isArray() ? line.get("events") : JsonNodeFactory.instance.arrayNode());
        if (line.has("model_calls")) ale.put("model_calls", line.get("model_calls").size());
        return t;
    }

    private static ObjectNode step(ArrayNode steps, String source, String message) {
        ObjectNode s = steps.addObject();
        s.put("step_id", steps.size());
        s.put("source", source);
        s.put("message", message);
        return s;
    }

    /** An agent step's timestamp, tool calls, metrics and ALE's extra, from its assistant message and the line's record of that turn. */
    private static void agentTurn(ObjectNode s, JsonNode message, JsonNode turn, JsonNode credit, Optional<String> model) {
        if (turn.hasNonNull("started")) s.put("timestamp", turn.get("started").asText());
        model.ifPresent(m -> s.put("model_name", m));
        ArrayNode calls = JsonNodeFactory.instance.arrayNode();
        for (JsonNode call : message.path("tool_calls")) {
            ObjectNode c = calls.addObject();
            c.put("tool_call_id", call.path("id").asText());
            c.put("function_name", call.path("function").path("name").asText());
            c.set("arguments", arguments(call.path("function").path("arguments")));
        }
        if (!calls.isEmpty()) s.set("tool_calls", calls);
        ObjectNode metrics = JsonNodeFactory.instance.objectNode();
        JsonNode usage = turn.path("usage");
        if (usage.has("prompt_tokens")) metrics.put("prompt_tokens", usage.path("prompt_tokens").asLong());
        if (usage.has("completion_tokens")) metrics.put("completion_tokens", usage.path("completion_tokens").asLong());
        logprobs(turn.path("logprobs")).ifPresent(l -> metrics.set("logprobs", l));
        ObjectNode rl = JsonNodeFactory.instance.objectNode();
        for (String key : List.of("reward", "return", "advantage")) if (credit.has(key)) rl.put(key, credit.get(key).asDouble());
        if (!rl.isEmpty()) metrics.set("extra", rl);
        if (!metrics.isEmpty()) s.set("metrics", metrics);
        if (turn.isObject()) {
            ObjectNode ale = s.putObject("extra").putObject("ale");
            ale.put("turn", turn.path("index").asInt());
            ale.put("model_ms", turn.path("model_ms").asLong());
            ale.put("duration_ms", turn.path("duration_ms").asLong());
            ale.put("finish_reason", turn.path("finish_reason").asText(""));
            ArrayNode tools = ale.putArray("tool_calls");
            for (JsonNode call : turn.path("tool_calls")) {
                tools.addObject().put("id", call.path("id").asText()).put("status", call.path("status").asText())
                        .put("duration_ms", call.path("duration_ms").asLong()).set("events", call.path("events"));
            }
        }
    }

    /** ATIF's arguments are a JSON object; what a model sent that is not one is kept whole under {@code raw_arguments}. */
    private static ObjectNode arguments(JsonNode text) {
        String raw = text.isTextual() ? text.asText() : text.toString();
        if (text.isObject()) return (ObjectNode) text.deepCopy();
        try {
            JsonNode parsed = raw.isBlank() ? JsonNodeFactory.instance.objectNode() : JSON.readTree(raw);
            if (parsed != null && parsed.isObject()) return (ObjectNode) parsed;
        } catch (IOException notJson) {
            // kept as text below: a malformed call is part of what the policy did
        }
        return JsonNodeFactory.instance.objectNode().put("raw_arguments", raw);
    }

    /** OpenAI's {@code {"content": [{"token", "logprob", ...}]}} as ATIF's one number per completion token. */
    private static Optional<ArrayNode> logprobs(JsonNode logprobs) {
        JsonNode content = logprobs.path("content");
        if (!content.isArray() || content.isEmpty()) return Optional.empty();
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (JsonNode token : content) {
            if (!token.path("logprob").isNumber()) return Optional.empty();
            out.add(token.path("logprob").asDouble());
        }
        return Optional.of(out);
    }

    private static ArrayNode observation(ObjectNode step) {
        JsonNode obs = step.get("observation");
        if (obs == null) return step.putObject("observation").putArray("results");
        return (ArrayNode) obs.get("results");
    }

    private static Set<String> callIds(ObjectNode step) {
        Set<String> ids = new HashSet<>();
        for (JsonNode c : step.path("tool_calls")) ids.add(c.path("tool_call_id").asText());
        return ids;
    }

    /** {@code openai:MODEL} names a model; replay, scripted and a GEM trainer's episodes name none. */
    private static Optional<String> modelName(String policy) {
        return policy.startsWith("openai:") && policy.length() > "openai:".length() ? Optional.of(policy.substring("openai:".length()))
                : Optional.empty();
    }
}
