package dev.ale.sandbox.cgroup;

import dev.ale.core.AleException.Fault;
import dev.ale.core.sandbox.SandboxException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The v2 driver against a fake tree of the files the kernel would show. The CI hosts run cgroup
 * v1 with no controllers on their cgroup2 mount, so the v2 path cannot be checked against a real
 * kernel there; {@link CgroupV2KillTest} at least runs its kill path on the real, controllerless
 * cgroup2 mount.
 */
class CgroupV2DriverTest {

    private static final long MIB = 1024 * 1024;

    @TempDir
    Path root;

    private CgroupV2Driver driver;

    @BeforeEach
    void fakeRoot() throws IOException {
        controllersIn(root, "cpu memory pids", "");
        driver = new CgroupV2Driver(root);
    }

    @Test
    void createEnablesTheControllersAndWritesTheLimits() throws IOException {
        Path box = fakeCgroup("box");

        Cgroup cgroup = driver.create("box", new CgroupLimits(1.5, 256 * MIB, 64));

        assertThat(Files.readString(root.resolve("cgroup.subtree_control"))).isEqualTo("+cpu +memory +pids");
        assertThat(Files.readString(root.resolve("ale/cgroup.subtree_control"))).isEqualTo("+cpu +memory +pids");
        assertThat(Files.readString(box.resolve("cpu.max"))).isEqualTo("150000 100000");
        assertThat(Files.readString(box.resolve("memory.max"))).isEqualTo(String.valueOf(256 * MIB));
        assertThat(Files.readString(box.resolve("memory.swap.max"))).isEqualTo("0");
        assertThat(Files.readString(box.resolve("pids.max"))).isEqualTo("64");
        assertThat(cgroup.procsFiles()).containsExactly(box.resolve("cgroup.procs"));
    }

    @Test
    void onlyControllersNotYetEnabledAreWrittenToSubtreeControl() throws IOException {
        fakeCgroup("box");
        Files.writeString(root.resolve("cgroup.subtree_control"), "cpu memory pids io\n");
        Files.writeString(root.resolve("ale/cgroup.subtree_control"), "memory\n");

        driver.create("box", new CgroupLimits(1, 64 * MIB, 8));

        assertThat(Files.readString(root.resolve("cgroup.subtree_control"))).isEqualTo("cpu memory pids io\n");
        assertThat(Files.readString(root.resolve("ale/cgroup.subtree_control"))).isEqualTo("+cpu +pids");
    }

    @Test
    void withoutSwapAccountingNoSwapLimitIsWritten() throws IOException {
        Path box = fakeCgroup("box");
        Files.delete(box.resolve("memory.swap.max"));

        driver.create("box", new CgroupLimits(1, 64 * MIB, 8));

        assertThat(box.resolve("memory.swap.max")).doesNotExist();
    }

    @Test
    void aMissingControllerIsAnEnvironmentErrorThatSaysWhichAndWhatToDo() throws IOException {
        Files.writeString(root.resolve("cgroup.controllers"), "cpu memory");

        assertThatThrownBy(() -> driver.create("box", new CgroupLimits(1, 64 * MIB, 8)))
                .isInstanceOfSatisfying(SandboxException.class, e -> assertThat(e.fault()).isEqualTo(Fault.ENVIRONMENT))
                .hasMessageContaining("[pids]")
                .hasMessageContaining(root.resolve("cgroup.controllers").toString())
                .hasMessageContaining("Delegate=yes");
        assertThat(root.resolve("ale/box")).doesNotExist();
    }

    @Test
    void usageIsParsedFromTheKernelsFiles() throws IOException {
        Path box = fakeCgroup("box");
        Files.writeString(box.resolve("cpu.stat"), """
                usage_usec 2500
                user_usec 2000
                system_usec 500
                nr_periods 0
                nr_throttled 0
                throttled_usec 0
                """);
        Files.writeString(box.resolve("memory.current"), "1048576\n");
        Files.writeString(box.resolve("memory.peak"), "4194304\n");
        Files.writeString(box.resolve("pids.current"), "3\n");

        CgroupUsage usage = driver.open("box").orElseThrow().usage();

        assertThat(usage).isEqualTo(new CgroupUsage(2_500_000, 1_048_576, 4_194_304, 3));
    }

    @Test
    void withoutMemoryPeakThePeakIsTheCurrentUsage() throws IOException {
        Path box = fakeCgroup("box");
        Files.delete(box.resolve("memory.peak"));
        Files.writeString(box.resolve("memory.current"), "1048576\n");

        assertThat(driver.open("box").orElseThrow().usage().memoryPeakBytes()).isEqualTo(1_048_576);
    }

    @Test
    void oomKillsAndPidsLimitHitsAreReadFromTheEventFiles() throws IOException {
        Path box = fakeCgroup("box");
        Files.writeString(box.resolve("memory.events"), """
                low 0
                high 0
                max 12
                oom 3
                oom_kill 2
                oom_group_kill 0
                """);
        Files.writeString(box.resolve("pids.events"), "max 5\n");

        Cgroup cgroup = driver.open("box").orElseThrow();

        assertThat(cgroup.oomKills()).isEqualTo(2);
        assertThat(cgroup.pidsLimitHits()).isEqualTo(5);
    }

    @Test
    void anOldKernelWithoutOomKillLineCountsZero() throws IOException {
        Path box = fakeCgroup("box");
        Files.writeString(box.resolve("memory.events"), "low 0\nhigh 0\nmax 0\noom 0\n");

        assertThat(driver.open("box").orElseThrow().oomKills()).isZero();
    }

