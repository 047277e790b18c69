package dev.ale.runs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ale.episode.reward.Reward;
import dev.ale.episode.trajectory.TrajectoryLine;
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

    /** The summary of a run's episode lines, each read through {@link TrajectoryLine}. */
    public static RunSummary of(List<JsonNode> json) {
        List<TrajectoryLine> lines = json.stream().map(TrajectoryLine::read).toList();
        Map<String, List<TrajectoryLine>> byTask = new LinkedHashMap<>();
        for (TrajectoryLine l : lines) byTask.computeIfAbsent(l.task(), k -> new ArrayList<>()).add(l);
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

        static Row of(String task, List<TrajectoryLine> ls) {
            int n = ls.size();
            int passed = (int) ls.stream().filter(TrajectoryLine::passed).count();
            OptionalDouble reward = ls.stream().flatMap(l -> l.reward().stream()).mapToDouble(Reward::total).average();
            double steps = ls.stream().mapToInt(TrajectoryLine::steps).average().orElse(0);
            long tokens = ls.stream().mapToLong(TrajectoryLine::tokens).sum();
            int events = ls.stream().mapToInt(TrajectoryLine::events).sum();
            int kills = (int) ls.stream().filter(l -> l.end().equals("killed")).count();
            int infra = (int) ls.stream().filter(l -> l.end().equals("infrastructure") || l.end().equals("model_error")).count();
            int retried = ls.stream().mapToInt(l -> l.retried().size()).sum();
            Duration time = Duration.ofMillis((long) ls.stream().mapToLong(TrajectoryLine::totalMs).average().orElse(0));
            return new Row(task, n, passed, reward, steps, tokens, events, kills, infra, retried, time);
        }

        public double passRate() {
            return episodes == 0 ? 0 : (double) passed / episodes;
        }
    }
}
