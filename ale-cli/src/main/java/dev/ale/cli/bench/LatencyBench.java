package dev.ale.cli.bench;

import dev.ale.core.AleException;
import dev.ale.core.passport.Passport;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxBackend;
import dev.ale.core.sandbox.SandboxRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Start-up latency of a whole ALE sandbox against its two floors: bubblewrap alone, and a bare
 * fork/exec from this JVM. The three kinds take turns, each round starting with another kind,
 * so that whatever else the machine does slows all three alike.
 */
final class LatencyBench {

    static final List<String> BARE_BWRAP = List.of(
            "bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-all", "--die-with-parent", "true");
    static final List<String> BARE_FORK = List.of("/bin/true");

    record Result(int runs, int warmup, Samples ale, Samples create, Samples exec, Samples destroy, Samples bwrap, Samples fork) {
    }

    private final SandboxBackend backend;
    private final Passport passport = Passport.defaults();

    LatencyBench(SandboxBackend backend) {
        this.backend = backend;
    }

    Result run(int runs, int warmup) {
        Result warm = new Result(warmup, 0, new Samples(warmup), new Samples(warmup), new Samples(warmup),
                new Samples(warmup), new Samples(warmup), new Samples(warmup));
        for (int i = 0; i < warmup; i++) round(i, warm);
        Result result = new Result(runs, warmup, new Samples(runs), new Samples(runs), new Samples(runs),
                new Samples(runs), new Samples(runs), new Samples(runs));
        for (int i = 0; i < runs; i++) round(i, result);
        return result;
    }

    private void round(int round, Result into) {
        for (int k = 0; k < 3; k++) {
            switch ((round + k) % 3) {
                case 0 -> ale(into);
                case 1 -> into.bwrap().add(host(BARE_BWRAP));
                default -> into.fork().add(host(BARE_FORK));
            }
        }
    }

    private void ale(Result into) {
        long t0 = System.nanoTime();
        Sandbox sandbox = backend.create(SandboxRequest.of(passport));
        long t1 = System.nanoTime();
        ExecResult r;
        try {
            r = sandbox.exec(ExecRequest.of("true"));
        } finally {
            long t2 = System.nanoTime();
            sandbox.destroy();
            long t3 = System.nanoTime();
            into.create().add(t1 - t0);
            into.exec().add(t2 - t1);
            into.destroy().add(t3 - t2);
            into.ale().add(t3 - t0);
        }
        if (r.exitCode() != 0) {
            throw new AleException(AleException.Fault.ENVIRONMENT, "`true` in a sandbox exited " + r.exitCode() + ": " + r.stderr().strip());
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
