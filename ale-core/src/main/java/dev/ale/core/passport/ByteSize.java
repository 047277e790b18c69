package dev.ale.core.passport;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes as people write them in a passport: {@code 512MiB}, {@code 2GiB}, {@code 1.5GB}, {@code 4096}. */
public final class ByteSize {

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([KMGT]i?B|B)?");
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};

    private ByteSize() {
    }

    /** Parses a size, or empty when the text is not one. */
    public static Optional<Long> tryParse(String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) return Optional.empty();
        double number = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        double factor = switch (unit) {
            case "B" -> 1;
            case "KB" -> 1e3;
            case "MB" -> 1e6;
            case "GB" -> 1e9;
            case "TB" -> 1e12;
            case "KiB" -> 1L << 10;
            case "MiB" -> 1L << 20;
            case "GiB" -> 1L << 30;
            case "TiB" -> 1L << 40;
            default -> -1;
        };
        double bytes = number * factor;
        if (factor < 0 || bytes >= Long.MAX_VALUE) return Optional.empty();
        return Optional.of((long) bytes);
    }

    /**
     * Whether the text has the shape of a size, even one too large for a {@code long}; lets a
     * caller tell "not a size" from "too large" when {@link #tryParse} is empty.
     */
    static boolean isWellFormed(String text) {
        return SIZE.matcher(text.strip()).matches();
    }

    public static long parse(String text) {
        return tryParse(text).orElseThrow(() -> new IllegalArgumentException("not a size: " + text));
    }

    /** The exact form in the largest binary unit that divides it ({@code 512MiB}), else approximate ({@code 1.5GiB}). */
    public static String format(long bytes) {
        int unit = 0;
        long value = bytes;
        while (unit < UNITS.length - 1 && value != 0 && value % 1024 == 0) {
            value /= 1024;
            unit++;
        }
        if (unit > 0 || bytes < 1024) return value + UNITS[unit];
        int approxUnit = Math.min(UNITS.length - 1, (63 - Long.numberOfLeadingZeros(bytes)) / 10);
        return String.format(Locale.ROOT, "%.1f%s", bytes / Math.pow(1024, approxUnit), UNITS[approxUnit]);
    }

    /**
     * Like {@link #format} but never approximate: the largest binary unit that divides it
     * ({@code 512MiB}), else plain bytes ({@code 1500000000B}), so that a written passport reads back equal.
     */
    public static String formatExact(long bytes) {
        int unit = 0;
        long value = bytes;
        while (unit < UNITS.length - 1 && value != 0 && value % 1024 == 0) {
            value /= 1024;
            unit++;
        }
        return value + UNITS[unit];
    }
}
