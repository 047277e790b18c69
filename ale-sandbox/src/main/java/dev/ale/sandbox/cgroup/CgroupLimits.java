package dev.ale.sandbox.cgroup;

/** Limits written into a cgroup: a CPU quota in cores, memory in bytes, a process count. */
public record CgroupLimits(double cpus, long memoryBytes, int pids) {

    /** The CFS period both cgroup versions use; the quota is a share of it. */
    public static final long CPU_PERIOD_MICROS = 100_000;

    /** The kernel refuses CFS quotas below 1 ms. */
    static final long MIN_CPU_QUOTA_MICROS = 1_000;

    public CgroupLimits {
        if (!(cpus > 0) || Double.isInfinite(cpus)) throw new IllegalArgumentException("cpus must be > 0: " + cpus);
        if (memoryBytes <= 0) throw new IllegalArgumentException("memoryBytes must be > 0: " + memoryBytes);
        if (pids <= 0) throw new IllegalArgumentException("pids must be > 0: " + pids);
    }

    /** CPU time per {@link #CPU_PERIOD_MICROS}, at least the kernel's minimum of 1 ms. */
    public long cpuQuotaMicros() {
        return Math.max(MIN_CPU_QUOTA_MICROS, Math.round(cpus * CPU_PERIOD_MICROS));
    }
}
