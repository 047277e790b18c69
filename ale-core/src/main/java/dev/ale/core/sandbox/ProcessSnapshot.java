package dev.ale.core.sandbox;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One process of a sandbox as the host sees it at one moment: what the monitor's sweep reads.
 *
 * @param pid        the host pid
 * @param parentPid  the host pid of its parent
 * @param sessionId  the host pid of its session leader
 * @param startTicks when it started, in clock ticks since boot: with {@code pid}, its identity
 * @param name       the kernel's short command name ({@code comm})
 * @param argv       its command line; empty for a zombie or a process that hid it
 * @param cpuTime    user plus system CPU time used so far
 * @param openFiles  where its file descriptors point, by fd number order ({@code /workspace/x},
 *                   {@code socket:[123]}, {@code pipe:[45]}, {@code /dev/nvidia0})
 * @param stdioSockets which of fds 0, 1 and 2 are sockets
 * @param role       what the backend started it as; only the backend knows the shape of its own
 *                   process trees, so it says which processes are its own and which the command's
 * @param exe        the file it executes ({@code /proc/<pid>/exe}), as the process sees it, without
 *                   a {@code " (deleted)"} suffix; empty when unreadable (a kernel thread, a zombie,
 *                   or a backend that cannot tell). Renaming argv or comm does not change it
 */
public record ProcessSnapshot(
        long pid,
        long parentPid,
        long sessionId,
        long startTicks,
        String name,
        List<String> argv,
        Duration cpuTime,
        List<String> openFiles,
        List<Integer> stdioSockets,
        Role role,
        Optional<String> exe) {

    /**
     * The part a process plays in one command's tree. The backend starts a {@code LAUNCHER} (its
     * parent is outside the sandbox), which may start an {@code INIT} (pid 1 of the command's
     * namespaces, its session leader) that starts the command's {@code MAIN} process; everything
     * else is {@code WORKLOAD}, started by the command. A process that leaves its command's tree
     * is reparented to the init, or moves to a session of its own. A {@code RESIDENT} init serves
     * every command of a sandbox (it starts each command's init); it is ALE's, never the agent's.
     */
    public enum Role {
        LAUNCHER, RESIDENT, INIT, MAIN, WORKLOAD;

        /** Whether ALE started this process itself to run a command. */
        public boolean isCommandRoot() {
            return this != WORKLOAD;
        }
    }

    public ProcessSnapshot {
        Objects.requireNonNull(name, "name");
        argv = List.copyOf(argv);
        Objects.requireNonNull(cpuTime, "cpuTime");
        openFiles = List.copyOf(openFiles);
        stdioSockets = List.copyOf(stdioSockets);
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(exe, "exe");
    }

    /** A snapshot whose executable is not known. */
    public ProcessSnapshot(long pid, long parentPid, long sessionId, long startTicks, String name, List<String> argv,
                           Duration cpuTime, List<String> openFiles, List<Integer> stdioSockets, Role role) {
        this(pid, parentPid, sessionId, startTicks, name, argv, cpuTime, openFiles, stdioSockets, role, Optional.empty());
    }

    public ProcessSnapshot withRole(Role newRole) {
        return new ProcessSnapshot(pid, parentPid, sessionId, startTicks, name, argv, cpuTime, openFiles, stdioSockets, newRole, exe);
    }
}
