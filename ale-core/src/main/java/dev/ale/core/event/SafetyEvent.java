package dev.ale.core.event;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One detection: which rule saw what, in which sandbox, episode and step, and what was done.
 * {@code evidence} holds the raw facts (argv, destination, first bytes) as strings.
 * {@code passportFingerprint} names the exact rules in force; every event ALE raises has one, and
 * it is empty only on an event read back from a record written before fingerprints existed.
 */
public record SafetyEvent(
        String rule,
        Category category,
        Severity severity,
        Action action,
        String sandbox,
        Optional<String> episode,
        OptionalInt step,
        String passportId,
        Optional<String> passportFingerprint,
        Instant time,
        String detail,
        Map<String, String> evidence) {

    public SafetyEvent {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(sandbox, "sandbox");
        episode = episode == null ? Optional.empty() : episode;
        step = step == null ? OptionalInt.empty() : step;
        Objects.requireNonNull(passportId, "passportId");
        passportFingerprint = passportFingerprint == null ? Optional.empty() : passportFingerprint;
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(detail, "detail");
        evidence = Map.copyOf(evidence);
    }

    /** Evidence keys of the event that records a hold's decision: the hold's id, and approved, denied or expired. */
    public static final String HOLD_EVIDENCE = "hold";
    public static final String DECISION_EVIDENCE = "decision";

    /**
     * Whether this event records how a hold was settled rather than an act: the held act's own
     * event (action {@code hold}) was charged already, whatever the operator decided.
     */
    public boolean isHoldDecision() {
        return evidence.containsKey(HOLD_EVIDENCE) && evidence.containsKey(DECISION_EVIDENCE);
    }

    /** Evidence key of a run-time finding about an act an operator approved at its hold: the hold's id. */
    public static final String APPROVED_HOLD_EVIDENCE = "approvedHold";

    /** Evidence key of a run-time finding about a process whose command's pre-exec check raised the same rule as an alert. */
    public static final String ALERTED_PRE_EXEC_EVIDENCE = "alertedPreExec";

    /**
     * Whether this event is the sweep seeing, running, an act whose own event came before: a
     * command an operator approved after a hold for this rule, or one whose pre-exec check raised
     * this rule as an alert. That first event was charged; this one costs nothing, so an act costs
     * the same whether or not a sweep happened to see it run.
     */
    public boolean isSameActSeenRunning() {
        return evidence.containsKey(APPROVED_HOLD_EVIDENCE) || evidence.containsKey(ALERTED_PRE_EXEC_EVIDENCE);
    }

    public enum Severity { LOW, MEDIUM, HIGH, CRITICAL }

    /**
     * What the episode does about an event: note it, stop the act, stop the sandbox, or hold the
     * act (the command waits, or the sandbox is frozen) until an operator approves or denies it.
     */
    public enum Action { ALERT, BLOCK, KILL, HOLD }
}
