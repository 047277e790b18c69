package dev.ale.monitor.sweep;

import java.time.Duration;
import java.util.Optional;

/**
 * A sandbox kept busy with nothing to show for it: use (CPU cores, GPU utilisation) at or above a
 * level for longer than allowed, with no output meanwhile. Output is progress: a build or a test
 * run prints as it goes, a hash loop does not. Reported once per quiet busy stretch; a drop below
 * the level or new output starts a new one. Pure: the caller gives the times. Not thread-safe.
 */
public final class QuietBurn {

    /** A stretch that has gone on for too long: since when, and how long it has been busy and quiet. */
    public record Stretch(int number, long sinceNanos, Duration quietFor) {
    }

    private final double level;
    private final long allowedNanos;
    private boolean busy;
    private long busySince;
    private boolean progressed;
    private long lastProgress;
    private boolean reported;
    private int stretches;

    public QuietBurn(double level, Duration allowed) {
        if (!(level > 0) || Double.isInfinite(level)) throw new IllegalArgumentException("level must be > 0: " + level);
        if (allowed.isNegative() || allowed.isZero()) throw new IllegalArgumentException("allowed must be positive: " + allowed);
        this.level = level;
        this.allowedNanos = allowed.toNanos();
    }

    /** The command produced output at {@code nowNanos}. */
    public void progress(long nowNanos) {
        progressed = true;
        lastProgress = nowNanos;
        reported = false;
    }

    /**
     * One reading of use, averaged over {@code averagedOver} up to {@code nowNanos}; returns the
     * stretch when it has just passed the allowance.
     */
    public Optional<Stretch> observe(double used, Duration averagedOver, long nowNanos) {
        if (used < level) {
            busy = false;
            reported = false;
            return Optional.empty();
        }
        if (!busy) {
            busy = true;
            // the average says the use began a window ago
            busySince = nowNanos - averagedOver.toNanos();
            stretches++;
        }
        long quietSince = progressed && lastProgress - busySince > 0 ? lastProgress : busySince;
        long quiet = nowNanos - quietSince;
        if (reported || quiet < allowedNanos) return Optional.empty();
        reported = true;
        return Optional.of(new Stretch(stretches, quietSince, Duration.ofNanos(quiet)));
    }
}
