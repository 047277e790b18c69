/** cgroups v1 and v2: a sandbox's limits, usage, processes and kill. */
package dev.ale.sandbox.cgroup;
