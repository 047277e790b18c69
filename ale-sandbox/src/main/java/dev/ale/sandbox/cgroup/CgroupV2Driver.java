package dev.ale.sandbox.cgroup;

import dev.ale.core.AleException.Fault;
import dev.ale.core.sandbox.SandboxException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** cgroup v2: one unified tree; sandbox {@code NAME} is {@code <root>/<parent>/NAME}, the parent {@code ale} by default. */
public final class CgroupV2Driver implements CgroupDriver {

    /** The controllers ALE enables for the parent ({@code ale/}) and its children. */
    public static final List<String> CONTROLLERS = List.of("cpu", "memory", "pids");

    private final Path root;
    private final String parent;

    /** @param root the cgroup2 mount (or a cgroup delegated to ALE), e.g. {@code /sys/fs/cgroup} */
    public CgroupV2Driver(Path root) {
        this(root, DEFAULT_PARENT);
    }

    private CgroupV2Driver(Path root, String parent) {
        this.root = root;
        this.parent = CgroupFiles.checkParent(parent);
    }

    @Override
    public CgroupDriver withParent(String path) {
        return new CgroupV2Driver(root, path);
    }

    @Override
    public String parent() {
        return parent;
    }

    public Path root() {
        return root;
    }

    @Override
    public String version() {
        return "v2";
    }

