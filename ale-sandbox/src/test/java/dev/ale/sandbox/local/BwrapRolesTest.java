package dev.ale.sandbox.local;

import dev.ale.core.sandbox.ProcessSnapshot;
import dev.ale.core.sandbox.ProcessSnapshot.Role;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Trees as measured in a local sandbox: launcher bwrap (parent outside), init bwrap, the command's main process and its children. */
class BwrapRolesTest {

    private static ProcessSnapshot process(long pid, long ppid, long sid, long start, String name) {
        return new ProcessSnapshot(pid, ppid, sid, start, name, List.of(name), Duration.ZERO, List.of(), List.of(), Role.WORKLOAD);
    }

    private static Map<Long, Role> roles(ProcessSnapshot... processes) {
        return BwrapRoles.assign(List.of(processes)).stream().collect(Collectors.toMap(ProcessSnapshot::pid, ProcessSnapshot::role));
    }

    @Test
    void launcherInitAndFirstChildAreTheCommandRootsAndTheRestIsWorkload() {
        Map<Long, Role> roles = roles(process(100, 50, 7, 10, "bwrap"), process(101, 100, 101, 11, "bwrap"),
                process(102, 101, 101, 11, "bash"), process(103, 102, 101, 11, "sleep"), process(106, 101, 101, 12, "sleep"));

        assertThat(roles).containsEntry(100L, Role.LAUNCHER).containsEntry(101L, Role.INIT).containsEntry(102L, Role.MAIN)
                .containsEntry(103L, Role.WORKLOAD).containsEntry(106L, Role.WORKLOAD);
    }

    @Test
    void mainIsTheFirstChildEvenWhenAnOrphanStartedInTheSameTick() {
        Map<Long, Role> roles = roles(process(100, 50, 7, 10, "bwrap"), process(101, 100, 101, 11, "bwrap"),
                process(107, 101, 101, 11, "sleep"), process(102, 101, 101, 11, "bash"));

        assertThat(roles).containsEntry(102L, Role.MAIN).containsEntry(107L, Role.WORKLOAD);
    }

    private static ProcessSnapshot running(long pid, long ppid, long sid, long start, String name, String exe) {
        return new ProcessSnapshot(pid, ppid, sid, start, name, List.of(name), Duration.ZERO, List.of(), List.of(), Role.WORKLOAD,
                Optional.of(exe));
    }

    /**
     * The resident path, as the host sees it: the launcher, the resident init (known by its binary),
     * two calls' own processes (forked from it: the same binary), their mains; an orphan of a call
     * that lost its own process hangs from the resident init, and is no command root for posing as one.
     */
    @Test
    void theResidentInitAndEachCallsRootsAreKnownByTheInitsBinary() {
        String init = "/var/lib/ale/init-0123/ale-init";
        Map<Long, Role> roles = BwrapRoles.assign(List.of(
                        running(100, 50, 7, 10, "bwrap", "/usr/bin/bwrap"), running(101, 100, 101, 11, "ale-init", init),
                        running(102, 101, 102, 12, "ale-call", init), running(103, 102, 102, 12, "bash", "/usr/bin/bash"),
                        running(104, 103, 102, 12, "sleep", "/usr/bin/sleep"),
                        running(105, 101, 105, 13, "ale-call", init), running(106, 105, 105, 13, "python3", "/usr/bin/python3"),
                        running(107, 101, 107, 14, "ale-call", "/workspace/ale-init"), running(108, 101, 102, 15, "sleep", "/usr/bin/sleep")),
                        Optional.of(init), Set.of())
                .stream().collect(Collectors.toMap(ProcessSnapshot::pid, ProcessSnapshot::role));

        assertThat(roles).containsEntry(100L, Role.LAUNCHER).containsEntry(101L, Role.RESIDENT)
                .containsEntry(102L, Role.INIT).containsEntry(103L, Role.MAIN).containsEntry(104L, Role.WORKLOAD)
                .containsEntry(105L, Role.INIT).containsEntry(106L, Role.MAIN)
                // a look-alike (same name, another binary) and an orphan are the agent's
                .containsEntry(107L, Role.WORKLOAD).containsEntry(108L, Role.WORKLOAD);
    }

    @Test
    void withoutAResidentInitTheSameShapeIsReadAsToday() {
        Map<Long, Role> roles = roles(process(100, 50, 7, 10, "bwrap"), process(101, 100, 101, 11, "ale-init"),
                process(102, 101, 102, 12, "ale-call"), process(103, 102, 102, 12, "bash"));

        assertThat(roles).containsEntry(101L, Role.INIT).containsEntry(102L, Role.MAIN).containsEntry(103L, Role.WORKLOAD);
    }

    @Test
    void twoCommandsAtOnceEachHaveTheirOwnRoots() {
        Map<Long, Role> roles = roles(process(100, 50, 7, 10, "bwrap"), process(101, 100, 101, 11, "bwrap"), process(102, 101, 101, 11, "bash"),
                process(200, 60, 8, 20, "bwrap"), process(201, 200, 201, 21, "bwrap"), process(202, 201, 201, 21, "python3"));

        assertThat(roles).containsEntry(200L, Role.LAUNCHER).containsEntry(201L, Role.INIT).containsEntry(202L, Role.MAIN);
    }
}
