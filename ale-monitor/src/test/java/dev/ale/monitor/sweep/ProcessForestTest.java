package dev.ale.monitor.sweep;

import dev.ale.core.sandbox.ProcessSnapshot;
import dev.ale.core.sandbox.ProcessSnapshot.Role;
import java.util.List;
import org.junit.jupiter.api.Test;

import static dev.ale.monitor.sweep.Snapshots.process;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Trees as a backend reports them, with their roots named: launcher, init (session leader), the
 * command's main process, and what it started with nohup, setsid and a double fork.
 */
class ProcessForestTest {

    private final ProcessSnapshot launcher = process(100, 50, 7, 10, "bwrap", List.of("bwrap", "--unshare-user")).withRole(Role.LAUNCHER);
    private final ProcessSnapshot init = process(101, 100, 101, 11, "bwrap", List.of("bwrap", "--unshare-user")).withRole(Role.INIT);
    private final ProcessSnapshot main = process(102, 101, 101, 11, "bash", List.of("/bin/bash", "--noprofile", "--norc")).withRole(Role.MAIN);
    private final ProcessSnapshot nohup = process(103, 102, 101, 11, "sleep", List.of("sleep", "301"));
    private final ProcessSnapshot setsid = process(104, 102, 104, 11, "sleep", List.of("sleep", "302"));
    private final ProcessSnapshot doubleFork = process(106, 101, 101, 12, "sleep", List.of("sleep", "303"));
    private final ProcessForest forest = new ProcessForest(List.of(launcher, init, main, nohup, setsid, doubleFork));

    @Test
    void launcherInitAndMainAreCommandRoots() {
        assertThat(forest.isCommandRoot(launcher)).isTrue();
        assertThat(forest.isCommandRoot(init)).isTrue();
        assertThat(forest.isCommandRoot(main)).isTrue();
        assertThat(forest.isCommandRoot(nohup)).isFalse();
        assertThat(forest.isCommandRoot(doubleFork)).isFalse();
    }

    @Test
    void doubleForkedProcessIsDetachedByItsParent() {
        assertThat(forest.detachment(doubleFork)).hasValueSatisfying(why -> assertThat(why).contains("reparented"));
    }

    @Test
    void setsidProcessIsDetachedByItsSession() {
        assertThat(forest.detachment(setsid)).hasValueSatisfying(why -> assertThat(why).contains("session"));
    }

    @Test
    void nohupAndCommandRootsStayAttached() {
        assertThat(forest.detachment(nohup)).isEmpty();
        assertThat(forest.detachment(main)).isEmpty();
        assertThat(forest.detachment(init)).isEmpty();
    }

    @Test
    void aProcessOutsideAnyCommandTreeIsNotCalledDetached() {
        ProcessSnapshot stray = process(300, 299, 299, 40, "sleep", List.of("sleep", "305"));

        assertThat(new ProcessForest(List.of(stray)).detachment(stray)).isEmpty();
    }

    /**
     * The resident path: the sandbox's resident init (pid 1, session 201), each call's init below it
     * (its own session), the call's main; and a main whose call's init was killed from inside
     * (kill -9 -1), now the resident init's child, still in its call's session.
     */
    @Test
    void onTheResidentPathACallKeepsItsSessionAndOnlyRealOrphansAreDetached() {
        ProcessSnapshot outer = process(200, 50, 7, 10, "bwrap", List.of("bwrap", "--as-pid-1")).withRole(Role.LAUNCHER);
        ProcessSnapshot resident = process(201, 200, 201, 11, "ale-init", List.of("ale-init")).withRole(Role.RESIDENT);
        ProcessSnapshot call = process(202, 201, 202, 12, "ale-call", List.of("ale-init")).withRole(Role.INIT);
        ProcessSnapshot callMain = process(203, 202, 202, 12, "bash", List.of("bash", "-c", "x")).withRole(Role.MAIN);
        ProcessSnapshot child = process(204, 203, 202, 12, "sleep", List.of("sleep", "310"));
        ProcessSnapshot left = process(205, 203, 205, 12, "sleep", List.of("sleep", "311"));
        ProcessSnapshot orphan = process(206, 202, 202, 13, "sleep", List.of("sleep", "312"));
        ProcessSnapshot adopted = process(207, 201, 208, 14, "bash", List.of("bash", "-c", "kill -9 -1")).withRole(Role.MAIN);
        ProcessSnapshot adoptedChild = process(209, 207, 208, 15, "sleep", List.of("sleep", "313"));
        ProcessSnapshot adoptedOrphan = process(210, 201, 208, 15, "sleep", List.of("sleep", "314"));
        ProcessForest resident1 = new ProcessForest(List.of(outer, resident, call, callMain, child, left, orphan, adopted, adoptedChild, adoptedOrphan));

        assertThat(resident1.isCommandRoot(resident)).isTrue();
        assertThat(resident1.detachment(child)).isEmpty();
        assertThat(resident1.detachment(left)).hasValueSatisfying(why -> assertThat(why).contains("session"));
        assertThat(resident1.detachment(orphan)).hasValueSatisfying(why -> assertThat(why).contains("reparented"));
        assertThat(resident1.detachment(adoptedChild)).isEmpty();
        assertThat(resident1.detachment(adoptedOrphan)).hasValueSatisfying(why -> assertThat(why).contains("reparented"));
    }
}
