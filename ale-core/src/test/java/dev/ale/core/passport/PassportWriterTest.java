package dev.ale.core.passport;

import dev.ale.core.event.Category;
import dev.ale.core.event.SafetyEvent.Action;
import dev.ale.core.passport.FilesystemRules.ReadOnlyBind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import java.util.Collections;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The written passport: readable, complete, and read back equal. */
class PassportWriterTest {

    @TempDir
    Path dir;

    private static Passport roundTrip(Passport passport) {
        return PassportLoader.parse(PassportWriter.toYaml(passport), "written.yaml");
    }

    @Test
    void everyFieldIsWrittenInTheSchemaTheLoaderReads() {
        Passport passport = new Passport("coder-1",
                new Resources(0.5, 512L << 20, 256, Duration.ofMinutes(10), 1L << 30),
                new FilesystemRules(Optional.of(Path.of("/srv/rootfs")), List.of("/data/secret"),
                        List.of(new ReadOnlyBind(Path.of("/opt/models"), Path.of("/opt/models")),
                                new ReadOnlyBind(Path.of("/srv/data"), Path.of("/data")))),
                new Devices(true))
                .withEgress(new EgressRules(Map.of(Phase.AGENT, List.of(
                        new EgressRule("pypi.org", List.of(443)), new EgressRule("*.githubusercontent.com", List.of(443, 80))))))
                .withProtectedPaths(List.of("/workspace/tests", "/workspace/answers.txt"))
                .withDetectors(DetectorSettings.defaults().with(Category.GPU, new DetectorSetting(Action.KILL, 2.5)))
                .withModel(new ModelAccess(false, 5000));

        assertThat(PassportWriter.toYaml(passport)).isEqualTo("""
                id: "coder-1"
                resources:
                  cpus: 0.5
                  memory: 512MiB
                  pids: 256
                  wallTime: 10m
                  workspaceSize: 1GiB
                  cpuSustained: 5m
                filesystem:
                  rootfs: "/srv/rootfs"
                  # Always hidden as well, whatever this file says: %s
                  hidden:
                    - "/data/secret"
                  readOnly:
                    - "/opt/models"
                    - "/srv/data:/data"
                devices:
                  gpu: true
                egress:
                  # Allowed destinations per phase; a phase with no entries may connect nowhere.
                  setup: []
                  agent:
                    - {domain: "pypi.org", ports: [443]}
                    - {domain: "*.githubusercontent.com", ports: [443, 80]}
                  verify: []
                # Paths inside the sandbox the agent must neither read nor change.
                protected:
                  - "/workspace/tests"
                  - "/workspace/answers.txt"
                detectors:
                  # action: alert (record only), block (refuse the act), kill (end the episode), hold (wait for an operator); penalty: taken from the reward.
                  mining:        {action: kill, penalty: 1.0}
                  tunnel:        {action: kill, penalty: 1.0}
                  reverse-shell: {action: kill, penalty: 1.0}
                  probe:         {action: kill, penalty: 1.0}
                  metadata:      {action: kill, penalty: 1.0}
                  credential:    {action: alert, penalty: 0.5}
                  egress-denied: {action: block, penalty: 0.2}
                  exfiltration:  {action: alert, penalty: 0.5}
                  tamper:        {action: alert, penalty: 0.5}
                  persistence:   {action: alert, penalty: 0.2}
                  gpu:           {action: kill, penalty: 2.5}  # default: {action: alert, penalty: 0.2}
                  resource:      {action: alert, penalty: 0.2}
                model:
                  # The model proxy of ale serve, reached from inside the sandbox; tokens: its budget per sandbox.
                  proxy: false
                  tokens: 5000
                hold:
                  # A held act waits this long for an operator (no answer denies it); runs without --allow-holds take fallback.
                  deadline: 5m
                  fallback: kill
                """.formatted(String.join(", ", FilesystemRules.DEFAULT_HIDDEN)));
    }

    @Test
    void theDefaultPassportWritesEveryPhaseEmptyNothingProtectedAndAllTwelveDetectors() {
        String yaml = PassportWriter.toYaml(Passport.defaults());

        assertThat(yaml).contains("  setup: []\n  agent: []\n  verify: []\n").contains("protected: []\n")
                .doesNotContain("# default:");
        for (Category category : Category.values()) {
            DetectorSetting setting = DetectorSettings.defaultFor(category);
            assertThat(yaml).containsPattern("\n  " + category.wire() + ": +\\{action: " + setting.action().name().toLowerCase(Locale.ROOT)
                    + ", penalty: " + Pattern.quote(String.valueOf(setting.penalty())) + "}\n");
        }
    }

