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
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.cli.common.ServerClient;
import dev.ale.core.AleException;
import java.util.Locale;
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

    @Mixin
    private ServerOption server = new ServerOption();

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
        if (server.url.isPresent()) return fromServer();
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

    /** The records a server (or a cluster's front: every node's, each naming its node) finds. */
    private int fromServer() {
        if (audit.isPresent()) throw new AleException(AleException.Fault.INPUT, "--audit and --server: give one (a local file, or a server to ask)");
        JsonNode body = server.get(files, "/v1/audit/records" + ServerClient.query(filters.params())).body();
        JsonNode records = body.path("records");
        if (format.json) {
            Json.print(out, (ObjectNode) body);
        } else if (format.jsonl) {
            for (JsonNode r : records) out.println(r.toString());
        } else if (records.isEmpty()) {
            out.println("No records at " + server.url.get() + " match.");
        } else {
            String row = "%-10s %6s  %-24s  %-18s  %-34s  %s%n";
            out.printf(Locale.ROOT, row, "NODE", "SEQ", "TIME", "KIND", "SANDBOX", "DETAIL");
            for (JsonNode r : records) {
                String detail = r.path("rule").isTextual() ? r.path("rule").asText() + " (" + r.path("category").asText("") + ")" : "";
                out.printf(Locale.ROOT, row, r.path("node").asText("-"), r.path("seq").asText(), r.path("time").asText(),
                        r.path("kind").asText(), r.path("sandbox").asText(""), detail);
            }
        }
        for (JsonNode n : body.path("unreachable_nodes")) out.println("node " + n.asText() + " could not be asked: its records are missing here");
        return body.path("unreachable_nodes").isEmpty() ? 0 : ServerOption.UNREACHABLE;
    }
}
