package dev.ale.server.rock;

/** A ROCK request ALE refuses: answered as a {@code Failed} envelope whose error is this message. */
public final class RockException extends RuntimeException {

    public RockException(String message) {
        super(message, null, false, false); // a refusal, not a fault: no stack trace to keep
    }
}
