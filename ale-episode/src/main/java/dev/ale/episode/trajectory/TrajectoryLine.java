package dev.ale.episode.trajectory;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.ale.episode.reward.Reward;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * One line of episodes.jsonl as its readers (resume, export, the run summary) see it, read in one
 * place through a Jackson binding; docs/schemas/trajectory-line.schema.json describes the whole line.
 * Only {@code episode} and {@code task} must be there; a field left out reads as its default below.
 *
 * @param end     the end's wire name ({@code finished}, {@code killed}, ...); "" when absent
 * @param reward  the episode's reward with each step's share (one chunk holding the total when it had
 *                no step); empty when the line has none (the infrastructure ended the episode)
 * @param steps   how many steps it took
 * @param events  how many SafetyEvents it raised
 * @param passportFingerprint the fingerprint of the passport it ran under; empty on a line written before fingerprints
 */
public record TrajectoryLine(String episode, String task, String policy, String end, String detail, boolean passed,
                             Optional<String> cause, Optional<Reward> reward, int steps, ArrayNode messages, int events, long tokens,
                             long totalMs, List<String> retried, OptionalInt iteration, Optional<String> arm, Optional<String> group,
                             OptionalLong sample, Optional<String> passportFingerprint) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public TrajectoryLine {
        retried = List.copyOf(retried);
        messages = messages.deepCopy();
    }

    /** Reads one line; one that is not JSON, lacks its episode or task, or holds a field of the wrong shape throws IllegalArgumentException saying which. */
    public static TrajectoryLine read(String line) {
        try {
            return read(JSON.readTree(line));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("episode line is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** As {@link #read(String)}, for a line already parsed. */
    public static TrajectoryLine read(JsonNode line) {
        Wire w;
        try {
            w = JSON.treeToValue(line, Wire.class);
        } catch (JsonMappingException e) {
            String field = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .reduce((a, b) -> b.startsWith("[") ? a + b : a + "." + b).orElse("");
            throw new IllegalArgumentException("episode line" + (field.isEmpty() ? "" : ", field `" + field + "`") + ": "
                    + e.getOriginalMessage().lines().findFirst().orElse(""), e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("episode line: " + e.getOriginalMessage(), e);
        }
        if (w == null) throw new IllegalArgumentException("episode line is not a JSON object");
        return w.line();
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Wire(
            @JsonProperty(value = "episode", required = true) String episode,
            @JsonProperty(value = "task", required = true) String task,
            @JsonProperty("policy") String policy,
            @JsonProperty("end") String end,
            @JsonProperty("detail") String detail,
            @JsonProperty("passed") Boolean passed,
            @JsonProperty("cause") String cause,
            @JsonProperty("reward") RewardWire reward,
            @JsonProperty("steps") List<StepWire> steps,
            @JsonProperty("messages") ArrayNode messages,
            @JsonProperty("events") ArrayNode events,
            @JsonProperty("usage") UsageWire usage,
            @JsonProperty("timings_ms") TimingsWire timings,
            @JsonProperty("retried") List<String> retried,
            @JsonProperty("iteration") Integer iteration,
            @JsonProperty("arm") String arm,
            @JsonProperty("group") String group,
            @JsonProperty("sample") Long sample,
            @JsonProperty("passport_fingerprint") String passportFingerprint) {

        TrajectoryLine line() {
            if (episode == null) throw new IllegalArgumentException("episode line: `episode` is null");
            if (task == null) throw new IllegalArgumentException("episode line " + episode + ": `task` is null");
            List<StepWire> s = steps == null ? List.of() : steps;
            Optional<Reward> r = Optional.ofNullable(reward).map(rw -> {
                List<Double> shares = new ArrayList<>();
                s.forEach(step -> shares.add(step == null || step.reward() == null ? 0.0 : step.reward()));
                if (shares.isEmpty()) shares.add(rw.total());
                return new Reward(rw.score(), rw.penalty(), rw.killed(), rw.total(), shares);
            });
            return new TrajectoryLine(episode, task, policy == null ? "" : policy, end == null ? "" : end, detail == null ? "" : detail,
                    passed != null && passed, Optional.ofNullable(cause), r, s.size(),
                    messages == null ? JsonNodeFactory.instance.arrayNode() : messages, events == null ? 0 : events.size(),
                    usage == null ? 0 : usage.totalTokens(), timings == null ? 0 : timings.total(),
                    retried == null ? List.of() : retried, iteration == null ? OptionalInt.empty() : OptionalInt.of(iteration),
                    Optional.ofNullable(arm), Optional.ofNullable(group), sample == null ? OptionalLong.empty() : OptionalLong.of(sample),
                    Optional.ofNullable(passportFingerprint));
        }
    }

    /** The line's reward: every part must be there, else a reader would count a made-up 0. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record RewardWire(@JsonProperty(value = "score", required = true) double score,
                      @JsonProperty(value = "penalty", required = true) double penalty,
                      @JsonProperty(value = "killed", required = true) boolean killed,
                      @JsonProperty(value = "total", required = true) double total) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record StepWire(@JsonProperty("reward") Double reward) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record UsageWire(@JsonProperty("total_tokens") long totalTokens) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record TimingsWire(@JsonProperty("total") long total) {
    }
}
