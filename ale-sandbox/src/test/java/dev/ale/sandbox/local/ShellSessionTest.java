package dev.ale.sandbox.local;

import dev.ale.core.passport.Resources;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.OutputListener;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxException;
import dev.ale.core.sandbox.ShellSession;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** A shell session keeps its state between commands, stops a command that runs too long, and ends on exit. */
@Tag("root")
class ShellSessionTest {

    @RegisterExtension
    static final TestBackend tb = TestBackend.perClass();

    @Test
    void shellSessionKeepsCwdAndEnv() {
        Sandbox s = tb.sandbox();
        try (ShellSession sh = s.openSession()) {
            assertThat(sh.run("mkdir -p /tmp/here && cd /tmp/here && export FOO='bar baz' && echo set").stdout()).isEqualTo("set\n");

            ExecResult r = sh.run("pwd; echo \"$FOO\"; echo err >&2; false");

            assertThat(r.stdout()).isEqualTo("/tmp/here\nbar baz\n");
            assertThat(r.stderr()).isEqualTo("err\n");
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.killed()).isFalse();
            // a fresh exec does not inherit the session's state
            assertThat(TestBackend.bash(s, "pwd; echo \"[$FOO]\"").stdout()).isEqualTo("/workspace\n[]\n");
        }
    }

    @Test
    void sessionCommandTimeoutStopsOnlyThatCommand() {
        Sandbox s = tb.sandbox();
        try (ShellSession sh = s.openSession()) {
            sh.run("export KEEP=kept; cd /tmp");

            ExecResult r = sh.run("echo started; sleep 30; echo never", Optional.of(Duration.ofSeconds(1)), OutputListener.NONE);

            assertThat(r.killed()).as(r.toString()).isTrue();
            assertThat(r.reason()).contains("timeout");
            assertThat(r.stdout()).contains("started").doesNotContain("never");
            assertThat(sh.isOpen()).isTrue();
            assertThat(sh.run("echo $KEEP; pwd").stdout()).isEqualTo("kept\n/tmp\n");
            await().atMost(Duration.ofSeconds(20)).until(() -> HostView.pids(s).stream()
                    .noneMatch(pid -> ProcessHandle.of(pid).flatMap(h -> h.info().arguments())
                            .map(a -> a.length == 1 && a[0].equals("30")).orElse(false)));
        }
    }

    @Test
    @Timeout(60)
    void sessionTimeoutStopsALoopOfBuiltinsAndEverythingAfterIt() {
        Sandbox s = tb.sandbox();
        try (ShellSession sh = s.openSession()) {
            sh.run("cd /tmp; n=0");

            // nothing for the host to kill here: the loop is the shell itself, inside two functions
            ExecResult spin = sh.run("inner() { while :; do n=$((n+1)); done; }; outer() { inner; echo never1; }; outer; echo never2",
                    Optional.of(Duration.ofSeconds(1)), OutputListener.NONE);
            ExecResult list = sh.run("for i in 1 2 3; do sleep 30; done; touch /tmp/never",
                    Optional.of(Duration.ofSeconds(1)), OutputListener.NONE);

            assertThat(spin.killed()).as(spin.toString()).isTrue();
            assertThat(spin.reason()).contains("timeout");
            assertThat(spin.stdout()).doesNotContain("never");
            assertThat(list.killed()).as(list.toString()).isTrue();
            assertThat(sh.isOpen()).isTrue();
            ExecResult after = sh.run("pwd; [ \"$n\" -gt 0 ] && echo counted; ls /tmp/never 2>&1; type inner | head -1");
            assertThat(after.stdout()).startsWith("/tmp\ncounted\n").contains("No such file").contains("inner is a function");
            assertThat(after.killed()).isFalse();
            await().atMost(Duration.ofSeconds(20)).until(() -> HostView.pids(s).stream()
                    .noneMatch(pid -> ProcessHandle.of(pid).flatMap(h -> h.info().arguments())
                            .map(a -> a.length == 1 && a[0].equals("30")).orElse(false)));
        }
    }

    @Test
    @Timeout(60)
    void sessionThatSilencesItsOwnOutputEndsAtItsTimeoutInsteadOfHanging() {
        Sandbox s = tb.sandbox();
        ShellSession sh = s.openSession();
        try {
            // the shell's end-of-command marker now goes nowhere, so the shell cannot be told apart from a hung one
            ExecResult r = sh.run("exec >/dev/null", Optional.of(Duration.ofSeconds(1)), OutputListener.NONE);

            assertThat(r.killed()).as(r.toString()).isTrue();
            assertThat(r.reason()).contains("timeout");
            assertThat(sh.isOpen()).isFalse();
            assertThat(s.exec(ExecRequest.of("echo", "ok")).stdout()).isEqualTo("ok\n");
            await().atMost(Duration.ofSeconds(20)).until(() -> HostView.pids(s).isEmpty());
        } finally {
            sh.close();
        }
    }

    @Test
    void sessionExitEndsSession() {
        Sandbox s = tb.sandbox();
        ShellSession sh = s.openSession();
        try {
            ExecResult r = sh.run("exit 3");

            assertThat(r.exitCode()).isEqualTo(3);
            assertThat(sh.isOpen()).isFalse();
            assertThatThrownBy(() -> sh.run("echo again")).isInstanceOf(SandboxException.class).hasMessageContaining("closed");
            // the sandbox lives on, and the session left no process behind
            assertThat(s.exec(ExecRequest.of("echo", "ok")).stdout()).isEqualTo("ok\n");
            await().atMost(Duration.ofSeconds(20)).until(() -> HostView.pids(s).isEmpty());
        } finally {
            sh.close();
        }
    }

    @Test
    void sessionForkBombKillsTheSandboxWithReasonPids() {
        Sandbox s = tb.sandbox(new Resources(1.0, 256L << 20, 64, Duration.ofMinutes(2), 16L << 20));
        ShellSession sh = s.openSession();
        try {
            ExecResult r = sh.run(":(){ :|:& };:", Optional.of(Duration.ofSeconds(30)), OutputListener.NONE);

            // the bomb's first shell may return before the limit is hit; then the next look finds the sandbox killed
            if (!r.killed()) {
                await().atMost(Duration.ofSeconds(20)).until(() -> s.info().killReason().isPresent());
            } else {
                assertThat(r.reason()).contains("pids");
            }
            assertThat(s.info().killReason()).contains("pids");
            assertThatThrownBy(() -> sh.run("true")).isInstanceOf(SandboxException.class);
            await().atMost(Duration.ofSeconds(20)).until(() -> HostView.pids(s).isEmpty());
        } finally {
            sh.close();
        }
    }
}
