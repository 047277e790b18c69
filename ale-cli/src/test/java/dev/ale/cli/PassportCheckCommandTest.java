package dev.ale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ale.core.event.Category;
import dev.ale.core.passport.DetectorSetting;
import dev.ale.core.passport.PassportLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PassportCheckCommandTest {

    @TempDir
    Path dir;

    @Test
    void passportCheckPrintsEffectivePassport() throws IOException {
        Path file = Files.writeString(dir.resolve("coder.yaml"), "id: coder-1\nresources:\n  memory: 256MiB\n");

        Ale.Result r = Ale.runWithoutDataDir("passport", "check", file.toString());

        assertThat(r.exit()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out())
                .contains("id: \"coder-1\"")
                .contains("memory: 256MiB")
                .as("defaults written out").contains("pids: 256").contains("wallTime: 10m").contains("gpu: false");
        assertThat(PassportLoader.parse(r.out(), "printed")).isEqualTo(PassportLoader.load(file));
    }

    @Test
    void passportCheckPrintsAllTwelveDetectorsEveryPhaseAndTheProtectedPaths() throws IOException {
        Path file = Files.writeString(dir.resolve("coder.yaml"), """
                id: coder-1
                egress:
                  agent:
                    - {domain: "pypi.org", ports: [443]}
                protected: [/workspace/tests]
                detectors:
                  tunnel: {action: alert}
                """);

        Ale.Result r = Ale.runWithoutDataDir("passport", "check", file.toString());

        assertThat(r.exit()).isZero();
        assertThat(r.out())
                .startsWith("# " + file + ": valid. The effective passport, every default written out:\n# fingerprint: sha256:")
                .contains("  setup: []\n  agent:\n    - {domain: \"pypi.org\", ports: [443]}\n  verify: []\n")
                .contains("protected:\n  - \"/workspace/tests\"\n")
                .containsPattern("\n  tunnel: +\\{action: alert, penalty: 1\\.0}  # default: \\{action: kill, penalty: 1\\.0}\n");
        for (Category category : Category.values()) {
            DetectorSetting setting = PassportLoader.load(file).detectors().of(category);
            assertThat(r.out()).as(category.wire()).containsPattern("\n  " + category.wire() + ": +\\{action: "
                    + setting.action().name().toLowerCase(Locale.ROOT) + ", penalty: " + Pattern.quote(String.valueOf(setting.penalty())) + "}");
        }
        assertThat(PassportLoader.parse(r.out(), "printed")).isEqualTo(PassportLoader.load(file));
    }

    @Test
    void passportCheckRefusesAnIpAddressInEgressWithExitTwoAndOneLine() throws IOException {
        Path file = Files.writeString(dir.resolve("ip.yaml"), "id: coder-1\negress:\n  agent: [{domain: 10.0.0.1, ports: [22]}]\n");

        Ale.Result r = Ale.runWithoutDataDir("passport", "check", file.toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines().toList()).singleElement().asString()
                .isEqualTo("ale: " + file + ": egress.agent[0].domain: \"10.0.0.1\" is an IP address:"
                        + " use a domain name; IP addresses cannot be allowlisted");
    }

    @Test
    void passportCheckExitsTwoWithTheLoadersMessage() throws IOException {
        Path file = Files.writeString(dir.resolve("bad.yaml"), "id: coder-1\nresources:\n  pids: many\n");

        Ale.Result r = Ale.runWithoutDataDir("passport", "check", file.toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines().toList()).singleElement().asString()
                .startsWith("ale: " + file + ": resources.pids: must be a whole number");
    }
}
