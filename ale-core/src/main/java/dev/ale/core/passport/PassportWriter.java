package dev.ale.core.passport;

import dev.ale.core.event.Category;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Prints a passport as YAML in the schema {@link PassportLoader} reads, with every default
 * written out, so that {@code PassportLoader.parse(toYaml(p), name)} gives back {@code p}.
 */
public final class PassportWriter {

    /** Detector lines are aligned on their values, so the table reads down one column. */
    private static final int WIDEST_CATEGORY =
            Arrays.stream(Category.values()).mapToInt(c -> c.wire().length()).max().orElse(0);

    private PassportWriter() {
    }

    /**
     * The passport as YAML. Sizes are written exactly (plain bytes when no binary unit divides them),
     * because the approximate form of {@link ByteSize#format} would not read back equal.
     */
    public static String toYaml(Passport passport) {
        Objects.requireNonNull(passport, "passport");
        Resources resources = passport.resources();
        FilesystemRules filesystem = passport.filesystem();
        StringBuilder yaml = new StringBuilder();
        yaml.append("id: ").append(quote(passport.id())).append('\n');
        yaml.append("resources:\n");
        yaml.append("  cpus: ").append(BigDecimal.valueOf(resources.cpus()).stripTrailingZeros().toPlainString()).append('\n');
        yaml.append("  memory: ").append(ByteSize.formatExact(resources.memoryBytes())).append('\n');
        yaml.append("  pids: ").append(resources.pids()).append('\n');
        yaml.append("  wallTime: ").append(duration(resources.wallTime())).append('\n');
        yaml.append("  workspaceSize: ").append(ByteSize.formatExact(resources.workspaceBytes())).append('\n');
        yaml.append("  cpuSustained: ").append(duration(resources.cpuSustained())).append('\n');
        yaml.append("filesystem:\n");
        filesystem.rootfs().ifPresent(rootfs -> yaml.append("  rootfs: ").append(quote(rootfs.toString())).append('\n'));
        filesystem.image().ifPresent(image -> yaml.append("  image: ").append(quote(image)).append('\n'));
        yaml.append("  # Always hidden as well, whatever this file says: ")
                .append(String.join(", ", FilesystemRules.DEFAULT_HIDDEN)).append('\n');
        list(yaml, "hidden", filesystem.hidden());
        list(yaml, "readOnly", filesystem.readOnly().stream().map(PassportWriter::bind).toList());
        yaml.append("devices:\n");
        yaml.append("  gpu: ").append(passport.devices().gpu()).append('\n');
        egress(yaml, passport.egress());
        yaml.append("# Paths inside the sandbox the agent must neither read nor change.\n");
        yaml.append("protected:");
        items(yaml, "  ", passport.protectedPaths().stream().map(PassportWriter::quote).toList());
        detectors(yaml, passport.detectors());
        yaml.append("model:\n");
        yaml.append("  # The model proxy of ale serve, reached from inside the sandbox; tokens: its budget per sandbox.\n");
        yaml.append("  proxy: ").append(passport.model().proxy()).append('\n');
        yaml.append("  tokens: ").append(passport.model().tokens()).append('\n');
        yaml.append("hold:\n");
        yaml.append("  # A held act waits this long for an operator (no answer denies it); runs without --allow-holds take fallback.\n");
        yaml.append("  deadline: ").append(duration(passport.hold().deadline())).append('\n');
        yaml.append("  fallback: ").append(passport.hold().fallback().name().toLowerCase(Locale.ROOT)).append('\n');
        return yaml.toString();
    }

    private static void egress(StringBuilder yaml, EgressRules egress) {
        yaml.append("egress:\n");
        yaml.append("  # Allowed destinations per phase; a phase with no entries may connect nowhere.\n");
        for (Phase phase : Phase.values()) {
            yaml.append("  ").append(phase.wire()).append(':');
            items(yaml, "    ", egress.rules(phase).stream().map(PassportWriter::egressRule).toList());
        }
    }

