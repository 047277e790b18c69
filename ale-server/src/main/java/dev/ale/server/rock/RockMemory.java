package dev.ale.server.rock;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Memory as ROCK (and Docker) write it: {@code 8g}, {@code 512m}, {@code 2Gi}, {@code 1048576};
 * units are binary, as Docker's are.
 */
public final class RockMemory {

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(?:i?b)?", Pattern.CASE_INSENSITIVE);

    private RockMemory() {
    }

    /** The bytes {@code text} names; a refusal names {@code field} (memory, disk). */
    public static long parse(String field, String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) throw new RockException(field + ": '" + text + "' is not a size (write it as 512m, 8g, 2Gi)");
        double number = Double.parseDouble(m.group(1));
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        double bytes = number * (1L << shift);
        if (bytes < 1 || bytes >= Long.MAX_VALUE) throw new RockException(field + ": '" + text + "' is out of range");
        return (long) bytes;
    }

    /** The largest unit that divides it exactly: {@code 1g}, {@code 512m}, or plain bytes. */
    public static String format(long bytes) {
        String[] units = {"", "k", "m", "g", "t"};
        int unit = 0;
        long value = bytes;
        while (unit < units.length - 1 && value != 0 && value % 1024 == 0) {
            value /= 1024;
            unit++;
        }
        return value + units[unit];
    }
}
