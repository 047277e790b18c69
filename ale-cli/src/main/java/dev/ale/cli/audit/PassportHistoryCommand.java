package dev.ale.cli.audit;

import dev.ale.cli.common.Json;
import dev.ale.monitor.audit.AuditLog;
import dev.ale.monitor.audit.PassportHistory;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ale passport history}: what agents under one passport did, across runs, from the audit log. */
@Command(name = "history",
        description = {"Show what agents under a passport did across runs, from the audit log: its versions, hosts reached"
                + " and refused, protected files written, events by category, kills and holds."})
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

    public PassportHistoryCommand(AuditFile files, PrintStream out) {
        this.files = files;
        this.out = out;
    }

    @Override
    public Integer call() {
        try (AuditLog log = files.open(audit)) {
            PassportHistory h = PassportHistory.read(log, passport, since, until);
            if (json) Json.print(out, h.toJson());
            else text(h);
            return 0;
        }
    }

    private void text(PassportHistory h) {
        out.println("Passport " + h.passport() + h.since().map(s -> " from " + s).orElse("") + h.until().map(u -> " until " + u).orElse(""));
        if (h.sandboxes().isEmpty()) {
            out.println("  no record in these bounds");
            return;
        }
        out.println("Versions:");
        for (PassportHistory.Version v : h.versions()) {
            out.println("  " + v.id() + "  " + v.fingerprint() + "  " + v.first() + " .. " + v.last() + "  (" + v.records() + " records)");
        }
        out.println("Sandboxes: " + h.sandboxes().size() + ", episodes: " + h.episodes().size());
        counts("Hosts reached", h.hostsReached());
        counts("Hosts refused", h.hostsRefused());
        counts("Protected files written", h.protectedWrites());
        counts("Events by category", h.eventsByCategory());
        acts("Kills", h.kills());
        acts("Holds", h.holds());
    }

    private void counts(String title, Map<String, Integer> counts) {
        out.println(title + ":" + (counts.isEmpty() ? " none" : ""));
        counts.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> out.println("  " + e.getKey() + "  " + e.getValue()));
    }

    private void acts(String title, List<PassportHistory.Act> acts) {
        out.println(title + ":" + (acts.isEmpty() ? " none" : ""));
        for (PassportHistory.Act a : acts) {
            out.println("  #" + a.seq() + " " + a.time() + "  " + a.sandbox() + a.episode().map(e -> " " + e).orElse("")
                    + a.rule().map(r -> "  " + r).orElse("  " + a.kind())
                    + a.decision().map(d -> "  decision: " + d).orElse("") + a.by().map(b -> " by " + b).orElse("")
                    + (a.detail().isEmpty() ? "" : "  " + a.detail()));
        }
    }
}
