package dev.ale.cli.bench;

import dev.ale.core.AleException;
import dev.ale.core.passport.Passport;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxBackend;
import dev.ale.core.sandbox.SandboxRequest;
import dev.ale.containment.GuardedBackend;
import dev.ale.containment.GuardedSandbox;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the gateway and monitor cost a workload: the same command in a sandbox behind them (run
 * through {@link GuardedSandbox#exec}, declared CPU-heavy) and in a plain loopback-only
 * sandbox with no monitor, taking turns. Only the exec is timed; both sandboxes are made once.
 */
final class OverheadBench {

    private static final Duration EXEC_TIMEOUT = Duration.ofMinutes(2);

    /** One workload: a name, what it does, and its argv. */
    record Workload(String name, String what, List<String> argv) {
    }

    static final List<Workload> WORKLOADS = List.of(
            new Workload("cpu", "awk loop of 5e7 additions (one core, no syscalls)",
                    List.of("awk", "BEGIN{for(i=0;i<5e7;i++)s+=i; print s}")),
            new Workload("files", "python3: 8 rounds of create+write 1 KiB, read, delete 4000 files in /workspace",
                    List.of("python3", "-c", """
                            import os
                            os.chdir("/workspace")
                            n, data, total = 4000, b"x" * 1024, 0
                            for _ in range(8):
                                for i in range(n):
                                    with open(f"f{i}", "wb") as f: f.write(data)
                                for i in range(n):
                                    with open(f"f{i}", "rb") as f: total += len(f.read())
                                for i in range(n): os.unlink(f"f{i}")
                            print(total)
                            """)),
            // no target: shows the fixed cost per call (pre-exec check, call bookkeeping, gateway settle)
            new Workload("noop", "`true`: the fixed cost of one call, for reference", List.of("true")));

    record WorkloadResult(Workload workload, Samples plain, Samples contained) {

        double ratioP50() {
            return contained.p50Millis() / plain.p50Millis();
        }
    }

    record Result(int runs, int warmup, List<WorkloadResult> workloads) {
    }

    private final GuardedBackend containment;
    private final SandboxBackend plainBackend;
    private final Passport passport = Passport.defaults();

    /** {@code plainBackend} must be loopback-only and unwatched: it is the baseline. */
    OverheadBench(GuardedBackend containment, SandboxBackend plainBackend) {
        this.containment = containment;
        this.plainBackend = plainBackend;
    }

    Result run(int runs, int warmup) {
        Sandbox plain = plainBackend.create(SandboxRequest.of(passport));
        try (GuardedSandbox contained = containment.create((SandboxRequest.of(passport)).forEpisode("bench-overhead"))) {
            List<WorkloadResult> results = new ArrayList<>();
            for (Workload w : WORKLOADS) {
                WorkloadResult warm = new WorkloadResult(w, new Samples(warmup), new Samples(warmup));
                for (int i = 0; i < warmup; i++) round(i, w, plain, contained, warm);
                WorkloadResult measured = new WorkloadResult(w, new Samples(runs), new Samples(runs));
                for (int i = 0; i < runs; i++) round(i, w, plain, contained, measured);
                results.add(measured);
            }
            return new Result(runs, warmup, List.copyOf(results));
        } finally {
            plain.destroy();
        }
    }

    /** One run of each kind, the order swapped every round so neither always goes first. */
    private void round(int round, Workload w, Sandbox plain, GuardedSandbox contained, WorkloadResult into) {
        ExecRequest request = ExecRequest.of(w.argv()).withTimeout(EXEC_TIMEOUT);
        for (int k = 0; k < 2; k++) {
            if ((round + k) % 2 == 0) {
                long t0 = System.nanoTime();
                ExecResult r = plain.exec(request);
                into.plain().add(System.nanoTime() - t0);
                check(w, "plain", r);
            } else {
                long t0 = System.nanoTime();
                ExecResult r = contained.exec(request.withWorkload(ExecRequest.Workload.CPU_HEAVY));
                into.contained().add(System.nanoTime() - t0);
                check(w, "contained", r);
            }
        }
    }

    private static void check(Workload w, String kind, ExecResult r) {
        if (r.killed() || r.exitCode() != 0) {
            throw new AleException(AleException.Fault.ENVIRONMENT, "workload " + w.name() + " in the " + kind + " sandbox "
                    + (r.killed() ? "was killed (" + r.reason().orElse("no reason") + ")" : "exited " + r.exitCode())
                    + ": " + r.stderr().strip() + " events " + r.events().stream().map(e -> e.rule()).toList());
        }
    }
}
