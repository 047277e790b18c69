package dev.ale.monitor;

import dev.ale.core.sandbox.ProcessSnapshot;
import dev.ale.core.sandbox.Sandbox;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * GPU utilisation from NVML's per-process samples: the share of each GPU's streaming
 * multiprocessors the sandbox's processes (host pids) used, summed over GPUs. NVML is loaded on
 * the first reading, so a machine without a GPU, or a run without a GPU grant, never touches it;
 * where it cannot be loaded the meter says so once in the log and reads nothing from then on.
 */
public final class NvmlGpuMeter implements GpuMeter, AutoCloseable {

    /** The driver's library, as the dynamic loader names it. */
    public static final String LIBRARY = "libnvidia-ml.so.1";

    private static final System.Logger LOG = System.getLogger(NvmlGpuMeter.class.getName());

    private final String library;
    private final Duration refresh;
    private final Duration current;
    private final LongSupplier nanoClock;
    private Optional<Nvml> nvml = Optional.empty();
    private boolean unavailable;
    private long lastRefresh;
    private boolean refreshed;
    private long[] lastSeenMicros = new long[0];
    /** Per device: each pid's newest sample and when this meter first saw it. */
    private final List<Map<Long, Seen>> latest = new ArrayList<>();

    private record Seen(Nvml.Sample sample, long seenAtNanos) {
    }

    /**
     * @param library  the NVML library to load ({@link #LIBRARY} on a real host)
     * @param refresh  how often NVML is asked at most, however many sandboxes are swept
     * @param current  how long a process's last sample counts as its present use (NVML reports
     *                 only processes that ran on the GPU, so one without a new sample is idle)
     * @param nanoClock the meter's clock
     */
    NvmlGpuMeter(String library, Duration refresh, Duration current, LongSupplier nanoClock) {
        this.library = library;
        this.refresh = refresh;
        this.current = current;
        this.nanoClock = nanoClock;
    }

    private static final NvmlGpuMeter DRIVER = new NvmlGpuMeter(LIBRARY, Duration.ofSeconds(1), Duration.ofSeconds(3), System::nanoTime);

    /** This JVM's one meter over the driver's NVML, asked at most once a second; a sample counts for three seconds. */
    public static NvmlGpuMeter driver() {
        return DRIVER;
    }

    @Override
    public synchronized OptionalDouble utilisation(Sandbox sandbox, List<ProcessSnapshot> processes) {
        if (!loaded()) return OptionalDouble.empty();
        long now = nanoClock.getAsLong();
        if (!refreshed || now - lastRefresh >= refresh.toNanos()) {
            try {
                read(now);
            } catch (IllegalStateException e) {
                LOG.log(System.Logger.Level.WARNING, "GPU meter: " + e.getMessage() + "; GPU use is not judged from now on");
                unavailable = true;
                nvml.ifPresent(Nvml::close);
                nvml = Optional.empty();
                return OptionalDouble.empty();
            }
            lastRefresh = now;
            refreshed = true;
        }
        Set<Long> pids = new HashSet<>();
        for (ProcessSnapshot p : processes) pids.add(p.pid());
        double total = 0;
        for (Map<Long, Seen> device : latest) {
            int percent = 0;
            for (long pid : pids) {
                Seen seen = device.get(pid);
                if (seen != null && now - seen.seenAtNanos() <= current.toNanos()) percent += seen.sample().smPercent();
            }
            total += Math.min(100, percent) / 100.0;
        }
        return OptionalDouble.of(total);
    }

    /** Whether NVML is loaded, loading it on the first call. */
    private boolean loaded() {
        if (nvml.isPresent()) return true;
        if (unavailable) return false;
        try {
            Nvml opened = Nvml.open(library);
            nvml = Optional.of(opened);
            lastSeenMicros = new long[opened.deviceCount()];
            latest.clear();
            for (int i = 0; i < opened.deviceCount(); i++) latest.add(new HashMap<>());
            LOG.log(System.Logger.Level.INFO, "GPU meter: NVML from " + library + ", " + opened.deviceCount() + " GPU(s)");
            return true;
        } catch (IllegalStateException e) {
            unavailable = true;
            LOG.log(System.Logger.Level.WARNING, "GPU meter: " + e.getMessage() + "; GPU use is not judged (resource.gpu-sustained is off)");
            return false;
        }
    }

    private void read(long now) {
        Nvml lib = nvml.orElseThrow();
        for (int d = 0; d < lib.deviceCount(); d++) {
            Map<Long, Seen> device = latest.get(d);
            for (Nvml.Sample s : lib.processUtilization(d, lastSeenMicros[d])) {
                Seen before = device.get(s.pid());
                if (before == null || s.timestampMicros() > before.sample().timestampMicros()) device.put(s.pid(), new Seen(s, now));
                lastSeenMicros[d] = Math.max(lastSeenMicros[d], s.timestampMicros());
            }
            device.values().removeIf(seen -> now - seen.seenAtNanos() > current.toNanos());
        }
    }

    @Override
    public synchronized void close() {
        nvml.ifPresent(Nvml::close);
        nvml = Optional.empty();
        unavailable = true;
    }
}
