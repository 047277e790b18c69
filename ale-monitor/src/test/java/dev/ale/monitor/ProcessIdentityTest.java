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

/** Names are not identity: the sweep judges what a process executes, not what it calls itself. */
@Tag("root")
class ProcessIdentityTest {

    @RegisterExtension
    static final RealSandboxes sandboxes = new RealSandboxes();

    @Test
    void aMinerRunUnderAKernelThreadsTitleIsStillAKnownMiner() {
        Passport passport = alertOnly(Category.MINING);
        Sandbox s = sandboxes.sandbox(passport);
        Events events = new Events();
        try (Monitor monitor = new Monitor(events); Watch watch = monitor.watch(s, passport, Optional.empty());
             ShellSession sh = s.openSession()) {
            s.files().write("/workspace/go.sh", """
                    cp /bin/sleep /tmp/xmrig
                    bash -c 'exec -a "[kthreadd]" /tmp/xmrig 60' >/dev/null 2>&1 &
                    """.getBytes(StandardCharsets.UTF_8));
            watch.callStarted(true);
            assertThat(watch.checkShellCommand("sh /workspace/go.sh")).isEmpty();
            sh.run("sh /workspace/go.sh");
            watch.callEnded();

            // the script that starts it names the miner too (and is judged as it runs): what counts here is the process
            SafetyEvent miner = events.await(e -> e.rule().equals(RuleId.MINING_PROGRAM_KNOWN_MINER.id())
                    && !"sh /workspace/go.sh".equals(e.evidence().get("argv")));
            SafetyEvent title = events.await(RuleId.PERSISTENCE_RENAMED_PROCESS.id());
            // one event per process: the sweep may meet it as the bash that names /tmp/xmrig, or after the exec
            // as "[kthreadd] 60", whose executable gives it away
            assertThat(miner.evidence().get("argv")).satisfiesAnyOf(
                    argv -> assertThat(argv).isEqualTo("[kthreadd] 60"),
                    argv -> assertThat(argv).contains("/tmp/xmrig"));
            if (miner.evidence().get("argv").equals("[kthreadd] 60")) assertThat(miner.evidence().get("exe")).endsWith("/tmp/xmrig");
            assertThat(title.evidence()).containsEntry("argv0", "[kthreadd]");
            assertThat(title.action()).isEqualTo(Action.ALERT);
        }
    }

    @Test
    void ordinaryBackgroundWorkRaisesNothing() {
        Passport passport = Passport.defaults();
        Sandbox s = sandboxes.sandbox(passport);
        Events events = new Events();
        try (Monitor monitor = new Monitor(events); Watch watch = monitor.watch(s, passport, Optional.empty());
             ShellSession sh = s.openSession()) {
            s.files().write("/workspace/run.sh", "#!/bin/sh\nsleep 4\n".getBytes(StandardCharsets.UTF_8));
            s.files().write("/workspace/job.py", "#!/usr/bin/env python3\nimport time\ntime.sleep(4)\n".getBytes(StandardCharsets.UTF_8));
            watch.callStarted(true);
            sh.run("""
                    chmod +x /workspace/run.sh /workspace/job.py
                    cd /workspace && python3 -m http.server 8000 --bind 127.0.0.1 >/dev/null 2>&1 &
                    /workspace/run.sh &
                    /workspace/job.py &
                    bash -lc 'sleep 4' &
                    (exec -a -bash bash -c 'sleep 4') &
                    timeout 5 perl -e 'sleep 4' &
                    git init -q /tmp/repo && git -C /tmp/repo log >/dev/null 2>&1 || true
                    """);
            watch.callEnded();
            for (int i = 0; i < 10; i++) {
                watch.sweep();
                sleep(200);
            }
            assertThat(events.all()).isEmpty();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Passport alertOnly(Category category) {
        Passport p = Passport.defaults();
        return p.withDetectors(p.detectors().with(category, new DetectorSetting(Action.ALERT, 1.0)));
    }
}
