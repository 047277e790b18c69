package dev.ale.image.registry;

import dev.ale.core.AleException;

/** A reference, registry or transfer that fails: the message names the image and the reason in one line. */
public final class RegistryException extends AleException {

    public RegistryException(Fault fault, String message) {
        super(fault, message);
    }

    public RegistryException(Fault fault, String message, Throwable cause) {
        super(fault, message, cause);
    }
}
