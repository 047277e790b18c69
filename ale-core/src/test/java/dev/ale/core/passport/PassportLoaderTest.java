package dev.ale.core.passport;

import dev.ale.core.passport.FilesystemRules.ReadOnlyBind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Passports the loader accepts, and exactly what they become. */
class PassportLoaderTest {

    @TempDir
    Path dir;

    @Test
    void theExamplePassportParsesToExactlyTheValuesItStates() throws IOException {
        Path rootfs = Files.createDirectories(dir.resolve("rootfs/debian"));
        Path models = Files.createDirectories(dir.resolve("models"));
        Path data = Files.createDirectories(dir.resolve("data"));
        Path file = Files.writeString(dir.resolve("coder.yaml"), """
                id: coder-1                       # a comment is fine
                resources:
                  cpus: 1
                  memory: 512MiB
                  pids: 256
                  wallTime: 10m
                  workspaceSize: 1GiB
                filesystem:
                  rootfs: %s
                  hidden: [/data/secret, "/home/*/.cache"]
                  readOnly: ["%s:/opt/models", "%s:/data"]
                devices:
                  gpu: false
                """.formatted(rootfs, models, data));

        Passport passport = PassportLoader.load(file);

        assertThat(passport).isEqualTo(new Passport("coder-1",
                new Resources(1.0, 512L << 20, 256, Duration.ofMinutes(10), 1L << 30),
                new FilesystemRules(Optional.of(rootfs), List.of("/data/secret", "/home/*/.cache"),
                        List.of(new ReadOnlyBind(models, Path.of("/opt/models")), new ReadOnlyBind(data, Path.of("/data")))),
                new Devices(false)));
    }

    @Test
    void aPassportWithOnlyAnIdGetsTheDefaultsForEverythingElse() {
        Passport passport = PassportLoader.parse("id: coder-1\n", "coder.yaml");

        assertThat(passport).isEqualTo(
                new Passport("coder-1", Resources.defaults(), FilesystemRules.defaults(), Devices.none()));
    }

    @Test
    void theModelSectionSetsTheProxyAndItsTokenBudget() {
        Passport passport = PassportLoader.parse("id: coder-1\nmodel:\n  proxy: false\n  tokens: 20000\n", "coder.yaml");
        Passport onlyBudget = PassportLoader.parse("id: coder-1\nmodel:\n  tokens: 0\n", "coder.yaml");

        assertThat(passport.model()).isEqualTo(new ModelAccess(false, 20_000));
        assertThat(onlyBudget.model()).isEqualTo(new ModelAccess(true, 0));
        assertThat(PassportLoader.parse("id: c\n", "c.yaml").model()).isEqualTo(new ModelAccess(true, ModelAccess.DEFAULT_TOKENS));
    }

    @Test
    void fieldsMissingFromASectionTakeTheirDefaults() {
        Passport passport = PassportLoader.parse("""
                id: coder-1
                resources:
                  memory: 2GiB
                """, "coder.yaml");

        Resources defaults = Resources.defaults();
        assertThat(passport.resources()).isEqualTo(new Resources(
                defaults.cpus(), 2L << 30, defaults.pids(), defaults.wallTime(), defaults.workspaceBytes()));
    }

    @Test
    void aSectionWithNothingUnderItMeansAllDefaults() {
        Passport passport = PassportLoader.parse("""
                id: coder-1
                resources:
                filesystem:
                  hidden:
                  readOnly:
                devices:
                """, "coder.yaml");

        assertThat(passport).isEqualTo(
                new Passport("coder-1", Resources.defaults(), FilesystemRules.defaults(), Devices.none()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0.5      | 0.5",
            "'\"0.5\"' | 0.5",
            "2        | 2.0",
            "'\"16\"' | 16.0",
            "0.01     | 0.01",
            "1024     | 1024.0"})
    void cpusMayBeWrittenAsANumberOrAsNumericText(String written, double expected) {
        Passport passport = PassportLoader.parse("id: a\nresources:\n  cpus: " + written + "\n", "coder.yaml");

        assertThat(passport.resources().cpus()).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "512MiB     | 536870912",
            "2GiB       | 2147483648",
            "1.5GiB     | 1610612736",
            "1.5GB      | 1500000000",
            "10 MiB     | 10485760",
            "4194304    | 4194304",
            "'\"4096KiB\"' | 4194304",
            "1TiB       | 1099511627776"})
    void memoryAcceptsBinaryAndDecimalUnitsAndPlainBytes(String written, long expectedBytes) {
        Passport passport = PassportLoader.parse("id: a\nresources:\n  memory: " + written + "\n", "coder.yaml");

        assertThat(passport.resources().memoryBytes()).isEqualTo(expectedBytes);
    }

