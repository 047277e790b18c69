package dev.ale.sandbox.cgroup;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The host's cgroup hierarchy, v1 (one mount per controller) or v2 (one unified tree).
 * Detected once at start; every sandbox cgroup lives under {@code ale/} in it.
 */
public interface CgroupDriver {

    /**
     * The driver for this host, from /proc/self/mountinfo: v2 when cgroup2 is mounted at
     * /sys/fs/cgroup, else v1 when cpu, cpuacct, memory, pids and freezer hierarchies are mounted.
     *
     * @throws dev.ale.core.sandbox.SandboxException (ENVIRONMENT) naming what is missing
     */
    static CgroupDriver detect() {
        return CgroupMounts.driverFor(CgroupFiles.read(Path.of("/proc/self/mountinfo")));
    }

    /** {@code "v1"} or {@code "v2"}. */
    String version();

    /** Creates (or reuses) the cgroup {@code ale/<name>} with these limits in every controller ALE uses. */
    Cgroup create(String name, CgroupLimits limits);

    /** The existing cgroup {@code ale/<name>}, if any hierarchy has it. */
    Optional<Cgroup> open(String name);

    /** Names of the cgroups under {@code ale/} (in any hierarchy). */
    List<String> list();
}
