package dev.ale.cli.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The two GEM measurements, each over two sides made the same way: one step's latency (one
 * environment per side, the steps interleaved) and steps per second with many environments
 * stepping at once (rounds interleaved side by side). Making and resetting the environments is
 * never timed.
 */
final class GemStepBench {

    /** The step both sides take: a shell call of `true`, cheap, so that what HTTP adds is not lost in the command. */
    static final String TOOL = "shell";
    static final String ARGUMENTS = "{\"command\": \"true\"}";

    /** One environment of a side, reset and in an episode. */
    interface Env {
        /** Takes one step of the bench's action; fails if the step did not run as an ordinary tool call. */
        void step();
    }

    /** Where a side's environments come from; it closes every one it made when it closes. */
    interface Side extends AutoCloseable {
        /** A fresh environment, already reset. */
        Env open();

        @Override
        void close();
    }

    /** Step latency of each side, and of an HTTP round trip to the same environment that runs no step. */
    record Latency(int steps, int warmup, Samples local, Samples http, Samples roundTrip) {
    }

    /** Steps counted over {@code nanos} of wall time, summed over the rounds. */
    record Rate(long steps, long nanos) {
        double perSecond() {
            return nanos == 0 ? Double.NaN : steps * 1e9 / nanos;
        }

        Rate plus(Rate other) {
            return new Rate(steps + other.steps, nanos + other.nanos);
        }
    }

    record Throughput(int envs, int rounds, Duration duration, Rate local, Rate http) {
    }

    /** Environments made at once: each reset creates a guarded sandbox, and the machine may have two cores. */
    private static final int OPENERS = 4;

    private final Side local;
    private final HttpGemEnvs http;

    GemStepBench(Side local, HttpGemEnvs http) {
        this.local = local;
        this.http = http;
    }

    /**
     * {@code steps} steps on each side and as many bare round trips, one for one for one, the
     * order rotated every time so that none always runs right after another (a warm cache, a
     * just-woken thread). The round trip follows an idle gap as long as a step's, as a step does.
     */
    Latency latency(int steps, int warmup) {
        Env l = local.open();
        HttpGemEnvs.Env h = http.open();
        List<Runnable> kinds = List.of(l::step, h::step, h::look);
        for (int i = 0; i < warmup; i++) kinds.forEach(Runnable::run);
        List<Samples> samples = List.of(new Samples(steps), new Samples(steps), new Samples(steps));
        for (int i = 0; i < steps; i++) {
            for (int k = 0; k < kinds.size(); k++) {
                int kind = (i + k) % kinds.size();
                long start = System.nanoTime();
                kinds.get(kind).run();
                samples.get(kind).add(System.nanoTime() - start);
            }
        }
        return new Latency(steps, warmup, samples.get(0), samples.get(1), samples.get(2));
    }

    /**
     * {@code envs} environments per side, all made and reset first; then in each round every
     * environment of one side steps in a thread of its own for {@code duration}, then those of
     * the other side, the order swapped each round.
     */
    Throughput throughput(int envs, int rounds, Duration duration) throws InterruptedException {
        List<Env> ls = openAll(local, envs);
        List<Env> hs = openAll(http, envs);
        Rate l = new Rate(0, 0);
        Rate h = new Rate(0, 0);
        for (int r = 0; r < rounds; r++) {
            if (r % 2 == 0) {
                l = l.plus(run(ls, duration));
                h = h.plus(run(hs, duration));
            } else {
                h = h.plus(run(hs, duration));
                l = l.plus(run(ls, duration));
            }
        }
        return new Throughput(envs, rounds, duration, l, h);
    }

    private static List<Env> openAll(Side side, int n) throws InterruptedException {
        List<Future<Env>> futures = new ArrayList<>();
        try (ExecutorService openers = Executors.newFixedThreadPool(OPENERS, Thread.ofVirtual().factory())) {
            for (int i = 0; i < n; i++) futures.add(openers.submit(side::open));
        }
        List<Env> out = new ArrayList<>();
        for (Future<Env> f : futures) out.add(result(f));
        return out;
    }

    /**
     * Every environment steps until {@code duration} has passed since they all started; the
     * time counted runs until the last one's last step came back, so no step is counted whose
     * time is not.
     */
    private static Rate run(List<Env> envs, Duration duration) throws InterruptedException {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Long>> futures = new ArrayList<>();
        long start;
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            long[] deadline = new long[1];
            for (Env e : envs) {
                futures.add(threads.submit(() -> {
                    go.await();
                    long steps = 0;
                    while (System.nanoTime() - deadline[0] < 0) {
                        e.step();
                        steps++;
                    }
                    return steps;
                }));
            }
            start = System.nanoTime();
            deadline[0] = start + duration.toNanos();
            go.countDown();
        }
        long elapsed = System.nanoTime() - start;
        long steps = 0;
        for (Future<Long> f : futures) steps += result(f);
        return new Rate(steps, elapsed);
    }

    private static <T> T result(Future<T> f) throws InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        }
    }
}
