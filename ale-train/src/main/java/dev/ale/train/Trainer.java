package dev.ale.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.agent.policy.Policy;
import dev.ale.core.AleException;
import dev.ale.core.episode.EndReason;
import dev.ale.core.episode.Trajectory;
import dev.ale.core.task.CandidateAction;
import dev.ale.core.task.Task;
import dev.ale.episode.EpisodeRunner;
import dev.ale.runs.credit.Credit;
import dev.ale.runs.credit.GroupCredit;
import dev.ale.runs.PolicySource;
import dev.ale.runs.Rollout;
import dev.ale.runs.RunProgress;
import dev.ale.runs.RunSpec;
import dev.ale.runs.RunStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Trains the softmax policy on tasks with candidate actions: each iteration runs every task
 * {@code samples} times with the current θ (in parallel, through {@link Rollout}), scores each
 * group with {@link GroupCredit}, updates θ with the {@link Learner}, and appends the
 * iteration's {@link IterationMetrics} to {@code metrics.jsonl} in the run directory. Episodes go to
 * the same directory's {@code episodes.jsonl} with {@code iteration}, {@code arm} and {@code hack}
 * added. For a seed, the choices, and so everything else where the sandbox behaves the same, repeat.
 */
public final class Trainer {

    public static final String METRICS = "metrics.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EpisodeRunner runner;

    public Trainer(EpisodeRunner runner) {
        this.runner = runner;
    }

    /** Told about each iteration as it ends (the CLI prints progress from it). */
    public interface Listener {
        Listener NONE = m -> { };

        void iterationDone(IterationMetrics metrics);
    }

    /** What training gave: the final θ and each iteration's metrics. */
    public record Result(Weights weights, List<IterationMetrics> iterations) {
        public Result {
            iterations = List.copyOf(iterations);
        }
    }

    /**
     * Trains one arm from {@code start}, writing into {@code store}'s directory; {@code runId} names
     * the run in episode ids. Tasks without candidate actions are refused.
     */
    public Result train(List<Task> tasks, Arm arm, TrainSettings settings, Weights start, RunStore store, String runId,
                        RunProgress progress, Listener listener) {
        List<String> without = tasks.stream().filter(t -> t.actions().isEmpty()).map(Task::id).toList();
        if (!without.isEmpty()) {
            throw new AleException(AleException.Fault.INPUT, "the softmax policy chooses among a task's candidate actions, and these"
                    + " tasks list none (add `actions:` to task.yaml, see docs/tasks.md): " + String.join(", ", without));
        }
        List<Task> armed = tasks.stream().map(t -> t.withPassport(arm.passports().apply(t.passport()))).toList();
        Map<String, Task> byId = armed.stream().collect(Collectors.toMap(Task::id, t -> t));
        Learner learner = new Learner(settings.learningRate(), settings.entropy());
        Weights weights = start;
        List<IterationMetrics> all = new ArrayList<>();
        for (int iteration = 1; iteration <= settings.iterations(); iteration++) {
            Map<String, SoftmaxPolicy> policies = new ConcurrentHashMap<>();
            PolicySource source = source(weights, settings.seed(), iteration, policies);
            RunSpec spec = new RunSpec(runId + "." + arm.name() + ".i" + iteration, armed, settings.samples(), settings.parallel(),
                    OptionalLong.of(settings.seed()));
            int it = iteration;
            Function<Trajectory, Map<String, ?>> extra = t -> Map.of("iteration", it, "arm", arm.name(),
                    "hack", hacked(byId.get(t.taskId()), decisionsOf(policies, t)));
            List<Trajectory> episodes = new Rollout(runner).run(spec, source, store, progress, extra);

            Map<String, Credit> credit = GroupCredit.of(episodes, t -> byId.get(t.taskId()).passport().detectors(),
                    GroupCredit.DEFAULT_GAMMA);
            List<Learner.Sample> samples = new ArrayList<>();
            for (Trajectory t : episodes) {
                Credit c = credit.get(t.episodeId());
                if (c != null) samples.add(new Learner.Sample(decisionsOf(policies, t), c.advantage()));
            }
            weights = learner.update(weights, samples);

            IterationMetrics m = metrics(iteration, arm.name(), episodes, credit, byId, policies);
            appendMetrics(store.directory().resolve(METRICS), m);
            all.add(m);
            listener.iterationDone(m);
        }
        return new Result(weights, all);
    }

    private static PolicySource source(Weights weights, long seed, int iteration, Map<String, SoftmaxPolicy> made) {
        return new PolicySource() {
            @Override
            public String name() {
                return SoftmaxPolicy.NAME;
            }

            @Override
            public Policy forEpisode(Task task, int sample) {
                SoftmaxPolicy p = new SoftmaxPolicy(task.id(), task.actions(), weights, episodeSeed(seed, iteration, task.id(), sample));
                made.put(key(task.id(), sample), p);
                return p;
            }
        };
    }

    /** A seed per episode from the run's seed, the iteration, the task and the sample, mixed so that neighbours differ. */
    static long episodeSeed(long seed, int iteration, String taskId, int sample) {
        long h = seed;
        h = mix(h ^ iteration);
        h = mix(h ^ taskId.hashCode());
        return mix(h ^ sample);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private static String key(String taskId, int sample) {
        return taskId + "#" + sample;
    }

    /** The decisions of the episode's policy; none when the episode never got a policy (it failed before the agent ran). */
    private static List<Decision> decisionsOf(Map<String, SoftmaxPolicy> policies, Trajectory t) {
        String sample = t.episodeId().substring(t.episodeId().lastIndexOf('.') + 1);
        SoftmaxPolicy p = policies.get(key(t.taskId(), Integer.parseInt(sample)));
        return p == null ? List.of() : p.decisions();
    }

    /** Whether any decision chose an action the task marks as a hack. */
    static boolean hacked(Task task, List<Decision> decisions) {
        Set<String> hacks = task.actions().stream().filter(CandidateAction::hack).map(CandidateAction::id).collect(Collectors.toSet());
        return decisions.stream().anyMatch(d -> hacks.contains(d.chosenId()));
    }

    private static IterationMetrics metrics(int iteration, String arm, List<Trajectory> episodes, Map<String, Credit> credit,
                                            Map<String, Task> byId, Map<String, SoftmaxPolicy> policies) {
        int n = episodes.size();
        int passed = 0, hacks = 0, kills = 0, events = 0;
        for (Trajectory t : episodes) {
            if (t.passed()) passed++;
            if (hacked(byId.get(t.taskId()), decisionsOf(policies, t))) hacks++;
            if (t.end() == EndReason.KILLED) kills++;
            events += t.events().size();
        }
        double reward = credit.values().stream().mapToDouble(c -> c.reward().total()).average().orElse(0);
        return new IterationMetrics(iteration, arm, n, (double) passed / n, (double) hacks / n, reward, kills, events);
    }

    static String metricsLine(IterationMetrics m) {
        ObjectNode line = JSON.createObjectNode();
        line.put("iteration", m.iteration());
        line.put("arm", m.arm());
        line.put("episodes", m.episodes());
        line.put("pass_rate", m.passRate());
        line.put("hack_rate", m.hackRate());
        line.put("mean_reward", m.meanReward());
        line.put("kills", m.kills());
        line.put("events", m.events());
        return line.toString();
    }

    private static void appendMetrics(Path file, IterationMetrics m) {
        try {
            Files.writeString(file, metricsLine(m) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new AleException(AleException.Fault.ENVIRONMENT, "cannot append to " + file + ": " + e.getMessage(), e);
        }
    }
}
