package dev.ale.monitor.audit;

import java.util.List;
import java.util.Objects;

/**
 * What walking the hash chain found: how many records were checked and every problem, in
 * seq order. A log is intact when there are no problems.
 */
public record VerifyReport(long checked, List<Problem> problems) {

    public VerifyReport {
        problems = List.copyOf(problems);
    }

    public boolean ok() {
        return problems.isEmpty();
    }

    /** One finding; {@code seq} is the record it is about (the first missing one for gaps). */
    public record Problem(long seq, Kind kind, String message) {

        public Problem {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(message, "message");
        }

        @Override
        public String toString() {
            return "record " + seq + ": " + kind + ": " + message;
        }
    }

    /** The ways a chain can be damaged. */
    public enum Kind {
        /** The record's content no longer matches its own hash. */
        CHANGED,
        /** Sequence numbers skip: records in the middle or at the start were removed. */
        MISSING,
        /** The chain ends before the head says it does: records were removed from the end. */
        TRUNCATED,
        /** A record that no append wrote: past the head, or before the first seq. */
        INSERTED,
        /** A record's prev_hash is the hash of some record other than its predecessor. */
        REORDERED,
        /** A record's prev_hash matches no record: its predecessor was rewritten with a new hash. */
        BROKEN_LINK,
        /** The head is missing, or disagrees with the record it names. */
        HEAD
    }
}
