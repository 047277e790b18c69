package dev.ale.image.store;

import dev.ale.core.AleException;

/** A layer or image the store refuses or cannot keep; the message names the layer, the entry and the reason. */
public final class StoreException extends AleException {

    public StoreException(Fault fault, String message) {
        super(fault, message);
    }

    public StoreException(Fault fault, String message, Throwable cause) {
        super(fault, message, cause);
    }
}
