package dev.ale.core.passport;

import java.time.Duration;

/**
 * Limits of one sandbox. {@code cpus} is a quota in cores (0.5 = half a core); sizes are bytes.
 * The workspace and /tmp share one in-memory filesystem of {@code workspaceBytes}, and what is
 * written there also counts against {@code memoryBytes}.
 */
public record Resources(double cpus, long memoryBytes, int pids, Duration wallTime, long workspaceBytes) {

    public Resources {
        if (!(cpus > 0) || Double.isInfinite(cpus)) throw new IllegalArgumentException("cpus must be > 0: " + cpus);
        if (memoryBytes <= 0) throw new IllegalArgumentException("memoryBytes must be > 0: " + memoryBytes);
        if (pids <= 0) throw new IllegalArgumentException("pids must be > 0: " + pids);
        if (wallTime == null || wallTime.isNegative() || wallTime.isZero()) {
            throw new IllegalArgumentException("wallTime must be > 0: " + wallTime);
        }
        if (workspaceBytes <= 0) throw new IllegalArgumentException("workspaceBytes must be > 0: " + workspaceBytes);
    }

    public static Resources defaults() {
        return new Resources(1.0, ByteSize.parse("1GiB"), 256, Duration.ofMinutes(10), ByteSize.parse("512MiB"));
    }

    public Resources withWallTime(Duration newWallTime) {
        return new Resources(cpus, memoryBytes, pids, newWallTime, workspaceBytes);
    }
}
