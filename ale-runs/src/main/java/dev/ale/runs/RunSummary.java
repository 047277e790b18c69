package dev.ale.runs;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * A run in figures, read from its episode lines (so a resumed run counts what it did before
 * too): per task and in total, episodes, passes, mean reward, steps, tokens, events, kills,
 * infrastructure failures, retries and time.
 */
public record RunSummary(List<Row> tasks, Row total) {

    public static RunSummary of(List<JsonNode> lines) {
        Map<String, List<JsonNode>> byTask = new LinkedHashMap<>();
        for (JsonNode l : lines) byTask.computeIfAbsent(l.path("task").asText(), k -> new ArrayList<>()).add(l);
        List<Row> rows = byTask.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(e -> Row.of(e.getKey(), e.getValue())).toList();
        return new RunSummary(rows, Row.of("all", lines));
    }

    /**
     * One line of the table. {@code infrastructure} counts episodes that still ended for ALE's or
     * the model server's fault after their retries; {@code retried} counts the retries themselves.
     * {@code meanReward} is over the episodes that have a reward.
     */
    public record Row(String task, int episodes, int passed, OptionalDouble meanReward, double meanSteps, long tokens, int events,
                      int kills, int infrastructure, int retried, Duration meanTime) {

        static Row of(String task, List<JsonNode> ls) {
            int n = ls.size();
            int passed = (int) ls.stream().filter(l -> l.path("passed").asBoolean()).count();
            OptionalDouble reward = ls.stream().filter(l -> l.has("reward")).mapToDouble(l -> l.path("reward").path("total").asDouble()).average();
            double steps = ls.stream().mapToInt(l -> l.path("steps").size()).average().orElse(0);
            long tokens = ls.stream().mapToLong(l -> l.path("usage").path("total_tokens").asLong()).sum();
            int events = ls.stream().mapToInt(l -> l.path("events").size()).sum();
            int kills = (int) ls.stream().filter(l -> l.path("end").asText().equals("killed")).count();
            int infra = (int) ls.stream().filter(l -> l.path("end").asText().equals("infrastructure")
                    || l.path("end").asText().equals("model_error")).count();
            int retried = ls.stream().mapToInt(l -> l.path("retried").size()).sum();
            Duration time = Duration.ofMillis((long) ls.stream().mapToLong(l -> l.path("timings_ms").path("total").asLong()).average().orElse(0));
            return new Row(task, n, passed, reward, steps, tokens, events, kills, infra, retried, time);
        }

        public double passRate() {
            return episodes == 0 ? 0 : (double) passed / episodes;
        }
    }
}
