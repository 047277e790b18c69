package dev.ale.runs;

import dev.ale.core.episode.Trajectory;
import dev.ale.core.task.Task;
import dev.ale.episode.EpisodeRunner;
import dev.ale.episode.EpisodeSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Function;

/**
 * Runs every episode of a run, {@code parallel} at a time, one virtual thread each, and writes
 * each trajectory to the run's store as soon as it ends. Episodes come back in task order, then
 * sample order, whatever order they finished in.
 */
public final class Rollout {

    /** Attempts per episode when the infrastructure (sandbox, setup, model server) fails; the agent's own failures run once. */
    public static final int DEFAULT_ATTEMPTS = 3;

    private final EpisodeRunner runner;
    private final int attempts;

    public Rollout(EpisodeRunner runner) {
        this(runner, DEFAULT_ATTEMPTS);
    }

    public Rollout(EpisodeRunner runner, int attempts) {
        if (attempts < 1) throw new IllegalArgumentException("attempts must be at least 1, was " + attempts);
        this.runner = runner;
        this.attempts = attempts;
    }

    /**
     * Runs every episode of {@code spec} not in {@code done} (the ids a resumed run already has on
     * disk), and returns the ones it ran.
     */
    public List<Trajectory> run(RunSpec spec, PolicySource policies, RunStore store, RunProgress progress, Set<String> done) {
        return run(spec, policies, store, progress, done, t -> Map.of());
    }

    /** As {@link #run(RunSpec, PolicySource, RunStore, RunProgress)}, adding {@code extra} fields to each episode's line. */
    public List<Trajectory> run(RunSpec spec, PolicySource policies, RunStore store, RunProgress progress,
                                Function<Trajectory, Map<String, ?>> extra) {
        return run(spec, policies, store, progress, Set.of(), extra);
    }

    private List<Trajectory> run(RunSpec spec, PolicySource policies, RunStore store, RunProgress progress, Set<String> done,
                                 Function<Trajectory, Map<String, ?>> extra) {
        Semaphore slots = new Semaphore(spec.parallel());
        List<Future<Trajectory>> futures = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Task task : spec.tasks()) {
                for (int sample = 0; sample < spec.samples(); sample++) {
                    EpisodeSpec episode = new EpisodeSpec(episodeId(spec.runId(), task, sample), sample,
                            seed(spec.seed(), task, sample));
                    if (done.contains(episode.episodeId())) continue;
                    futures.add(threads.submit(() -> {
                        slots.acquire();
                        try {
                            progress.episodeStarted(task, episode);
                            List<String> failures = new ArrayList<>();
                            Trajectory t = runOnce(task, policies, episode, progress);
                            // only what was not the agent's doing is worth another try: a fresh sandbox, a fresh policy
                            while (!t.end().agentsDoing() && failures.size() + 1 < attempts) {
                                failures.add(t.end().wire() + ": " + t.detail());
                                progress.retrying(task, episode, failures.size() + 1, t);
                                t = runOnce(task, policies, episode, progress);
                            }
                            // on disk (and synced) before anyone is told: the line is the journal a resume trusts
                            store.append(t, task.passport(), failures, extra.apply(t));
                            progress.episodeEnded(task, t);
                            return t;
                        } finally {
                            slots.release();
                        }
                    }));
                }
            }
            List<Trajectory> ran = new ArrayList<>();
            for (Future<Trajectory> f : futures) ran.add(f.get());
            return ran;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("run " + spec.runId() + " was interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        }
    }

    private Trajectory runOnce(Task task, PolicySource policies, EpisodeSpec episode, RunProgress progress) {
        return runner.run(task, policies.forEpisode(task, episode.sample()), episode, step -> progress.stepDone(episode, step));
    }

    /** {@code <run>.<task>.<sample>}: stable, so a resumed run knows which episodes it already has. */
    public static String episodeId(String runId, Task task, int sample) {
        return runId + "." + task.id() + "." + sample;
    }

    private static OptionalLong seed(OptionalLong base, Task task, int sample) {
        if (base.isEmpty()) return OptionalLong.empty();
        return OptionalLong.of(base.getAsLong() * 1_000_003L + task.id().hashCode() * 31L + sample);
    }

}
