package dev.ale.cli.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Two cpuset cgroups (v1) for {@code ale bench cluster --split-cpus}: one for the front's process,
 * one for the nodes, everything they start and the bench's own client. {@link #split()} gives the
 * front its CPUs and the nodes the rest, as if the front ran on a machine of its own; {@link
 * #share()} gives both groups every CPU, as on one host. A process started through {@link
 * #wrap(Group, List)} is in its group before it runs, so every process it forks is too (ALE's
 * sandboxes move into cgroups of the cpu, memory, pids and freezer hierarchies, never cpuset).
 */
final class CpuSets implements AutoCloseable {

    /** Which of the two groups. */
    enum Group { FRONT, NODES }

    private static final Path ROOT = Path.of("/sys/fs/cgroup/cpuset");

    private final Path front;
    private final Path nodes;
    private final String all;
    private final String frontCpus;
    private final String nodeCpus;
    private Optional<String> clientHome = Optional.empty();

    private CpuSets(Path front, Path nodes, String all, String frontCpus, String nodeCpus) {
        this.front = front;
        this.nodes = nodes;
        this.all = all;
        this.frontCpus = frontCpus;
        this.nodeCpus = nodeCpus;
    }

    /**
     * Makes the two groups, both with every CPU to start with; {@code frontCpus} (Linux's list
     * format, {@code 1} or {@code 2-3}) must be some but not all of this host's CPUs.
     */
    static CpuSets create(String tag, String frontCpus) throws IOException {
        if (!Files.isRegularFile(ROOT.resolve("cpuset.cpus"))) {
            throw new IllegalArgumentException("--split-cpus: needs the cgroup v1 cpuset hierarchy at " + ROOT
                    + ", which this host does not have (on a cgroup v2 host, place the processes with taskset or a cpuset of your own)");
        }
        String all = Files.readString(ROOT.resolve("cpuset.effective_cpus")).strip();
        TreeSet<Integer> every = parse(all, "the host's CPUs");
        TreeSet<Integer> mine = parse(frontCpus, "--split-cpus");
        if (!every.containsAll(mine)) {
            throw new IllegalArgumentException("--split-cpus: CPUs " + frontCpus + " are not all among this host's (" + all + ")");
        }
        TreeSet<Integer> rest = new TreeSet<>(every);
        rest.removeAll(mine);
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("--split-cpus: " + frontCpus + " leaves no CPU for the nodes (this host has " + all + ")");
        }
        String mems = Files.readString(ROOT.resolve("cpuset.effective_mems")).strip();
        Path f = make(ROOT.resolve("ale-bench-" + tag + "-front"), all, mems);
        Path n;
        try {
            n = make(ROOT.resolve("ale-bench-" + tag + "-nodes"), all, mems);
        } catch (IOException e) {
            Files.deleteIfExists(f);
            throw e;
        }
        return new CpuSets(f, n, all, format(mine), format(rest));
    }

    private static Path make(Path dir, String cpus, String mems) throws IOException {
        Files.createDirectory(dir);
        try {
            // a v1 cpuset takes no task until both are set
            Files.writeString(dir.resolve("cpuset.mems"), mems);
            Files.writeString(dir.resolve("cpuset.cpus"), cpus);
            return dir;
        } catch (IOException e) {
            Files.deleteIfExists(dir);
            throw e;
        }
    }

    /** {@code command}, run so that it joins {@code group} first and then execs (same pid, same arguments). */
    List<String> wrap(Group group, List<String> command) {
        List<String> out = new ArrayList<>(List.of("sh", "-c", "echo $$ > \"$0\" && exec \"$@\"", dir(group).resolve("cgroup.procs").toString()));
        out.addAll(command);
        return out;
    }

    /** Moves this process (all its threads) into the nodes' group: the bench's client is not the front's to pay for. */
    void joinClientToNodes() throws IOException {
        clientHome = Optional.of(ownCpuset());
        Files.writeString(nodes.resolve("cgroup.procs"), String.valueOf(ProcessHandle.current().pid()));
    }

    /** The front on its own CPUs, the nodes and the client on the rest. */
    void split() throws IOException {
        // shrink one group before the other grows: neither is ever left without a CPU
        Files.writeString(front.resolve("cpuset.cpus"), frontCpus);
        Files.writeString(nodes.resolve("cpuset.cpus"), nodeCpus);
    }

    /** Every CPU for both groups, as on one shared host. */
    void share() throws IOException {
        Files.writeString(front.resolve("cpuset.cpus"), all);
        Files.writeString(nodes.resolve("cpuset.cpus"), all);
    }

    String frontCpus() {
        return frontCpus;
    }

    String nodeCpus() {
        return nodeCpus;
    }

    /** Moves whatever is still in the groups (this process, at least) back to the root and removes them. */
    @Override
    public void close() throws IOException {
        IOException first = null;
        for (Path dir : List.of(front, nodes)) {
            try {
                for (String pid : Files.readAllLines(dir.resolve("cgroup.procs"))) {
                    if (pid.isBlank()) continue;
                    Path home = pid.strip().equals(String.valueOf(ProcessHandle.current().pid())) && clientHome.isPresent()
                            ? ROOT.resolve(clientHome.get().substring(1)) : ROOT;
                    try {
                        Files.writeString(home.resolve("cgroup.procs"), pid.strip());
                    } catch (IOException gone) {
                        // it ended between the read and the write
                    }
                }
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                if (first == null) first = e;
            }
        }
        if (first != null) throw first;
    }

    private Path dir(Group group) {
        return group == Group.FRONT ? front : nodes;
    }

    /** This process's cpuset cgroup, from /proc/self/cgroup ({@code 3:cpuset:/a/b}). */
    private static String ownCpuset() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"), StandardCharsets.UTF_8)) {
            String[] f = line.split(":", 3);
            if (f.length == 3 && List.of(f[1].split(",")).contains("cpuset")) return f[2];
        }
        return "/";
    }

    /** Linux's CPU list format: {@code 0-2,5}. */
    static TreeSet<Integer> parse(String list, String what) {
        TreeSet<Integer> out = new TreeSet<>();
        for (String part : list.strip().split(",")) {
            String[] range = part.strip().split("-", -1);
            try {
                int from = Integer.parseInt(range[0].strip());
                int to = range.length == 2 ? Integer.parseInt(range[1].strip()) : from;
                if (range.length > 2 || from < 0 || to < from) throw new NumberFormatException(part);
                for (int c = from; c <= to; c++) out.add(c);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(what + ": '" + list + "' is not a CPU list such as 1 or 0-1,3", e);
            }
        }
        return out;
    }

    static String format(TreeSet<Integer> cpus) {
        return cpus.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
}