    @Test
    void theSmallestAllowedSizesAreAccepted() {
        Passport passport = PassportLoader.parse("""
                id: a
                resources:
                  memory: 4MiB
                  workspaceSize: 1MiB
                """, "coder.yaml");

        assertThat(passport.resources().memoryBytes()).isEqualTo(4L << 20);
        assertThat(passport.resources().workspaceBytes()).isEqualTo(1L << 20);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "500ms | 500",
            "30s   | 30000",
            "5m    | 300000",
            "2h    | 7200000",
            "1.5h  | 5400000",
            "1ms   | 1"})
    void wallTimeAcceptsEachUnit(String written, long expectedMillis) {
        Passport passport = PassportLoader.parse("id: a\nresources:\n  wallTime: " + written + "\n", "coder.yaml");

        assertThat(passport.resources().wallTime()).isEqualTo(Duration.ofMillis(expectedMillis));
    }

    @Test
    void cpuSustainedIsReadAndDefaultsToFiveMinutes() {
        assertThat(PassportLoader.parse("id: a\nresources:\n  cpuSustained: 90s\n", "coder.yaml").resources().cpuSustained())
                .isEqualTo(Duration.ofSeconds(90));
        assertThat(PassportLoader.parse("id: a\n", "coder.yaml").resources().cpuSustained()).isEqualTo(Duration.ofMinutes(5));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4_194_304})
    void pidsAtEitherEndOfTheRangeAreAccepted(int pids) {
        Passport passport = PassportLoader.parse("id: a\nresources:\n  pids: " + pids + "\n", "coder.yaml");

        assertThat(passport.resources().pids()).isEqualTo(pids);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "A.b_c-9", "9lives", "'123'", "\"true\"",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
    void idsOfLettersDigitsDotsUnderscoresAndDashesUpTo64AreAccepted(String written) {
        Passport passport = PassportLoader.parse("id: " + written + "\n", "coder.yaml");

        assertThat(passport.id()).isEqualTo(written.replaceAll("^['\"]|['\"]$", ""));
    }

    @Test
    void aReadOnlyBindWithoutASandboxPathAppearsAtTheSamePath() {
        Passport passport = PassportLoader.parse("id: a\nfilesystem:\n  readOnly: [/usr]\n", "coder.yaml");

        assertThat(passport.filesystem().readOnly()).containsExactly(new ReadOnlyBind(Path.of("/usr"), Path.of("/usr")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/tmpdata", "/devices", "/workspaces", "/procedures", "/data/tmp", "/opt/proc"})
    void sandboxPathsThatOnlyLookLikeReservedOnesAreAccepted(String target) {
        Passport passport = PassportLoader.parse(
                "id: a\nfilesystem:\n  readOnly: [\"/usr:" + target + "\"]\n", "coder.yaml");

        assertThat(passport.filesystem().readOnly()).containsExactly(new ReadOnlyBind(Path.of("/usr"), Path.of(target)));
    }

    @Test
    void hiddenKeepsOnlyThePassportsOwnEntriesInNormalForm() {
        Passport passport = PassportLoader.parse("""
                id: a
                filesystem:
                  hidden:
                    - /data//secret/
                    - /home/*/.cache
                """, "coder.yaml");

        assertThat(passport.filesystem().hidden()).containsExactly("/data/secret", "/home/*/.cache");
    }

    @Test
    void gpuCanBeGranted() {
        Passport passport = PassportLoader.parse("id: a\ndevices:\n  gpu: true\n", "coder.yaml");

        assertThat(passport.devices()).isEqualTo(new Devices(true));
    }

    @Test
    void flowStyleYamlMeansTheSameAsBlockStyle() {
        Passport flow = PassportLoader.parse(
                "{id: a, resources: {cpus: 2, memory: 1GiB}, devices: {gpu: true}}", "flow.yaml");
        Passport block = PassportLoader.parse("""
                id: a
                resources:
                  cpus: 2
                  memory: 1GiB
                devices:
                  gpu: true
                """, "block.yaml");

        assertThat(flow).isEqualTo(block);
    }

    @Test
    void aByteOrderMarkAtTheStartIsIgnored() throws IOException {
        Path file = Files.writeString(dir.resolve("bom.yaml"), "\uFEFFid: coder-1\n");

        assertThat(PassportLoader.load(file).id()).isEqualTo("coder-1");
    }

    @Test
    void aFileOfExactlyTheSizeLimitIsRead() throws IOException {
        // Many short comment lines: one megabyte-long line would only make SnakeYAML slow.
        StringBuilder text = new StringBuilder("id: coder-1\n");
        String line = "#" + "x".repeat(62) + "\n";
        while (text.length() + line.length() <= PassportLoader.MAX_BYTES) text.append(line);
        text.append("#".repeat(PassportLoader.MAX_BYTES - text.length()));
        Path file = Files.writeString(dir.resolve("big.yaml"), text);
        assertThat(Files.size(file)).isEqualTo(PassportLoader.MAX_BYTES);

        assertThat(PassportLoader.load(file).id()).isEqualTo("coder-1");
    }

    @Test
    void aFileAndItsTextGiveTheSamePassport() throws IOException {
        String text = "id: a\nresources:\n  cpus: 3\n";
        Path file = Files.writeString(dir.resolve("a.yaml"), text);

        assertThat(PassportLoader.load(file)).isEqualTo(PassportLoader.parse(text, "anything"));
    }
}
