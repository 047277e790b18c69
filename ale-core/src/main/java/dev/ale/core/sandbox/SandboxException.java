package dev.ale.core.sandbox;

import dev.ale.core.AleException;

/** A sandbox that could not be made or used; the message says what was missing or wrong. */
public final class SandboxException extends AleException {

    public SandboxException(Fault fault, String message) {
        super(fault, message);
    }

    public SandboxException(Fault fault, String message, Throwable cause) {
        super(fault, message, cause);
    }
}
