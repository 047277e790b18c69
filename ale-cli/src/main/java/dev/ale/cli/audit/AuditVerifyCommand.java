package dev.ale.cli.audit;

import dev.ale.cli.common.Json;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.monitor.audit.AuditLog;
import dev.ale.monitor.audit.VerifyReport;
import dev.ale.monitor.audit.VerifyReport.Problem;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Mixin;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ale.core.AleException;

/** {@code ale audit verify}: walks the hash chain and names every record changed, removed, inserted or moved. */
@Command(name = "verify",
        description = {"Check that no audit record was changed, deleted, inserted or reordered.",
                "Prints the head hash of an intact log: keep it somewhere else to catch a rewrite of the whole file."},
        footer = {"", "Exit status: 0 intact; 1 tampered with (each finding is listed);",
                "2 bad usage or input; 3 environment or runtime failure."})
public final class AuditVerifyCommand implements Callable<Integer> {

    /** Tampering is what verify exists to find, not a usage error, so it has its own status. */
    static final int TAMPERED = 1;

    private final AuditFile files;
    private final PrintStream out;

    @Option(names = "--audit", paramLabel = "FILE", description = "The audit log (default: audit.db in the data directory).")
    private Optional<Path> audit = Optional.empty();

    @Option(names = "--json", description = "Print {\"ok\", \"checked\", \"head\", \"problems\": [...]} as JSON.")
    private boolean json;

    @Mixin
    private ServerOption server = new ServerOption();

    public AuditVerifyCommand(AuditFile files, PrintStream out) {
        this.files = files;
        this.out = out;
    }

    @Override
    public Integer call() {
        if (server.url.isPresent()) return fromServer();
        try (AuditLog log = files.open(audit)) {
            VerifyReport report = log.verify();
            // An intact chain has a head; a damaged one may have lost it, and the findings say so.
            Optional<String> head = report.ok() ? Optional.of(log.headHash()) : Optional.empty();
            if (json) printJson(log.file(), report, head);
            else printText(log.file(), report, head);
            return report.ok() ? 0 : TAMPERED;
        }
    }

    private void printText(Path file, VerifyReport report, Optional<String> head) {
        if (head.isPresent()) {
            out.println("ok: " + report.checked() + " records, head " + head.get());
            return;
        }
        out.println("TAMPERED: " + file + ": " + report.problems().size() + " finding"
                + (report.problems().size() == 1 ? "" : "s") + " in " + report.checked() + " records");
        // The message names the records itself; SEQ and KIND are columns to scan and sort by.
        int seqWidth = "SEQ".length();
        int kindWidth = "KIND".length();
        for (Problem p : report.problems()) {
            seqWidth = Math.max(seqWidth, Long.toString(p.seq()).length());
            kindWidth = Math.max(kindWidth, kind(p).length());
        }
        String row = "  %-" + seqWidth + "s  %-" + kindWidth + "s  %s%n";
        out.printf(Locale.ROOT, row, "SEQ", "KIND", "FINDING");
        for (Problem p : report.problems()) {
            out.printf(Locale.ROOT, row, p.seq(), kind(p), p.message());
        }
    }

    private void printJson(Path file, VerifyReport report, Optional<String> head) {
        ObjectNode root = Json.object();
        root.put("file", file.toString());
        root.put("ok", report.ok());
        root.put("checked", report.checked());
        root.put("head", head.orElse(null));
        ArrayNode problems = root.putArray("problems");
        for (Problem p : report.problems()) {
            ObjectNode problem = problems.addObject();
            problem.put("seq", p.seq());
            problem.put("kind", kind(p));
            problem.put("message", p.message());
        }
        Json.print(out, root);
    }

    private static String kind(Problem p) {
        return p.kind().name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The chain walked by the server itself; through a cluster's front, by each node, one verdict per node. */
    private int fromServer() {
        if (audit.isPresent()) throw new AleException(AleException.Fault.INPUT, "--audit and --server: give one (a local file, or a server to ask)");
        JsonNode body = server.get(files, "/v1/audit/verify").body();
        if (json) {
            Json.print(out, (ObjectNode) body);
        } else if (body.has("nodes")) {
            for (JsonNode n : body.path("nodes")) printVerdict(n.path("node").asText() + ": ", n);
            for (JsonNode n : body.path("unreachable_nodes")) out.println(n.asText() + ": UNREACHABLE: not verified (its chain is on the node)");
        } else {
            printVerdict("", body);
        }
        boolean tampered = body.has("nodes") ? anyTampered(body.path("nodes")) : !body.path("ok").asBoolean();
        if (tampered) return TAMPERED;
        return body.path("unreachable_nodes").isEmpty() ? 0 : ServerOption.UNREACHABLE;
    }

    private static boolean anyTampered(JsonNode nodes) {
        for (JsonNode n : nodes) if (!n.path("ok").asBoolean()) return true;
        return false;
    }

    private void printVerdict(String prefix, JsonNode v) {
        if (v.path("ok").asBoolean()) {
            out.println(prefix + "ok: " + v.path("checked").asLong() + " records, head " + v.path("head").asText());
            return;
        }
        out.println(prefix + "TAMPERED: " + v.path("problems").size() + " findings in " + v.path("checked").asLong() + " records");
        for (JsonNode p : v.path("problems")) {
            out.printf(Locale.ROOT, "  %s  %s  %s%n", p.path("seq").asText(), p.path("kind").asText(), p.path("message").asText());
        }
    }
}
