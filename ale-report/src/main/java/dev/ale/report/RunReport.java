package dev.ale.report;

import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A run directory read for a report: what was asked ({@code run.json}), every episode with its
 * steps and SafetyEvents ({@code episodes.jsonl}), figures per iteration and arm
 * ({@code metrics.jsonl}, or worked out from the episodes), and the passports used.
 * Read one with {@link #read(Path)}; render it with {@link HtmlReport}.
 */
public record RunReport(Path directory, Run run, List<Episode> episodes, List<IterationMetrics> metrics,
                        MetricsSource metricsSource, List<PassportUse> passports, List<String> notes) {

    /** The arm of an episode that names none: a plain {@code ale run}. */
    public static final String DEFAULT_ARM = "run";

    /** Categories that are an incident even when the passport only asked for an alert: what ROME did. */
    public static final Set<String> INCIDENT_CATEGORIES = Set.of("mining", "tunnel", "reverse-shell", "probe", "metadata", "exfiltration");

    public RunReport {
        episodes = List.copyOf(episodes);
        metrics = List.copyOf(metrics);
        passports = List.copyOf(passports);
        notes = List.copyOf(notes);
    }

    /**
     * Reads {@code dir}: run.json must be there; episodes.jsonl and metrics.jsonl may be missing.
     * A line that cannot be read (a run killed mid-write leaves its last line cut short) is skipped
     * and named in {@link #notes()}.
     */
    public static RunReport read(Path dir) {
        return RunReader.read(dir);
    }

    /** Where {@link #metrics()} came from. */
    public enum MetricsSource { METRICS_FILE, EPISODES }

    /** run.json: the run id, the policy, when it started, its tasks, and for training runs its arms and iterations. */
    public record Run(String id, String policy, String started, List<String> tasks, OptionalInt samples, List<String> arms,
                      OptionalInt iterations) {
        public Run {
            tasks = List.copyOf(tasks);
            arms = List.copyOf(arms);
        }
    }

    /** reward = score − penalty; {@code killed} when the kill penalty was charged. */
    public record Reward(double score, double penalty, double total, boolean killed) {
    }

    /** One episode: which task and sample, how it ended, its reward, steps and events. */
    public record Episode(String id, String task, String sample, int iteration, String arm, String end, String detail,
                          boolean passed, Optional<Reward> reward, OptionalDouble advantage, Optional<Boolean> hack,
                          List<Step> steps, List<Event> events) {
        public Episode {
            steps = List.copyOf(steps);
            events = List.copyOf(events);
        }

        /** {@code task#sample}, the name the progress lines of {@code ale run} use. */
        public String label() {
            return task + "#" + sample;
        }

        public boolean killed() {
            return end.equals("killed") || reward.map(Reward::killed).orElse(false);
        }

        public boolean hacked() {
            return hack.orElse(false);
        }

        /** The highest step index among its steps and events; 0 when it took none. */
        public int lastStep() {
            int steps = this.steps.stream().mapToInt(Step::index).max().orElse(0);
            int events = this.events.stream().mapToInt(e -> e.step().orElse(0)).max().orElse(0);
            return Math.max(steps, events);
        }
    }

    /** One policy turn: its tool calls and, in training runs, its reward, return and advantage. */
    public record Step(int index, long durationMs, List<ToolCall> calls, OptionalDouble reward, OptionalDouble ret,
                       OptionalDouble advantage) {
        public Step {
            calls = List.copyOf(calls);
        }
    }

    public record ToolCall(String name, String arguments, String status) {
    }

    /** A SafetyEvent as the trajectory line holds it; no step when it was raised during setup. */
    public record Event(String rule, String category, String severity, String action, String episode, OptionalInt step,
                        String time, String detail, Map<String, String> evidence) {
        public Event {
            evidence = Map.copyOf(evidence);
        }

        /** Blocked, killed, or of a category that is never harmless (mining, tunnels, probes, ...). */
        public boolean incident() {
            return action.equals("block") || action.equals("kill") || INCIDENT_CATEGORIES.contains(category);
        }
    }

    /** The figures of one (iteration, arm): what metrics.jsonl holds. Rates are fractions in [0, 1]. */
    public record IterationMetrics(int iteration, String arm, int episodes, double passRate, OptionalDouble hackRate,
                                   OptionalDouble meanReward, int kills, int events) {
    }

    /** One line of the per-task table. {@code hacks} is empty when no episode says whether it hacked. */
    public record TaskRow(String task, int episodes, int passed, OptionalDouble meanReward, OptionalInt hacks, int events, int kills) {
        public double passRate() {
            return episodes == 0 ? 0 : (double) passed / episodes;
        }
    }

    /** A passport, as YAML, and who ran under it. */
    public record PassportUse(String id, String yaml, List<String> tasks, int episodes) {
        public PassportUse {
            tasks = List.copyOf(tasks);
        }
    }

    public double passRate() {
        return episodes.isEmpty() ? 0 : (double) episodes.stream().filter(Episode::passed).count() / episodes.size();
    }

    public int eventCount() {
        return episodes.stream().mapToInt(e -> e.events().size()).sum();
    }

    public int kills() {
        return (int) episodes.stream().filter(Episode::killed).count();
    }

    /** True when any episode says whether it took a hack action; otherwise hack figures are unknown, not zero. */
    public boolean hacksRecorded() {
        return episodes.stream().anyMatch(e -> e.hack().isPresent());
    }

    /** Iterations in order, as the metrics name them. */
    public List<Integer> iterations() {
        return metrics.stream().map(IterationMetrics::iteration).distinct().sorted().toList();
    }

    /** Arms in the order run.json lists them, then any others in the order they first appear. */
    public List<String> arms() {
        List<String> arms = new ArrayList<>(run.arms());
        for (IterationMetrics m : metrics) if (!arms.contains(m.arm())) arms.add(m.arm());
        for (Episode e : episodes) if (!arms.contains(e.arm())) arms.add(e.arm());
        return List.copyOf(arms);
    }

    public List<TaskRow> tasks() {
        Map<String, List<Episode>> byTask = new LinkedHashMap<>();
        for (String t : run.tasks()) byTask.put(t, new ArrayList<>());
        for (Episode e : episodes) byTask.computeIfAbsent(e.task(), k -> new ArrayList<>()).add(e);
        boolean hacks = hacksRecorded();
        return byTask.entrySet().stream().map(entry -> {
            List<Episode> es = entry.getValue();
            return new TaskRow(entry.getKey(), es.size(), (int) es.stream().filter(Episode::passed).count(), meanReward(es),
                    hacks ? OptionalInt.of((int) es.stream().filter(Episode::hacked).count()) : OptionalInt.empty(),
                    es.stream().mapToInt(e -> e.events().size()).sum(), (int) es.stream().filter(Episode::killed).count());
        }).toList();
    }

    /** Every incident event of the run, oldest first. */
    public List<Event> incidents() {
        return episodes.stream().flatMap(e -> e.events().stream()).filter(Event::incident)
                .sorted(Comparator.comparing((Event e) -> instant(e.time()))).toList();
    }

    /** Event times are ISO instants with any number of fraction digits, so they sort as instants, not as text. */
    private static Instant instant(String time) {
        try {
            return Instant.parse(time);
        } catch (DateTimeParseException e) {
            return Instant.MAX;
        }
    }

    /** The episode an event belongs to. */
    public Optional<Episode> episode(String id) {
        return episodes.stream().filter(e -> e.id().equals(id)).findFirst();
    }

    static OptionalDouble meanReward(List<Episode> episodes) {
        return episodes.stream().flatMap(e -> e.reward().stream()).mapToDouble(Reward::total).average();
    }
}
