package dev.ale.core.passport;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them in a passport: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}. */
public final class DurationText {

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)");

    private DurationText() {
    }

    public static Optional<Duration> tryParse(String text) {
        Matcher m = DURATION.matcher(text.strip());
        if (!m.matches()) return Optional.empty();
        double number = Double.parseDouble(m.group(1));
        double millis = switch (m.group(2)) {
            case "ms" -> number;
            case "s" -> number * 1_000;
            case "m" -> number * 60_000;
            default -> number * 3_600_000;
        };
        if (millis >= Long.MAX_VALUE / 2) return Optional.empty();
        return Optional.of(Duration.ofMillis(Math.round(millis)));
    }

    /**
     * Whether the text has the shape of a duration, even one too long to represent; lets a
     * caller tell "not a duration" from "too long" when {@link #tryParse} is empty.
     */
    static boolean isWellFormed(String text) {
        return DURATION.matcher(text.strip()).matches();
    }

    public static Duration parse(String text) {
        return tryParse(text).orElseThrow(() -> new IllegalArgumentException("not a duration: " + text));
    }

    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0) return ms / 3_600_000 + "h";
        if (ms % 60_000 == 0) return ms / 60_000 + "m";
        if (ms % 1_000 == 0) return ms / 1_000 + "s";
        return ms + "ms";
    }
}
