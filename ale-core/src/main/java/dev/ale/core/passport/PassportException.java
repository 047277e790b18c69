package dev.ale.core.passport;

import dev.ale.core.AleException;

/** A passport that cannot be used; the message names the file, the field and the reason. */
public final class PassportException extends AleException {

    public PassportException(String message) {
        super(Fault.INPUT, message);
    }

    public PassportException(String message, Throwable cause) {
        super(Fault.INPUT, message, cause);
    }
}