    private static String egressRule(EgressRule rule) {
        String ports = String.join(", ", rule.ports().stream().map(String::valueOf).toList());
        return "{domain: " + quote(rule.domain()) + ", ports: [" + ports + "]" + (rule.websocket() ? ", websocket: true" : "") + "}";
    }

    /** All categories, in a fixed order, with a note on each line that differs from the default. */
    private static void detectors(StringBuilder yaml, DetectorSettings detectors) {
        yaml.append("detectors:\n");
        yaml.append("  # action: alert (record only), block (refuse the act), kill (end the episode), hold (wait for an operator);"
                + " penalty: taken from the reward.\n");
        for (Category category : Category.values()) {
            DetectorSetting setting = detectors.of(category);
            DetectorSetting defaults = DetectorSettings.defaultFor(category);
            yaml.append("  ").append(category.wire()).append(':')
                    .append(" ".repeat(1 + WIDEST_CATEGORY - category.wire().length())).append(detector(setting));
            if (!setting.equals(defaults)) yaml.append("  # default: ").append(detector(defaults));
            yaml.append('\n');
        }
    }

    private static String detector(DetectorSetting setting) {
        return "{action: " + setting.action().name().toLowerCase(Locale.ROOT)
                + ", penalty: " + penalty(setting.penalty()) + "}";
    }

    /**
     * The shortest decimal that reads back as the same double, in plain notation: YAML 1.1 does
     * not read Java's {@code 1.0E-5} as a number.
     */
    private static String penalty(double penalty) {
        return BigDecimal.valueOf(penalty).toPlainString();
    }

    /** A block list under a key already written, or {@code []} when there are no items. */
    private static void items(StringBuilder yaml, String indent, List<String> items) {
        if (items.isEmpty()) {
            yaml.append(" []\n");
            return;
        }
        yaml.append('\n');
        for (String item : items) yaml.append(indent).append("- ").append(item).append('\n');
    }

    private static void list(StringBuilder yaml, String key, List<String> items) {
        yaml.append("  ").append(key).append(':');
        items(yaml, "    ", items.stream().map(PassportWriter::quote).toList());
    }

    private static String bind(FilesystemRules.ReadOnlyBind bind) {
        String source = bind.source().toString();
        String target = bind.target().toString();
        if (source.contains(":") || target.contains(":")) {
            throw new IllegalArgumentException("read-only bind " + source + " -> " + target
                    + " contains ':', which the HOST:SANDBOX form cannot express");
        }
        return source.equals(target) ? source : source + ":" + target;
    }

    private static String duration(Duration duration) {
        // DurationText.format counts whole milliseconds; a finer duration would be written as another one.
        if (duration.getNano() % 1_000_000 != 0) {
            throw new IllegalArgumentException("duration " + duration + " is finer than a millisecond, which a passport cannot express");
        }
        return DurationText.format(duration);
    }

    /**
     * A YAML double-quoted scalar. Always quoted, so that an id such as {@code 123} or {@code true}
     * reads back as a string; characters YAML does not allow raw are escaped.
     */
    static String quote(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        text.codePoints().forEach(c -> {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\t' -> quoted.append("\\t");
                default -> {
                    if (printableInYaml(c)) quoted.appendCodePoint(c);
                    else if (c <= 0xFFFF) quoted.append("\\u%04x".formatted(c));
                    else quoted.append("\\U%08x".formatted(c));
                }
            }
        });
        return quoted.append('"').toString();
    }

    /**
     * The YAML 1.1 printable set, less the byte order mark and the line breaks (U+2028, U+2029)
     * that a quoted scalar would fold into spaces.
     */
    private static boolean printableInYaml(int c) {
        if (c == 0x2028 || c == 0x2029 || c == 0xFEFF) return false;
        return (c >= 0x20 && c <= 0x7E) || (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD)
                || (c >= 0x10000 && c <= 0x10FFFF);
    }
}
