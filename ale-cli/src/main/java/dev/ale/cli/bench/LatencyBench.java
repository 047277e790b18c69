package dev.ale.cli.bench;

import dev.ale.core.AleException;
import dev.ale.core.passport.Passport;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxBackend;
import dev.ale.core.sandbox.SandboxRequest;
import dev.ale.core.sandbox.ShellSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Start-up latency of a whole ALE sandbox against its two floors: bubblewrap alone, and a bare
 * fork/exec from this JVM; and one command in a sandbox that is already up against the same
 * fork/exec. Each exec path of the backend (the resident init, a bubblewrap per call) is measured
 * on its own backend. All kinds take turns, each round starting with another kind, so that
 * whatever else the machine does slows them alike.
 */
final class LatencyBench {

    static final List<String> BARE_BWRAP = List.of(
            "bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-all", "--die-with-parent", "true");
    static final List<String> BARE_FORK = List.of("/bin/true");

    /**
     * One exec path's figures: create + exec + destroy (and its parts), `true` in a sandbox already up,
     * and a shell session opened there, `true` run in it and the session closed (what an agent's first
     * shell call adds).
     */
    record PathResult(String path, Samples ale, Samples create, Samples exec, Samples destroy, Samples liveExec, Samples session) {
        PathResult(String path, int capacity) {
            this(path, new Samples(capacity), new Samples(capacity), new Samples(capacity), new Samples(capacity), new Samples(capacity),
                    new Samples(capacity));
        }
    }

    record Result(int runs, int warmup, List<PathResult> paths, Samples bwrap, Samples fork) {
        Result(int runs, int warmup, List<String> paths) {
            this(runs, warmup, paths.stream().map(p -> new PathResult(p, Math.max(runs, 1))).toList(),
                    new Samples(Math.max(runs, 1)), new Samples(Math.max(runs, 1)));
        }
    }

    private final Map<String, ? extends SandboxBackend> backends;
    private final Map<String, Runnable> settle;
    private final Passport passport = Passport.defaults();

    /** {@code backends}: one backend per exec path, by the path's name, in the order the report lists them. */
    LatencyBench(Map<String, ? extends SandboxBackend> backends) {
        this(backends, Map.of());
    }

    /**
     * Like {@link #LatencyBench(Map)}; {@code settle} runs, untimed, before and after each create + exec +
     * destroy of the path it names (a warm pool waits there until it holds its blanks again and its
     * teardowns are done, so that background work is never inside another run's time).
     */
    LatencyBench(Map<String, ? extends SandboxBackend> backends, Map<String, Runnable> settle) {
        this.backends = backends;
        this.settle = Map.copyOf(settle);
    }

    Result run(int runs, int warmup) {
        List<String> names = List.copyOf(backends.keySet());
        Map<String, Sandbox> live = new LinkedHashMap<>();
        try {
            for (String name : names) live.put(name, backends.get(name).create(SandboxRequest.of(passport)));
            Result warm = new Result(warmup, 0, names);
            for (int i = 0; i < warmup; i++) round(i, warm, live);
            Result result = new Result(runs, warmup, names);
            for (int i = 0; i < runs; i++) round(i, result, live);
            return result;
        } finally {
            live.values().forEach(Sandbox::destroy);
        }
    }

    private void round(int round, Result into, Map<String, Sandbox> live) {
        int kinds = 2 + 3 * into.paths().size();
        for (int k = 0; k < kinds; k++) {
            int kind = (round + k) % kinds;
            if (kind == 0) {
                into.bwrap().add(bareBwrap());
            } else if (kind == 1) {
                into.fork().add(host(BARE_FORK));
            } else {
                PathResult path = into.paths().get((kind - 2) / 3);
                int part = (kind - 2) % 3;
                if (part == 0) {
                    Runnable quiet = settle.getOrDefault(path.path(), () -> { });
                    quiet.run();
                    ale(backends.get(path.path()), path);
                    // the refill and the teardown in the background must not slow the next kind's run (bare bwrap's, say)
                    quiet.run();
                }
                else if (part == 1) path.liveExec().add(execTrue(live.get(path.path())));
                else path.session().add(sessionTrue(live.get(path.path())));
            }
        }
    }

    private void ale(SandboxBackend backend, PathResult into) {
        long t0 = System.nanoTime();
        Sandbox sandbox = backend.create(SandboxRequest.of(passport));
        long t1 = System.nanoTime();
        try {
            execTrue(sandbox);
        } finally {
            long t2 = System.nanoTime();
            sandbox.destroy();
            long t3 = System.nanoTime();
            into.create().add(t1 - t0);
            into.exec().add(t2 - t1);
            into.destroy().add(t3 - t2);
            into.ale().add(t3 - t0);
        }
    }

    private static long execTrue(Sandbox sandbox) {
        long start = System.nanoTime();
        ExecResult r = sandbox.exec(ExecRequest.of("true"));
        long took = System.nanoTime() - start;
        if (r.exitCode() != 0) {
            throw new AleException(AleException.Fault.ENVIRONMENT, "`true` in a sandbox exited " + r.exitCode() + ": " + r.stderr().strip());
        }
        return took;
    }

    private static long sessionTrue(Sandbox sandbox) {
        long start = System.nanoTime();
        ExecResult r;
        try (ShellSession session = sandbox.openSession()) {
            r = session.run("true");
        }
        long took = System.nanoTime() - start;
        if (r.exitCode() != 0) {
            throw new AleException(AleException.Fault.ENVIRONMENT, "`true` in a shell session exited " + r.exitCode() + ": " + r.stderr().strip());
        }
        return took;
    }

    /**
     * Bare bubblewrap binds / recursively, so a mount that goes while it binds (a sandbox's network
     * namespace or workspace, destroyed at that moment here or by anyone else on the host) fails
     * it; such a run is repeated, and only the run that completes is counted.
     */
    private static long bareBwrap() {
        for (int attempt = 1; ; attempt++) {
            try {
                return host(BARE_BWRAP);
            } catch (AleException e) {
                if (attempt >= 20 || !e.getMessage().contains("Can't bind mount")) throw e;
            }
        }
    }

    /** Runs a host command to the end and returns how long it took. */
    private static long host(List<String> argv) {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        long start = System.nanoTime();
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] err = p.getErrorStream().readAllBytes();
            int exit = p.waitFor();
            long took = System.nanoTime() - start;
            if (exit != 0) {
                throw new AleException(AleException.Fault.ENVIRONMENT, String.join(" ", argv) + " exited " + exit + ": "
                        + new String(err, StandardCharsets.UTF_8).strip());
            }
            return took;
        } catch (IOException e) {
            throw new AleException(AleException.Fault.ENVIRONMENT, "cannot run " + argv.getFirst() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AleException(AleException.Fault.ENVIRONMENT, "interrupted", e);
        }
    }
}
