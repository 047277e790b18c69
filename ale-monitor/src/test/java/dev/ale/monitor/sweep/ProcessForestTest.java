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
}
