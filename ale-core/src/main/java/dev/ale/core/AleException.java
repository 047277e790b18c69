package dev.ale.core;

/**
 * Base of every error a user or the environment can cause. The message names the file,
 * field or value at fault and says what to do; the CLI prints it without a stack trace.
 */
public class AleException extends RuntimeException {

    /** Who has to act: the user (bad input, exit 2) or the operator (environment, exit 3). */
    public enum Fault { INPUT, ENVIRONMENT }

    private final Fault fault;

    public AleException(Fault fault, String message) {
        super(message);
        this.fault = fault;
    }

    public AleException(Fault fault, String message, Throwable cause) {
        super(message, cause);
        this.fault = fault;
    }

    public Fault fault() {
        return fault;
    }
}
