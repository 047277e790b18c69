package dev.ale.cli.bench;

import dev.ale.core.passport.Passport;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.OutputListener;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxBackend;
import dev.ale.core.sandbox.SandboxInfo;
import dev.ale.core.sandbox.SandboxRequest;
import dev.ale.core.sandbox.ShellSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Many sandboxes at once: each made on its own virtual thread (at most {@code creators} being
 * made at a time), each with a live shell that answered {@code echo ready}. Measures the time
 * until all are ready, the host memory they take beyond their own cgroups, and their teardown.
 */
final class ConcurrencyBench {

    record Result(int sandboxes, int creators, int ready, long allReadyNanos, long memAvailableBefore,
                  long memAvailableDuring, long sandboxMemory, long destroyAllNanos, int leftBehind, List<String> errors) {

        long hostMemoryUsed() {
            return memAvailableBefore - memAvailableDuring;
        }

        long beyondShells() {
            return hostMemoryUsed() - sandboxMemory;
        }
    }

    /** A shell that has not answered by then counts as not ready, so a stall shows up in the report. */
    private static final Duration READY_WITHIN = Duration.ofSeconds(60);

    private final SandboxBackend backend;

    ConcurrencyBench(SandboxBackend backend) {
        this.backend = backend;
    }

    Result run(int count, int creators) {
        List<Sandbox> up = Collections.synchronizedList(new ArrayList<>());
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger ready = new AtomicInteger();
        long memBefore = memAvailable();
        try {
            long start = System.nanoTime();
            inParallel(IntStream.range(0, count).boxed().toList(), creators, ignored -> {
                try {
                    Sandbox sandbox = backend.create(SandboxRequest.of(Passport.defaults()));
                    up.add(sandbox);
                    // The shell stays open until its sandbox is destroyed: it is what is being counted.
                    ShellSession shell = sandbox.openSession();
                    ExecResult r = shell.run("echo ready", Optional.of(READY_WITHIN), OutputListener.NONE);
                    if (r.stdout().strip().equals("ready")) ready.incrementAndGet();
                    else errors.add(sandbox.id() + ": `echo ready` gave exit " + r.exitCode() + " " + r.stderr().strip());
                } catch (RuntimeException e) {
                    errors.add(String.valueOf(e.getMessage()));
                }
            });
            long allReady = System.nanoTime() - start;
            long memDuring = memAvailable();
            long sandboxMemory = 0;
            for (Sandbox s : List.copyOf(up)) sandboxMemory += s.stats().memoryBytes();

            List<Sandbox> made = List.copyOf(up);
            up.clear();
            Set<String> ids = made.stream().map(Sandbox::id).collect(Collectors.toSet());
            long destroyStart = System.nanoTime();
            inParallel(made, creators, s -> {
                try {
                    s.destroy();
                } catch (RuntimeException e) {
                    errors.add(s.id() + ": destroy: " + e.getMessage());
                }
            });
            long destroyAll = System.nanoTime() - destroyStart;
            int leftBehind = (int) backend.list().stream().map(SandboxInfo::id).filter(ids::contains).count();
            return new Result(count, creators, ready.get(), allReady, memBefore, memDuring, sandboxMemory, destroyAll,
                    leftBehind, List.copyOf(errors));
        } finally {
            // if anything above failed, nothing of this run stays up
            List.copyOf(up).forEach(Sandbox::destroy);
        }
    }

    /** Runs {@code action} on every item, each on a virtual thread, at most {@code atOnce} at a time; returns when all are done. */
    private static <T> void inParallel(List<T> items, int atOnce, Consumer<T> action) {
        Semaphore gate = new Semaphore(atOnce);
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

    /** The host's MemAvailable in bytes: the kernel's estimate of what new work could still get. */
    static long memAvailable() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
