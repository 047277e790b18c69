package dev.ale.cli.audit;

import dev.ale.monitor.audit.AuditLog;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Which audit log a command reads: {@code --audit FILE}, else {@code audit.db} in the data
 * directory. The default is asked for only when needed, after {@code --data-dir} was read.
 */
public final class AuditFile {

    static final String NAME = "audit.db";

    private final Supplier<Path> dataDir;

    public AuditFile(Supplier<Path> dataDir) {
        this.dataDir = dataDir;
    }

    /** The data directory, where ale serve wrote its admin token. */
    Path dataDir() {
        return dataDir.get();
    }

    /** Opens an existing log; a read command never creates one. */
    AuditLog open(Optional<Path> given) {
        return AuditLog.openExisting(given.orElseGet(() -> dataDir.get().resolve(NAME)));
    }
}
