package dev.ale.core.passport;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ale.core.event.Category;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A passport's identity: {@code sha256:} and the SHA-256, in lower-case hex, of its canonical form
 * (docs/passport.md, "Fingerprint"). The canonical form is the parsed passport with every default
 * filled in, as compact JSON with sorted keys, so comments, layout, key order, the order of entries
 * in a set-like list and how a value is spelt ({@code 1GiB} or {@code 1073741824}) do not change it,
 * and any change to a rule does.
 */
public final class PassportFingerprint {

    /** Bumped when the canonical form changes, so that one form's fingerprint is never taken for another's. */
    static final int CANONICAL_VERSION = 1;

    /** What a fingerprint looks like on every record that carries one. */
    public static final Pattern FORM = Pattern.compile("sha256:[0-9a-f]{64}");

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private PassportFingerprint() {
    }

    /** The fingerprint of {@code passport}. */
    public static String of(Passport passport) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical(passport).getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Whether {@code text} has the form of a fingerprint ({@code sha256:} and 64 lower-case hex digits). */
    public static boolean isFingerprint(String text) {
        return FORM.matcher(text).matches();
    }

    /**
     * The canonical form: UTF-8 JSON with no whitespace, object keys sorted, sizes in bytes,
     * durations in milliseconds, fractions (cpus, penalties) as their shortest plain decimal text,
     * an absent rootfs or image as null, and the lists whose order means nothing (hidden, readOnly,
     * protected, each phase's egress entries, each entry's ports) sorted.
     */
    public static String canonical(Passport passport) {
        Objects.requireNonNull(passport, "passport");
        Map<String, Object> root = new TreeMap<>();
        root.put("canonical", CANONICAL_VERSION);
        root.put("id", passport.id());
        Resources r = passport.resources();
        root.put("resources", Map.of(
                "cpus", decimal(r.cpus()),
                "memoryBytes", r.memoryBytes(),
                "pids", r.pids(),
                "wallTimeMs", r.wallTime().toMillis(),
                "workspaceBytes", r.workspaceBytes(),
                "cpuSustainedMs", r.cpuSustained().toMillis()));
        FilesystemRules fs = passport.filesystem();
        Map<String, Object> filesystem = new TreeMap<>();
        filesystem.put("rootfs", fs.rootfs().map(Object::toString).orElse(null));
        filesystem.put("image", fs.image().orElse(null));
        filesystem.put("hidden", sorted(fs.hidden()));
        filesystem.put("readOnly", fs.readOnly().stream()
                .sorted(Comparator.comparing((FilesystemRules.ReadOnlyBind b) -> b.target().toString())
                        .thenComparing(b -> b.source().toString()))
                .map(b -> Map.of("source", b.source().toString(), "target", b.target().toString()))
                .toList());
        root.put("filesystem", filesystem);
        root.put("devices", Map.of("gpu", passport.devices().gpu()));
        Map<String, Object> egress = new TreeMap<>();
        for (Phase phase : Phase.values()) {
            egress.put(phase.wire(), passport.egress().rules(phase).stream()
                    .sorted(Comparator.comparing(EgressRule::domain))
                    .map(e -> Map.of("domain", e.domain(), "ports", sortedInts(e.ports()), "websocket", e.websocket()))
                    .toList());
        }
        root.put("egress", egress);
        root.put("protected", sorted(passport.protectedPaths()));
        Map<String, Object> detectors = new TreeMap<>();
        for (Category c : Category.values()) {
            DetectorSetting s = passport.detectors().of(c);
            Map<String, Object> setting = new LinkedHashMap<>();
            setting.put("action", s.action().name().toLowerCase(Locale.ROOT));
            setting.put("penalty", decimal(s.penalty()));
            detectors.put(c.wire(), setting);
        }
        root.put("detectors", detectors);
        root.put("model", Map.of("proxy", passport.model().proxy(), "tokens", passport.model().tokens()));
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings, numbers and lists could not be written", e);
        }
    }

    private static String decimal(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    private static List<String> sorted(List<String> values) {
        List<String> copy = new ArrayList<>(values);
        copy.sort(Comparator.naturalOrder());
        return copy;
    }

    private static List<Integer> sortedInts(List<Integer> values) {
        List<Integer> copy = new ArrayList<>(values);
        copy.sort(Comparator.naturalOrder());
        return copy;
    }
}
