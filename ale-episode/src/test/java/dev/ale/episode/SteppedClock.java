package dev.ale.episode;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** Real time plus whatever a test has skipped ahead, so a wall-time budget runs out without the test sleeping. */
final class SteppedClock extends Clock {

    private volatile Duration skipped = Duration.ZERO;

    void skip(Duration d) {
        skipped = skipped.plus(d);
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(skipped);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a stepped clock has one zone");
    }
}
