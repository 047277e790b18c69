package dev.ale.episode.env;

import dev.ale.core.AleException;

/** An environment could not do what was asked: its sandbox would not start, setup failed, it is not running. */
public final class EnvironmentException extends AleException {

    public EnvironmentException(Fault fault, String message) {
        super(fault, message);
    }

    public EnvironmentException(Fault fault, String message, Throwable cause) {
        super(fault, message, cause);
    }
}
