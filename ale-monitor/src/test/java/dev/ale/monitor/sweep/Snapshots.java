package dev.ale.monitor.sweep;

import dev.ale.core.sandbox.ProcessSnapshot;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Process snapshots shaped like the ones the local backend's sweep reads (roles are set by the caller). */
final class Snapshots {

    private Snapshots() {
    }

    static ProcessSnapshot process(long pid, long ppid, long sid, long start, String name, List<String> argv) {
        return new ProcessSnapshot(pid, ppid, sid, start, name, argv, Duration.ZERO, List.of("pipe:[1]", "pipe:[2]", "pipe:[3]"), List.of(),
                ProcessSnapshot.Role.WORKLOAD);
    }

    /** A process with its comm, argv and the file it executes. */
    static ProcessSnapshot running(String comm, String exe, List<String> argv) {
        return new ProcessSnapshot(500, 400, 400, 1000, comm, argv, Duration.ZERO, List.of("pipe:[1]"), List.of(),
                ProcessSnapshot.Role.WORKLOAD, Optional.of(exe));
    }

    static ProcessSnapshot withFds(String name, List<String> argv, List<String> fds, List<Integer> stdioSockets) {
        return new ProcessSnapshot(500, 400, 400, 1000, name, argv, Duration.ZERO, fds, stdioSockets, ProcessSnapshot.Role.WORKLOAD);
    }
}
