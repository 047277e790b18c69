package dev.ale.sandbox.local;

import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.OutputListener;
import dev.ale.core.sandbox.ProcessSnapshot;
import dev.ale.core.sandbox.ProcessSnapshot.Role;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.ale.sandbox.local.TestBackend.bash;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The resident init plays no part the agent can reach: from inside, its pipes, memory, binary and
 * life are out of reach, and each call's processes still end with the call. The agent here is a
 * bash script doing what a curious agent would.
 */
@Tag("root")
class ResidentInitTest {

    private static final String NONE = "0000000000000000";

    @RegisterExtension
    static final TestBackend tb = TestBackend.perClass(LocalSandboxBackend.ExecPath.RESIDENT_INIT);

    @Test
    void theInitRunsAsTheSandboxUserWithoutCapabilitiesAndUnderTheFilter() {
        Sandbox s = tb.sandbox();
        assertThat(s.exec(ExecRequest.of("true")).exitCode()).isZero();

        long init = initPid(s);
        Map<String, String> st = HostView.status(init).orElseThrow();
        int hostUid = HostView.hostUid(tb.dataDir(), s.id());
        assertThat(st.get("Uid").split("\\s+")).containsOnly(String.valueOf(hostUid));
        assertThat(st).containsEntry("CapEff", NONE).containsEntry("CapPrm", NONE).containsEntry("CapBnd", NONE)
                .containsEntry("CapAmb", NONE).containsEntry("NoNewPrivs", "1").containsEntry("Seccomp", "2");
        // pid 1 of its namespace, in the sandbox's cgroup
        assertThat(st.get("NSpid")).matches("\\d+\\s+1");
        assertThat(((LocalSandbox) s).cgroup().pids()).contains((int) init);
    }

    @Test
    void theMonitorSeesTheInitInItsOwnRoleAndEachCallInTheRolesOfToday() throws Exception {
        Sandbox s = tb.sandbox();
        var running = CompletableFuture.supplyAsync(() -> s.exec(ExecRequest.of("/bin/sh", "-c", "(sleep 30 &); exec sleep 31")
                .withTimeout(Duration.ofSeconds(3))));
        await().atMost(Duration.ofSeconds(20)).until(() -> s.processes().stream().filter(p -> p.name().equals("sleep")).count() == 2);

        List<ProcessSnapshot> ps = s.processes();
        ProcessSnapshot resident = only(ps, Role.RESIDENT);
        ProcessSnapshot launcher = only(ps, Role.LAUNCHER);
        ProcessSnapshot callInit = only(ps, Role.INIT);
        ProcessSnapshot main = only(ps, Role.MAIN);
        assertThat(resident.parentPid()).isEqualTo(launcher.pid());
        assertThat(resident.argv()).containsExactly(ResidentInit.NAME);
        assertThat(callInit.parentPid()).isEqualTo(resident.pid());
        assertThat(callInit.name()).isEqualTo("ale-call");
        // the call has a session of its own, as each call's bubblewrap gave it
        assertThat(callInit.sessionId()).isEqualTo(callInit.pid());
        assertThat(main.parentPid()).isEqualTo(callInit.pid());
        assertThat(main.argv()).containsExactly("sleep", "31");
        ProcessSnapshot background = ps.stream().filter(p -> p.argv().equals(List.of("sleep", "30"))).findFirst().orElseThrow();
        // orphaned when its subshell ended: the call's init keeps it, as bubblewrap's init did
        assertThat(background.role()).isEqualTo(Role.WORKLOAD);
        assertThat(background.parentPid()).isEqualTo(callInit.pid());

        ExecResult r = running.get(30, TimeUnit.SECONDS);
        assertThat(r.killed()).isTrue();
        assertThat(r.reason()).contains("timeout");
        await().atMost(Duration.ofSeconds(10)).until(() -> HostView.pids(s).isEmpty());
    }

