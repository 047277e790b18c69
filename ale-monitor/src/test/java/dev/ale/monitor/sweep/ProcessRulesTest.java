package dev.ale.monitor.sweep;

import dev.ale.core.event.Category;
import dev.ale.monitor.detect.CommandLineDetector;
import dev.ale.monitor.detect.Detection;
import dev.ale.monitor.rules.RuleId;
import java.util.List;
import org.junit.jupiter.api.Test;

import static dev.ale.monitor.sweep.Snapshots.withFds;
import static org.assertj.core.api.Assertions.assertThat;

class ProcessRulesTest {

    private static final List<String> SOCKETS = List.of("socket:[9]", "socket:[9]", "socket:[9]");
    private final ProcessRules noGpu = new ProcessRules(CommandLineDetector.standard(), false);

    @Test
    void aMinerCalledByAnotherNameIsStillAKnownMinerByItsExecutable() {
        var disguised = Snapshots.running("xmrig", "/tmp/xmrig", List.of("kthreadd"));

        List<Detection> found = noGpu.inspectIdentity(disguised);

        assertThat(rules(found)).contains(RuleId.MINING_PROGRAM_KNOWN_MINER.id(), RuleId.PERSISTENCE_RENAMED_PROCESS.id());
        assertThat(found).filteredOn(d -> d.category() == Category.MINING)
                .allSatisfy(d -> assertThat(d.evidence()).containsEntry("exe", "/tmp/xmrig"));
    }

    @Test
    void aKernelThreadTitleOnAnOrdinaryFileIsARewrittenTitle() {
        var p = Snapshots.running("kworker", "/tmp/kworker", List.of("[kworker/0:1]", "60"));
        var viaPrctl = Snapshots.running("kworker/0:1", "/tmp/.cache/agent", List.of("[kworker/0:1]"));
        var renamedOnDisk = Snapshots.running("kworker", "/tmp/kworker", List.of("kworker", "60"));

        assertThat(rules(noGpu.inspectIdentity(p))).containsExactly(RuleId.PERSISTENCE_RENAMED_PROCESS.id());
        assertThat(rules(noGpu.inspectIdentity(viaPrctl))).containsExactly(RuleId.PERSISTENCE_RENAMED_PROCESS.id());
        // every name agrees: only what it does can tell
        assertThat(rules(noGpu.inspectIdentity(renamedOnDisk))).isEmpty();
    }

