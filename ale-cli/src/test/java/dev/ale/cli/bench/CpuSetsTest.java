package dev.ale.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code ale bench cluster --split-cpus}: the front's process and the nodes' on CPUs of their own, with real cpusets. */
@Tag("root")
class CpuSetsTest {

    private static final Path ROOT = Path.of("/sys/fs/cgroup/cpuset");

    @Test
    void cpuListsReadAsLinuxWritesThemAndABadOneNamesTheOption() {
        assertThat(CpuSets.parse("0-2,5", "--split-cpus")).containsExactly(0, 1, 2, 5);
        assertThat(CpuSets.parse(" 3 ", "--split-cpus")).containsExactly(3);
        assertThat(CpuSets.format(new TreeSet<>(List.of(4, 1)))).isEqualTo("1,4");
        for (String bad : List.of("", "a", "1-", "3-1", "-1", "1-2-3", "1,,2")) {
            assertThatThrownBy(() -> CpuSets.parse(bad, "--split-cpus")).hasMessageContaining("--split-cpus").hasMessageContaining("CPU list");
        }
    }

    @Test
    void aCpuTheHostLacksOrEveryCpuForTheFrontIsRefusedBeforeAnyGroupIsMade() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(ROOT.resolve("cpuset.cpus")), "this host has no cgroup v1 cpuset hierarchy");
        String all = Files.readString(ROOT.resolve("cpuset.effective_cpus")).strip();
        try (var before = Files.list(ROOT)) {
            long groups = before.count();
            assertThatThrownBy(() -> CpuSets.create("t" + ProcessHandle.current().pid(), "4095")).hasMessageContaining("--split-cpus")
                    .hasMessageContaining("4095");
            assertThatThrownBy(() -> CpuSets.create("t" + ProcessHandle.current().pid(), all)).hasMessageContaining("leaves no CPU for the nodes");
            try (var after = Files.list(ROOT)) {
                assertThat(after.count()).isEqualTo(groups);
            }
        }
    }

    @Test
    void aProcessStartedInTheNodesGroupAndWhatItForksRunOnTheNodesCpusWhenSplitAndOnEveryCpuWhenShared() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(ROOT.resolve("cpuset.cpus")), "this host has no cgroup v1 cpuset hierarchy");
        TreeSet<Integer> every = CpuSets.parse(Files.readString(ROOT.resolve("cpuset.effective_cpus")), "host");
        Assumptions.assumeTrue(every.size() >= 2, "a split needs two CPUs");
        String frontCpu = String.valueOf(every.last());
        String tag = "t" + ProcessHandle.current().pid();
        Process p;
        try (CpuSets sets = CpuSets.create(tag, frontCpu)) {
            p = new ProcessBuilder(sets.wrap(CpuSets.Group.NODES, List.of("sh", "-c", "sleep 60 & wait"))).start();
            try {
                long child = await().atMost(Duration.ofSeconds(30)).until(() -> p.children().findFirst(), o -> o.isPresent()).get().pid();
                for (long pid : List.of(p.pid(), child)) {
                    assertThat(Files.readString(Path.of("/proc/" + pid + "/cpuset")).strip()).isEqualTo("/ale-bench-" + tag + "-nodes");
                }

                sets.split();
                TreeSet<Integer> nodes = new TreeSet<>(every);
                nodes.remove(every.last());
                assertThat(allowed(p.pid())).isEqualTo(nodes);
                assertThat(allowed(child)).isEqualTo(nodes);
                assertThat(sets.nodeCpus()).isEqualTo(CpuSets.format(nodes));

                sets.share();
                assertThat(allowed(child)).isEqualTo(every);
            } finally {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor();
            }
        }
        assertThat(ROOT.resolve("ale-bench-" + tag + "-front")).doesNotExist();
        assertThat(ROOT.resolve("ale-bench-" + tag + "-nodes")).doesNotExist();
    }

    private static TreeSet<Integer> allowed(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("Cpus_allowed_list:")) return CpuSets.parse(line.substring(line.indexOf(':') + 1), "status");
        }
        throw new AssertionError("no Cpus_allowed_list for " + pid);
    }
}
