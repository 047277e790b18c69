package dev.ale.sandbox.cgroup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** cgroup v1: one hierarchy per controller; sandbox {@code NAME} is {@code <mount>/<parent>/NAME} in each of them ({@code ale} by default). */
public final class CgroupV1Driver implements CgroupDriver {

    /** The controllers ALE uses; cpu and cpuacct may share one hierarchy (mounted as {@code cpu,cpuacct}). */
    public static final List<String> CONTROLLERS = List.of("cpu", "cpuacct", "memory", "pids", "freezer");

    private final Map<String, Path> mounts;
    private final String parent;

    /** @param mounts each controller's mount point, e.g. {@code memory -> /sys/fs/cgroup/memory} */
    public CgroupV1Driver(Map<String, Path> mounts) {
        this(mounts, DEFAULT_PARENT);
    }

    private CgroupV1Driver(Map<String, Path> mounts, String parent) {
        this.parent = CgroupFiles.checkParent(parent);
        List<String> missing = CONTROLLERS.stream().filter(c -> !mounts.containsKey(c)).toList();
        if (!missing.isEmpty()) throw new IllegalArgumentException("no mount point for cgroup v1 controllers " + missing);
        Map<String, Path> ours = new LinkedHashMap<>();
        CONTROLLERS.forEach(c -> ours.put(c, mounts.get(c)));
        this.mounts = Collections.unmodifiableMap(ours);
    }

    /** Mount point of each controller in {@link #CONTROLLERS}. */
    public Map<String, Path> mounts() {
        return mounts;
    }

    @Override
    public CgroupDriver withParent(String path) {
        return new CgroupV1Driver(mounts, path);
    }

    @Override
    public String parent() {
        return parent;
    }

    @Override
    public String version() {
        return "v1";
    }

