package dev.ale.sandbox.cgroup;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Against this host's real cgroup v1 hierarchies, with real processes. Skipped (reported as such)
 * on a host without them, e.g. a pure cgroup v2 one, or when not run as root.
 */
@Tag("root")
class CgroupV1DriverTest {

    private static final long MIB = 1024 * 1024;

    private CgroupV1Driver driver;
    private final List<Cgroup> cgroups = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void needsCgroupV1() {
        CgroupDriver detected = null;
        try {
            detected = CgroupDriver.detect();
        } catch (RuntimeException e) {
            assumeTrue(false, "no usable cgroups on this host: " + e.getMessage());
        }
        assumeTrue(detected instanceof CgroupV1Driver, "this host uses cgroup " + detected.version() + ", not v1");
        driver = (CgroupV1Driver) detected;
        assumeTrue(driver.mounts().values().stream().allMatch(Files::isWritable),
                "cgroup v1 hierarchies are not writable; run the tests as root");
    }

    @AfterEach
    void cleanUp() {
        processes.forEach(Process::destroyForcibly);
        cgroups.forEach(Cgroup::remove);
    }

    @Test
    void creatingACgroupWritesTheLimitsInEveryHierarchy() throws IOException {
        Cgroup cgroup = create(new CgroupLimits(0.5, 64 * MIB, 50));
        Path ale = Path.of("ale", cgroup.name());

        assertThat(read("cpu", ale.resolve("cpu.cfs_period_us"))).isEqualTo("100000");
        assertThat(read("cpu", ale.resolve("cpu.cfs_quota_us"))).isEqualTo("50000");
        assertThat(read("memory", ale.resolve("memory.limit_in_bytes"))).isEqualTo(String.valueOf(64 * MIB));
        if (Files.exists(driver.mounts().get("memory").resolve(ale).resolve("memory.memsw.limit_in_bytes"))) {
            assertThat(read("memory", ale.resolve("memory.memsw.limit_in_bytes"))).isEqualTo(String.valueOf(64 * MIB));
        }
        assertThat(read("pids", ale.resolve("pids.max"))).isEqualTo("50");
        assertThat(driver.mounts().values()).allSatisfy(m -> assertThat(m.resolve(ale)).isDirectory());
        assertThat(driver.list()).contains(cgroup.name());
        assertThat(driver.open(cgroup.name())).isPresent();
    }

    @Test
    void aTinyCpuShareIsRaisedToTheKernelsMinimumQuota() throws IOException {
        Cgroup cgroup = create(new CgroupLimits(0.001, 64 * MIB, 10));

        assertThat(read("cpu", Path.of("ale", cgroup.name(), "cpu.cfs_quota_us"))).isEqualTo("1000");
    }

    @Test
    void reusingACgroupWithAHigherMemoryLimitRaisesBothMemoryLimits() throws IOException {
        assumeTrue(Files.exists(driver.mounts().get("memory").resolve("memory.memsw.limit_in_bytes")),
                "this kernel has no swap accounting (memory.memsw.*)");
        Cgroup cgroup = create(new CgroupLimits(1, 32 * MIB, 10));
        driver.create(cgroup.name(), new CgroupLimits(1, 128 * MIB, 10));

        assertThat(read("memory", Path.of("ale", cgroup.name(), "memory.limit_in_bytes")))
                .isEqualTo(String.valueOf(128 * MIB));
        assertThat(read("memory", Path.of("ale", cgroup.name(), "memory.memsw.limit_in_bytes")))
                .isEqualTo(String.valueOf(128 * MIB));
    }

    @Test
    void aProcessThatJoinsTheCgroupShowsUpInPids() throws IOException {
        Cgroup cgroup = create(new CgroupLimits(1, 64 * MIB, 10));
        Process sleeper = startIn(cgroup, "exec sleep 30");

        assertThat(cgroup.pids()).containsExactly((int) sleeper.pid());
        assertThat(cgroup.usage().pids()).isEqualTo(1);
    }

