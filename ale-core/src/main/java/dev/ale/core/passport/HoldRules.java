package dev.ale.core.passport;

import dev.ale.core.event.SafetyEvent.Action;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Action#HOLD} is settled: an operator has {@code deadline} to approve or deny (no
 * answer is a deny), and runs that may not wait for a person (training) take {@code fallback}
 * instead of holding.
 */
public record HoldRules(Duration deadline, Action fallback) {

    public static final Duration DEFAULT_DEADLINE = Duration.ofMinutes(5);

    public HoldRules {
        Objects.requireNonNull(deadline, "deadline");
        if (deadline.isNegative() || deadline.isZero()) throw new IllegalArgumentException("hold deadline must be positive: " + deadline);
        Objects.requireNonNull(fallback, "fallback");
        if (fallback == Action.HOLD) throw new IllegalArgumentException("the hold fallback cannot itself be hold");
    }

    /** Five minutes to decide; without holds, a held category kills (what a deny does to a running sandbox). */
    public static HoldRules defaults() {
        return new HoldRules(DEFAULT_DEADLINE, Action.KILL);
    }
}
