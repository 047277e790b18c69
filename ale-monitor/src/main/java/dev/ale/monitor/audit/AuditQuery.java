package dev.ale.monitor.audit;

import dev.ale.core.event.Category;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Which audit records to read: every filter present must match; results are in seq order,
 * at most {@code limit} of them. Start from {@link #all()} and narrow with the {@code with}
 * methods.
 */
public record AuditQuery(
        Optional<String> sandbox,
        Optional<String> episode,
        Optional<String> rule,
        Optional<String> category,
        Optional<Instant> since,
        Optional<String> kind,
        OptionalInt limit,
        Optional<Instant> until) {

    public AuditQuery {
        Objects.requireNonNull(sandbox, "sandbox");
        Objects.requireNonNull(episode, "episode");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(limit, "limit");
        Objects.requireNonNull(until, "until");
        if (limit.isPresent() && limit.getAsInt() < 1) {
            throw new IllegalArgumentException("limit must be at least 1, not " + limit.getAsInt());
        }
    }

    private static final AuditQuery ALL = new AuditQuery(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty(), OptionalInt.empty(), Optional.empty());

    public static AuditQuery all() {
        return ALL;
    }

    public AuditQuery withSandbox(String value) {
        return new AuditQuery(Optional.of(value), episode, rule, category, since, kind, limit, until);
    }

    public AuditQuery withEpisode(String value) {
        return new AuditQuery(sandbox, Optional.of(value), rule, category, since, kind, limit, until);
    }

    public AuditQuery withRule(String value) {
        return new AuditQuery(sandbox, episode, Optional.of(value), category, since, kind, limit, until);
    }

    /** Category as written in the log: its wire name, e.g. {@code reverse-shell}. */
    public AuditQuery withCategory(String wire) {
        return new AuditQuery(sandbox, episode, rule, Optional.of(wire), since, kind, limit, until);
    }

    public AuditQuery withCategory(Category value) {
        return withCategory(value.wire());
    }

    /** Records written at or after this instant. */
    public AuditQuery withSince(Instant value) {
        return new AuditQuery(sandbox, episode, rule, category, Optional.of(value), kind, limit, until);
    }

    /** Records written before this instant. */
    public AuditQuery withUntil(Instant value) {
        return new AuditQuery(sandbox, episode, rule, category, since, kind, limit, Optional.of(value));
    }

    public AuditQuery withKind(String value) {
        return new AuditQuery(sandbox, episode, rule, category, since, Optional.of(value), limit, until);
    }

    public AuditQuery withLimit(int value) {
        return new AuditQuery(sandbox, episode, rule, category, since, kind, OptionalInt.of(value), until);
    }
}
