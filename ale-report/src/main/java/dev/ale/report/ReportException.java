package dev.ale.report;

import dev.ale.core.AleException;

/** A run directory that cannot be reported on, or a report that cannot be written; the message names the path. */
public final class ReportException extends AleException {

    public ReportException(Fault fault, String message) {
        super(fault, message);
    }

    public ReportException(Fault fault, String message, Throwable cause) {
        super(fault, message, cause);
    }
}
