package dev.ale.sandbox.cgroup;

import java.util.List;
import java.util.Optional;

/**
 * The host's cgroup hierarchy, v1 (one mount per controller) or v2 (one unified tree).
 * Detected once at start; every sandbox cgroup lives under {@code ale/} in it.
 */
public interface CgroupDriver {

    /** {@code "v1"} or {@code "v2"}. */
    String version();

    /** Creates (or reuses) the cgroup {@code ale/<name>} with these limits in every controller ALE uses. */
    Cgroup create(String name, CgroupLimits limits);

    /** The existing cgroup {@code ale/<name>}, if any hierarchy has it. */
    Optional<Cgroup> open(String name);

    /** Names of the cgroups under {@code ale/} (in any hierarchy). */
    List<String> list();
}
