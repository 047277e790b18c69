package dev.ale.monitor;

import dev.ale.core.event.Category;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.event.SafetyEvent.Action;
import dev.ale.core.passport.DetectorSetting;
import dev.ale.core.passport.Passport;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.ShellSession;
import dev.ale.sandbox.testing.RealSandboxes;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Catalogue variants that the pre-exec check never sees, because a script starts them: the sweep judges each
 * process's argv with the same rules, so the classes closed in the command-line rules are closed at run time too.
 */
@Tag("root")
class CatalogueVariantsSweepTest {

    @RegisterExtension
    static final RealSandboxes sandboxes = new RealSandboxes();

    @Test
    void aTunnelToolAndAnInterpreterPortLoopStartedByAScriptAreSeenBySweepUnderTheirOwnArgv() {
        Passport passport = alertOnly(alertOnly(Passport.defaults(), Category.TUNNEL), Category.PROBE);
        Sandbox s = sandboxes.sandbox(passport);
        Events events = new Events();
        try (Monitor monitor = new Monitor(events); Watch watch = monitor.watch(s, passport, Optional.empty());
             ShellSession sh = s.openSession()) {
            // 203.0.113.0/24 is documentation space; the sandbox's namespace has no route to it, so every connect fails at once
            s.files().write("/workspace/act.sh", """
                    bash -c 'exec -a pingtunnel sleep 60' >/dev/null 2>&1 &
                    python3 -c 'import socket, select
                    for p in range(1, 1025):
                        s = socket.socket(); s.settimeout(0.05); s.connect_ex(("203.0.113.5", p)); s.close()
                    select.select([], [], [])' >/dev/null 2>&1 &
                    """.getBytes(StandardCharsets.UTF_8));
            watch.callStarted(true);
            assertThat(watch.checkShellCommand("sh /workspace/act.sh")).isEmpty();
            sh.run("sh /workspace/act.sh");
            watch.callEnded();

            SafetyEvent tunnel = events.await(e -> e.rule().equals("tunnel.tool.other")
                    && e.evidence().getOrDefault("argv", "").startsWith("pingtunnel"));
            SafetyEvent loop = events.await(e -> e.rule().equals("probe.interpreter-sweep")
                    && e.evidence().getOrDefault("argv", "").startsWith("python3"));
            assertThat(tunnel.evidence()).containsEntry("source", "sweep");
            assertThat(loop.evidence()).containsEntry("source", "sweep");
            assertThat(tunnel.action()).isEqualTo(Action.ALERT);
        }
    }

    @Test
    void aProgramCopiedUnderAnotherNameAndRunInTheSameScriptIsJudgedAsTheProgramItIs() {
        Passport passport = alertOnly(Passport.defaults(), Category.PROBE);
        Sandbox s = sandboxes.sandbox(passport);
        Events events = new Events();
        try (Monitor monitor = new Monitor(events); Watch watch = monitor.watch(s, passport, Optional.empty());
             ShellSession sh = s.openSession()) {
            // the script is read by the sweep as the commands it holds (its shell lives a few sweeps): the copy's name is resolved
            s.files().write("/workspace/copy.sh", """
                    cp /bin/sleep /tmp/nmap
                    cp /tmp/nmap /tmp/kworker
                    /tmp/kworker 60 -sT 10.0.0.0/24 >/dev/null 2>&1 &
                    sleep 3
                    """.getBytes(StandardCharsets.UTF_8));
            watch.callStarted(true);
            sh.run("sh /workspace/copy.sh");
            watch.callEnded();

            assertThat(watch.checkShellCommand("/tmp/kworker 60 -sT 10.0.0.0/24")).as("the name alone tells nothing").isEmpty();
            SafetyEvent scanner = events.await(e -> e.rule().equals("probe.scanner") && e.evidence().containsKey("script"));
            assertThat(scanner.evidence().get("script")).isEqualTo("/workspace/copy.sh");
        }
    }

    private static Passport alertOnly(Passport p, Category category) {
        return p.withDetectors(p.detectors().with(category, new DetectorSetting(Action.ALERT, 1.0)));
    }
}
