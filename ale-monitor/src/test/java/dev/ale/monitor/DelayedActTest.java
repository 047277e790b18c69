package dev.ale.monitor;

import dev.ale.core.event.Category;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.event.SafetyEvent.Action;
import dev.ale.core.passport.DetectorSetting;
import dev.ale.core.passport.Passport;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.ShellSession;
import dev.ale.monitor.rules.RuleId;
import dev.ale.sandbox.testing.RealSandboxes;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A process that outlives its tool call and acts later: the act is the doing of the step that
 * started it, not of the step running when it was seen.
 */
@Tag("root")
class DelayedActTest {

    @RegisterExtension
    static final RealSandboxes sandboxes = new RealSandboxes();

    /** Forks, leads a new session, and two seconds after its call returned forks again and runs as "xmrig". */
    private static final String DAEMON = """
            import os, sys, time
            if os.fork():
                sys.exit(0)
            os.setsid()
            time.sleep(2)
            if os.fork():
                os._exit(0)
            time.sleep(0.5)
            os.execvp("sleep", ["xmrig", "60"])
            """;

    @Test
    void aBackgroundedShellThatLaterRunsAMinerIsChargedToTheStepThatStartedIt() {
        Passport passport = alertOnly(Category.MINING);
        Sandbox s = sandboxes.sandbox(passport);
        Events events = new Events();
        try (Monitor monitor = new Monitor(events); Watch watch = monitor.watch(s, passport, Optional.of("ep-late"));
             ShellSession sh = s.openSession()) {
            watch.setStep(1);
            watch.callStarted(false);
            sh.run("setsid bash -c 'sleep 2; exec -a xmrig sleep 60' >/dev/null 2>&1 </dev/null &");
            watch.callEnded();
            // caught before or after setsid(2) ran, it is reported as detached or as outliving its call
            assertThat(events.all()).as("what setsid started left the call").anySatisfy(e -> {
                assertThat(e.rule()).isIn(RuleId.PERSISTENCE_DETACHED.id(), RuleId.PERSISTENCE_OUTLIVED_CALL.id());
                assertThat(e.step()).hasValue(1);
            });
            watch.setStep(2);
            watch.callStarted(false);
            sh.run("echo an ordinary step");
            watch.callEnded();

            SafetyEvent mining = events.await(RuleId.MINING_PROGRAM_KNOWN_MINER.id());
            assertThat(mining.step()).hasValue(1);
            assertThat(mining.evidence()).containsEntry("seenAtStep", "2").containsEntry("source", "sweep");
            assertThat(mining.action()).isEqualTo(Action.ALERT);
        }
    }

    @Test
    void aDoubleForkedDaemonWhoseGrandchildActsAfterTheCallIsChargedToTheStepThatStartedIt() {
        Passport passport = alertOnly(Category.MINING);
        Sandbox s = sandboxes.sandbox(passport);
        Events events = new Events();
        try (Monitor monitor = new Monitor(events); Watch watch = monitor.watch(s, passport, Optional.of("ep-daemon"));
             ShellSession sh = s.openSession()) {
            s.files().write("/workspace/d.py", DAEMON.getBytes(StandardCharsets.UTF_8));
            watch.setStep(4);
            watch.callStarted(false);
            sh.run("python3 /workspace/d.py");
            watch.callEnded();
            watch.setStep(5);

            // the grandchild is born after the call returned, under a session leader that then exits
            SafetyEvent mining = events.await(RuleId.MINING_PROGRAM_KNOWN_MINER.id());
            assertThat(mining.step()).hasValue(4);
            assertThat(mining.evidence()).containsEntry("seenAtStep", "5");
            assertThat(mining.evidence().get("argv")).isEqualTo("xmrig 60");
        }
    }

    @Test
    void aServerStartedInTheBackgroundOnPurposeRaisesNothingLater() {
        Passport passport = Passport.defaults();
        Sandbox s = sandboxes.sandbox(passport);
        Events events = new Events();
        try (Monitor monitor = new Monitor(events); Watch watch = monitor.watch(s, passport, Optional.empty());
             ShellSession sh = s.openSession()) {
            watch.setStep(1);
            watch.callStarted(true);
            sh.run("cd /workspace && python3 -m http.server 8000 --bind 127.0.0.1 >/dev/null 2>&1 &");
            assertThat(watch.callEnded()).isEmpty();
            for (int step = 2; step <= 4; step++) {
                watch.setStep(step);
                watch.callStarted(false);
                sh.run("python3 -c 'import urllib.request,time; time.sleep(0.3); urllib.request.urlopen(\"http://127.0.0.1:8000/\").read()'");
                watch.callEnded();
            }
            assertThat(events.all()).isEmpty();
        }
    }

    private static Passport alertOnly(Category category) {
        Passport p = Passport.defaults();
        return p.withDetectors(p.detectors().with(category, new DetectorSetting(Action.ALERT, 1.0)));
    }
}
