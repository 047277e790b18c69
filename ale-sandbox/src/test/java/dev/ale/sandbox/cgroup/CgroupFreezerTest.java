package dev.ale.sandbox.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Tag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Freeze and thaw on this host's real cgroups, v1 (the freezer hierarchy) and v2 (cgroup.freeze,
 * which needs no controller, so it runs on a hybrid host's cgroup2 mount too): a frozen busy loop
 * uses no CPU, thaws to run on, and a kill of a frozen cgroup leaves it empty and thawed.
 */
@Tag("root")
class CgroupFreezerTest {

    private final List<Cgroup> cgroups = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        processes.forEach(Process::destroyForcibly);
        cgroups.forEach(Cgroup::remove);
    }

    static Stream<Arguments> versions() {
        return Stream.of(Arguments.of(Named.of("v1", "v1")), Arguments.of(Named.of("v2", "v2")));
    }

    @ParameterizedTest
    @MethodSource("versions")
    void aFrozenCgroupUsesNoCpuUntilItIsThawed(String version) throws Exception {
        Cgroup cgroup = cgroup(version);
        Process loop = startIn(cgroup, "while :; do :; done");

        cgroup.freeze();

        assertThat(cgroup.frozen()).isTrue();
        long frozenAt = cpuTicks(loop.pid());
        Thread.sleep(500);
        assertThat(cpuTicks(loop.pid())).as("a frozen process is given no CPU").isEqualTo(frozenAt);
        assertThat(loop.isAlive()).isTrue();

        cgroup.thaw();

        assertThat(cgroup.frozen()).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> cpuTicks(loop.pid()) > frozenAt);
    }

    @ParameterizedTest
    @MethodSource("versions")
    void killingAFrozenCgroupEmptiesItAndLeavesItThawed(String version) throws Exception {
        Cgroup cgroup = cgroup(version);
        Process loop = startIn(cgroup, "sleep 60 & while :; do :; done");
        await().atMost(Duration.ofSeconds(5)).until(() -> cgroup.pids().size() == 2);
        cgroup.freeze();

        cgroup.killAll();

        assertThat(cgroup.pids()).isEmpty();
        assertThat(loop.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(cgroup.frozen()).isFalse();
    }

    private Cgroup cgroup(String version) throws IOException {
        String name = "test-" + UUID.randomUUID().toString().substring(0, 8);
        Cgroup cgroup;
        if (version.equals("v1")) {
            CgroupDriver detected;
            try {
                detected = CgroupDriver.detect();
            } catch (RuntimeException e) {
                assumeTrue(false, "no usable cgroups on this host: " + e.getMessage());
                return null;
            }
            assumeTrue(detected instanceof CgroupV1Driver, "this host uses cgroup " + detected.version() + ", not v1");
            cgroup = detected.create(name, new CgroupLimits(1, 256L << 20, 64));
        } else {
            Optional<Path> mount = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .map(line -> List.of(line.split(" ")))
                    .filter(f -> f.contains("-") && f.get(f.indexOf("-") + 1).equals("cgroup2"))
                    .map(f -> Path.of(f.get(4))).findFirst();
            assumeTrue(mount.isPresent(), "no cgroup2 filesystem is mounted on this host");
            assumeTrue(Files.exists(mount.get().resolve("cgroup.procs")) && Files.isWritable(mount.get()), "cgroup2 is not writable here");
            CgroupV2Driver driver = new CgroupV2Driver(mount.get());
            // the freezer is core to cgroup2: a bare directory has cgroup.freeze, whatever controllers it has
            Files.createDirectories(driver.root().resolve("ale").resolve(name));
            cgroup = driver.open(name).orElseThrow();
            assumeTrue(Files.exists(cgroup.procsFiles().getFirst().resolveSibling("cgroup.freeze")), "kernel without the cgroup2 freezer (5.2+)");
        }
        cgroups.add(cgroup);
        return cgroup;
    }

    private Process startIn(Cgroup cgroup, String script) throws IOException {
        List<String> command = new ArrayList<>(List.of("sh", "-c", "for f; do echo $$ > \"$f\"; done; " + script, "sh"));
        cgroup.procsFiles().forEach(f -> command.add(f.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        processes.add(process);
        await().atMost(Duration.ofSeconds(5)).until(() -> cgroup.pids().contains((int) process.pid()));
        return process;
    }

    /** utime + stime of a host process, from /proc. */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
