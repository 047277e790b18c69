package dev.ale.report;

import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
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

    /**
     * One episode: which task and sample, how it ended, its reward, steps and events; {@code group} is the
     * trainer's GRPO group when a GEM make or reset named one.
     */
    public record Episode(String id, String task, String sample, int iteration, String arm, Optional<String> group, String end,
                          String detail, boolean passed, Optional<Reward> reward, OptionalDouble advantage, Optional<Boolean> hack,
                          List<Step> steps, List<Event> events) {
        public Episode {
            steps = List.copyOf(steps);
            events = List.copyOf(events);
        }

        /** The group its advantage is taken in, as {@code ale export} forms them: the trainer's, else the task's samples of one iteration and arm. */
        public String groupKey() {
            return group.map(g -> "group#" + task + "#" + g).orElse(task + "#" + iteration + "#" + arm);
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

    /**
     * One GRPO group: its samples, how many passed, the reward's mean and maximum, and how far apart the
     * group-relative advantages lie (max − min of (r − mean) / std; 0 when every reward is the same, so the
     * group teaches nothing). Episodes without a reward (ended by the infrastructure) count as samples
     * but not in the reward figures, as {@code ale export} leaves them out.
     *
     * @param label   the trainer's group name, or {@code iteration I · ARM} for a group ALE formed
     * @param trainer whether the trainer named the group
     */
    public record GroupRow(String label, String task, boolean trainer, int samples, int passed, int rewarded, OptionalDouble meanReward,
                           OptionalDouble maxReward, double advantageSpread) {

        /** The share of samples that passed: pass@1 estimated from the group. */
        public double passAt1() {
            return samples == 0 ? 0 : (double) passed / samples;
        }

        /** pass@k with k = the group's samples: whether any of them passed. */
        public boolean passAtK() {
            return passed > 0;
        }
    }

    /** The run's GRPO groups, in the order their first episodes appear. */
    public List<GroupRow> groups() {
        Map<String, List<Episode>> byGroup = new LinkedHashMap<>();
        for (Episode e : episodes) byGroup.computeIfAbsent(e.groupKey(), k -> new ArrayList<>()).add(e);
        List<GroupRow> rows = new ArrayList<>();
        for (List<Episode> es : byGroup.values()) {
            Episode first = es.getFirst();
            double[] rewards = es.stream().flatMap(e -> e.reward().stream()).mapToDouble(Reward::total).toArray();
            rows.add(new GroupRow(first.group().orElse("iteration " + first.iteration() + " · " + first.arm()), first.task(),
                    first.group().isPresent(), es.size(), (int) es.stream().filter(Episode::passed).count(), rewards.length,
                    rewards.length == 0 ? OptionalDouble.empty() : OptionalDouble.of(Arrays.stream(rewards).average().orElseThrow()),
                    Arrays.stream(rewards).max(), advantageSpread(rewards)));
        }
        return List.copyOf(rows);
    }

    /** max − min of the group-relative advantages (r − mean) / std, std the population's; 0 for a group of equal rewards. */
    static double advantageSpread(double[] rewards) {
        if (rewards.length < 2) return 0;
        double mean = 0;
        for (double r : rewards) mean += r / rewards.length;
        double var = 0;
        for (double r : rewards) var += (r - mean) * (r - mean) / rewards.length;
        double std = Math.sqrt(var);
        if (std < 1e-12) return 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double r : rewards) {
            min = Math.min(min, r);
            max = Math.max(max, r);
        }
        return (max - min) / std;
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
