package dev.ale.cli.bench;

import dev.ale.containment.GuardedBackend;
import dev.ale.containment.GuardedSandbox;
import dev.ale.core.passport.Passport;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.OutputListener;
import dev.ale.core.sandbox.SandboxInfo;
import dev.ale.core.sandbox.SandboxRequest;
import dev.ale.core.sandbox.ShellSession;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Many guarded sandboxes on one machine: {@code count} made (at most {@code creators} at a time),
 * each behind the gateway and under the monitor with a live shell that answered {@code echo ready};
 * then {@code active} of them run a one-second command at the same moment; then all are destroyed
 * and the host is searched for anything of theirs that stayed.
 */
final class ScaleBench {

    /** What the host and this JVM hold at one moment. */
    record Footprint(long memAvailable, long jvmRss, long jvmHeapLive, int jvmThreads, int jvmFds, int nftLines, int veths, int nftChains) {
    }

    record Result(int sandboxes, int creators, int ready, long allReadyNanos, Footprint before, Footprint allUp,
                  long sandboxCgroupMemory, Idle idle, int active, int activeOk, long activeAllDoneNanos, Samples activeCalls,
                  long destroyAllNanos, long tornDownNanos, HostLeftovers.Found leftBehind, List<String> errors, Set<String> ids) {

        /**
         * With what is left once the backend is closed: its teardowns run in the background when it has a
         * warm pool, and closing it waits for them and removes its blanks (a sandbox listed before stays counted).
         * And the time from the first destroy until that close returned, which also removed the pool's few
         * blanks: with a warm pool, destroy returns at the kill and the teardown runs behind it.
         */
        Result leftOnceClosed(long closeNanos) {
            HostLeftovers.Found after = HostLeftovers.find(ids, Set.copyOf(leftBehind.listed()), before);
            return new Result(sandboxes, creators, ready, allReadyNanos, before, allUp, sandboxCgroupMemory, idle, active, activeOk,
                    activeAllDoneNanos, activeCalls, destroyAllNanos, destroyAllNanos + closeNanos, after, errors, ids);
        }

        /** Host memory the sandboxes took, per sandbox, beyond their cgroups (what ALE, the kernel and the shells' host side cost). */
        long memoryPerSandbox() {
            return ready == 0 ? 0 : (before.memAvailable() - allUp.memAvailable()) / Math.max(1, sandboxes);
        }
    }

    /** A shell that has not answered by then counts as not ready, so a stall shows up in the report. */
    private static final Duration READY_WITHIN = Duration.ofSeconds(120);
    /**
     * The default passport with a wall time longer than the bench: at the default ten minutes the
     * first sandboxes of a thousand made slowly would end before the active ones are asked to run.
     */
    private static final Passport PASSPORT = Passport.defaults()
            .withResources(Passport.defaults().resources().withWallTime(Duration.ofHours(2)));
    /** Long enough that every active command overlaps every other. */
    static final String ACTIVE_COMMAND = "sleep 1; echo done";

    private final GuardedBackend backend;

    ScaleBench(GuardedBackend backend) {
        this.backend = backend;
    }