    @Override
    public Cgroup create(String name, CgroupLimits limits) {
        Path top = root.resolve(parent);
        V2Cgroup cgroup = new V2Cgroup(CgroupFiles.checkName(name), top.resolve(name));
        boolean fresh = !Files.isDirectory(cgroup.dir);
        try {
            // every level from the root down hands cpu, memory and pids on (a nested parent like ale/n1 has two)
            Path level = root;
            enableControllers(level);
            for (Path segment : Path.of(parent)) {
                level = level.resolve(segment.toString());
                CgroupFiles.createDirectories(level);
                enableControllers(level);
            }
            CgroupFiles.createDirectories(cgroup.dir);
            CgroupFiles.write(cgroup.dir.resolve("cpu.max"),
                    limits.cpuQuotaMicros() + " " + CgroupLimits.CPU_PERIOD_MICROS);
            CgroupFiles.write(cgroup.dir.resolve("memory.max"), limits.memoryBytes());
            // Without this, swap would let a sandbox use more than memory.max.
            Path swap = cgroup.dir.resolve("memory.swap.max");
            if (Files.exists(swap)) CgroupFiles.write(swap, 0);
            CgroupFiles.write(cgroup.dir.resolve("pids.max"), limits.pids());
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

    /** Children of {@code dir} get cpu, memory and pids only once they are in its subtree_control. */
    private static void enableControllers(Path dir) {
        Path available = dir.resolve("cgroup.controllers");
        Set<String> offered = CgroupFiles.words(available);
        List<String> unavailable = CONTROLLERS.stream().filter(c -> !offered.contains(c)).toList();
        if (!unavailable.isEmpty()) {
            throw new SandboxException(Fault.ENVIRONMENT, "cgroup v2 controllers " + unavailable + " are not available in "
                    + available + " ('" + CgroupFiles.read(available) + "'); ALE needs cpu, memory and pids there:"
                    + " give ALE a cgroup with them delegated (e.g. a systemd unit with Delegate=yes), or, on a host"
                    + " where they are bound to cgroup v1 hierarchies, let ALE use those");
        }
        Path subtree = dir.resolve("cgroup.subtree_control");
        Set<String> enabled = CgroupFiles.words(subtree);
        String toEnable = CONTROLLERS.stream().filter(c -> !enabled.contains(c)).map(c -> "+" + c)
                .collect(Collectors.joining(" "));
        if (toEnable.isEmpty()) return;
        try {
            CgroupFiles.write(subtree, toEnable);
        } catch (SandboxException e) {
            if (!CgroupFiles.isBusy(e)) throw e;
            // "No internal processes": a non-root cgroup with processes of its own cannot hand controllers down.
            throw new SandboxException(Fault.ENVIRONMENT, "cannot enable '" + toEnable + "' in " + subtree
                    + ": the cgroup has processes of its own (typical inside a container, whose"
                    + " /sys/fs/cgroup is its own cgroup). ALE needs a delegated cgroup it can subdivide: run it under a"
                    + " systemd unit with Delegate=yes, or first move the processes in " + dir.resolve("cgroup.procs")
                    + " into a child cgroup (e.g. " + dir.resolve("init") + ")", e);
        }
    }

    @Override
    public Optional<Cgroup> open(String name) {
        Path dir = root.resolve(parent).resolve(CgroupFiles.checkName(name));
        return Files.isDirectory(dir) ? Optional.of(new V2Cgroup(name, dir)) : Optional.empty();
    }

    @Override
    public List<String> list() {
        return CgroupFiles.subdirectoryNames(root.resolve(parent));
    }

    private record V2Cgroup(String name, Path dir) implements Cgroup {

        @Override
        public List<Path> procsFiles() {
            return List.of(dir.resolve("cgroup.procs"));
        }

        @Override
        public Set<Integer> pids() {
            return CgroupFiles.readPids(dir.resolve("cgroup.procs"));
        }

        @Override
        public CgroupUsage usage() {
            Path peak = dir.resolve("memory.peak"); // since Linux 5.19
            long current = CgroupFiles.readLong(dir.resolve("memory.current"));
            return new CgroupUsage(
                    CgroupFiles.keyValue(dir.resolve("cpu.stat"), "usage_usec") * 1000,
                    current,
                    Files.exists(peak) ? CgroupFiles.readLong(peak) : current,
                    (int) CgroupFiles.readLong(dir.resolve("pids.current")));
        }

        @Override
        public long oomKills() {
            return CgroupFiles.keyValue(dir.resolve("memory.events"), "oom_kill");
        }

        @Override
        public long pidsLimitHits() {
            return CgroupFiles.keyValue(dir.resolve("pids.events"), "max");
        }

        @Override
        public void freeze() {
            CgroupFiles.write(dir.resolve("cgroup.freeze"), 1);
            CgroupProcesses.await(() -> CgroupFiles.keyValue(dir.resolve("cgroup.events"), "frozen") == 1, CgroupProcesses.FREEZE_WAIT);
        }

        @Override
        public void thaw() {
            Path freeze = dir.resolve("cgroup.freeze");
            if (Files.exists(freeze)) CgroupFiles.write(freeze, 0);
        }

        @Override
        public boolean frozen() {
            Path freeze = dir.resolve("cgroup.freeze");
            return Files.exists(freeze) && CgroupFiles.readLong(freeze) == 1;
        }

        /** cgroup.kill (Linux 5.14) kills the whole subtree at once; before it, freeze, kill each, thaw. */
        @Override
        public void killAll() {
            signalAll();
            CgroupProcesses.killUntilEmpty(this::pids, dir.toString());
        }

        @Override
        public void killAllWithoutWaiting() {
            if (!signalAll()) CgroupProcesses.killUntilEmpty(this::pids, dir.toString());
        }

        /** SIGKILLs the whole cgroup; true when nothing could fork past the kill (cgroup.kill, or a complete freeze). */
        private boolean signalAll() {
            Path kill = dir.resolve("cgroup.kill");
            if (Files.exists(kill)) {
                // a fatal signal reaches frozen tasks too; the thaw leaves nothing of a held sandbox frozen
                CgroupFiles.write(kill, 1);
                thaw();
                return true;
            }
            Path freeze = dir.resolve("cgroup.freeze");
            CgroupFiles.write(freeze, 1);
            try {
                boolean frozen = CgroupProcesses.await(() -> CgroupFiles.keyValue(dir.resolve("cgroup.events"), "frozen") == 1,
                        CgroupProcesses.FREEZE_WAIT);
                CgroupProcesses.kill(pids());
                return frozen;
            } finally {
                CgroupFiles.write(freeze, 0);
            }
        }

        @Override
        public void remove() {
            if (!Files.isDirectory(dir)) return;
            if (!pids().isEmpty()) killAll();
            CgroupFiles.removeDirectory(dir);
        }
    }
}
