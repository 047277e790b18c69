package dev.ale.cli.bench;

import java.io.IOException;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What sandboxes of a bench left on the host after they were destroyed, searched where each piece
 * lives rather than asked of the backend: network namespaces, host-side veths, nftables chains,
 * cgroups, mounts and processes.
 */
final class HostLeftovers {

    /** Each list names what stayed; all empty means nothing did. */
    record Found(List<String> listed, List<String> netns, int veths, int nftChains, List<String> cgroups,
                 List<String> mounts, List<String> processes) {

        int total() {
            return listed.size() + netns.size() + veths + nftChains + cgroups.size() + mounts.size() + processes.size();
        }
    }

    private HostLeftovers() {
    }

    /**
     * Searches for anything of the sandboxes {@code ids} ({@code stillListed}: those the backend
     * still lists). Veths and nft chains carry link ids, not sandbox ids, so they are counted
     * against {@code before}: a bench that ran alone leaves their counts where it found them.
     */
    static Found find(Set<String> ids, Set<String> stillListed, ScaleBench.Footprint before) {
        List<String> listed = ids.stream().filter(stillListed::contains).sorted().toList();
        List<String> netns = ids.stream().filter(id -> Files.exists(Path.of("/run/netns", "ale-" + id))).sorted().toList();
        List<String> cgroups = new ArrayList<>();
        try (Stream<Path> dirs = Files.find(Path.of("/sys/fs/cgroup"), 3,
                (p, a) -> a.isDirectory() && p.getFileName() != null && ids.contains(p.getFileName().toString()))) {
            dirs.forEach(p -> cgroups.add(p.toString()));
        } catch (IOException | RuntimeException e) {
            cgroups.add("(cannot search /sys/fs/cgroup: " + e.getMessage() + ")");
        }
        List<String> mounts = linesNaming(Path.of("/proc/self/mountinfo"), ids);
        List<String> processes = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .forEach(p -> {
                        if (!linesNaming(p.resolve("cgroup"), ids).isEmpty()) processes.add(p.getFileName().toString());
                    });
        } catch (IOException e) {
            processes.add("(cannot list /proc: " + e.getMessage() + ")");
        }
        return new Found(listed, netns, Math.max(0, hostVeths() - before.veths()),
                Math.max(0, nftSandboxChains() - before.nftChains()), List.copyOf(cgroups), mounts, List.copyOf(processes));
    }

    /** Host-side sandbox veths ({@code ale-h…}) in this network namespace. */
    static int hostVeths() {
        try {
            return (int) NetworkInterface.networkInterfaces().filter(i -> i.getName().startsWith("ale-h")).count();
        } catch (SocketException e) {
            return -1;
        }
    }

    /** Sandbox chains in ALE's nftables table (four per sandbox), 0 when there is no table. */
    static int nftSandboxChains() {
        String listing = nftTable();
        int n = 0;
        for (int i = listing.indexOf("chain ale_sb_"); i >= 0; i = listing.indexOf("chain ale_sb_", i + 1)) n++;
        return n;
    }

    /** Lines of {@code nft list table inet ale}: how the table grows with sandboxes. */
    static int nftTableLines() {
        String listing = nftTable();
        return listing.isEmpty() ? 0 : (int) listing.lines().count();
    }

    private static String nftTable() {
        try {
            Process p = new ProcessBuilder("nft", "list", "table", "inet", "ale").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor() == 0 ? out : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static List<String> linesNaming(Path file, Set<String> ids) {
        List<String> hits = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file)) {
                for (String id : ids) {
                    if (line.contains(id)) {
                        hits.add(line);
                        break;
                    }
                }
            }
        } catch (IOException e) {
            // a process that ended meanwhile
        }
        return hits;
    }
}
