package dev.ale.sandbox.local;

import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.OutputListener;
import dev.ale.core.sandbox.ProcessSnapshot;
import dev.ale.core.sandbox.ProcessSnapshot.Role;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxException;
import dev.ale.core.sandbox.SessionRequest;
import dev.ale.core.sandbox.ShellSession;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Sessions served by the sandbox's resident init: a long-lived process whose stdin the init
 * streams, seen by the monitor in the roles of any call, started in its directory, ended with the
 * sandbox, and out of reach of every other process of the sandbox.
 */
@Tag("root")
class ResidentSessionTest {

    @RegisterExtension
    static final TestBackend tb = TestBackend.perClass(LocalSandboxBackend.ExecPath.RESIDENT_INIT);

    @Test
    void aSessionIsACallOfTheResidentInitAndKeepsItsStateBetweenCommands() {
        Sandbox s = tb.sandbox();
        try (ShellSession sh = s.openSession()) {
            String bashPid = sh.run("export FOO='bar baz'; cd /tmp; echo $$").stdout().strip();

            ExecResult r = sh.run("pwd; echo \"$FOO\"; echo $$");

            assertThat(r.stdout()).isEqualTo("/tmp\nbar baz\n" + bashPid + "\n");
            List<ProcessSnapshot> ps = s.processes();
            ProcessSnapshot bash = ps.stream().filter(p -> p.argv().equals(List.of("/bin/bash", "--noprofile", "--norc")))
                    .findFirst().orElseThrow(() -> new AssertionError("no session bash among " + ps));
            assertThat(bash.role()).isEqualTo(Role.MAIN);
            ProcessSnapshot callInit = ps.stream().filter(p -> p.pid() == bash.parentPid()).findFirst().orElseThrow();
            assertThat(callInit.role()).isEqualTo(Role.INIT);
            assertThat(callInit.name()).isEqualTo("ale-call");
            assertThat(ps).filteredOn(p -> p.pid() == callInit.parentPid()).singleElement()
                    .satisfies(p -> assertThat(p.role()).isEqualTo(Role.RESIDENT));
            // no bubblewrap of its own: the only launcher is the resident init's
            assertThat(ps).filteredOn(p -> p.role() == Role.LAUNCHER).hasSize(1);
            assertThat(ProcessReader.namespacePid(bash.pid()).orElseThrow()).isEqualTo(Long.parseLong(bashPid));
        }
    }

    @Test
    void aSessionStartsInTheDirectoryAndWithTheVariablesItIsOpenedWith() {
        Sandbox s = tb.sandbox();
        assertThat(s.exec(ExecRequest.of("mkdir", "-p", "/workspace/app dir")).exitCode()).isZero();
        try (ShellSession sh = s.openSession(SessionRequest.defaults().withCwd("/workspace/app dir").withEnv(Map.of("TASK_VAR", "it's set")))) {
            ExecResult r = sh.run("pwd; echo \"$TASK_VAR\"; echo \"$PWD\"");

            assertThat(r.stdout()).isEqualTo("/workspace/app dir\nit's set\n/workspace/app dir\n");
        }
    }

    @Test
    void aSessionInADirectoryThatIsNotThereEndsWithAClearMessage() {
        Sandbox s = tb.sandbox();
        ShellSession sh = s.openSession(SessionRequest.defaults().withCwd("/workspace/missing"));
        try {
            ExecResult r = sh.run("echo never");

            assertThat(r.exitCode()).isNotZero();
            assertThat(r.stdout()).doesNotContain("never");
            assertThat(r.stderr()).contains("chdir").contains("/workspace/missing");
            assertThat(sh.isOpen()).isFalse();
        } finally {
            sh.close();
        }
    }

