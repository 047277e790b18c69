package dev.ale.cli.audit;

import dev.ale.cli.common.Json;
import dev.ale.monitor.audit.AuditLog;
import dev.ale.monitor.audit.AuditRecord;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ale audit query}: the records that match, as a table, JSON or JSON Lines. */
@Command(name = "query",
        description = {"Show audit records that match every filter given, oldest first.",
                "DETAIL is cut to the terminal width ($COLUMNS, else 120); --jsonl prints everything."})
public final class AuditQueryCommand implements Callable<Integer> {

    private final AuditFile files;
    private final PrintStream out;

    @Option(names = "--audit", paramLabel = "FILE", description = "The audit log (default: audit.db in the data directory).")
    private Optional<Path> audit = Optional.empty();

    @Mixin
    private RecordFilters filters;

    @ArgGroup(exclusive = true)
    private Format format = new Format();

    static final class Format {
        @Option(names = "--json", description = "Print {\"records\": [...]} as one JSON document.")
        boolean json;

        @Option(names = "--jsonl", description = "Print one JSON object per line, as `ale audit export` writes.")
        boolean jsonl;
    }

    public AuditQueryCommand(AuditFile files, PrintStream out) {
        this.files = files;
        this.out = out;
    }

    @Override
    public Integer call() {
        try (AuditLog log = files.open(audit)) {
            if (format.jsonl) {
                Export.jsonl(log, filters.query(), out);
                return 0;
            }
            List<AuditRecord> records = log.query(filters.query());
            if (format.json) Json.print(out, AuditJson.records(log, records));
            else if (records.isEmpty()) out.println("No records in " + log.file() + " match.");
            else RecordCells.table(out, records);
            return 0;
        }
    }
}
