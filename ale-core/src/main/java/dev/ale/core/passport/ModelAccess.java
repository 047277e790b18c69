package dev.ale.core.passport;

/**
 * What the agent may ask of the model proxy ({@code /v1/chat/completions} of {@code ale serve},
 * reached from inside the sandbox through the gateway): whether it may at all, and how many
 * tokens (prompt and completion together) one sandbox may spend there.
 */
public record ModelAccess(boolean proxy, long tokens) {

    /** Enough for a long coding episode, finite so a looping agent cannot spend without end. */
    public static final long DEFAULT_TOKENS = 1_000_000;

    public ModelAccess {
        if (tokens < 0) throw new IllegalArgumentException("tokens must be >= 0: " + tokens);
    }

    /** The proxy allowed, with {@link #DEFAULT_TOKENS}. */
    public static ModelAccess defaults() {
        return new ModelAccess(true, DEFAULT_TOKENS);
    }
}
