package dev.ale.core.passport;

import java.time.Duration;

/**
 * Limits of one sandbox. {@code cpus} is a quota in cores (0.5 = half a core); sizes are bytes.
 * The workspace and /tmp share one in-memory filesystem of {@code workspaceBytes}, and what is
 * written there also counts against {@code memoryBytes}. {@code cpuSustained} is how long the
 * sandbox may keep a core (or its whole quota) busy without any output before the monitor
 * reports it ({@code resource.cpu-sustained}).
 */
public record Resources(double cpus, long memoryBytes, int pids, Duration wallTime, long workspaceBytes, Duration cpuSustained) {

    /** The default for {@code cpuSustained}: longer than any quiet stretch of a build or test run one expects. */
    public static final Duration DEFAULT_CPU_SUSTAINED = Duration.ofMinutes(5);

    public Resources {
        if (!(cpus > 0) || Double.isInfinite(cpus)) throw new IllegalArgumentException("cpus must be > 0: " + cpus);
        if (memoryBytes <= 0) throw new IllegalArgumentException("memoryBytes must be > 0: " + memoryBytes);
        if (pids <= 0) throw new IllegalArgumentException("pids must be > 0: " + pids);
        if (wallTime == null || wallTime.isNegative() || wallTime.isZero()) {
            throw new IllegalArgumentException("wallTime must be > 0: " + wallTime);
        }
        if (workspaceBytes <= 0) throw new IllegalArgumentException("workspaceBytes must be > 0: " + workspaceBytes);
        if (cpuSustained == null || cpuSustained.isNegative() || cpuSustained.isZero()) {
            throw new IllegalArgumentException("cpuSustained must be > 0: " + cpuSustained);
        }
    }

    /** Limits with the default {@code cpuSustained}. */
    public Resources(double cpus, long memoryBytes, int pids, Duration wallTime, long workspaceBytes) {
        this(cpus, memoryBytes, pids, wallTime, workspaceBytes, DEFAULT_CPU_SUSTAINED);
    }

    public static Resources defaults() {
        return new Resources(1.0, ByteSize.parse("1GiB"), 256, Duration.ofMinutes(10), ByteSize.parse("512MiB"), DEFAULT_CPU_SUSTAINED);
    }

    public Resources withWallTime(Duration newWallTime) {
        return new Resources(cpus, memoryBytes, pids, newWallTime, workspaceBytes, cpuSustained);
    }

    /**
     * These limits with new sizes and every other limit kept: what a request that names sizes (ROCK's
     * start, Harbor's task.toml) derives, so a limit it does not name is never reset to a default.
     */
    public Resources withSizes(double newCpus, long newMemoryBytes, long newWorkspaceBytes) {
        return new Resources(newCpus, newMemoryBytes, pids, wallTime, newWorkspaceBytes, cpuSustained);
    }
}
