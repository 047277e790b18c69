package dev.ale.sandbox.local;

import dev.ale.core.passport.Resources;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxException;
import dev.ale.core.sandbox.SandboxInfo;
import dev.ale.core.sandbox.SandboxStats;
import dev.ale.core.sandbox.ShellSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Each limit of the passport holds, stops only the sandbox, and is reported with its reason. */
@Tag("root")
class ResourceLimitTest {

    private static final long MIB = 1024 * 1024;

    @RegisterExtension
    static final TestBackend tb = TestBackend.perClass();

    @Test
    void forkBombStoppedByPidsLimit() throws Exception {
        Sandbox s = tb.sandbox(new Resources(1.0, 256 * MIB, 64, Duration.ofMinutes(2), 16 * MIB));
        AtomicInteger mostPids = new AtomicInteger();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread watcher = Thread.ofPlatform().daemon().start(() -> {
            while (running.get()) {
                try {
                    mostPids.accumulateAndGet(s.stats().pids(), Math::max);
                    Thread.sleep(10);
                } catch (RuntimeException | InterruptedException e) {
                    return;
                }
            }
        });
        ExecResult r;
        try {
            // the trailing sleep keeps the first shell, and with it the sandbox's pid 1, alive until the
            // limit is hit, however slowly the bomb grows on this machine
            r = s.exec(ExecRequest.of("/bin/bash", "-c", ":(){ :|:& };:; sleep 20").withTimeout(Duration.ofSeconds(30)));
        } finally {
            running.set(false);
            watcher.join();
        }

        assertThat(r.killed()).as(r.toString()).isTrue();
        assertThat(r.reason()).contains("pids");
        assertThat(s.info().state()).isEqualTo(SandboxInfo.State.KILLED);
        assertThat(s.info().killReason()).contains("pids");
        assertThat(((LocalSandbox) s).cgroup().pidsLimitHits()).as("the limit is what stopped it").isPositive();
        assertThat(mostPids.get()).isLessThanOrEqualTo(64);
        await().atMost(Duration.ofSeconds(20)).until(() -> HostView.pids(s).isEmpty());
        // the host can still fork
        Process p = new ProcessBuilder("true").start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
    }

    @Test
    void memoryBombKilledWithReasonMemory() throws Exception {
        Process hostNeighbour = new ProcessBuilder("sleep", "60").start();
        try {
            Sandbox s = tb.sandbox(new Resources(1.0, 64 * MIB, 64, Duration.ofMinutes(2), 16 * MIB));

            ExecResult r = s.exec(ExecRequest.of("tail", "/dev/zero").withTimeout(Duration.ofSeconds(60)));

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(137);
            assertThat(r.killed()).isTrue();
            assertThat(r.reason()).contains("memory");
            assertThat(s.stats().memoryPeakBytes()).isLessThanOrEqualTo(64 * MIB);
            // the kernel's OOM killer chose inside the sandbox's cgroup, and only the one command
            assertThat(hostNeighbour.isAlive()).isTrue();
            assertThat(s.exec(ExecRequest.of("echo", "still here")).stdout()).isEqualTo("still here\n");
        } finally {
            hostNeighbour.destroyForcibly().waitFor();
        }
    }

    @Test
    void cpuSpinHeldToQuota() {
        Sandbox s = tb.sandbox(new Resources(0.5, 128 * MIB, 64, Duration.ofMinutes(2), 8 * MIB));

        ExecResult r = s.exec(ExecRequest.of("timeout", "3", "sh", "-c", "while :; do :; done").withTimeout(Duration.ofSeconds(60)));
        SandboxStats stats = s.stats();

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(124);
        assertThat(stats.cpuTime()).isPositive();
        // a ceiling, not a floor: a slow or busy host can only make the sandbox use less
        Duration ceiling = r.duration().dividedBy(2).plusMillis(300);
        assertThat(stats.cpuTime()).as("cpu time in %s of wall time", r.duration()).isLessThanOrEqualTo(ceiling);
    }

