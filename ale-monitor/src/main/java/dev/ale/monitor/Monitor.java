package dev.ale.monitor;

import dev.ale.core.event.SafetyEvent;
import dev.ale.core.net.NetworkRecord;
import dev.ale.core.passport.Passport;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.monitor.net.NetworkThresholds;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Watches sandboxes and turns what it sees into {@link SafetyEvent}s for one sink: every tool
 * command before it runs, a sweep of each sandbox's processes, the gateway's records, and the
 * integrity of protected paths. It never acts on a sandbox; whoever consumes the events (the kill
 * switch, the audit log, the episode) does. One sweep thread serves every watch.
 */
public final class Monitor implements Consumer<NetworkRecord>, AutoCloseable {

    /**
     * How often to look, and when sustained CPU counts as mining.
     *
     * @param sweepPeriod     between two sweeps of every sandbox's processes (at most 250 ms keeps
     *                        a kill within a second of the act)
     * @param integrityPeriod between two background checks of protected paths (each call's end
     *                        checks them too)
     * @param cpuWindow       how long a process must keep using {@code cpuCores} or more
     * @param cpuCores        the CPU use, in cores, that counts as sustained
     * @param network         fan-out and DNS burst thresholds
     * @param gpu             reads GPU utilisation for sandboxes granted a GPU ({@link GpuMeter#NONE}: none)
     * @param burnShare       the share of one core (or of the quota, when it is less) that counts as a
     *                        burn for {@code resource.cpu-sustained}, and of the GPU for the GPU rule
     */
    public record Config(Duration sweepPeriod, Duration integrityPeriod, Duration cpuWindow, double cpuCores,
                         NetworkThresholds network, GpuMeter gpu, double burnShare) {

        public Config {
            positive(sweepPeriod, "sweepPeriod");
            positive(integrityPeriod, "integrityPeriod");
            positive(cpuWindow, "cpuWindow");
            if (!(cpuCores > 0) || Double.isInfinite(cpuCores)) throw new IllegalArgumentException("cpuCores must be > 0: " + cpuCores);
            Objects.requireNonNull(network, "network");
            Objects.requireNonNull(gpu, "gpu");
            if (!(burnShare > 0 && burnShare <= 1)) throw new IllegalArgumentException("burnShare must be in (0, 1]: " + burnShare);
        }

        /**
         * Sweep every 200 ms, check integrity every 5 s, mining by CPU at 0.9 core for 10 s, a burn at 0.9 of a core or the
         * quota, GPU use from the driver's NVML (loaded only when a sandbox with a GPU grant is swept).
         */
        public static Config defaults() {
            return new Config(Duration.ofMillis(200), Duration.ofSeconds(5), Duration.ofSeconds(10), 0.9, NetworkThresholds.defaults(),
                    NvmlGpuMeter.driver(), 0.9);
        }

        public Config withSweepPeriod(Duration d) {
            return new Config(d, integrityPeriod, cpuWindow, cpuCores, network, gpu, burnShare);
        }

        public Config withIntegrityPeriod(Duration d) {
            return new Config(sweepPeriod, d, cpuWindow, cpuCores, network, gpu, burnShare);
        }

        public Config withCpu(Duration window, double cores) {
            return new Config(sweepPeriod, integrityPeriod, window, cores, network, gpu, burnShare);
        }

        public Config withBurnShare(double share) {
            return new Config(sweepPeriod, integrityPeriod, cpuWindow, cpuCores, network, gpu, share);
        }

        public Config withGpuMeter(GpuMeter meter) {
            return new Config(sweepPeriod, integrityPeriod, cpuWindow, cpuCores, network, meter, burnShare);
        }

        private static void positive(Duration d, String name) {
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }

    private static final System.Logger LOG = System.getLogger(Monitor.class.getName());

    private final Consumer<SafetyEvent> sink;
    private final Config config;
    private final Map<String, Watch> watches = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper;
    /** Integrity checks run commands in the sandbox (tens of ms each): never on the sweep thread. */
    private final ScheduledExecutorService checker;
    private volatile boolean closed;

    public Monitor(Consumer<SafetyEvent> sink) {
        this(sink, Config.defaults());
    }

    public Monitor(Consumer<SafetyEvent> sink, Config config) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.config = Objects.requireNonNull(config, "config");
        this.sweeper = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("ale-monitor-sweep").factory());
        this.checker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("ale-monitor-integrity").factory());
        long sweep = config.sweepPeriod().toNanos();
        sweeper.scheduleWithFixedDelay(this::sweepAll, sweep, sweep, TimeUnit.NANOSECONDS);
        long check = config.integrityPeriod().toNanos();
        checker.scheduleWithFixedDelay(this::checkAll, check, check, TimeUnit.NANOSECONDS);
    }

    /**
     * Starts watching a sandbox under a passport; every event it raises names {@code episode} and
     * the step last set. Close the watch before the verify phase: the verifier may do what the
     * agent must not.
     */
    public Watch watch(Sandbox sandbox, Passport passport, Optional<String> episode) {
        return watch(sandbox, passport, passport.fingerprint(), episode);
    }

    /** {@link #watch(Sandbox, Passport, Optional)}, its events naming {@code fingerprint} as their passport's. */
    public Watch watch(Sandbox sandbox, Passport passport, String fingerprint, Optional<String> episode) {
        if (closed) throw new IllegalStateException("this monitor is closed");
        Watch w = new Watch(sink, config, sandbox, passport, fingerprint, episode);
        Watch held = watches.merge(sandbox.id(), w, (old, fresh) -> old.isClosed() ? fresh : old);
        if (held != w) throw new IllegalStateException("sandbox " + sandbox.id() + " is already watched; close its watch first");
        return w;
    }

    /** A gateway record: judged for the sandbox it names, ignored when that sandbox is not watched. */
    @Override
    public void accept(NetworkRecord record) {
        Watch w = watches.get(record.sandbox());
        if (w != null && !w.isClosed()) w.onRecord(record);
    }

    private void sweepAll() {
        // a watch only says it is closed; the monitor lets go of it here, so nothing calls back into the monitor
        watches.values().removeIf(Watch::isClosed);
        for (Watch w : watches.values()) {
            try {
                w.sweep();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "sweep of sandbox " + w.sandboxId() + " failed: " + e.getMessage());
            }
        }
    }

    private void checkAll() {
        for (Watch w : watches.values()) {
            try {
                w.checkIntegrityInBackground();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "integrity check of sandbox " + w.sandboxId() + " failed: " + e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        sweeper.shutdownNow();
        checker.shutdownNow();
        watches.values().forEach(Watch::close);
    }
}