    @Test
    void aStreamedProcessReadsEachLineAsItIsWrittenAndSeesEndOfFileWhenItsInputIsClosed() throws Exception {
        LocalSandbox s = (LocalSandbox) tb.sandbox();
        Lines out = new Lines();
        ResidentCall call = s.resident().open(List.of("/bin/sh", "-c", "while IFS= read -r l || [ -n \"$l\" ]; do n=$((n+1)); echo \"$n:$l\"; done; echo \"eof after $n\"; exit 7"),
                Map.of("PATH", "/usr/bin:/bin"), "/workspace", out);

        call.input("first\n".getBytes(StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(20)).until(() -> out.text().equals("1:first\n"));
        // the same process, its state (the count) carried to the next line
        call.input("second\n".getBytes(StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(20)).until(() -> out.text().equals("1:first\n2:second\n"));
        assertThat(call.isDone()).isFalse();
        call.input("third, not yet ended by a newline".getBytes(StandardCharsets.UTF_8));
        call.closeInput();

        assertThat(call.waitFor(Duration.ofSeconds(20))).isTrue();
        assertThat(call.finish()).isEqualTo(7);
        assertThat(out.text()).isEqualTo("1:first\n2:second\n3:third, not yet ended by a newline\neof after 3\n");
        // input for a call that has ended is dropped: the init serves on
        call.input("late\n".getBytes(StandardCharsets.UTF_8));
        assertThat(s.exec(ExecRequest.of("echo", "served")).stdout()).isEqualTo("served\n");
    }

    @Test
    void aSessionAndEverythingItStartedEndWhenTheSandboxIsKilled() {
        Sandbox s = tb.sandbox();
        ShellSession sh = s.openSession();
        try {
            assertThat(sh.run("sleep 300 & setsid sleep 301 & echo started").stdout()).isEqualTo("started\n");
            assertThat(HostView.pids(s)).isNotEmpty();

            s.kill("test-kill");

            await().atMost(Duration.ofSeconds(20)).until(() -> !sh.isOpen());
            await().atMost(Duration.ofSeconds(20)).until(() -> HostView.pids(s).isEmpty());
            assertThatThrownBy(() -> sh.run("true")).isInstanceOf(SandboxException.class);
        } finally {
            sh.close();
        }
    }

    @Test
    void closingASessionEndsItsShellAndWhatItLeftRunning() {
        Sandbox s = tb.sandbox();
        ShellSession sh = s.openSession();
        assertThat(sh.run("sleep 300 & echo started").stdout()).isEqualTo("started\n");

        sh.close();

        assertThat(sh.isOpen()).isFalse();
        await().atMost(Duration.ofSeconds(20)).until(() -> HostView.pids(s).isEmpty());
        assertThat(s.exec(ExecRequest.of("echo", "ok")).stdout()).isEqualTo("ok\n");
    }

    @Test
    void twoSessionsOfOneSandboxKeepTheirOwnStateAndOutput() {
        Sandbox s = tb.sandbox();
        try (ShellSession a = s.openSession(); ShellSession b = s.openSession(SessionRequest.defaults().withCwd("/tmp"))) {
            a.run("X=a");
            b.run("X=b");

            assertThat(a.run("echo $X; pwd").stdout()).isEqualTo("a\n/workspace\n");
            assertThat(b.run("echo $X; pwd").stdout()).isEqualTo("b\n/tmp\n");
        }
    }

    /**
     * Another process of the sandbox (a second session, a command of its own) goes for a session:
     * its input through the init's and the call's descriptors, through the shell's own stdin by path
     * and by pidfd; and its output through the init's. None of it reaches the session.
     */
    @Test
    void noOtherProcessOfTheSandboxCanWriteIntoASessionOrReadItsOutputThroughTheInit() {
        Sandbox s = tb.sandbox();
        try (ShellSession victim = s.openSession(); ShellSession attacker = s.openSession()) {
            String[] pids = victim.run("echo $$ $PPID").stdout().strip().split(" ");
            String bash = pids[0];
            String call = pids[1];

            String script = """
                    try() { if "$@" >/dev/null 2>&1; then echo "REACHED: $*"; else echo "refused: $*"; fi; }
                    try sh -c 'echo "touch /tmp/injected-1" > /proc/%1$s/fd/0'
                    try sh -c 'echo "touch /tmp/injected-2" >> /proc/%1$s/fd/0'
                    try sh -c 'exec 3<>/proc/%1$s/fd/0; echo "touch /tmp/injected-3" >&3'
                    try python3 -c 'import os, ctypes, sys; p = os.pidfd_open(int(sys.argv[1])); fd = ctypes.CDLL(None).syscall(438, p, 0, 0); sys.exit(1 if fd < 0 else (0 if os.write(fd, b"touch /tmp/injected-4\\n") > 0 else 1))' %1$s
                    try sh -c 'echo "touch /tmp/injected-5" > /proc/%2$s/fd/0'
                    try ls /proc/%2$s/fd
                    try sh -c 'exec 3</proc/%2$s/fd/1'
                    try sh -c 'echo forged > /proc/1/fd/0'
                    try sh -c 'exec 3</proc/1/fd/1'
                    try ls /proc/1/fd
                    echo end
                    """.formatted(bash, call);
            ExecResult fromSession = attacker.run(script, Optional.of(Duration.ofSeconds(60)), OutputListener.NONE);
            ExecResult fromExec = s.exec(ExecRequest.of("/bin/bash", "-c", script).withTimeout(Duration.ofSeconds(60)));

            for (ExecResult attack : List.of(fromSession, fromExec)) {
                assertThat(attack.stdout()).as(attack.toString()).contains("end").doesNotContain("REACHED");
                assertThat(attack.stdout().lines().filter(l -> l.startsWith("refused")).count()).as(attack.toString()).isEqualTo(10);
            }
            ExecResult after = victim.run("echo still mine; ls /tmp");
            assertThat(after.stdout()).startsWith("still mine\n").doesNotContain("injected");
            assertThat(s.exec(ExecRequest.of("/bin/sh", "-c", "ls /tmp")).stdout()).doesNotContain("injected");
        }
    }

    @Test
    void onThePerCallPathASessionIsABubblewrapOfItsOwnAndStartsInItsDirectoryToo() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "ale-test");
        try (TestBackend perCall = TestBackend.on(LocalSandboxBackend.Config.defaults().withDataDir(dir)
                .withExecPath(LocalSandboxBackend.ExecPath.BWRAP_PER_CALL))) {
            Sandbox s = perCall.sandbox();
            try (ShellSession sh = s.openSession(SessionRequest.defaults().withCwd("/tmp").withEnv(Map.of("TASK_VAR", "v")))) {
                ExecResult r = sh.run("pwd; echo $TASK_VAR; X=kept");

                assertThat(r.stdout()).isEqualTo("/tmp\nv\n");
                assertThat(sh.run("echo $X").stdout()).isEqualTo("kept\n");
                assertThat(s.processes()).noneMatch(p -> p.role() == Role.RESIDENT);
                assertThat(s.processes()).filteredOn(p -> p.role() == Role.INIT).singleElement()
                        .satisfies(p -> assertThat(p.argv()).startsWith("bwrap"));
            }
        } finally {
            TestBackend.deleteTree(dir);
        }
    }

    /** Output as it comes, by line. */
    private static final class Lines implements OutputListener {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public synchronized void onOutput(Stream stream, byte[] data, int length) {
            if (stream == Stream.STDOUT) bytes.write(data, 0, length);
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
