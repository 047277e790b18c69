package dev.ale.monitor;

import dev.ale.core.event.Category;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.event.SafetyEvent.Action;
import dev.ale.core.net.ConnectionRecord;
import dev.ale.core.passport.Passport;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxInfo;
import dev.ale.core.sandbox.ShellSession;
import dev.ale.monitor.kill.KillSwitch;
import dev.ale.monitor.rules.RuleId;
import dev.ale.sandbox.testing.RealSandboxes;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A socket opened through bash's /dev/tcp is named for what it carried when the sink saw it: an
 * SSH banner is a tunnel, not a reverse shell. The records are the gateway's, handed to the monitor
 * as the gateway hands them (this module's tests run no gateway).
 */
@Tag("root")
class DevTcpCategoryTest {

    @RegisterExtension
    static final RealSandboxes sandboxes = new RealSandboxes();

    /** Started by a script, so the pre-exec check never saw it; the sweep sees /dev/tcp in its argv. */
    private static final String SOCKET = "bash -c 'sleep 30; exec 3<>/dev/tcp/203.0.113.77/22' >/dev/null 2>&1 &";

    @Test
    void anSshBannerSentThroughDevTcpIsKilledAsATunnel() {
        Passport passport = Passport.defaults();
        Sandbox s = sandboxes.sandbox(passport);
        KillSwitch kill = new KillSwitch();
        kill.register(s);
        Events events = new Events(kill);
        try (Monitor monitor = new Monitor(events); Watch watch = monitor.watch(s, passport, Optional.empty());
             ShellSession sh = s.openSession()) {
            watch.callStarted(true);
            sh.run(SOCKET);
            // the sweep has seen the argv by now, and holds it for the sink
            sleepQuietly(Duration.ofMillis(600));
            monitor.accept(new ConnectionRecord(s.id(), Instant.now(), "203.0.113.77", 22, "ssh", Optional.empty(),
                    "SSH-2.0-OpenSSH_9.2p1", "SSH-2.0-OpenSSH_9.2p1\\r\\n"));

            await().atMost(Events.PATIENCE).until(() -> s.info().state() == SandboxInfo.State.KILLED);
            assertThat(s.info().killReason()).hasValue(RuleId.TUNNEL_NET_SSH_BANNER.id());
            sleepQuietly(Duration.ofNanos(Watch.DEV_TCP_GRACE_NANOS + 500_000_000L));
            assertThat(events.rules()).doesNotContain(RuleId.REVERSE_SHELL_DEV_TCP.id());
        }
    }

    @Test
    void aDevTcpSocketTheSinkSawNothingOnIsStillReportedAfterTheGrace() {
        Passport passport = Passport.defaults();
        Sandbox s = sandboxes.sandbox(passport);
        Events events = new Events();
        try (Monitor monitor = new Monitor(events); Watch watch = monitor.watch(s, passport, Optional.empty());
             ShellSession sh = s.openSession()) {
            watch.callStarted(true);
            sh.run(SOCKET);
            // an unread connection says only that it was denied: not what the socket is for
            monitor.accept(new ConnectionRecord(s.id(), Instant.now(), "203.0.113.77", 22, ConnectionRecord.UNREAD,
                    Optional.empty(), "", ""));

            SafetyEvent e = events.await(RuleId.REVERSE_SHELL_DEV_TCP.id());
            assertThat(e.category()).isEqualTo(Category.REVERSE_SHELL);
            assertThat(e.action()).isEqualTo(Action.KILL);
            assertThat(e.evidence()).containsEntry("source", "sweep");
        }
    }

    private static void sleepQuietly(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
