package dev.ale.cli.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.cli.common.Json;
import dev.ale.cli.common.ServerClient;
import dev.ale.core.AleException;
import dev.ale.monitor.audit.AuditLog;
import dev.ale.monitor.audit.PassportHistory;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ale passport history}: what agents under one passport did, across runs, from the audit log. */
@Command(name = "history",
        description = {"Show what agents under a passport did across runs, from the audit log: its versions, hosts reached"
                + " and refused, protected files written, events by category, kills and holds.",
                "With --server, a server's history; a cluster's front answers for every node, naming each act's node."})
public final class PassportHistoryCommand implements Callable<Integer> {

    private final AuditFile files;
    private final PrintStream out;

    @Parameters(paramLabel = "ID|FINGERPRINT", description = "The passport's id (its id: field) or one fingerprint (sha256:…).")
    private String passport;

    @Option(names = "--audit", paramLabel = "FILE", description = "The audit log (default: audit.db in the data directory).")
    private Optional<Path> audit = Optional.empty();

    @Option(names = "--since", paramLabel = "TIME", converter = Since.class,
            description = "Only records written at or after TIME: an ISO-8601 instant or a duration back from now (30s, 10m, 2h, 1d).")
    private Optional<Instant> since = Optional.empty();

    @Option(names = "--until", paramLabel = "TIME", converter = Since.class,
            description = "Only records written before TIME, in the same forms as --since.")
    private Optional<Instant> until = Optional.empty();

    @Option(names = "--json", description = "Print the history as one JSON document.")
    private boolean json;

    @Mixin
    private ServerOption server = new ServerOption();

    public PassportHistoryCommand(AuditFile files, PrintStream out) {
        this.files = files;
        this.out = out;
    }

    @Override
    public Integer call() {
        if (server.url.isPresent()) return fromServer();
        try (AuditLog log = files.open(audit)) {
            JsonNode h = PassportHistory.read(log, passport, since, until).toJson();
            if (json) Json.print(out, (ObjectNode) h);
            else text(h);
            return 0;
        }
    }

    /** The history a server answers: a node's of its own log, a cluster's front's over every node (each act naming its node). */
    private int fromServer() {
        if (audit.isPresent()) throw new AleException(AleException.Fault.INPUT, "--audit and --server: give one (a local file, or a server to ask)");
        Map<String, String> bounds = new LinkedHashMap<>();
        since.ifPresent(t -> bounds.put("since", t.toString()));
        until.ifPresent(t -> bounds.put("until", t.toString()));
        JsonNode h = server.get(files, "/passports/" + URLEncoder.encode(passport, StandardCharsets.UTF_8).replace("+", "%20") + "/history"
                + ServerClient.query(bounds)).body();
        if (json) Json.print(out, (ObjectNode) h);
        else text(h);
        for (JsonNode n : h.path("unreachable_nodes")) out.println("node " + n.asText() + " could not be asked: its records are missing here");
        return h.path("unreachable_nodes").isEmpty() ? 0 : ServerOption.UNREACHABLE;
    }

    /** The history as text, from its JSON (one node's, or a front's with a node on each act and version). */
    private void text(JsonNode h) {
        out.println("Passport " + h.path("passport").asText() + when(h, "since", " from ") + when(h, "until", " until "));
        if (h.path("sandboxes").isEmpty()) {
            out.println("  no record in these bounds");
            return;
        }
        out.println("Versions:");
        for (JsonNode v : h.path("versions")) {
            out.println("  " + v.path("id").asText() + "  " + v.path("fingerprint").asText() + "  " + v.path("first").asText() + " .. "
                    + v.path("last").asText() + "  (" + v.path("records").asText() + " records" + nodes(v) + ")");
        }
        out.println("Sandboxes: " + h.path("sandboxes").size() + ", episodes: " + h.path("episodes").size());
        h.path("by_node").properties().forEach(e -> out.println("  " + e.getKey() + ": " + e.getValue().path("sandboxes").size()
                + " sandboxes, " + e.getValue().path("episodes").size() + " episodes"));
        counts("Hosts reached", h.path("hosts_reached"));
        counts("Hosts refused", h.path("hosts_refused"));
        counts("Protected files written", h.path("protected_writes"));
        counts("Events by category", h.path("events_by_category"));
        acts("Kills", h.path("kills"));
        acts("Holds", h.path("holds"));
    }

    private static String when(JsonNode h, String field, String word) {
        return h.path(field).isTextual() ? word + h.path(field).asText() : "";
    }

    private static String nodes(JsonNode version) {
        List<String> names = new ArrayList<>();
        version.path("nodes").forEach(n -> names.add(n.asText()));
        return names.isEmpty() ? "" : " on " + String.join(", ", names);
    }

    private void counts(String title, JsonNode counts) {
        out.println(title + ":" + (counts.isEmpty() ? " none" : ""));
        Map<String, String> sorted = new TreeMap<>();
        counts.properties().forEach(e -> sorted.put(e.getKey(), e.getValue().asText()));
        sorted.forEach((k, v) -> out.println("  " + k + "  " + v));
    }

    private void acts(String title, JsonNode acts) {
        out.println(title + ":" + (acts.isEmpty() ? " none" : ""));
        for (JsonNode a : acts) {
            out.println("  " + (a.path("node").isTextual() ? a.path("node").asText() + " " : "") + "#" + a.path("seq").asText() + " "
                    + a.path("time").asText() + "  " + a.path("sandbox").asText() + text(a, "episode", " ")
                    + (a.path("rule").isTextual() ? "  " + a.path("rule").asText() : "  " + a.path("kind").asText())
                    + text(a, "decision", "  decision: ") + text(a, "by", " by ")
                    + (a.path("detail").asText("").isEmpty() ? "" : "  " + a.path("detail").asText()));
        }
    }

    private static String text(JsonNode o, String field, String before) {
        return o.path(field).isTextual() ? before + o.path(field).asText() : "";
    }
}