    @Test
    void ordinaryProcessesKeepTheirNames() {
        List<ProcessSnapshotCase> benign = List.of(
                new ProcessSnapshotCase("python3", "/usr/bin/python3.12", List.of("python3", "-m", "http.server", "8000")),
                new ProcessSnapshotCase("bash", "/usr/bin/bash", List.of("-bash")),
                new ProcessSnapshotCase("run.sh", "/usr/bin/dash", List.of("/bin/sh", "./run.sh")),
                new ProcessSnapshotCase("x.py", "/usr/bin/python3.12", List.of("/usr/bin/python3", "-u", "/workspace/x.py")),
                new ProcessSnapshotCase("sh", "/usr/bin/busybox", List.of("sh", "-c", "true")),
                new ProcessSnapshotCase("vi", "/usr/bin/vim.basic", List.of("vi", "notes.txt")),
                new ProcessSnapshotCase("awk", "/usr/bin/mawk", List.of("awk", "{print}")),
                new ProcessSnapshotCase("postgres", "/usr/lib/postgresql/16/bin/postgres", List.of("postgres: checkpointer ")),
                new ProcessSnapshotCase("nginx", "/usr/sbin/nginx", List.of("nginx: worker process")),
                new ProcessSnapshotCase("git-remote-http", "/usr/lib/git-core/git-remote-http", List.of("git-remote-https", "origin")),
                new ProcessSnapshotCase("npm run build", "/usr/bin/node", List.of("npm run build")),
                new ProcessSnapshotCase("java", "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java", List.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java", "-jar", "a.jar")),
                new ProcessSnapshotCase("sleep", "/usr/bin/sleep", List.of()));
        for (ProcessSnapshotCase c : benign) {
            assertThat(noGpu.inspectIdentity(Snapshots.running(c.comm(), c.exe(), c.argv()))).as(c.toString()).isEmpty();
        }
    }

    private record ProcessSnapshotCase(String comm, String exe, List<String> argv) {
    }

    @Test
    void shellWithSocketsOnItsStdioIsAReverseShell() {
        var sh = withFds("sh", List.of("/bin/sh", "-i"), SOCKETS, List.of(0, 1, 2));

        assertThat(rules(noGpu.inspectFds(sh))).containsExactly(RuleId.REVERSE_SHELL_STDIO_SOCKET.id());
        assertThat(noGpu.inspectFds(sh).getFirst().category()).isEqualTo(Category.REVERSE_SHELL);
    }

    @Test
    void interpreterFoundByCommNameEvenWhenArgvIsRenamed() {
        var py = withFds("python3.11", List.of("[kworker/0:1]"), SOCKETS, List.of(0, 1));

        assertThat(rules(noGpu.inspectFds(py))).containsExactly(RuleId.REVERSE_SHELL_STDIO_SOCKET.id());
    }

    @Test
    void loginShellArgvZeroCounts() {
        var sh = withFds("x", List.of("-bash"), SOCKETS, List.of(2));

        assertThat(rules(noGpu.inspectFds(sh))).containsExactly(RuleId.REVERSE_SHELL_STDIO_SOCKET.id());
    }

    @Test
    void shellOnPipesAndServerOnSocketsAreNotReverseShells() {
        var sh = withFds("bash", List.of("bash"), List.of("pipe:[1]", "pipe:[2]", "pipe:[3]"), List.of());
        var sleep = withFds("sleep", List.of("sleep", "9"), SOCKETS, List.of(0, 1, 2));
        var server = withFds("python3", List.of("python3", "-m", "http.server"),
                List.of("/dev/null", "pipe:[2]", "pipe:[3]", "socket:[4]"), List.of());

        assertThat(noGpu.inspectFds(sh)).isEmpty();
        assertThat(noGpu.inspectFds(sleep)).isEmpty();
        assertThat(noGpu.inspectFds(server)).isEmpty();
    }

    @Test
    void gpuDeviceWithoutAGrantIsFlaggedAndWithOneIsNot() {
        var cuda = withFds("train", List.of("./train"), List.of("/dev/null", "/dev/nvidiactl", "/dev/nvidia0", "/dev/nvidia-uvm"), List.of());

        assertThat(rules(noGpu.inspectFds(cuda))).containsExactly(RuleId.GPU_DEVICE_OPEN.id());
        assertThat(new ProcessRules(CommandLineDetector.standard(), true).inspectFds(cuda)).isEmpty();
        assertThat(rules(noGpu.inspectFds(withFds("x", List.of("x"), List.of("/dev/dri/renderD128"), List.of()))))
                .containsExactly(RuleId.GPU_DEVICE_OPEN.id());
    }

    @Test
    void credentialFilesHeldOpenAreFlaggedByKind() {
        var cat = withFds("cat", List.of("cat"), List.of("/workspace/.aws/credentials", "/home/u/.ssh/id_ed25519",
                "/proc/1/environ", "/var/run/secrets/kubernetes.io/serviceaccount/token"), List.of());

        assertThat(rules(noGpu.inspectFds(cat))).containsExactlyInAnyOrder(
                "credential.open-file.cloud-cli", "credential.open-file.ssh-private-key",
                "credential.open-file.proc-environ", "credential.open-file.k8s-service-account");
    }

    @Test
    void publicKeysAndLookalikePathsAreNotCredentials() {
        var cat = withFds("cat", List.of("cat"), List.of("/home/u/.ssh/id_ed25519.pub", "/workspace/aws/notes.txt",
                "/workspace/kube/config"), List.of());

        assertThat(noGpu.inspectFds(cat)).isEmpty();
    }

    @Test
    void argvOfARenamedMinerIsCaughtButPersistenceHintsAreLeftToTheTree() {
        var miner = withFds("sleep", List.of("xmrig", "30"), List.of(), List.of());
        var nohup = withFds("nohup", List.of("nohup", "sleep", "300"), List.of(), List.of());

        assertThat(noGpu.inspectArgv(miner)).extracting(Detection::category).containsOnly(Category.MINING).isNotEmpty();
        assertThat(noGpu.inspectArgv(nohup)).isEmpty();
    }

    private static List<String> rules(List<Detection> ds) {
        return ds.stream().map(Detection::ruleId).toList();
    }
}