    @Override
    public Cgroup create(String name, CgroupLimits limits) {
        V1Cgroup cgroup = cgroupFor(name);
        boolean fresh = cgroup.dirs().stream().noneMatch(Files::isDirectory);
        try {
            cgroup.dirs().forEach(CgroupFiles::createDirectories);
            CgroupFiles.write(cgroup.cpu.resolve("cpu.cfs_period_us"), CgroupLimits.CPU_PERIOD_MICROS);
            CgroupFiles.write(cgroup.cpu.resolve("cpu.cfs_quota_us"), limits.cpuQuotaMicros());
            writeMemoryLimit(cgroup.memory, limits.memoryBytes());
            CgroupFiles.write(cgroup.pidsDir.resolve("pids.max"), limits.pids());
            return cgroup;
        } catch (RuntimeException e) {
            if (fresh) {
                try {
                    cgroup.remove();
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
    }

    /**
     * memory.memsw.limit_in_bytes (memory + swap) gets the same value, so swap cannot stretch the
     * limit. The kernel insists on limit <= memsw.limit after every write, so the one that grows
     * goes first: memory first for a fresh cgroup, memsw first when raising a reused one.
     */
    private static void writeMemoryLimit(Path dir, long bytes) {
        Path memory = dir.resolve("memory.limit_in_bytes");
        Path memsw = dir.resolve("memory.memsw.limit_in_bytes");
        if (!Files.exists(memsw)) {
            CgroupFiles.write(memory, bytes);
        } else if (bytes > CgroupFiles.readLong(memsw)) {
            CgroupFiles.write(memsw, bytes);
            CgroupFiles.write(memory, bytes);
        } else {
            CgroupFiles.write(memory, bytes);
            CgroupFiles.write(memsw, bytes);
        }
    }

    @Override
    public Optional<Cgroup> open(String name) {
        V1Cgroup cgroup = cgroupFor(name);
        return cgroup.dirs().stream().anyMatch(Files::isDirectory) ? Optional.of(cgroup) : Optional.empty();
    }

    @Override
    public List<String> list() {
        Set<String> names = new TreeSet<>();
        mounts.values().stream().distinct().forEach(m -> names.addAll(CgroupFiles.subdirectoryNames(m.resolve(parent))));
        return List.copyOf(names);
    }

    private V1Cgroup cgroupFor(String name) {
        CgroupFiles.checkName(name);
        return new V1Cgroup(name,
                dir("cpu", name), dir("cpuacct", name), dir("memory", name), dir("pids", name), dir("freezer", name));
    }

    private Path dir(String controller, String name) {
        return mounts.get(controller).resolve(parent).resolve(name);
    }

    private record V1Cgroup(String name, Path cpu, Path cpuacct, Path memory, Path pidsDir, Path freezer)
            implements Cgroup {

        /** One directory per hierarchy; fewer than five when controllers share a mount. */
        List<Path> dirs() {
            return Stream.of(cpu, cpuacct, memory, pidsDir, freezer).distinct().toList();
        }

        @Override
        public List<Path> procsFiles() {
            return dirs().stream().map(d -> d.resolve("cgroup.procs")).toList();
        }

        /** The union over hierarchies: a process half-way through joining is still found. */
        @Override
        public Set<Integer> pids() {
            return procsFiles().stream().flatMap(f -> CgroupFiles.readPids(f).stream())
                    .collect(Collectors.toUnmodifiableSet());
        }

        @Override
        public CgroupUsage usage() {
            return new CgroupUsage(
                    CgroupFiles.readLong(cpuacct.resolve("cpuacct.usage")),
                    CgroupFiles.readLong(memory.resolve("memory.usage_in_bytes")),
                    CgroupFiles.readLong(memory.resolve("memory.max_usage_in_bytes")),
                    (int) CgroupFiles.readLong(pidsDir.resolve("pids.current")));
        }

        @Override
        public long oomKills() {
            return CgroupFiles.keyValue(memory.resolve("memory.oom_control"), "oom_kill");
        }

        @Override
        public long pidsLimitHits() {
            return CgroupFiles.keyValue(pidsDir.resolve("pids.events"), "max");
        }

        @Override
        public void freeze() {
            Path state = freezer.resolve("freezer.state");
            CgroupFiles.write(state, "FROZEN");
            CgroupProcesses.await(() -> CgroupFiles.read(state).equals("FROZEN"), CgroupProcesses.FREEZE_WAIT);
        }

        @Override
        public void thaw() {
            Path state = freezer.resolve("freezer.state");
            if (Files.exists(state)) CgroupFiles.write(state, "THAWED");
        }

        @Override
        public boolean frozen() {
            Path state = freezer.resolve("freezer.state");
            return Files.exists(state) && !CgroupFiles.read(state).equals("THAWED");
        }

        /** Frozen first, so nothing can fork while the kill goes round; SIGKILL takes effect on thaw. */
        @Override
        public void killAll() {
            freezeAndKill();
            CgroupProcesses.killUntilEmpty(this::pids, "ale/" + name);
        }

        @Override
        public void killAllWithoutWaiting() {
            if (!freezeAndKill()) CgroupProcesses.killUntilEmpty(this::pids, "ale/" + name);
        }

        /** SIGKILLs every process while the cgroup is frozen; true when it froze completely (nothing could fork past the kill). */
        private boolean freezeAndKill() {
            Path state = freezer.resolve("freezer.state");
            if (!Files.exists(state)) {
                CgroupProcesses.kill(pids());
                return false;
            }
            CgroupFiles.write(state, "FROZEN");
            try {
                // Tasks in uninterruptible sleep may keep it FREEZING; kill anyway, stragglers are re-killed by the caller.
                boolean frozen = CgroupProcesses.await(() -> CgroupFiles.read(state).equals("FROZEN"), CgroupProcesses.FREEZE_WAIT);
                CgroupProcesses.kill(pids());
                return frozen;
            } finally {
                CgroupFiles.write(state, "THAWED");
            }
        }

        @Override
        public void remove() {
            if (dirs().stream().noneMatch(Files::isDirectory)) return;
            if (!pids().isEmpty()) killAll();
            dirs().forEach(CgroupFiles::removeDirectory);
        }
    }
}
