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
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The v2 driver on this host's real cgroup2 mount. On a hybrid v1 host (like CI) that mount has
 * no controllers, so only what needs none runs here: pids, killAll and remove. Creating with
 * limits needs a pure v2 host and is skipped elsewhere.
 */
@Tag("root")
class CgroupV2KillTest {

    private CgroupV2Driver driver;
    private final List<Cgroup> cgroups = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void needsAWritableCgroup2Mount() throws IOException {
        // mountinfo: id parent dev root MOUNTPOINT options ... - FSTYPE source superoptions
        Optional<Path> mount = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .map(line -> List.of(line.split(" ")))
                .filter(f -> f.contains("-") && f.get(f.indexOf("-") + 1).equals("cgroup2"))
                .map(f -> Path.of(f.get(4))).findFirst();
        assumeTrue(mount.isPresent(), "no cgroup2 filesystem is mounted on this host");
        assumeTrue(Files.isWritable(mount.get()), mount.get() + " is not writable; run the tests as root");
        driver = new CgroupV2Driver(mount.get());
    }

    @AfterEach
    void cleanUp() {
        processes.forEach(Process::destroyForcibly);
        cgroups.forEach(Cgroup::remove);
    }

    @Test
    void killAllEmptiesARealCgroup2AndRemoveDeletesIt() throws Exception {
        String name = "test-" + UUID.randomUUID().toString().substring(0, 8);
        Files.createDirectories(driver.root().resolve("ale").resolve(name)); // no controllers needed for this
        Cgroup cgroup = driver.open(name).orElseThrow();
        cgroups.add(cgroup);
        Process parent = startIn(cgroup, "sleep 30 & exec sleep 30");
        await().atMost(Duration.ofSeconds(5)).until(() -> cgroup.pids().size() == 2);

        cgroup.killAll();

        assertThat(cgroup.pids()).isEmpty();
        assertThat(parent.waitFor(5, TimeUnit.SECONDS)).isTrue();
        cgroup.remove();
        assertThat(driver.root().resolve("ale").resolve(name)).doesNotExist();
        assertThat(driver.list()).doesNotContain(name);
    }

    @Test
    void createWritesTheLimitsOnAPureV2Host() throws IOException {
        assumeTrue(CgroupV2Driver.CONTROLLERS.stream().allMatch(c -> controllers().contains(c)),
                "the cgroup2 mount " + driver.root() + " has no cpu, memory and pids controllers"
                        + " (they are bound to cgroup v1 hierarchies on this host)");
        Cgroup cgroup = driver.create("test-" + UUID.randomUUID().toString().substring(0, 8),
                new CgroupLimits(0.5, 64L * 1024 * 1024, 16));
        cgroups.add(cgroup);
        Path dir = cgroup.procsFiles().getFirst().getParent();

        assertThat(Files.readString(dir.resolve("cpu.max")).strip()).isEqualTo("50000 100000");
        assertThat(Files.readString(dir.resolve("memory.max")).strip()).isEqualTo(String.valueOf(64L * 1024 * 1024));
        assertThat(Files.readString(dir.resolve("pids.max")).strip()).isEqualTo("16");
        Process sleeper = startIn(cgroup, "exec sleep 30");
        assertThat(cgroup.pids()).containsExactly((int) sleeper.pid());
    }

    private String controllers() {
        try {
            return Files.readString(driver.root().resolve("cgroup.controllers"));
        } catch (IOException e) {
            return "";
        }
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
}
