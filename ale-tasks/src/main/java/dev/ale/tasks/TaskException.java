package dev.ale.tasks;

import dev.ale.core.AleException;

/** A task that cannot be used; the message names the task file or directory, the field, the value and what to write. */
public final class TaskException extends AleException {

    public TaskException(String message) {
        super(Fault.INPUT, message);
    }

    public TaskException(String message, Throwable cause) {
        super(Fault.INPUT, message, cause);
    }
}
