package dev.ale.monitor.audit;

import dev.ale.core.AleException;

/**
 * An audit log that cannot be opened, read or written: INPUT when the file is not an ALE
 * audit log or is damaged, ENVIRONMENT when the disk or a lock is in the way.
 */
public final class AuditException extends AleException {

    public AuditException(Fault fault, String message) {
        super(fault, message);
    }

    public AuditException(Fault fault, String message, Throwable cause) {
        super(fault, message, cause);
    }
}
