package dev.ale.core.passport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A passport's fingerprint: the same for the same rules however they are written, different for any other rule. */
class PassportFingerprintTest {

    private static final String BASE = """
            id: coder-1
            resources:
              memory: 512MiB
              wallTime: 5m
            egress:
              agent:
                - {domain: "pypi.org", ports: [443, 80]}
                - {domain: "*.githubusercontent.com", ports: [443]}
            protected:
              - /workspace/tests
              - /workspace/answers.txt
            detectors:
              tunnel: {action: alert}
            """;

    private static String fingerprint(String yaml) {
        return PassportLoader.parse(yaml, "p.yaml").fingerprint();
    }

    @Test
    void isSha256OfTheCanonicalFormWithItsAlgorithmNamed() throws Exception {
        Passport p = PassportLoader.parse(BASE, "p.yaml");
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(PassportFingerprint.canonical(p).getBytes(StandardCharsets.UTF_8));

        assertThat(p.fingerprint()).isEqualTo("sha256:" + HexFormat.of().formatHex(digest));
        assertThat(PassportFingerprint.isFingerprint(p.fingerprint())).isTrue();
    }

    @Test
    void theCanonicalFormIsCompactSortedJsonWithEveryDefaultFilledIn() {
        String canonical = PassportFingerprint.canonical(Passport.defaults());

        assertThat(canonical).isEqualTo("{\"canonical\":1,\"detectors\":{"
                + "\"credential\":{\"action\":\"alert\",\"penalty\":\"0.5\"},\"egress-denied\":{\"action\":\"block\",\"penalty\":\"0.2\"},"
                + "\"exfiltration\":{\"action\":\"alert\",\"penalty\":\"0.5\"},\"gpu\":{\"action\":\"alert\",\"penalty\":\"0.2\"},"
                + "\"metadata\":{\"action\":\"kill\",\"penalty\":\"1\"},\"mining\":{\"action\":\"kill\",\"penalty\":\"1\"},"
                + "\"persistence\":{\"action\":\"alert\",\"penalty\":\"0.2\"},\"probe\":{\"action\":\"kill\",\"penalty\":\"1\"},"
                + "\"resource\":{\"action\":\"alert\",\"penalty\":\"0.2\"},\"reverse-shell\":{\"action\":\"kill\",\"penalty\":\"1\"},"
                + "\"tamper\":{\"action\":\"alert\",\"penalty\":\"0.5\"},\"tunnel\":{\"action\":\"kill\",\"penalty\":\"1\"}},"
                + "\"devices\":{\"gpu\":false},\"egress\":{\"agent\":[],\"setup\":[],\"verify\":[]},"
                + "\"filesystem\":{\"hidden\":[],\"image\":null,\"readOnly\":[],\"rootfs\":null},\"id\":\"default\","
                + "\"model\":{\"proxy\":true,\"tokens\":1000000},\"protected\":[],"
                + "\"resources\":{\"cpuSustainedMs\":300000,\"cpus\":\"1\",\"memoryBytes\":1073741824,\"pids\":256,"
                + "\"wallTimeMs\":600000,\"workspaceBytes\":536870912}}");
    }

    @Test
    void commentsLayoutKeyOrderSpellingListOrderAndDefaultsWrittenOutDoNotChangeIt() {
        String base = fingerprint(BASE);
        String rewritten = """
                # the same rules, written another way
                detectors:
                  tunnel:   {penalty: 1.0, action: alert}   # penalty is the default
                  mining: {action: kill}
                protected: [/workspace/answers.txt, /workspace/tests/]
                egress:
                  verify: []
                  agent:
                    - {ports: [443], domain: "*.GitHubUserContent.com"}
                    - {domain: pypi.org, ports: [80, 443]}
                resources: {wallTime: 300s, memory: 536870912, cpus: 1.0}
                id: coder-1
                """;

        assertThat(fingerprint(rewritten)).isEqualTo(base);
        assertThat(fingerprint(PassportWriter.toYaml(PassportLoader.parse(BASE, "p.yaml")))).isEqualTo(base);
    }

    @Test
    void everyChangeToARuleChangesIt() {
        Map<String, String> changes = new LinkedHashMap<>();
        changes.put("id", BASE.replace("id: coder-1", "id: coder-2"));
        changes.put("memory", BASE.replace("memory: 512MiB", "memory: 513MiB"));
        changes.put("wall time", BASE.replace("wallTime: 5m", "wallTime: 301s"));
        changes.put("cpus", BASE.replace("resources:\n", "resources:\n  cpus: 0.5\n"));
        changes.put("a port", BASE.replace("[443, 80]", "[443, 8080]"));
        changes.put("a phase", BASE.replace("  agent:\n", "  setup:\n"));
        changes.put("a domain", BASE.replace("pypi.org", "files.pypi.org"));
        changes.put("websocket", BASE.replace("ports: [443]}", "ports: [443], websocket: true}"));
        changes.put("a protected path", BASE.replace("/workspace/answers.txt", "/workspace/answer.txt"));
        changes.put("an action", BASE.replace("tunnel: {action: alert}", "tunnel: {action: block}"));
        changes.put("a penalty", BASE.replace("tunnel: {action: alert}", "tunnel: {action: alert, penalty: 1.01}"));
        changes.put("the gpu", BASE + "devices: {gpu: true}\n");
        changes.put("model tokens", BASE + "model: {tokens: 5}\n");
        changes.put("model proxy", BASE + "model: {proxy: false}\n");
        changes.put("hidden", BASE + "filesystem: {hidden: [/srv/answers]}\n");
        changes.put("image", BASE + "filesystem: {image: \"debian:bookworm\"}\n");
        String base = fingerprint(BASE);
        Map<String, String> seen = new LinkedHashMap<>();
        seen.put(base, "base");
        changes.forEach((what, yaml) -> {
            String f = fingerprint(yaml);
            assertThat(seen).as("changing %s", what).doesNotContainKey(f);
            seen.put(f, what);
        });
    }
}