    @Test
    void workspaceFillStoppedAtCap() throws IOException {
        Sandbox s = tb.sandbox(new Resources(1.0, 256 * MIB, 64, Duration.ofMinutes(2), 16 * MIB));

        ExecResult r = s.exec(ExecRequest.of("dd", "if=/dev/zero", "of=/workspace/big", "bs=1M", "count=64"));
        ExecResult size = s.exec(ExecRequest.of("stat", "-c", "%s", "/workspace/big"));

        assertThat(r.exitCode()).as(r.toString()).isNotZero();
        assertThat(r.stderr()).contains("No space left on device");
        assertThat(Long.parseLong(size.stdout().strip())).isPositive().isLessThanOrEqualTo(16 * MIB);
        // on the host it filled only the sandbox's own 16 MiB tmpfs
        Path big = HostView.workspace(tb.dataDir(), s.id()).resolve("big");
        assertThat(Files.size(big)).isLessThanOrEqualTo(16 * MIB);
        assertThat(Files.getFileStore(big).type()).isEqualTo("tmpfs");
        assertThat(Files.getFileStore(big).getTotalSpace()).isLessThanOrEqualTo(16 * MIB);
    }

    @Test
    void aFloodOfEmptyFilesStopsAtTheInodeCapWhereverItIsWritten() {
        Sandbox s = tb.sandbox(new Resources(1.0, 256 * MIB, 512, Duration.ofMinutes(2), 16 * MIB));
        // empty files take no bytes: only the tmpfs's inode cap stops them, shared by /workspace, /tmp and /dev/shm
        ExecResult r = s.exec(ExecRequest.of("python3", "-c", """
                import os
                n = 0
                try:
                    for d in ('/dev/shm', '/tmp', '/workspace'):
                        for i in range(%d):
                            open(f'{d}/f{i}', 'w').close(); n += 1
                except OSError as e:
                    print(n, e.strerror)
                """.formatted(LocalSandboxBackend.MIN_INODES)).withTimeout(Duration.ofSeconds(90)));

        assertThat(r.exitCode()).as(r.toString()).isZero();
        String[] out = r.stdout().strip().split(" ", 2);
        assertThat(out[1]).isEqualTo("No space left on device");
        assertThat(Long.parseLong(out[0])).isLessThanOrEqualTo(LocalSandboxBackend.inodesFor(16 * MIB)).isGreaterThan(60_000);
        assertThat(s.exec(ExecRequest.of("sh", "-c", "rm -rf /dev/shm/* /tmp/*; touch /workspace/after && echo ok")).stdout())
                .as("freeing files frees the inodes").isEqualTo("ok\n");
    }

    @Test
    void wallTimeKill() {
        Sandbox s = tb.sandbox(new Resources(1.0, 128 * MIB, 64, Duration.ofSeconds(2), 8 * MIB));

        ExecResult r = s.exec(ExecRequest.of("sleep", "30"));

        assertThat(r.killed()).as(r.toString()).isTrue();
        assertThat(r.reason()).contains("timeout");
        // the exec's own wait and the limit watcher race to mark the sandbox; either way it is killed
        await().atMost(Duration.ofSeconds(10)).until(() -> s.info().state() == SandboxInfo.State.KILLED);
        assertThat(s.info().killReason()).contains("timeout");
        assertThatThrownBy(() -> s.exec(ExecRequest.of("true")))
                .isInstanceOf(SandboxException.class).hasMessageContaining("timeout");
        await().atMost(Duration.ofSeconds(20)).until(() -> HostView.pids(s).isEmpty());
    }

    @Test
    void execTimeoutKillsOnlyThatCommand() {
        Sandbox s = tb.sandbox(new Resources(1.0, 128 * MIB, 64, Duration.ofMinutes(2), 8 * MIB));
        try (ShellSession neighbour = s.openSession()) {
            neighbour.run("sleep 60 & pid=$!");

            ExecResult r = s.exec(ExecRequest.of("sleep", "30").withTimeout(Duration.ofSeconds(1)));

            assertThat(r.killed()).as(r.toString()).isTrue();
            assertThat(r.reason()).contains("timeout");
            assertThat(s.info().state()).isEqualTo(SandboxInfo.State.RUNNING);
            assertThat(s.exec(ExecRequest.of("echo", "ok")).stdout()).isEqualTo("ok\n");
            assertThat(neighbour.run("kill -0 $pid && echo alive").stdout()).isEqualTo("alive\n");
            await().atMost(Duration.ofSeconds(20)).until(() -> HostView.pids(s).stream()
                    .noneMatch(pid -> ProcessHandle.of(pid).flatMap(h -> h.info().arguments())
                            .map(a -> a.length == 1 && a[0].equals("30")).orElse(false)));
        }
    }
}