    @Test
    void killAllUsesCgroupKillWhenTheKernelHasIt() throws IOException {
        Path box = fakeCgroup("box");

        driver.open("box").orElseThrow().killAll();

        assertThat(Files.readString(box.resolve("cgroup.kill"))).isEqualTo("1");
    }

    @Test
    void killAllFreezesAndThawsWhenThereIsNoCgroupKill() throws IOException {
        Path box = fakeCgroup("box");
        Files.delete(box.resolve("cgroup.kill"));
        Files.writeString(box.resolve("cgroup.events"), "populated 0\nfrozen 1\n");

        driver.open("box").orElseThrow().killAll();

        assertThat(Files.readString(box.resolve("cgroup.freeze"))).isEqualTo("0");
    }

    @Test
    void listNamesTheCgroupsUnderAleAndOpenFindsOnlyThose() throws IOException {
        assertThat(driver.list()).isEmpty();
        fakeCgroup("one");
        fakeCgroup("two");
        Files.writeString(root.resolve("ale/cgroup.procs"), "");

        assertThat(driver.list()).containsExactly("one", "two");
        assertThat(driver.open("one")).isPresent();
        assertThat(driver.open("three")).isEmpty();
    }

    @Test
    void namesThatCouldLeaveAleAreRefused() {
        assertThatThrownBy(() -> driver.open("../etc")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> driver.create("a/b", new CgroupLimits(1, MIB, 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aParentOfItsOwnKeepsSandboxesInItsSubtreeWithControllersHandedDownEveryLevel() throws IOException {
        controllersIn(root.resolve("nodes"), "cpu memory pids", "");
        controllersIn(root.resolve("nodes/n1"), "cpu memory pids", "");
        Path box = Files.createDirectories(root.resolve("nodes/n1/box"));
        controllersIn(box, "cpu memory pids", "");
        for (String f : new String[] {"cpu.max", "memory.max", "pids.max"}) Files.writeString(box.resolve(f), "max\n");
        CgroupDriver n1 = driver.withParent("nodes/n1");

        n1.create("box", new CgroupLimits(1, 64 * MIB, 8));

        assertThat(n1.parent()).isEqualTo("nodes/n1");
        assertThat(Files.readString(root.resolve("nodes/cgroup.subtree_control"))).isEqualTo("+cpu +memory +pids");
        assertThat(Files.readString(root.resolve("nodes/n1/cgroup.subtree_control"))).isEqualTo("+cpu +memory +pids");
        assertThat(Files.readString(box.resolve("pids.max"))).isEqualTo("8");
        assertThat(root.resolve("ale")).doesNotExist();
        assertThat(n1.open("box")).isPresent();
        assertThat(n1.list()).containsExactly("box");
        assertThat(driver.open("box")).as("the default parent does not see another's sandboxes").isEmpty();
    }

    @Test
    void aParentThatIsAbsoluteClimbsOrHoldsOddCharactersIsRefusedAndLookAlikesAreNot() {
        for (String bad : new String[] {"/sys/fs/cgroup/x", "../x", "a/../b", "..", "", "a//b", "a/", "a b", "a\nb", "-x", "a/b/c/d/e/f/g/h/i"}) {
            assertThatThrownBy(() -> driver.withParent(bad)).as(bad)
                    .isInstanceOfSatisfying(SandboxException.class, e -> assertThat(e.fault()).isEqualTo(Fault.INPUT))
                    .hasMessageContaining("cgroup parent");
        }
        for (String fine : new String[] {"ale-n1", "ale/n1", "ale..n1", "a.b", "ale_cluster-7f/n2"}) {
            assertThat(driver.withParent(fine).parent()).isEqualTo(fine);
        }
    }

    /** What the kernel shows in a fresh child cgroup of a tree with cpu, memory and pids enabled. */
    private Path fakeCgroup(String name) throws IOException {
        Path ale = root.resolve("ale");
        if (!Files.exists(ale.resolve("cgroup.controllers"))) controllersIn(ale, "cpu memory pids", "");
        Path box = Files.createDirectories(ale.resolve(name));
        controllersIn(box, "cpu memory pids", "");
        Files.writeString(box.resolve("cgroup.procs"), "");
        Files.writeString(box.resolve("cgroup.kill"), "");
        Files.writeString(box.resolve("cgroup.freeze"), "0\n");
        Files.writeString(box.resolve("cgroup.events"), "populated 0\nfrozen 0\n");
        Files.writeString(box.resolve("cpu.max"), "max 100000\n");
        Files.writeString(box.resolve("cpu.stat"), "usage_usec 0\n");
        Files.writeString(box.resolve("memory.max"), "max\n");
        Files.writeString(box.resolve("memory.swap.max"), "max\n");
        Files.writeString(box.resolve("memory.current"), "0\n");
        Files.writeString(box.resolve("memory.peak"), "0\n");
        Files.writeString(box.resolve("memory.events"), "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n");
        Files.writeString(box.resolve("pids.max"), "max\n");
        Files.writeString(box.resolve("pids.current"), "0\n");
        Files.writeString(box.resolve("pids.events"), "max 0\n");
        return box;
    }

    private static void controllersIn(Path dir, String controllers, String subtreeControl) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("cgroup.controllers"), controllers + "\n");
        Files.writeString(dir.resolve("cgroup.subtree_control"), subtreeControl);
    }
}
