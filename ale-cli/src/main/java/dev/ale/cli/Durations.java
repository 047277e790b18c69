package dev.ale.cli;

import java.time.Duration;
import java.util.Locale;

/** Durations as people read them: {@code 23 ms}, {@code 1.25 s}, {@code 4m 05s}. */
final class Durations {

    private Durations() {
    }

    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms < 1_000) return ms + " ms";
        if (ms < 60_000) return String.format(Locale.ROOT, "%.2f s", ms / 1000.0);
        long s = d.toSeconds();
        if (s < 3_600) return String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60);
        return String.format(Locale.ROOT, "%dh %02dm", s / 3_600, (s % 3_600) / 60);
    }
}
