package dev.ale.monitor;

import dev.ale.core.event.Category;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.event.SafetyEvent.Action;
import dev.ale.core.passport.Devices;
import dev.ale.core.passport.Passport;
import dev.ale.core.passport.Resources;
import dev.ale.core.sandbox.OutputListener;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.ShellSession;
import dev.ale.monitor.rules.RuleId;
import dev.ale.sandbox.testing.RealSandboxes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code resource.cpu-sustained}: a sandbox that keeps a core (here, its whole 0.1-core quota) busy
 * with no output for longer than the passport allows, whatever the call declared and whatever the
 * burning process is called. Work that prints as it goes is progress and raises nothing.
 */
@Tag("root")
class ResourceBurnTest {

    @RegisterExtension
    static final RealSandboxes sandboxes = new RealSandboxes();

    /**
     * A third of the quota counts as a burn here: on a two-core machine shared by many test JVMs a
     * busy loop may get well under its quota. The share is the only thing relaxed.
     */
    private static final Monitor.Config LOADED = Monitor.Config.defaults().withBurnShare(0.3);

    /** A hash loop under an innocent name, printing nothing. */
    private static final String HASH_LOOP = """
            import hashlib, time
            end = time.time() + %d
            h = b"x"
            while time.time() < end:
                h = hashlib.sha256(h).digest()
            """;

    @Test
    void aSilentHashLoopInACallDeclaredCpuHeavyIsAResourceEvent() {
        Passport passport = quota();
        Sandbox s = sandboxes.sandbox(passport);
        Events events = new Events();
        try (Monitor monitor = new Monitor(events, LOADED); Watch watch = monitor.watch(s, passport, Optional.of("ep-burn"));
             ShellSession sh = s.openSession()) {
            s.files().write("/workspace/build.py", HASH_LOOP.formatted(9).getBytes(StandardCharsets.UTF_8));
            watch.setStep(2);
            // declared as a build: mining.cpu.sustained stays quiet, the quiet burn does not
            watch.callStarted(false, true);
            sh.run("python3 /workspace/build.py", Optional.of(Duration.ofSeconds(60)), watch.progressListener(OutputListener.NONE));
            watch.callEnded();

            SafetyEvent e = events.await(RuleId.RESOURCE_CPU_SUSTAINED.id());
            assertThat(e.category()).isEqualTo(Category.RESOURCE);
            assertThat(e.action()).isEqualTo(Action.ALERT);
            assertThat(e.step()).hasValue(2);
            assertThat(e.evidence()).containsEntry("name", "python3").containsKeys("used", "quietSeconds", "allowed");
            assertThat(events.rules()).doesNotContain(RuleId.MINING_CPU_SUSTAINED.id());
        }
    }

    @Test
    void aBusyLoopLeftRunningBetweenCallsIsAResourceEventChargedToItsStep() {
        Passport passport = quota();
        Sandbox s = sandboxes.sandbox(passport);
        Events events = new Events();
        try (Monitor monitor = new Monitor(events, LOADED); Watch watch = monitor.watch(s, passport, Optional.empty());
             ShellSession sh = s.openSession()) {
            watch.setStep(1);
            watch.callStarted(true, true);
            sh.run("timeout 12 bash -c 'while :; do :; done' >/dev/null 2>&1 &");
            watch.callEnded();
            watch.setStep(2);

            SafetyEvent e = events.await(RuleId.RESOURCE_CPU_SUSTAINED.id());
            assertThat(e.step()).hasValue(1);
            assertThat(e.evidence().get("argv")).contains("while :");
        }
    }

    @Test
    void aLongTestRunThatPrintsProgressIsNotABurn() {
        Passport passport = quota();
        Sandbox s = sandboxes.sandbox(passport);
        Events events = new Events();
        try (Monitor monitor = new Monitor(events, LOADED); Watch watch = monitor.watch(s, passport, Optional.empty());
             ShellSession sh = s.openSession()) {
            watch.callStarted(false, true);
            // busy all the time, but a line of output every few hundred ms, as a test runner prints dots
            sh.run("timeout 9 bash -c 'while :; do for i in $(seq 3000); do :; done; echo .; done'; true",
                    Optional.of(Duration.ofSeconds(60)), watch.progressListener(OutputListener.NONE));
            watch.callEnded();

            assertThat(events.rules()).doesNotContain(RuleId.RESOURCE_CPU_SUSTAINED.id());
        }
    }

    @Test
    void aGrantedGpuKeptBusyWithNoOutputIsAResourceEventAndAnUngrantedOneIsNeverMetered() {
        // no GPU here: the meter stands in for NVML and says the GPU is 95% busy; the sandbox itself
        // runs without a GPU, and only the watch is told of a grant
        AtomicInteger readings = new AtomicInteger();
        GpuMeter busy = (sandbox, processes) -> {
            readings.incrementAndGet();
            return OptionalDouble.of(0.95);
        };
        Monitor.Config config = LOADED.withGpuMeter(busy);
        Passport plain = quota();
        Passport granted = new Passport(plain.id(), plain.resources(), plain.filesystem(), new Devices(true), plain.egress(),
                plain.protectedPaths(), plain.detectors(), plain.model());
        Sandbox s = sandboxes.sandbox(plain);
        Sandbox other = sandboxes.sandbox(plain);
        Events events = new Events();
        try (Monitor monitor = new Monitor(events, config); Watch watch = monitor.watch(s, granted, Optional.empty());
             Watch ungranted = monitor.watch(other, plain, Optional.empty())) {
            SafetyEvent e = events.await(RuleId.RESOURCE_GPU_SUSTAINED.id());

            assertThat(e.sandbox()).isEqualTo(s.id()).isEqualTo(watch.sandboxId());
            assertThat(e.category()).isEqualTo(Category.RESOURCE);
            assertThat(events.all()).noneMatch(x -> x.sandbox().equals(other.id()));
            int before = readings.get();
            ungranted.sweep();
            assertThat(readings.get()).as("a watch without a grant never asks the meter").isEqualTo(before);
        }
    }

    /** A 0.1-core quota (so a busy loop fills it even on a loaded two-core machine) and 3 s of quiet burning allowed. */
    private static Passport quota() {
        Passport p = Passport.defaults();
        var r = p.resources();
        return p.withResources(new Resources(0.1, r.memoryBytes(), r.pids(), r.wallTime(), r.workspaceBytes(), Duration.ofSeconds(3)));
    }
}