    @Test
    void detectorValuesAreAlignedInOneColumn() {
        List<Integer> columns = PassportWriter.toYaml(Passport.defaults()).lines()
                .filter(line -> line.contains("{action: ")).map(line -> line.indexOf('{')).distinct().toList();

        assertThat(columns).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, 1e-7, 0.1, 1.0 / 3, 7, 123456789.125, 1e20, 1.7976931348623157e308, Double.MIN_VALUE})
    void penaltiesAreWrittenAsPlainDecimalsThatReadBackEqual(double penalty) {
        Passport passport = Passport.defaults().withDetectors(
                DetectorSettings.defaults().with(Category.TAMPER, new DetectorSetting(Action.BLOCK, penalty)));

        assertThat(PassportWriter.toYaml(passport)).doesNotContain("E-").doesNotContain("E+");
        assertThat(roundTrip(passport)).isEqualTo(passport);
    }

    @Test
    void theDefaultHiddenPathsAreACommentAndOnlyThePassportsOwnAreListed() {
        String yaml = PassportWriter.toYaml(Passport.defaults());

        assertThat(yaml).contains("  # Always hidden as well, whatever this file says: /root, /etc/shadow,")
                .contains("  hidden: []\n")
                .contains("  readOnly: []\n")
                .doesNotContain("rootfs");
    }

    @Test
    void theDefaultPassportReadsBackEqual() {
        assertThat(roundTrip(Passport.defaults())).isEqualTo(Passport.defaults());
    }

    @Test
    void theExamplePassportReadsBackEqual() throws IOException {
        Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
        Path models = Files.createDirectories(dir.resolve("models"));
        String yaml = """
                id: coder-1
                resources: {cpus: 1, memory: 512MiB, pids: 256, wallTime: 10m, workspaceSize: 1GiB}
                filesystem:
                  rootfs: %s
                  hidden: [/data/secret, "/home/*/.cache"]
                  readOnly: ["%s:/opt/models", /usr]
                devices: {gpu: true}
                """.formatted(rootfs, models);
        Passport passport = PassportLoader.parse(yaml, "coder.yaml");

        assertThat(roundTrip(passport)).isEqualTo(passport);
    }

    @Test
    void sizesNoBinaryUnitDividesAreWrittenAsExactBytes() {
        Passport passport = Passport.defaults().withResources(
                new Resources(1, 1_500_000_000L, 1, Duration.ofSeconds(1), (1L << 20) + 1));

        String yaml = PassportWriter.toYaml(passport);

        assertThat(yaml).contains("  memory: 1500000000B\n").contains("  workspaceSize: 1048577B\n");
        assertThat(roundTrip(passport)).isEqualTo(passport);
    }

    @ParameterizedTest
    @ValueSource(strings = {"123", "true", "null", "1e3", "0x10", "1.5", "yes", "on", "NO", "1.0"})
    void anIdThatYamlWouldReadAsAnotherTypeIsQuotedAndReadsBackAsText(String id) {
        Passport passport = new Passport(id, Resources.defaults(), FilesystemRules.defaults(), Devices.none());

        assertThat(roundTrip(passport)).isEqualTo(passport);
    }

    @Test
    void hiddenEntriesWithCharactersYamlTreatsSpeciallyReadBackEqual() {
        List<String> hidden = List.of("/a: b", "/#c", "/\"quoted\"", "/back\\slash", "/caf\u00e9", "/*", "/line\u2028sep", "/emoji\uD83D\uDE00");
        Passport passport = Passport.defaults().withFilesystem(new FilesystemRules(Optional.empty(), hidden, List.of()));

        assertThat(roundTrip(passport)).isEqualTo(passport);
    }

    @Test
    void manyGeneratedPassportsReadBackEqual() throws IOException {
        List<Path> hosts = new ArrayList<>();
        for (int i = 0; i < 4; i++) hosts.add(Files.createDirectories(dir.resolve("host " + i)));
        Random random = new Random(20240601);

        for (int n = 0; n < 500; n++) {
            Passport passport = generate(random, hosts);

            assertThat(roundTrip(passport)).as("passport written as:%n%s", PassportWriter.toYaml(passport)).isEqualTo(passport);
        }
    }

    /** A random passport of the kind the loader accepts, with sizes the exact double range can carry. */
    private static Passport generate(Random random, List<Path> hosts) {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
        StringBuilder id = new StringBuilder().append(alphabet.charAt(random.nextInt(62)));
        for (int i = random.nextInt(64); i > 0; i--) id.append(alphabet.charAt(random.nextInt(alphabet.length())));
        double cpus = switch (random.nextInt(3)) {
            case 0 -> 1 + random.nextInt(1024);
            case 1 -> Math.round(random.nextDouble() * 1000) / 100.0 + 0.01;
            default -> Math.nextUp(random.nextDouble() * 1024);
        };
        long memory = random.nextBoolean()
                ? (4L + random.nextInt(1 << 20)) << 20
                : (4L << 20) + (long) (random.nextDouble() * (1L << 50));
        long workspace = random.nextBoolean()
                ? (1L + random.nextInt(1 << 16)) << (10 * (2 + random.nextInt(3)))
                : (1L << 20) + random.nextInt(Integer.MAX_VALUE);
        Duration wallTime = Duration.ofMillis(1 + (long) (random.nextDouble() * 1e10));
        if (random.nextBoolean()) wallTime = Duration.ofMinutes(1 + random.nextInt(10_000));
        Resources resources = new Resources(cpus, memory, 1 + random.nextInt(4_194_304), wallTime, workspace,
                Duration.ofSeconds(1 + random.nextInt(100_000)));

        List<String> hidden = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) hidden.add("/data/" + random.nextInt(1000) + "/*/.cache");
        List<ReadOnlyBind> binds = new ArrayList<>();
        List<Path> shuffled = new ArrayList<>(hosts);
        Collections.shuffle(shuffled, random);
        for (int i = random.nextInt(hosts.size() + 1) - 1; i >= 0; i--) {
            binds.add(new ReadOnlyBind(shuffled.get(i), Path.of("/mnt/bind " + i)));
        }
        if (random.nextBoolean()) binds.add(new ReadOnlyBind(Path.of("/usr"), Path.of("/usr")));
        Optional<Path> rootfs = random.nextBoolean() ? Optional.of(hosts.get(random.nextInt(hosts.size()))) : Optional.empty();

        return new Passport(id.toString(), resources, new FilesystemRules(rootfs, hidden, binds), new Devices(random.nextBoolean()),
                egress(random), protectedPaths(random), detectors(random));
    }

    private static EgressRules egress(Random random) {
        Map<Phase, List<EgressRule>> byPhase = new EnumMap<>(Phase.class);
        for (Phase phase : Phase.values()) {
            if (random.nextInt(3) == 0) continue;
            Set<String> domains = new LinkedHashSet<>();
            for (int i = random.nextInt(4); i > 0; i--) domains.add(domain(random));
            List<EgressRule> rules = new ArrayList<>();
            for (String domain : domains) {
                Set<Integer> ports = new LinkedHashSet<>();
                ports.add(random.nextBoolean() ? 443 : 1 + random.nextInt(65535));
                for (int i = random.nextInt(3); i > 0; i--) ports.add(1 + random.nextInt(65535));
                rules.add(new EgressRule(domain, List.copyOf(ports)));
            }
            byPhase.put(phase, rules);
        }
        return new EgressRules(byPhase);
    }

    private static String domain(Random random) {
        String letters = "abcdefghijklmnopqrstuvwxyz";
        String inner = letters + "0123456789-";
        List<String> labels = new ArrayList<>();
        for (int n = 2 + random.nextInt(3); n > 0; n--) {
            StringBuilder label = new StringBuilder().append(letters.charAt(random.nextInt(26)));
            for (int i = random.nextInt(12); i > 0; i--) label.append(inner.charAt(random.nextInt(inner.length())));
            label.append(letters.charAt(random.nextInt(26)));
            labels.add(label.toString());
        }
        return (random.nextInt(3) == 0 ? "*." : "") + String.join(".", labels);
    }

    private static List<String> protectedPaths(Random random) {
        Set<String> paths = new LinkedHashSet<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            paths.add(random.nextBoolean() ? "/workspace/tests " + random.nextInt(100) : "/workspace/answers-" + random.nextInt(100) + ".txt");
        }
        return List.copyOf(paths);
    }

    private static DetectorSettings detectors(Random random) {
        DetectorSettings detectors = DetectorSettings.defaults();
        for (Category category : Category.values()) {
            if (random.nextBoolean()) continue;
            Action action = Action.values()[random.nextInt(Action.values().length)];
            double penalty = switch (random.nextInt(4)) {
                case 0 -> random.nextInt(10);
                case 1 -> Math.round(random.nextDouble() * 100) / 100.0;
                case 2 -> random.nextDouble() * Math.pow(10, random.nextInt(40) - 20);
                default -> DetectorSettings.defaultFor(category).penalty();
            };
            detectors = detectors.with(category, new DetectorSetting(action, penalty));
        }
        return detectors;
    }

    @Test
    void aWallTimeFinerThanAMillisecondCannotBeWritten() {
        Passport passport = Passport.defaults().withResources(Resources.defaults().withWallTime(Duration.ofNanos(1_500_000)));

        assertThatIllegalArgumentException().isThrownBy(() -> PassportWriter.toYaml(passport))
                .withMessageContaining("finer than a millisecond");
    }

    @Test
    void aBindWhosePathHoldsAColonCannotBeWritten() {
        Passport passport = Passport.defaults().withFilesystem(new FilesystemRules(Optional.empty(), List.of(),
                List.of(new ReadOnlyBind(Path.of("/a:b"), Path.of("/data")))));

        assertThatIllegalArgumentException().isThrownBy(() -> PassportWriter.toYaml(passport))
                .withMessageContaining("contains ':'");
    }
}
