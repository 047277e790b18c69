package dev.ale.monitor.audit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.core.AleException.Fault;
import dev.ale.core.event.SafetyEvent;
import dev.ale.monitor.rules.RuleId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What agents under one passport did, read from the audit log: the passport's versions (each
 * fingerprint seen under its id), its sandboxes and episodes, the hosts they reached and were
 * refused, the protected files they wrote, their events by category, their kills and holds.
 * A passport is named by its id or by one fingerprint ({@code sha256:…}); records of a sandbox
 * made under it count even when they do not name the passport themselves (a hold's decision).
 *
 * @param versions        each fingerprint seen, with its id, first and last record time and record count
 * @param hostsReached    {@code host:port} reached through the gateway's proxy, with how many times
 * @param hostsRefused    what the gateway refused (a destination or a DNS name), with how many times
 * @param protectedWrites protected paths changed, removed or added to, with how many times
 * @param holds           every record about a hold: the hold itself and its decision, when the log has one
 */
public record PassportHistory(
        String passport,
        Optional<Instant> since,
        Optional<Instant> until,
        List<Version> versions,
        List<String> sandboxes,
        List<String> episodes,
        Map<String, Integer> hostsReached,
        Map<String, Integer> hostsRefused,
        Map<String, Integer> protectedWrites,
        Map<String, Integer> eventsByCategory,
        List<Act> kills,
        List<Act> holds) {

    /** Audit kind of the record a guarded backend writes when it makes a sandbox, naming its passport. */
    public static final String SANDBOX_KIND = "sandbox";
    /** Audit kind and rule of an operator's kill from the console (written by ale-server): a kill, though no detector raised it. */
    public static final String CONSOLE_KIND = "console";
    static final String CONSOLE_KILL = "console.kill";
    /** Audit kind of a connection the gateway let through to an allowlisted host. */
    public static final String EGRESS_KIND = "egress";

    private static final Pattern FINGERPRINT = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final Set<String> WRITE_RULES = Set.of(RuleId.TAMPER_PROTECTED_CHANGED.id(),
            RuleId.TAMPER_PROTECTED_REMOVED.id(), RuleId.TAMPER_PROTECTED_ADDED.id());

    public PassportHistory {
        Objects.requireNonNull(passport, "passport");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(until, "until");
        versions = List.copyOf(versions);
        sandboxes = List.copyOf(sandboxes);
        episodes = List.copyOf(episodes);
        hostsReached = Map.copyOf(hostsReached);
        hostsRefused = Map.copyOf(hostsRefused);
        protectedWrites = Map.copyOf(protectedWrites);
        eventsByCategory = Map.copyOf(eventsByCategory);
        kills = List.copyOf(kills);
        holds = List.copyOf(holds);
    }

    /** One version of the passport: an id and fingerprint pair, and when records under it were written. */
    public record Version(String id, String fingerprint, Instant first, Instant last, int records) {
    }

    /**
     * One kill or hold: the audit record it comes from, and for a hold its decision and who made it
     * when the record says so.
     */
    public record Act(long seq, Instant time, String kind, String sandbox, Optional<String> episode, OptionalInt step,
                      Optional<String> rule, String detail, Optional<String> decision, Optional<String> by) {
    }

    /**
     * The history of {@code passport} (an id or a fingerprint) from records written in
     * [{@code since}, {@code until}). A passport no record of the whole log names is refused
     * (input error naming it); one with no record in the bounds has an empty history.
     */
    public static PassportHistory read(AuditLog log, String passport, Optional<Instant> since, Optional<Instant> until) {
        Objects.requireNonNull(passport, "passport");
        if (since.isPresent() && until.isPresent() && !since.get().isBefore(until.get())) {
            throw new AuditException(Fault.INPUT, "--since " + since.get() + " is not before --until " + until.get()
                    + ": give a since earlier than the until");
        }
        Builder b = new Builder(passport);
        AuditQuery q = AuditQuery.all();
        if (since.isPresent()) q = q.withSince(since.get());
        if (until.isPresent()) q = q.withUntil(until.get());
        for (AuditRecord r : log.query(q)) b.add(r);
        if (b.matched == 0 && !named(log, passport)) throw unknown(log, passport);
        return b.build(since, until);
    }

    /** Whether any record of the whole log names a passport with this id or fingerprint. */
    public static boolean named(AuditLog log, String passport) {
        Builder b = new Builder(passport);
        for (AuditRecord r : log.query(AuditQuery.all())) {
            b.add(r);
            if (b.matched > 0) return true;
        }
        return false;
    }

    private static AuditException unknown(AuditLog log, String passport) {
        String what = FINGERPRINT.matcher(passport).matches() ? "fingerprint" : "id";
        return new AuditException(Fault.INPUT, "no record in audit log " + log.file() + " names a passport with " + what + " '"
                + passport + "'; give a passport id (as in its file's id:) or a fingerprint (sha256:…, from `ale passport check`)");
    }

    /** Folds records in seq order; a record counts when it names the passport, or belongs to a sandbox made under it. */
    private static final class Builder {
        private final String passport;
        private final Set<String> sandboxes = new HashSet<>();
        private final List<String> sandboxOrder = new ArrayList<>();
        private final List<String> episodes = new ArrayList<>();
        private final Map<String, Version> versions = new TreeMap<>();
        private final Map<String, Integer> reached = new TreeMap<>();
        private final Map<String, Integer> refused = new TreeMap<>();
        private final Map<String, Integer> writes = new TreeMap<>();
        private final Map<String, Integer> categories = new TreeMap<>();
        private final List<Act> kills = new ArrayList<>();
        private final List<Act> holds = new ArrayList<>();
        private int matched;

        Builder(String passport) {
            this.passport = passport;
        }

        void add(AuditRecord r) {
            Map<String, Object> payload;
            try {
                payload = r.payloadMap();
            } catch (AuditException damaged) {
                return; // `ale audit verify` reports damage; a history reads what it can
            }
            Optional<String> id = text(payload, "passport");
            Optional<String> fingerprint = text(payload, "passport_fingerprint");
            boolean names = id.filter(passport::equals).isPresent() || fingerprint.filter(passport::equals).isPresent();
            if (!names && !sandboxes.contains(r.sandbox())) return;
            matched++;
            if (sandboxes.add(r.sandbox())) sandboxOrder.add(r.sandbox());
            r.episode().filter(e -> !episodes.contains(e)).ifPresent(episodes::add);
            if (id.isPresent() && fingerprint.isPresent()) {
                versions.merge(fingerprint.get(), new Version(id.get(), fingerprint.get(), r.time(), r.time(), 1),
                        (a, n) -> new Version(a.id(), a.fingerprint(), a.first(), n.last(), a.records() + 1));
            }
            if (r.kind().equals(EGRESS_KIND)) {
                text(payload, "host").ifPresent(h -> reached.merge(h + ":" + text(payload, "port").orElse("?"), 1, Integer::sum));
            } else if (r.kind().equals(AuditRecord.SAFETY_EVENT)) {
                event(r, payload);
            } else if (r.kind().equals(CONSOLE_KIND) && r.rule().filter(CONSOLE_KILL::equals).isPresent()
                    && text(payload, "outcome").filter("ok"::equals).isPresent()) {
                kills.add(act(r, payload));
            }
            if (r.kind().toLowerCase(Locale.ROOT).contains("hold")) {
                holds.add(act(r, payload));
            }
        }

        private void event(AuditRecord r, Map<String, Object> payload) {
            String category = r.category().orElse("?");
            categories.merge(category, 1, Integer::sum);
            String rule = r.rule().orElse("");
            Map<?, ?> evidence = payload.get("evidence") instanceof Map<?, ?> m ? m : Map.of();
            if (category.equals("egress-denied")) {
                Object where = evidence.get("destination") != null ? evidence.get("destination") : evidence.get("name");
                if (where != null) refused.merge(where.toString(), 1, Integer::sum);
            }
            if (WRITE_RULES.contains(rule) && evidence.get("path") != null) {
                writes.merge(evidence.get("path").toString(), 1, Integer::sum);
            }
            String action = text(payload, "action").orElse("");
            if (action.equals(SafetyEvent.Action.KILL.name().toLowerCase(Locale.ROOT))) kills.add(act(r, payload));
            else if (action.equals("hold")) holds.add(act(r, payload));
            Object decision = evidence.get(SafetyEvent.DECISION_EVIDENCE);
            if (evidence.get(SafetyEvent.HOLD_EVIDENCE) != null && decision != null) {
                // how a hold was settled is an event of its own, whose evidence names the decision and who made it
                Object by = evidence.get("decidedBy");
                holds.add(new Act(r.seq(), r.time(), r.kind(), r.sandbox(), r.episode(), r.step(), r.rule(),
                        text(payload, "detail").orElse(""), Optional.of(decision.toString()),
                        by == null || by.toString().isEmpty() ? Optional.empty() : Optional.of(by.toString())));
            }
        }

        private static Act act(AuditRecord r, Map<String, Object> payload) {
            return new Act(r.seq(), r.time(), r.kind(), r.sandbox(), r.episode(), r.step(), r.rule(),
                    text(payload, "detail").orElse(""), text(payload, "decision"),
                    text(payload, "by").or(() -> text(payload, "operator")).or(() -> text(payload, "token")));
        }

        private static Optional<String> text(Map<String, Object> payload, String key) {
            Object v = payload.get(key);
            return v instanceof String || v instanceof Number ? Optional.of(v.toString()) : Optional.empty();
        }

        PassportHistory build(Optional<Instant> since, Optional<Instant> until) {
            List<Version> byTime = new ArrayList<>(versions.values());
            byTime.sort((a, b) -> a.first().compareTo(b.first()));
            return new PassportHistory(passport, since, until, byTime, sandboxOrder, episodes, reached, refused, writes, categories,
                    kills, holds);
        }
    }

    /** The history as JSON: the one form `ale passport history --json` and the server's endpoint give. */
    public ObjectNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode json = f.objectNode();
        json.put("passport", passport);
        json.put("since", since.map(Instant::toString).orElse(null));
        json.put("until", until.map(Instant::toString).orElse(null));
        ArrayNode v = json.putArray("versions");
        for (Version version : versions) {
            v.addObject().put("id", version.id()).put("fingerprint", version.fingerprint()).put("first", version.first().toString())
                    .put("last", version.last().toString()).put("records", version.records());
        }
        ArrayNode s = json.putArray("sandboxes");
        sandboxes.forEach(s::add);
        ArrayNode e = json.putArray("episodes");
        episodes.forEach(e::add);
        counts(json.putObject("hosts_reached"), hostsReached);
        counts(json.putObject("hosts_refused"), hostsRefused);
        counts(json.putObject("protected_writes"), protectedWrites);
        counts(json.putObject("events_by_category"), eventsByCategory);
        acts(json.putArray("kills"), kills);
        acts(json.putArray("holds"), holds);
        return json;
    }

    private static void counts(ObjectNode into, Map<String, Integer> counts) {
        new TreeMap<>(counts).forEach(into::put);
    }

    private static void acts(ArrayNode into, List<Act> acts) {
        for (Act a : acts) {
            ObjectNode o = into.addObject();
            o.put("seq", a.seq());
            o.put("time", a.time().toString());
            o.put("kind", a.kind());
            o.put("sandbox", a.sandbox());
            o.put("episode", a.episode().orElse(null));
            if (a.step().isPresent()) o.put("step", a.step().getAsInt());
            else o.putNull("step");
            o.put("rule", a.rule().orElse(null));
            o.put("detail", a.detail());
            o.put("decision", a.decision().orElse(null));
            o.put("by", a.by().orElse(null));
        }
    }
}
