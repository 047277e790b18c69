package dev.ale.sandbox.cgroup;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The host's cgroup hierarchy, v1 (one mount per controller) or v2 (one unified tree).
 * Detected once at start; every sandbox cgroup lives under one parent in it, {@code ale/} unless
 * {@link #withParent(String)} names another (nodes sharing a host each keep their own).
 */
public interface CgroupDriver {

    /** The parent of every sandbox cgroup unless told otherwise. */
    String DEFAULT_PARENT = "ale";

    /**
     * The driver for this host, from /proc/self/mountinfo: v2 when cgroup2 is mounted at
     * /sys/fs/cgroup, else v1 when cpu, cpuacct, memory, pids and freezer hierarchies are mounted.
     *
     * @throws dev.ale.core.sandbox.SandboxException (ENVIRONMENT) naming what is missing
     */
    static CgroupDriver detect() {
        return CgroupMounts.driverFor(CgroupFiles.read(Path.of("/proc/self/mountinfo")));
    }

    /**
     * This driver with sandbox cgroups under {@code parent}, a path relative to the cgroup root
     * (in v1, to each controller's mount): {@code ale-n1}, {@code ale/n1}.
     *
     * @throws dev.ale.core.sandbox.SandboxException (INPUT) when the path is absolute, climbs or holds odd characters
     */
    CgroupDriver withParent(String parent);

    /** {@code parent} if it is a fit parent path for {@link #withParent(String)}; a SandboxException (INPUT) saying why not otherwise. */
    static String checkParent(String parent) {
        return CgroupFiles.checkParent(parent);
    }

    /** The parent path, relative to the cgroup root. */
    String parent();

    /** {@code "v1"} or {@code "v2"}. */
    String version();

    /** Creates (or reuses) the cgroup {@code <parent>/<name>} with these limits in every controller ALE uses. */
    Cgroup create(String name, CgroupLimits limits);

    /** The existing cgroup {@code <parent>/<name>}, if any hierarchy has it. */
    Optional<Cgroup> open(String name);

    /** Names of the cgroups under the parent (in any hierarchy). */
    List<String> list();
}