    @Test
    void theAgentCanNeitherTalkToNorInspectNorKillNorReplaceTheInit() {
        Sandbox s = tb.sandbox();
        assertThat(s.exec(ExecRequest.of("true")).exitCode()).isZero();
        long init = initPid(s);
        Path binary = tb.backend().initBinary().orElseThrow();

        ExecResult attack = s.exec(ExecRequest.of("/bin/bash", "-c", """
                try() { if "$@" >/dev/null 2>&1; then echo "REACHED: $*"; else echo "refused: $*"; fi; }
                try sh -c 'echo hijack > /proc/1/fd/0'
                try sh -c 'echo forged > /proc/1/fd/1'
                try ls /proc/1/fd
                try cat /proc/1/environ
                try dd if=/proc/1/mem bs=1 count=1 skip=4194304
                try cat /proc/1/maps
                try readlink /proc/1/exe
                try sh -c 'cp /bin/true /proc/1/exe'
                try cat /proc/1/exe
                try test -e %s
                # strace that attached traces on until timeout ends it (124); one refused exits at once
                try sh -c 'timeout 2 strace -p 1 -e trace=none -o /dev/null; [ $? -eq 124 ]'
                try python3 -c 'import ctypes, sys; sys.exit(0 if ctypes.CDLL(None).ptrace(16, 1, 0, 0) == 0 else 1)'
                # the call's own process (this script's parent), same uid, same protections
                try ls /proc/$PPID/fd
                try python3 -c 'import ctypes, sys; sys.exit(0 if ctypes.CDLL(None).ptrace(16, int(sys.argv[1]), 0, 0) == 0 else 1)' $PPID
                kill -9 1; kill -STOP 1; kill -TERM 1; kill -HUP 1
                echo end
                """.formatted(binary)).withTimeout(Duration.ofSeconds(60)));

        assertThat(attack.stdout()).as(attack.toString()).contains("end").doesNotContain("REACHED");
        assertThat(attack.stdout().lines().filter(l -> l.startsWith("refused")).count()).isEqualTo(14);
        // the same init still serves the sandbox, unstopped, and nothing of the attack reached it
        // sleeping, or running or in a syscall when caught at work: never stopped (T, t) or dead (Z, X)
        assertThat(HostView.status(init).orElseThrow().get("State")).matches("[SRD] .*");
        assertThat(initPid(s)).isEqualTo(init);
        assertThat(s.exec(ExecRequest.of("echo", "still served")).stdout()).isEqualTo("still served\n");
        assertThat(s.info().killReason()).isEmpty();
    }

