package dev.ale.monitor.hold;

import dev.ale.core.event.Category;
import dev.ale.core.event.SafetyEvent;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One act held for an operator: the event that held it, whether a command waits or a whole
 * sandbox is frozen, until when, and how it was settled (by whom, when).
 */
public record Hold(String id, SafetyEvent event, Kind kind, Instant createdAt, Instant deadline, State state,
                   Optional<String> decidedBy, Optional<Instant> decidedAt) {

    public Hold {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(state, "state");
        decidedBy = decidedBy == null ? Optional.empty() : decidedBy;
        decidedAt = decidedAt == null ? Optional.empty() : decidedAt;
    }

    /** What waits: a command before it runs, or a running sandbox, frozen. */
    public enum Kind {
        COMMAND, RUNTIME;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code EXPIRED}: the deadline passed without an answer, which denies the act. */
    public enum State {
        PENDING, APPROVED, DENIED, EXPIRED;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public String sandboxId() {
        return event.sandbox();
    }

    public Optional<String> episodeId() {
        return event.episode();
    }

    public OptionalInt step() {
        return event.step();
    }

    public Category category() {
        return event.category();
    }

    public String ruleId() {
        return event.rule();
    }

    public String detail() {
        return event.detail();
    }

    public boolean isPending() {
        return state == State.PENDING;
    }

    /** Whether the act may go on: only an operator's approval lets it. */
    public boolean approved() {
        return state == State.APPROVED;
    }

    Hold decided(State outcome, String by, Instant at) {
        return new Hold(id, event, kind, createdAt, deadline, outcome, Optional.of(by), Optional.of(at));
    }
}
