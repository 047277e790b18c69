package dev.ale.monitor.hold;

/** The answer to an operator's approve or deny: it settled the hold, it came too late, or there is no such hold. */
public sealed interface Decision {

    /** This operator's answer settled the hold. */
    record Settled(Hold hold) implements Decision {
    }

    /** The hold was settled before (by another operator, or by its deadline); {@code hold} says by whom and how. */
    record AlreadySettled(Hold hold) implements Decision {
    }

    /** No hold has this id. */
    record Unknown(String id) implements Decision {
    }
}
