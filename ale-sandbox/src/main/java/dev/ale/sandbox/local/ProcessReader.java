package dev.ale.sandbox.local;

import dev.ale.core.sandbox.ProcessSnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Reads processes from the host's {@code /proc} for the monitor's sweep: identity, parent and
 * session from {@code stat}, the command line, CPU time and where each fd points. A process may
 * exit at any moment between two reads; it is then left out, never reported half-read.
 */
final class ProcessReader {

    /**
     * USER_HZ: the unit of every tick count in {@code /proc/<pid>/stat}. The kernel fixes it at 100
     * for its user ABI on every architecture ALE runs on (x86-64, arm64), whatever CONFIG_HZ is.
     */
    static final long TICKS_PER_SECOND = 100;
    private static final long NANOS_PER_TICK = 1_000_000_000L / TICKS_PER_SECOND;
    /** A process with thousands of fds (a server) must not make one sweep slow; the first ones tell enough. */
    static final int MAX_FDS = 1024;

    private final Path proc;

    ProcessReader(Path proc) {
        this.proc = proc;
    }

    static ProcessReader host() {
        return new ProcessReader(Path.of("/proc"));
    }

    private static final int EXEC_RETRIES = 5;

    /**
     * Every one of {@code pids} still alive, in pid order. {@code aleSockets}: the sockets ALE itself
     * gave a process as its stdio (a session's stdin from the resident init), which no network peer
     * can drive; they are not counted among its stdio sockets.
     */
    List<ProcessSnapshot> read(Collection<Integer> pids, Set<String> aleSockets) {
        List<ProcessSnapshot> out = new ArrayList<>(pids.size());
        for (int pid : pids) read(pid, aleSockets).ifPresent(out::add);
        out.sort(Comparator.comparingLong(ProcessSnapshot::pid));
        return List.copyOf(out);
    }

    /** One process; empty when it has gone (or was never there). */
    Optional<ProcessSnapshot> read(long pid) {
        return read(pid, Set.of());
    }

    private Optional<ProcessSnapshot> read(long pid, Set<String> aleSockets) {
        Path dir = proc.resolve(Long.toString(pid));
        try {
            Optional<Stat> stat = Stat.parse(Files.readString(dir.resolve("stat"), StandardCharsets.UTF_8));
            if (stat.isEmpty()) return Optional.empty();
            byte[] cmdline = Files.readAllBytes(dir.resolve("cmdline"));
            // a process in the middle of execve shows an empty cmdline for a moment; zombies always do
            for (int tries = 0; cmdline.length == 0 && stat.get().state() != 'Z' && tries < EXEC_RETRIES; tries++) {
                Thread.sleep(1);
                cmdline = Files.readAllBytes(dir.resolve("cmdline"));
            }
            List<String> argv = argv(cmdline);
            Fds fds = fds(dir.resolve("fd"), aleSockets);
            Optional<String> exe = exe(dir.resolve("exe"));
            // a pid reused between the reads would show another start time: then it is not the same process
            Optional<Stat> again = Stat.parse(Files.readString(dir.resolve("stat"), StandardCharsets.UTF_8));
            if (again.isEmpty() || again.get().startTicks() != stat.get().startTicks()) return Optional.empty();
            Stat s = again.get();
            return Optional.of(new ProcessSnapshot(pid, s.parentPid(), s.sessionId(), s.startTicks(), s.name(), argv,
                    Duration.ofNanos(s.cpuTicks() * NANOS_PER_TICK), fds.targets(), fds.stdioSockets(), ProcessSnapshot.Role.WORKLOAD, exe));
        } catch (IOException | RuntimeException e) {
            // NoSuchFileException, ESRCH, or a half-gone /proc entry: the process exited while being read
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static final String DELETED = " (deleted)";

    /** The process's pid in its own (innermost) pid namespace, from the NSpid line of its status; empty when gone. */
    static OptionalLong namespacePid(long hostPid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(hostPid), "status"))) {
                if (!line.startsWith("NSpid:")) continue;
                String[] f = line.substring("NSpid:".length()).strip().split("\\s+");
                return OptionalLong.of(Long.parseLong(f[f.length - 1]));
            }
        } catch (IOException | RuntimeException e) {
            // exited meanwhile
        }
        return OptionalLong.empty();
    }

    /**
     * What the process executes, by the kernel's own link: a renamed argv or comm does not move it.
     * Empty for a zombie or a kernel thread, which have none.
     */
    static Optional<String> exe(Path link) {
        try {
            String target = Files.readSymbolicLink(link).toString();
            return Optional.of(target.endsWith(DELETED) ? target.substring(0, target.length() - DELETED.length()) : target);
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    /** The NUL-separated command line; a kernel thread or zombie has none. */
    static List<String> argv(byte[] cmdline) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < cmdline.length; i++) {
            if (cmdline[i] == 0) {
                out.add(new String(cmdline, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        // a process that rewrote its argv memory may leave the last word without its NUL
        if (start < cmdline.length) out.add(new String(cmdline, start, cmdline.length - start, StandardCharsets.UTF_8));
        return out;
    }

    private record Fds(List<String> targets, List<Integer> stdioSockets) {
    }

    private static Fds fds(Path fdDir, Set<String> aleSockets) throws IOException {
        record Fd(int number, String target) {
        }
        List<Fd> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(fdDir)) {
            for (Path entry : entries) {
                if (found.size() >= MAX_FDS) break;
                int number;
                try {
                    number = Integer.parseInt(entry.getFileName().toString());
                } catch (NumberFormatException e) {
                    continue;
                }
                try {
                    found.add(new Fd(number, Files.readSymbolicLink(entry).toString()));
                } catch (IOException e) {
                    // that fd was closed between the listing and the readlink
                }
            }
        }
        found.sort(Comparator.comparingInt(Fd::number));
        List<Integer> stdio = new ArrayList<>();
        for (Fd fd : found) {
            if (fd.number() <= 2 && fd.target().startsWith("socket:") && !aleSockets.contains(fd.target())) stdio.add(fd.number());
        }
        return new Fds(found.stream().map(Fd::target).toList(), stdio);
    }

    /** The fields of {@code /proc/<pid>/stat} the sweep needs. */
    record Stat(String name, char state, long parentPid, long sessionId, long startTicks, long cpuTicks) {

        /**
         * {@code pid (comm) state ppid pgrp session … utime(14) stime(15) … starttime(22)}. The name
         * may hold spaces and parentheses, so the fields are counted from the last ')'.
         */
        static Optional<Stat> parse(String line) {
            int open = line.indexOf('(');
            int close = line.lastIndexOf(')');
            if (open < 0 || close < open || close + 2 > line.length()) return Optional.empty();
            String name = line.substring(open + 1, close);
            String[] f = line.substring(close + 2).strip().split(" ");
            if (f.length < 20) return Optional.empty();
            try {
                return Optional.of(new Stat(name, f[0].charAt(0), Long.parseLong(f[1]), Long.parseLong(f[3]),
                        Long.parseLong(f[19]), Long.parseLong(f[11]) + Long.parseLong(f[12])));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
    }
}