    Result run(int count, int active, int creators) {
        List<Up> up = Collections.synchronizedList(new ArrayList<>());
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        Set<String> ids = ConcurrentHashMap.newKeySet();
        AtomicInteger ready = new AtomicInteger();
        Footprint before = footprint();
        try {
            long start = System.nanoTime();
            inParallel(IntStream.range(0, count).boxed().toList(), creators, ignored -> {
                try {
                    GuardedSandbox sandbox = backend.create(SandboxRequest.of(PASSPORT));
                    ids.add(sandbox.id());
                    // the shell stays open until its sandbox is destroyed: it is what is being counted
                    ShellSession shell = sandbox.openSession();
                    up.add(new Up(sandbox, shell));
                    ExecResult r = shell.run("echo ready", Optional.of(READY_WITHIN), OutputListener.NONE);
                    if (r.stdout().strip().equals("ready")) ready.incrementAndGet();
                    else errors.add(sandbox.id() + ": `echo ready` gave exit " + r.exitCode() + " " + r.stderr().strip());
                } catch (RuntimeException e) {
                    errors.add("create: " + e.getMessage());
                }
            });
            long allReady = System.nanoTime() - start;
            Footprint allUp = footprint();
            Idle idle = idle();
            long cgroupMemory = 0;
            for (Up u : List.copyOf(up)) cgroupMemory += u.sandbox().stats().memoryBytes();

            List<Up> busy = List.copyOf(up).subList(0, Math.min(active, up.size()));
            Samples calls = new Samples(busy.size());
            AtomicInteger activeOk = new AtomicInteger();
            long activeStart = System.nanoTime();
            inParallel(busy, busy.size(), u -> {
                long t = System.nanoTime();
                try {
                    ExecResult r = u.shell().run(ACTIVE_COMMAND, Optional.of(READY_WITHIN), OutputListener.NONE);
                    synchronized (calls) {
                        calls.add(System.nanoTime() - t);
                    }
                    if (r.stdout().strip().equals("done")) activeOk.incrementAndGet();
                    else errors.add(u.sandbox().id() + ": active command gave exit " + r.exitCode() + " " + r.stderr().strip());
                } catch (RuntimeException e) {
                    errors.add(u.sandbox().id() + ": active command: " + e.getMessage());
                }
            });
            long activeAllDone = System.nanoTime() - activeStart;

            List<Up> made = List.copyOf(up);
            up.clear();
            long destroyStart = System.nanoTime();
            inParallel(made, creators, u -> {
                try {
                    u.sandbox().destroy();
                } catch (RuntimeException e) {
                    errors.add(u.sandbox().id() + ": destroy: " + e.getMessage());
                }
            });
            long destroyAll = System.nanoTime() - destroyStart;
            HostLeftovers.Found left = HostLeftovers.find(ids, backend.list().stream().map(SandboxInfo::id).collect(Collectors.toSet()), before);
            return new Result(count, creators, ready.get(), allReady, before, allUp, cgroupMemory, idle, busy.size(), activeOk.get(),
                    activeAllDone, calls, destroyAll, destroyAll, left, List.copyOf(errors), Set.copyOf(ids));
        } finally {
            // if anything above failed, nothing of this run stays up
            for (Up u : List.copyOf(up)) {
                try {
                    u.sandbox().destroy();
                } catch (RuntimeException e) {
                    // reported by the leftovers search of a later run, or `ale sandbox gc`
                }
            }
        }
    }

    private record Up(GuardedSandbox sandbox, ShellSession shell) {
    }

    /** CPU this JVM, and its monitor's sweep thread alone, spent per second while every sandbox sat idle. */
    record Idle(double jvmCores, double sweepCores) {
    }

    /** How long the idle CPU is watched for. */
    private static final Duration IDLE_WINDOW = Duration.ofSeconds(5);

    /** Over {@link #IDLE_WINDOW} with nothing asked of the sandboxes: what watching them costs. */
    private static Idle idle() {
        Path self = Path.of("/proc/self/stat");
        Optional<Path> sweeper = threadNamed("ale-monitor-sweep");
        long jvm0 = ticks(self);
        long sweep0 = sweeper.map(t -> ticks(t.resolve("stat"))).orElse(0L);
        long t0 = System.nanoTime();
        try {
            Thread.sleep(IDLE_WINDOW);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long jvm = ticks(self) - jvm0;
        long sweep = sweeper.map(t -> ticks(t.resolve("stat"))).orElse(sweep0) - sweep0;
        return new Idle(jvm / CLOCK_TICKS / seconds, sweep / CLOCK_TICKS / seconds);
    }

    /** USER_HZ: the unit of utime and stime in /proc stat files on every Linux architecture ALE runs on. */
    private static final double CLOCK_TICKS = 100.0;

    /** The kernel keeps the first 15 bytes of a thread's name in {@code comm}. */
    private static Optional<Path> threadNamed(String name) {
        String comm = name.length() > 15 ? name.substring(0, 15) : name;
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            return tasks.filter(t -> {
                try {
                    return Files.readString(t.resolve("comm")).strip().equals(comm);
                } catch (IOException e) {
                    return false;
                }
            }).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** utime + stime of a /proc stat file, in clock ticks (fields 14 and 15, counted after the command name). */
    private static long ticks(Path stat) {
        try {
            String line = Files.readString(stat);
            String[] f = line.substring(line.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    static Footprint footprint() {
        // the heap's live data, not what garbage happens to fill it now
        System.gc();
        long heapLive = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        return new Footprint(ConcurrencyBench.memAvailable(), statusField("VmRSS:") * 1024, heapLive, (int) statusField("Threads:"),
                count(Path.of("/proc/self/fd")), HostLeftovers.nftTableLines(), HostLeftovers.hostVeths(),
                HostLeftovers.nftSandboxChains());
    }

    /** A number field of /proc/self/status (kB for sizes), or -1. */
    private static long statusField(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    private static int count(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return (int) entries.count();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Runs {@code action} on every item, each on a virtual thread, at most {@code atOnce} at a time; returns when all are done. */
    private static <T> void inParallel(List<T> items, int atOnce, Consumer<T> action) {
        Semaphore gate = new Semaphore(Math.max(1, atOnce));
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (T item : items) {
                threads.execute(() -> {
                    gate.acquireUninterruptibly();
                    try {
                        action.accept(item);
                    } finally {
                        gate.release();
                    }
                });
            }
        }
    }
}
