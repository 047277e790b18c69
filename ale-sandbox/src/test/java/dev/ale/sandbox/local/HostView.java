package dev.ale.sandbox.local;

import dev.ale.core.sandbox.Sandbox;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/** What the host sees of a sandbox, read from /proc, /sys and /run without asking the backend. */
final class HostView {

    private HostView() {
    }

    /** The sandbox's own host uid: the owner of its workspace directory on the host. */
    static int hostUid(Path dataDir, String sandboxId) {
        try {
            return (Integer) Files.getAttribute(workspace(dataDir, sandboxId), "unix:uid");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path sandboxDir(Path dataDir, String sandboxId) {
        return dataDir.resolve("sandboxes").resolve(sandboxId);
    }

    static Path workspace(Path dataDir, String sandboxId) {
        return sandboxDir(dataDir, sandboxId).resolve("fs").resolve("workspace");
    }

    /**
     * Host pids of the sandbox's processes, from its cgroup, without its resident init and the
     * bubblewrap that started it: they live as long as the sandbox, and are nothing a command left.
     */
    static Set<Integer> pids(Sandbox sandbox) {
        LocalSandbox s = (LocalSandbox) sandbox;
        Set<Long> resident = s.residentPids();
        Set<Integer> pids = new TreeSet<>(s.cgroup().pids());
        pids.removeIf(p -> resident.contains((long) p));
        return pids;
    }

    /** The fields of /proc/PID/status; empty when the process is gone. */
    static Optional<Map<String, String>> status(long pid) {
        try {
            Map<String, String> fields = new LinkedHashMap<>();
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                int colon = line.indexOf(':');
                if (colon > 0) fields.put(line.substring(0, colon), line.substring(colon + 1).strip());
            }
            return Optional.of(fields);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Whether a process's /proc status shows SIGKILL pending, to the thread or to its whole group (bit 9 of SigPnd or ShdPnd). */
    static boolean sigkillPending(Map<String, String> status) {
        long sigkill = 1L << (9 - 1);
        for (String field : List.of("SigPnd", "ShdPnd")) {
            String mask = status.get(field);
            if (mask != null && (Long.parseUnsignedLong(mask, 16) & sigkill) != 0) return true;
        }
        return false;
    }

    /** The real uid of a process (first field of the Uid line). */
    static Optional<Integer> realUid(long pid) {
        return status(pid).map(s -> Integer.parseInt(s.get("Uid").split("\\s+")[0]));
    }

    /** Every host process with {@code uid} as its real, effective, saved or filesystem uid (zombies included). */
    static Set<Long> processesOfUid(int uid) {
        Set<Long> found = new TreeSet<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.toList()) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) continue;
                status(Long.parseLong(name)).ifPresent(s -> {
                    for (String u : s.get("Uid").split("\\s+")) {
                        if (u.equals(String.valueOf(uid))) found.add(Long.parseLong(name));
                    }
                });
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    /**
     * True when the process is in the cgroup of another sandbox: another ALE data directory on
     * this host may have handed out the same host uid.
     */
    private static boolean inAnotherSandbox(long pid, String sandboxId) {
        try {
            String cgroups = Files.readString(Path.of("/proc", String.valueOf(pid), "cgroup"));
            return cgroups.contains("/ale/sb-") && !cgroups.contains("/ale/" + sandboxId);
        } catch (IOException e) {
            return false;
        }
    }

    /** Lines of the host's /proc/self/mountinfo that mention {@code text}. */
    static List<String> mountsMentioning(String text) {
        try {
            return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().filter(l -> l.contains(text)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Directories {@code <mount>/ale/<name>} that exist in any cgroup (v1 or v2) hierarchy of the host. */
    static List<Path> cgroupDirs(String name) {
        List<Path> dirs = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                // id parent dev root MOUNTPOINT options ... - FSTYPE source superoptions
                List<String> f = List.of(line.split(" "));
                int dash = f.indexOf("-");
                if (dash < 0 || !f.get(dash + 1).startsWith("cgroup")) continue;
                Path dir = Path.of(f.get(4), "ale", name);
                if (Files.exists(dir)) dirs.add(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dirs;
    }

    static Path netnsFile(String sandboxId) {
        return Path.of("/run/netns", "ale-" + sandboxId);
    }

    /** Everything of the sandbox left on the host, one line per trace; empty when nothing is. */
    static List<String> traces(Path dataDir, String sandboxId, int hostUid) {
        List<String> traces = new ArrayList<>();
        if (Files.exists(netnsFile(sandboxId))) traces.add("network namespace " + netnsFile(sandboxId));
        cgroupDirs(sandboxId).forEach(d -> traces.add("cgroup " + d));
        mountsMentioning(sandboxId).forEach(m -> traces.add("mount " + m));
        processesOfUid(hostUid).stream()
                .filter(pid -> !inAnotherSandbox(pid, sandboxId))
                .forEach(pid -> traces.add("process " + pid + " of uid " + hostUid));
        if (Files.exists(sandboxDir(dataDir, sandboxId))) traces.add("directory " + sandboxDir(dataDir, sandboxId));
        if (Files.exists(dataDir.resolve("uids").resolve(String.valueOf(hostUid)))) traces.add("uid slot " + hostUid);
        return traces;
    }
}
