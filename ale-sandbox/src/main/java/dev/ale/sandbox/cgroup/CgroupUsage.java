package dev.ale.sandbox.cgroup;

/** Usage counters: CPU time in nanoseconds, memory now and at peak in bytes, processes now. */
public record CgroupUsage(long cpuNanos, long memoryBytes, long memoryPeakBytes, int pids) {
}