    @Test
    void killAllKillsEveryProcessAndLeavesTheCgroupEmpty() throws Exception {
        Cgroup cgroup = create(new CgroupLimits(1, 64 * MIB, 20));
        Process parent = startIn(cgroup, "sleep 30 & sleep 30 & exec sleep 30");
        await().atMost(Duration.ofSeconds(5)).until(() -> cgroup.pids().size() == 3);

        cgroup.killAll();

        assertThat(cgroup.pids()).isEmpty();
        assertThat(parent.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(parent.exitValue()).isEqualTo(128 + 9);
        assertThat(read("freezer", Path.of("ale", cgroup.name(), "freezer.state"))).isEqualTo("THAWED");
    }

    @Test
    void killAllWithoutWaitingKillsEveryProcessWithNoSecondKill() throws Exception {
        Cgroup cgroup = create(new CgroupLimits(1, 64 * MIB, 20));
        Process parent = startIn(cgroup, "sleep 30 & sleep 30 & exec sleep 30");
        await().atMost(Duration.ofSeconds(5)).until(() -> cgroup.pids().size() == 3);

        cgroup.killAllWithoutWaiting();

        // nothing kills them again: the one round of SIGKILL, given while frozen, was enough
        await().atMost(Duration.ofSeconds(10)).until(() -> cgroup.pids().isEmpty());
        assertThat(parent.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(parent.exitValue()).isEqualTo(128 + 9);
        assertThat(read("freezer", Path.of("ale", cgroup.name(), "freezer.state"))).isEqualTo("THAWED");
    }

    @Test
    void removeKillsWhatIsLeftAndLeavesNoDirectoryBehind() throws IOException {
        Cgroup cgroup = create(new CgroupLimits(1, 64 * MIB, 10));
        Process sleeper = startIn(cgroup, "exec sleep 30");
        List<Path> dirs = cgroup.procsFiles().stream().map(Path::getParent).toList();

        cgroup.remove();
        cgroup.remove(); // idempotent

        assertThat(dirs).hasSize(5).allSatisfy(d -> assertThat(d).doesNotExist());
        assertThat(sleeper.onExit()).succeedsWithin(Duration.ofSeconds(5));
        assertThat(driver.open(cgroup.name())).isEmpty();
        assertThat(driver.list()).doesNotContain(cgroup.name());
    }

    @Test
    void aMemoryHogIsOomKilledAndCounted() throws Exception {
        Cgroup cgroup = create(new CgroupLimits(1, 32 * MIB, 10));
        // tail keeps everything it reads while it waits for a newline /dev/zero never sends.
        Process hog = launch(cgroup, "exec tail /dev/zero");

        assertThat(hog.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(hog.exitValue()).isEqualTo(128 + 9);
        assertThat(cgroup.oomKills()).isGreaterThanOrEqualTo(1);
        assertThat(cgroup.usage().memoryPeakBytes()).isGreaterThan(16 * MIB).isLessThanOrEqualTo(32 * MIB);
    }

    @Test
    void aForkLoopHitsThePidsLimitAndIsCounted() throws IOException {
        Cgroup cgroup = create(new CgroupLimits(1, 64 * MIB, 8));
        // dash gives up at the first refused fork; the sleeps it started stay behind for killAll.
        launch(cgroup, "while :; do sleep 30 & done");

        await().atMost(Duration.ofSeconds(10)).until(() -> cgroup.pidsLimitHits() >= 1);
        assertThat(cgroup.usage().pids()).isLessThanOrEqualTo(8);

        cgroup.killAll();
        assertThat(cgroup.pids()).isEmpty();
    }

    @Test
    void cpuUsageGrowsWhileABusyLoopRuns() throws IOException {
        Cgroup cgroup = create(new CgroupLimits(0.5, 64 * MIB, 10));
        long before = cgroup.usage().cpuNanos();
        startIn(cgroup, "while :; do :; done");

        await().atMost(Duration.ofSeconds(10)).until(() -> cgroup.usage().cpuNanos() > before + 100_000_000);
    }

    private Cgroup create(CgroupLimits limits) {
        Cgroup cgroup = driver.create("test-" + UUID.randomUUID().toString().substring(0, 8), limits);
        cgroups.add(cgroup);
        return cgroup;
    }

    /** Starts the script in the cgroup and waits until its process is in every hierarchy. */
    private Process startIn(Cgroup cgroup, String script) throws IOException {
        Process process = launch(cgroup, script);
        await().atMost(Duration.ofSeconds(5)).until(() -> cgroup.procsFiles().stream()
                .allMatch(f -> CgroupFiles.readPids(f).contains((int) process.pid())));
        return process;
    }

    /** The launcher a sandbox uses: the shell writes its own pid into every hierarchy, then runs the script. */
    private Process launch(Cgroup cgroup, String script) throws IOException {
        List<String> command = new ArrayList<>(List.of("sh", "-c", "for f; do echo $$ > \"$f\"; done; " + script, "sh"));
        cgroup.procsFiles().forEach(f -> command.add(f.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        processes.add(process);
        return process;
    }

    private String read(String controller, Path relative) throws IOException {
        return Files.readString(driver.mounts().get(controller).resolve(relative)).strip();
    }
}
