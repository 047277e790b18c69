package dev.ale.runs.export;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ale.episode.wire.SchemaSubset;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What an ATIF v1.4 trajectory must satisfy, as Harbor's RFC 0001 states it: the fields of
 * docs/schemas/atif-trajectory.schema.json, and the rules JSON Schema cannot express (the ones
 * Harbor's validator checks beside the fields).
 */
public final class AtifRules {

    /** docs/schemas/atif-trajectory.schema.json, from a module's directory. */
    public static final Path SCHEMA = SchemaSubset.schema("atif-trajectory.schema.json");
    private static final Set<String> AGENT_ONLY = Set.of("model_name", "reasoning_effort", "reasoning_content", "tool_calls", "metrics");

    private AtifRules() {
    }

    /** Every way {@code trajectory} breaks ATIF v1.4; empty when it is a valid trajectory. */
    public static List<String> errors(JsonNode trajectory) {
        List<String> errors = new ArrayList<>(SchemaSubset.errors(SCHEMA, trajectory));
        JsonNode steps = trajectory.path("steps");
        for (int i = 0; i < steps.size(); i++) {
            JsonNode s = steps.get(i);
            String at = "$.steps[" + i + "]";
            if (s.path("step_id").asInt() != i + 1) errors.add(at + ".step_id: " + s.path("step_id") + " where " + (i + 1) + " is due");
            if (!s.path("source").asText().equals("agent")) {
                for (String f : AGENT_ONLY) if (s.has(f)) errors.add(at + "." + f + ": only an agent step may have it");
            }
            if (s.has("timestamp")) {
                try {
                    OffsetDateTime.parse(s.path("timestamp").asText());
                } catch (DateTimeParseException e) {
                    errors.add(at + ".timestamp: not ISO 8601: " + s.path("timestamp"));
                }
            }
            Set<String> ids = new HashSet<>();
            for (JsonNode c : s.path("tool_calls")) {
                if (!ids.add(c.path("tool_call_id").asText())) errors.add(at + ".tool_calls: tool_call_id " + c.path("tool_call_id") + " twice");
            }
            for (JsonNode r : s.path("observation").path("results")) {
                if (r.hasNonNull("source_call_id") && !ids.contains(r.path("source_call_id").asText())) {
                    errors.add(at + ".observation: source_call_id " + r.path("source_call_id") + " names no tool call of this step");
                }
            }
        }
        return errors;
    }
}
