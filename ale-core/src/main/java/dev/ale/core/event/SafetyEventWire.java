package dev.ale.core.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The wire shape of a {@link SafetyEvent}, bound by Jackson: the one form the HTTP API, the CLI,
 * trajectories and the audit payload write (docs/schemas/safety-event.schema.json describes it).
 * Every field is present; {@code episode} and {@code step} are null when the event has none, and
 * {@code passport_fingerprint} only on an event recorded before fingerprints existed.
 */
@JsonPropertyOrder({"rule", "category", "severity", "action", "sandbox", "episode", "step", "passport", "passport_fingerprint", "time", "detail", "evidence"})
@JsonInclude(JsonInclude.Include.ALWAYS)
record SafetyEventWire(
        @JsonProperty(value = "rule", required = true) String rule,
        @JsonProperty(value = "category", required = true) String category,
        @JsonProperty(value = "severity", required = true) String severity,
        @JsonProperty(value = "action", required = true) String action,
        @JsonProperty(value = "sandbox", required = true) String sandbox,
        @JsonProperty(value = "episode", required = true) String episode,
        @JsonProperty(value = "step", required = true) Integer step,
        @JsonProperty(value = "passport", required = true) String passport,
        // not required: lines written before fingerprints lack it, and read as an event without one
        @JsonProperty("passport_fingerprint") String passportFingerprint,
        @JsonProperty(value = "time", required = true) String time,
        @JsonProperty(value = "detail", required = true) String detail,
        @JsonProperty(value = "evidence", required = true) SortedMap<String, String> evidence) {

    /** PassportFingerprint.FORM, repeated here: the passport package already depends on this one. */
    private static final Pattern FINGERPRINT = Pattern.compile("sha256:[0-9a-f]{64}");

    static SafetyEventWire of(SafetyEvent e) {
        return new SafetyEventWire(e.rule(), e.category().wire(), e.severity().name().toLowerCase(Locale.ROOT),
                e.action().name().toLowerCase(Locale.ROOT), e.sandbox(), e.episode().orElse(null),
                e.step().isPresent() ? e.step().getAsInt() : null, e.passportId(),
                e.passportFingerprint().orElse(null), e.time().toString(), e.detail(),
                new TreeMap<>(e.evidence()));
    }

    /** The event this wire form names; a null, unknown or unparsable field throws IllegalArgumentException naming it. */
    SafetyEvent toEvent() {
        Category c = Category.fromWire(present("category", category))
                .orElseThrow(() -> new IllegalArgumentException("event field `category`: unknown category '" + category + "'"));
        Instant at;
        try {
            at = Instant.parse(present("time", time));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("event field `time`: '" + time + "' is not an ISO-8601 instant", e);
        }
        if (step != null && step < 0) throw new IllegalArgumentException("event field `step`: " + step + " is negative");
        Map<String, String> facts = present("evidence", evidence);
        facts.forEach((k, v) -> {
            if (v == null) throw new IllegalArgumentException("event field `evidence`: '" + k + "' is null");
        });
        return new SafetyEvent(present("rule", rule), c, constant(SafetyEvent.Severity.class, "severity", severity),
                constant(SafetyEvent.Action.class, "action", action), present("sandbox", sandbox), Optional.ofNullable(episode),
                step == null ? OptionalInt.empty() : OptionalInt.of(step), present("passport", passport),
                fingerprint(), at,
                present("detail", detail), facts);
    }

    private Optional<String> fingerprint() {
        if (passportFingerprint == null) return Optional.empty();
        if (!FINGERPRINT.matcher(passportFingerprint).matches()) {
            throw new IllegalArgumentException("event field `passport_fingerprint`: '" + passportFingerprint
                    + "' is not sha256: followed by 64 lower-case hex digits");
        }
        return Optional.of(passportFingerprint);
    }

    private static <T> T present(String field, T value) {
        if (value == null) throw new IllegalArgumentException("event field `" + field + "` is null");
        return value;
    }

    private static <E extends Enum<E>> E constant(Class<E> type, String field, String value) {
        present(field, value);
        for (E e : type.getEnumConstants()) {
            if (e.name().toLowerCase(Locale.ROOT).equals(value)) return e;
        }
        throw new IllegalArgumentException("event field `" + field + "`: '" + value + "' is not one of "
                + Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList());
    }
}
