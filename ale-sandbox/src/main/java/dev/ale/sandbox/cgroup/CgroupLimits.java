package dev.ale.sandbox.cgroup;

/** Limits written into a cgroup: a CPU quota in cores, memory in bytes, a process count. */
public record CgroupLimits(double cpus, long memoryBytes, int pids) {
}
