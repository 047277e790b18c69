package dev.ale.core.sandbox;

import java.time.Duration;

/** Usage read from the sandbox's cgroup. */
public record SandboxStats(Duration cpuTime, long memoryBytes, long memoryPeakBytes, int pids) {
}