    @Test
    void killingItsOwnCallsProcessNeitherEndsTheCommandNorLetsItsProcessesOutliveTheCall() {
        Sandbox s = tb.sandbox();

        // kill -9 -1 reaches every process of the uid but pid 1: the call's own process among them
        ExecResult all = bash(s, "kill -9 -1; sleep 0.2; echo survived");
        ExecResult parent = bash(s, "kill -9 $PPID; sleep 0.2; sleep 300 & setsid sleep 301 & echo $!");

        assertThat(all.stdout()).isEqualTo("survived\n");
        assertThat(all.exitCode()).isZero();
        assertThat(parent.exitCode()).isZero();
        assertThat(parent.stdout()).matches("\\d+\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> HostView.pids(s).isEmpty());
        assertThat(s.exec(ExecRequest.of("echo", "ok")).stdout()).isEqualTo("ok\n");
    }

    @Test
    void whatACallLeavesRunningEndsWithItEvenOutsideItsSession() {
        Sandbox s = tb.sandbox();

        ExecResult r = bash(s, "sleep 300 & setsid sleep 301 & (sleep 302 &) ; nohup sleep 303 >/dev/null 2>&1 & echo started");

        assertThat(r.stdout()).isEqualTo("started\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> HostView.pids(s).isEmpty());
    }

    @Test
    void callsAtOnceKeepTheirOwnOutputExitCodeAndStdin() throws Exception {
        Sandbox s = tb.sandbox();
        List<CompletableFuture<ExecResult>> calls = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            int n = i;
            byte[] stdin = ("input " + n + "\n").repeat(5000).getBytes();
            calls.add(CompletableFuture.supplyAsync(() -> s.exec(ExecRequest.of("/bin/sh", "-c",
                    "sleep 0.$((RANDOM % 3)); wc -l; echo err $0 >&2; exit $0", String.valueOf(n)).withStdin(stdin))));
        }
        for (int i = 0; i < calls.size(); i++) {
            ExecResult r = calls.get(i).get(60, TimeUnit.SECONDS);
            assertThat(r.exitCode()).isEqualTo(i);
            assertThat(r.stdout().strip()).isEqualTo("5000");
            assertThat(r.stderr()).isEqualTo("err " + i + "\n");
            assertThat(r.killed()).isFalse();
        }
    }

    @Test
    void anInitThatDiesFailsTheSandboxClosed() throws Exception {
        Sandbox s = tb.sandbox();
        var running = CompletableFuture.supplyAsync(() -> s.exec(ExecRequest.of("sleep", "60")));
        await().atMost(Duration.ofSeconds(20)).until(() -> s.processes().stream().anyMatch(p -> p.role() == Role.MAIN));
        long init = initPid(s);

        // what the agent cannot do, the host (an OOM kill, an operator) can
        ProcessHandle.of(init).orElseThrow().destroyForcibly();

        assertThatThrownBy(() -> running.join()).hasCauseInstanceOf(SandboxException.class)
                .hasMessageContaining("resident init ended");
        assertThat(s.info().killReason()).contains(LocalSandbox.INIT_LOST);
        assertThatThrownBy(() -> s.exec(ExecRequest.of("true"))).isInstanceOf(SandboxException.class)
                .hasMessageContaining(LocalSandbox.INIT_LOST);
        await().atMost(Duration.ofSeconds(10)).until(() -> ((LocalSandbox) s).cgroup().pids().isEmpty());
    }

    @Test
    void outputBeyondTheCaptureLimitIsCutButTheListenerSeesAll() {
        Sandbox s = tb.sandbox();
        long[] seen = new long[1];
        OutputListener count = (stream, data, n) -> {
            if (stream == OutputListener.Stream.STDOUT) seen[0] += n;
        };

        ExecResult r = s.exec(ExecRequest.of("/bin/sh", "-c", "head -c 10000000 /dev/zero").withListener(count));

        assertThat(r.outputTruncated()).isTrue();
        assertThat(r.stdout()).hasSize(LocalSandbox.CAPTURE_LIMIT);
        assertThat(seen[0]).isEqualTo(10_000_000L);
    }

    @Test
    void aBackendOnThePerCallPathStartsNoInit() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "ale-test");
        try (TestBackend perCall = TestBackend.on(LocalSandboxBackend.Config.defaults().withDataDir(dir)
                .withExecPath(LocalSandboxBackend.ExecPath.BWRAP_PER_CALL))) {
            Sandbox s = perCall.sandbox();
            var running = CompletableFuture.supplyAsync(() -> s.exec(ExecRequest.of("sleep", "2")));
            await().atMost(Duration.ofSeconds(20)).until(() -> s.processes().stream().anyMatch(p -> p.role() == Role.MAIN));

            assertThat(s.processes()).noneMatch(p -> p.role() == Role.RESIDENT);
            assertThat(s.processes()).filteredOn(p -> p.role() == Role.INIT).singleElement()
                    .satisfies(p -> assertThat(p.argv()).startsWith("bwrap"));
            assertThat(running.get(30, TimeUnit.SECONDS).exitCode()).isZero();
            assertThat(perCall.backend().execPath()).isEqualTo(LocalSandboxBackend.ExecPath.BWRAP_PER_CALL);
        } finally {
            TestBackend.deleteTree(dir);
        }
    }

    private static ProcessSnapshot only(List<ProcessSnapshot> ps, Role role) {
        List<ProcessSnapshot> found = ps.stream().filter(p -> p.role() == role).toList();
        assertThat(found).as("processes in role %s among %s", role, ps).hasSize(1);
        return found.getFirst();
    }

    /** The resident init's host pid: the child of its launcher. */
    private static long initPid(Sandbox s) {
        Set<Long> pids = ((LocalSandbox) s).residentPids();
        Optional<Long> init = pids.stream().filter(p -> HostView.status(p).map(st -> st.get("NSpid").matches("\\d+\\s+1")).orElse(false)).findFirst();
        return init.orElseThrow(() -> new AssertionError("no resident init among " + pids));
    }
}
