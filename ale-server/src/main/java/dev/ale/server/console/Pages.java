package dev.ale.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.net.ConnectionRecord;
import dev.ale.core.net.DatagramRecord;
import dev.ale.core.net.DnsRecord;
import dev.ale.core.net.DropRecord;
import dev.ale.core.net.NetworkRecord;
import dev.ale.core.net.ProxyRecord;
import dev.ale.core.passport.PassportWriter;
import dev.ale.core.sandbox.ProcessSnapshot;
import dev.ale.core.sandbox.SandboxInfo;
import dev.ale.monitor.audit.AuditLog;
import dev.ale.monitor.audit.AuditRecord;
import dev.ale.monitor.audit.VerifyReport;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The console's pages, each rendered on the server from what {@link ConsoleSource} says now. */
final class Pages {

    private static final System.Logger LOG = System.getLogger(Pages.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int AUDIT_ROWS = 200;
    private static final int AUDIT_SCAN = 20_000;
    private static final int PAYLOAD_SHOWN = 400;
    private static final Duration WAKE = Duration.ofSeconds(1);
    private static final Duration HEARTBEAT = Duration.ofSeconds(15);
    private static final Map<String, String> DONE = Map.of(
            "killed", "The sandbox was killed.",
            "not-running", "The sandbox was no longer running; nothing changed.",
            "approved", "The hold was approved.",
            "denied", "The hold was denied.",
            "already-decided", "That hold was already decided (or timed out); nothing changed.",
            "no-such-hold", "There is no such hold.",
            "holds-unavailable", "The holds API did not answer; nothing was decided.");

    private final ConsoleSource source;
    private final Holds holds;
    private final NetworkLog network;
    private final LiveEvents live;
    private final AuditLog audit;

    Pages(ConsoleSource source, Holds holds, NetworkLog network, LiveEvents live, AuditLog audit) {
        this.source = source;
        this.holds = holds;
        this.network = network;
        this.live = live;
        this.audit = audit;
    }

    ConsoleSource source() {
        return source;
    }

    Holds holdsApi() {
        return holds;
    }

    // ---- fleet ----

    String fleet(Sessions.Session s, Context ctx) {
        Principal who = s.principal();
        Optional<List<Holds.Hold>> held = holdsOrEmpty(who);
        Set<String> heldSandboxes = new HashSet<>();
        held.ifPresent(list -> list.stream().filter(Holds.Hold::pending).forEach(h -> heldSandboxes.add(h.sandboxId())));
        String q = Optional.ofNullable(ctx.queryParam("q")).orElse("").strip();
        String state = Optional.ofNullable(ctx.queryParam("state")).orElse("");
        Instant now = Instant.now();
        Page p = Page.signedIn("Fleet", s);
        p.raw("<form method=\"get\" action=\"/ui/fleet\" id=\"filter\"><label>Filter <input name=\"q\" value=\"").text(q)
                .raw("\" placeholder=\"id, task, passport, owner, episode\"></label> <label>State <select name=\"state\">");
        for (String st : List.of("", "running", "held", "killed", "idle")) {
            p.raw("<option value=\"").text(st).raw(st.equals(state) ? "\" selected>" : "\">").text(st.isEmpty() ? "any" : st).raw("</option>");
        }
        p.raw("</select></label> <button type=\"submit\">Show</button></form>");
        p.raw("<table id=\"fleet\">").head("sandbox", "environment", "task", "owner", "passport", "episode", "step", "age", "CPU", "memory", "state")
                .raw("<tbody>");
        int shown = 0;
        for (FleetRow row : source.fleet(who)) {
            FleetRow r = row.sandboxId().filter(heldSandboxes::contains).isPresent() ? row.held() : row;
            String st = r.state().name().toLowerCase(Locale.ROOT);
            if (!state.isEmpty() && !state.equals(st)) continue;
            if (!q.isEmpty() && !matches(r, q)) continue;
            shown++;
            p.raw("<tr class=\"state-").raw(st).raw("\"><td>");
            if (r.sandboxId().isPresent()) {
                p.raw("<a href=\"/ui/sandboxes/").raw(Html.segment(r.sandboxId().get())).raw("\">").text(r.sandboxId().get()).raw("</a>");
            } else {
                p.text("(between episodes)");
            }
            p.raw("</td>").cell(r.env().orElse("")).cell(r.task().orElse("")).cell(r.owner())
                    .raw("<td><a href=\"/ui/passports/").raw(Html.segment(r.passport())).raw("\">").text(r.passport()).raw("</a></td>")
                    .cell(r.episode().orElse("")).cell(r.step().isPresent() ? String.valueOf(r.step().getAsInt()) : "")
                    .cell(age(Duration.between(r.createdAt(), now))).cell(String.format(Locale.ROOT, "%.1f s", r.cpu().toMillis() / 1000.0))
                    .cell(mib(r.memoryBytes())).cell(st).raw("</tr>");
        }
        p.raw("</tbody></table>");
        if (shown == 0) p.raw("<p id=\"fleet-empty\">No sandbox or environment matches.</p>");
        if (held.isEmpty()) p.raw("<p class=\"note\">Holds are not available on this server, so no sandbox shows as held.</p>");
        p.raw("<h2>Runs</h2><p class=\"note\">This server knows the GEM episodes it hosts, by task; runs that <code>ale run</code>")
                .raw(" drives elsewhere are not shown here.</p>");
        p.raw("<table id=\"runs\">").head("task", "running", "ended", "pass rate", "mean reward", "kills").raw("<tbody>");
        for (TaskTally t : source.tasks(who)) {
            p.raw("<tr>").cell(t.task()).cell(String.valueOf(t.running())).cell(String.valueOf(t.ended()))
                    .cell(String.format(Locale.ROOT, "%.0f%%", 100 * t.passRate())).cell(String.format(Locale.ROOT, "%.3f", t.meanReward()))
                    .cell(String.valueOf(t.kills())).raw("</tr>");
        }
        return p.raw("</tbody></table>").html();
    }

    private static boolean matches(FleetRow r, String q) {
        String needle = q.toLowerCase(Locale.ROOT);
        for (String hay : List.of(r.sandboxId().orElse(""), r.env().orElse(""), r.task().orElse(""), r.owner(), r.passport(), r.episode().orElse(""))) {
            if (hay.toLowerCase(Locale.ROOT).contains(needle)) return true;
        }
        return false;
    }

    // ---- one sandbox ----

    String sandbox(Sessions.Session s, String id, Context ctx) {
        ConsoleSource.Served h = find(s.principal(), id);
        FleetRow r = h.row();
        SandboxInfo info = h.guarded().info();
        Page p = Page.signedIn("Sandbox " + id, s);
        Optional.ofNullable(ctx.queryParam("done")).map(DONE::get).ifPresent(p::message);
        p.raw("<dl id=\"summary\">");
        // a command held before it runs leaves the sandbox running: the page says held, as the fleet does
        Optional<Holds.Hold> pending = holdsOrEmpty(s.principal()).orElse(List.of()).stream()
                .filter(x -> x.pending() && x.sandboxId().equals(id)).findFirst();
        String state = pending.filter(x -> info.state() == SandboxInfo.State.RUNNING || info.state() == SandboxInfo.State.FROZEN)
                .map(x -> "held (" + x.id() + ", " + x.kind() + ", " + x.ruleId() + ")")
                .orElse(info.state().name().toLowerCase(Locale.ROOT) + info.killReason().map(k -> " (" + k + ")").orElse(""));
        term(p, "state", state, "state");
        term(p, "owner", r.owner(), "owner");
        term(p, "passport", r.passport(), "passport");
        term(p, "environment", r.env().orElse("-"), "env");
        term(p, "task", r.task().orElse("-"), "task");
        term(p, "episode", r.episode().orElse("-"), "episode");
        term(p, "step", r.step().isPresent() ? String.valueOf(r.step().getAsInt()) : "-", "step");
        term(p, "created", r.createdAt().toString(), "created");
        term(p, "CPU", String.format(Locale.ROOT, "%.1f s", r.cpu().toMillis() / 1000.0), "cpu");
        term(p, "memory", mib(r.memoryBytes()), "memory");
        p.raw("</dl>");
        if (info.state() == SandboxInfo.State.RUNNING) {
            p.raw("<form method=\"post\" action=\"/ui/sandboxes/").raw(Html.segment(id)).raw("/kill\" id=\"kill-form\">").csrf(s)
                    .raw("<button type=\"submit\" id=\"kill\" class=\"danger\">Kill this sandbox</button></form>");
        }
        List<SafetyEvent> events = h.guarded().events();
        p.raw("<h2>Events <span id=\"stream-status\" class=\"note\">connecting</span></h2>");
        p.raw("<table id=\"events\" data-stream=\"/ui/sandboxes/").raw(Html.segment(id)).raw("/stream?after=").text(events.size()).raw("\">")
                .head("step", "time", "rule", "category", "severity", "action", "detail").raw("<tbody>");
        for (SafetyEvent e : events) {
            p.raw("<tr class=\"event action-").raw(e.action().name().toLowerCase(Locale.ROOT)).raw("\">");
            eventCells(p, e);
            p.raw("</tr>");
        }
        p.raw("</tbody></table>");
        processes(p, h);
        networkRecords(p, network.of(id));
        modelCalls(p, source.modelCalls(id));
        p.raw("<h2>Passport in force</h2><p><a href=\"/ui/passports/").raw(Html.segment(r.passport())).raw("\">Its history</a></p>")
                .raw("<pre id=\"passport-yaml\">").text(PassportWriter.toYaml(h.guarded().passport())).raw("</pre>");
        return p.html();
    }

    private static void term(Page p, String name, String value, String id) {
        p.raw("<dt>").text(name).raw("</dt><dd id=\"").raw(id).raw("\">").text(value).raw("</dd>");
    }

    private static void eventCells(Page p, SafetyEvent e) {
        p.cell(e.step().isPresent() ? String.valueOf(e.step().getAsInt()) : "").cell(e.time().toString()).cell(e.rule()).cell(e.category().wire())
                .cell(e.severity().name().toLowerCase(Locale.ROOT)).cell(e.action().name().toLowerCase(Locale.ROOT)).cell(e.detail());
    }

    private static void processes(Page p, ConsoleSource.Served h) {
        List<ProcessSnapshot> all;
        try {
            all = h.guarded().info().state() == SandboxInfo.State.RUNNING ? h.guarded().processes() : List.of();
        } catch (RuntimeException e) {
            all = List.of(); // the sandbox went while it was read
        }
        p.raw("<h2>Processes now</h2><table id=\"processes\">").head("pid", "parent", "role", "CPU", "command").raw("<tbody>");
        Map<Long, List<ProcessSnapshot>> children = new HashMap<>();
        Set<Long> pids = new HashSet<>();
        all.forEach(ps -> pids.add(ps.pid()));
        List<ProcessSnapshot> roots = new ArrayList<>();
        for (ProcessSnapshot ps : all) {
            if (pids.contains(ps.parentPid()) && ps.parentPid() != ps.pid()) children.computeIfAbsent(ps.parentPid(), k -> new ArrayList<>()).add(ps);
            else roots.add(ps);
        }
        for (ProcessSnapshot root : roots) tree(p, root, 0, children);
        p.raw("</tbody></table>");
        if (all.isEmpty()) p.raw("<p class=\"note\">No process runs in it now.</p>");
    }

    private static void tree(Page p, ProcessSnapshot ps, int depth, Map<Long, List<ProcessSnapshot>> children) {
        String command = ps.argv().isEmpty() ? "[" + ps.name() + "]" : String.join(" ", ps.argv());
        p.raw("<tr>").cell(String.valueOf(ps.pid())).cell(String.valueOf(ps.parentPid())).cell(ps.role().name().toLowerCase(Locale.ROOT))
                .cell(String.format(Locale.ROOT, "%.2f s", ps.cpuTime().toMillis() / 1000.0))
                .raw("<td class=\"argv\">").text("  ".repeat(depth) + (depth > 0 ? "└ " : "") + command).raw("</td></tr>");
        // a tree read from /proc cannot loop, but depth bounds the page if a snapshot were odd
        if (depth > 64) return;
        for (ProcessSnapshot child : children.getOrDefault(ps.pid(), List.of())) tree(p, child, depth + 1, children);
    }

    private static void networkRecords(Page p, List<NetworkRecord> records) {
        p.raw("<h2>Network</h2><table id=\"network\">").head("time", "kind", "destination", "gateway's answer").raw("<tbody>");
        for (NetworkRecord r : records.reversed()) {
            p.raw("<tr>").cell(r.time().toString());
            switch (r) {
                case ProxyRecord x -> p.cell("proxy " + x.method()).cell(x.host() + ":" + x.port())
                        .cell(x.refusal().map(why -> "refused: " + why).orElse("allowed (" + x.bytesUp() + " B up, " + x.bytesDown() + " B down)"));
                case DnsRecord x -> p.cell("dns " + x.type()).cell(x.name())
                        .cell(x.answered() ? "answered " + String.join(", ", x.answers()) : "refused");
                case ConnectionRecord x -> p.cell("tcp " + x.protocol()).cell(x.name().map(n -> n + " ").orElse("") + x.destinationAddress() + ":"
                        + x.destinationPort()).cell("sunk: " + x.detail());
                case DatagramRecord x -> p.cell("udp").cell(x.destinationAddress() + ":" + x.destinationPort()).cell("dropped: " + x.reason());
                case DropRecord x -> p.cell("dropped packets").cell("-").cell(x.packets() + " packets, " + x.bytes() + " B dropped");
            }
            p.raw("</tr>");
        }
        p.raw("</tbody></table>");
        if (records.isEmpty()) p.raw("<p class=\"note\">The gateway has no record of this sandbox yet.</p>");
    }

    private static void modelCalls(Page p, Optional<JsonNode> ledger) {
        p.raw("<h2>Model calls</h2>");
        if (ledger.isEmpty()) {
            p.raw("<p class=\"note\" id=\"model-calls\">No model-proxy call yet.</p>");
            return;
        }
        JsonNode l = ledger.get();
        p.raw("<p id=\"model-calls\">").text(l.path("tokens_spent").asLong()).raw(" tokens spent of a budget of ").text(l.path("token_budget").asLong())
                .raw("</p><table id=\"model-table\">").head("call", "at", "step", "status", "prompt tokens", "completion tokens").raw("<tbody>");
        for (JsonNode c : l.path("calls")) {
            p.raw("<tr>").cell(c.path("index").asText()).cell(c.path("at").asText()).cell(c.path("step").asText(""))
                    .cell(c.path("status").asText()).cell(c.path("usage").path("prompt_tokens").asText())
                    .cell(c.path("usage").path("completion_tokens").asText()).raw("</tr>");
        }
        p.raw("</tbody></table>");
    }

    /**
     * The sandbox's events after {@code ?after=N} (or the browser's {@code Last-Event-ID}) as
     * Server-Sent Events, each as it comes, until the sandbox goes or the browser does.
     */
    void stream(Sessions.Session s, String id, Context ctx) throws InterruptedException {
        ConsoleSource.Served h = find(s.principal(), id);
        int sent = Math.max(index(ctx.header("Last-Event-ID")), index(ctx.queryParam("after")));
        ctx.status(200);
        ctx.res().setContentType("text/event-stream; charset=utf-8");
        ctx.res().setHeader("X-Accel-Buffering", "no");
        OutputStream out;
        try {
            out = ctx.res().getOutputStream();
            ctx.res().flushBuffer();
        } catch (IOException e) {
            return;
        }
        Instant quietSince = Instant.now();
        while (true) {
            List<SafetyEvent> all = h.guarded().events();
            StringBuilder chunk = new StringBuilder();
            for (; sent < all.size(); sent++) {
                chunk.append("id: ").append(sent + 1).append("\nevent: safety_event\ndata: ").append(json(all.get(sent))).append("\n\n");
            }
            boolean gone = h.guarded().info().state() == SandboxInfo.State.DESTROYED || source.sandbox(s.principal(), id).isEmpty();
            if (gone) chunk.append("event: end\ndata: {}\n\n");
            if (chunk.isEmpty() && Duration.between(quietSince, Instant.now()).compareTo(HEARTBEAT) >= 0) chunk.append(": keep-alive\n\n");
            if (!chunk.isEmpty()) {
                quietSince = Instant.now();
                try {
                    out.write(chunk.toString().getBytes(StandardCharsets.UTF_8));
                    out.flush();
                } catch (IOException e) {
                    return; // the browser went
                }
            }
            if (gone) return;
            live.await(WAKE);
        }
    }

    private static int index(String value) {
        if (value == null) return 0;
        try {
            return Math.max(0, Integer.parseInt(value.strip()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String json(SafetyEvent e) {
        ObjectNode o = JSON.createObjectNode();
        if (e.step().isPresent()) o.put("step", e.step().getAsInt());
        else o.putNull("step");
        o.put("time", e.time().toString());
        o.put("rule", e.rule());
        o.put("category", e.category().wire());
        o.put("severity", e.severity().name().toLowerCase(Locale.ROOT));
        o.put("action", e.action().name().toLowerCase(Locale.ROOT));
        o.put("detail", e.detail());
        return o.toString();
    }

    // ---- audit ----

    String audit(Sessions.Session s, Context ctx) {
        if (!s.principal().admin()) throw new ConsoleRefusal(403, "Refused", "the audit log covers every token's sandboxes; it is for admin tokens");
        Page p = Page.signedIn("Audit", s);
        VerifyReport report = audit.verify();
        long last = audit.lastSeq();
        p.raw("<p id=\"chain\">");
        if (report.ok()) p.text("The chain is intact: verified up to record " + last + " (" + report.checked() + " records checked).");
        else p.text("The chain is broken: " + report.problems().size() + " problem(s), the first at record " + report.problems().getFirst().seq()
                + ": " + report.problems().getFirst().message());
        p.raw("</p>");
        String q = param(ctx, "q");
        String sandbox = param(ctx, "sandbox");
        String rule = param(ctx, "rule");
        String category = param(ctx, "category");
        String kind = param(ctx, "kind");
        p.raw("<form method=\"get\" action=\"/ui/audit\" id=\"search\">");
        for (String[] f : new String[][] {{"q", "text", q}, {"sandbox", "sandbox", sandbox}, {"rule", "rule", rule}, {"category", "category", category},
                {"kind", "kind", kind}}) {
            p.raw("<label>").text(f[1]).raw(" <input name=\"").raw(f[0]).raw("\" value=\"").text(f[2]).raw("\"></label> ");
        }
        p.raw("<button type=\"submit\">Search</button></form>");
        // the newest records, searched newest first: a search is mostly about what just happened, and a
        // window bounds the work on a log of millions
        List<AuditRecord> found = new ArrayList<>();
        String needle = q.toLowerCase(Locale.ROOT);
        for (AuditRecord r : audit.after(Math.max(0, last - AUDIT_SCAN), AUDIT_SCAN).reversed()) {
            if (!sandbox.isEmpty() && !r.sandbox().equals(sandbox)) continue;
            if (!rule.isEmpty() && !r.rule().orElse("").equals(rule)) continue;
            if (!category.isEmpty() && !r.category().orElse("").equals(category)) continue;
            if (!kind.isEmpty() && !r.kind().equals(kind)) continue;
            if (!needle.isEmpty() && !r.payload().toLowerCase(Locale.ROOT).contains(needle) && !r.sandbox().contains(q)) continue;
            found.add(r);
            if (found.size() == AUDIT_ROWS) break;
        }
        p.raw("<table id=\"audit\">").head("seq", "time", "kind", "sandbox", "step", "rule", "category", "payload").raw("<tbody>");
        for (AuditRecord r : found) {
            String payload = r.payload().length() > PAYLOAD_SHOWN ? r.payload().substring(0, PAYLOAD_SHOWN) + "…" : r.payload();
            p.raw("<tr>").cell(String.valueOf(r.seq())).cell(r.time().toString()).cell(r.kind()).cell(r.sandbox())
                    .cell(r.step().isPresent() ? String.valueOf(r.step().getAsInt()) : "").cell(r.rule().orElse("")).cell(r.category().orElse(""))
                    .raw("<td class=\"payload\">").text(payload).raw("</td></tr>");
        }
        p.raw("</tbody></table><p class=\"note\">").text(found.size() + " record(s) shown, newest first (at most " + AUDIT_ROWS
                + ", from the newest " + AUDIT_SCAN + " records; `ale audit` searches the whole log).").raw("</p>");
        return p.html();
    }

    private static String param(Context ctx, String name) {
        return Optional.ofNullable(ctx.queryParam(name)).orElse("").strip();
    }

    // ---- holds and passports ----

    String holds(Sessions.Session s, Context ctx) {
        Page p = Page.signedIn("Holds", s);
        Optional.ofNullable(ctx.queryParam("done")).map(DONE::get).ifPresent(p::message);
        Optional<List<Holds.Hold>> list = holdsOrEmpty(s.principal());
        if (list.isEmpty()) {
            return p.raw("<p id=\"holds-unavailable\">Holds are not available on this server (it has no <code>/holds</code> route).</p>").html();
        }
        p.raw("<table id=\"holds\">")
                .head("hold", "sandbox", "episode", "step", "category", "rule", "detail", "kind", "created", "deadline", "state", "decided", "")
                .raw("<tbody>");
        for (Holds.Hold h : list.get()) {
            p.raw("<tr>").cell(h.id()).raw("<td><a href=\"/ui/sandboxes/").raw(Html.segment(h.sandboxId())).raw("\">").text(h.sandboxId()).raw("</a></td>")
                    .cell(h.episodeId().orElse("")).cell(h.step().map(String::valueOf).orElse("")).cell(h.category()).cell(h.ruleId())
                    .cell(h.detail()).cell(h.kind()).cell(h.createdAt()).cell(h.deadline()).cell(h.state())
                    .cell(h.decidedBy().map(by -> by + " at " + h.decidedAt().orElse("?")).orElse("")).raw("<td>");
            if (h.pending()) {
                for (String act : List.of("approve", "deny")) {
                    p.raw("<form method=\"post\" class=\"inline\" action=\"/ui/holds/").raw(Html.segment(h.id())).raw("/").raw(act).raw("\">").csrf(s)
                            .raw("<button type=\"submit\" class=\"").raw(act).raw("\">").text(act).raw("</button></form>");
                }
            }
            p.raw("</td></tr>");
        }
        return p.raw("</tbody></table>").html();
    }

    String passport(Sessions.Session s, String id, Context ctx) {
        Page p = Page.signedIn("Passport " + id, s);
        String since = param(ctx, "since");
        String until = param(ctx, "until");
        p.raw("<form method=\"get\" action=\"/ui/passports/").raw(Html.segment(id)).raw("\" id=\"bounds\">")
                .raw("<label>Since <input name=\"since\" value=\"").text(since).raw("\" placeholder=\"2026-03-01T10:00:00Z\"></label> ")
                .raw("<label>Until <input name=\"until\" value=\"").text(until).raw("\" placeholder=\"(now)\"></label> ")
                .raw("<button type=\"submit\">Show</button></form>");
        Holds.History answer = holds.history(s.principal(), id, Optional.of(since).filter(t -> !t.isEmpty()),
                Optional.of(until).filter(t -> !t.isEmpty()));
        return switch (answer) {
            case Holds.History.Unavailable u -> p.raw("<p id=\"history-unavailable\">This passport's history is not available on this server")
                    .raw(" (<code>GET /passports/").text(id).raw("/history</code> did not answer it).</p>").html();
            case Holds.History.Refused r -> p.raw("<p id=\"history-refused\" class=\"error\">").text(r.reason()).raw("</p>").html();
            case Holds.History.Found f -> history(p, f.json()).html();
        };
    }

    /** What agents under the passport did, section by section, then the whole answer as JSON. */
    private static Page history(Page p, JsonNode h) {
        p.raw("<h2>Versions</h2><table id=\"versions\">").head("fingerprint", "first", "last", "records").raw("<tbody>");
        for (JsonNode v : h.path("versions")) {
            p.raw("<tr>").cell(v.path("fingerprint").asText()).cell(v.path("first").asText()).cell(v.path("last").asText())
                    .cell(v.path("records").asText()).raw("</tr>");
        }
        p.raw("</tbody></table>");
        p.raw("<p id=\"history-span\">").text(h.path("sandboxes").size()).raw(" sandbox(es), ").text(h.path("episodes").size())
                .raw(" episode(s)</p>");
        for (String part : List.of("hosts_reached", "hosts_refused", "protected_writes", "events_by_category")) {
            p.raw("<h2>").text(part.replace('_', ' ')).raw("</h2><table id=\"").raw(part.replace('_', '-')).raw("\">").head("what", "count")
                    .raw("<tbody>");
            h.path(part).properties().forEach(e -> p.raw("<tr>").cell(e.getKey()).cell(e.getValue().asText()).raw("</tr>"));
            p.raw("</tbody></table>");
        }
        for (String part : List.of("kills", "holds")) {
            p.raw("<h2>").text(part).raw("</h2><table id=\"history-").raw(part).raw("\">")
                    .head("time", "sandbox", "episode", "step", "rule", "decision", "by", "detail").raw("<tbody>");
            for (JsonNode a : h.path(part)) {
                p.raw("<tr>").cell(a.path("time").asText()).cell(a.path("sandbox").asText()).cell(a.path("episode").asText(""))
                        .cell(a.path("step").asText("")).cell(a.path("rule").asText("")).cell(a.path("decision").asText(""))
                        .cell(a.path("by").asText("")).cell(a.path("detail").asText()).raw("</tr>");
            }
            p.raw("</tbody></table>");
        }
        try {
            return p.raw("<details><summary>As JSON</summary><pre id=\"history\">").text(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(h))
                    .raw("</pre></details>");
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree could not be written", e);
        }
    }

    /** The holds {@code who} sees; empty when the server has none to show (no route, or it failed: logged). */
    private Optional<List<Holds.Hold>> holdsOrEmpty(Principal who) {
        try {
            return holds.list(who);
        } catch (IllegalStateException e) {
            LOG.log(System.Logger.Level.WARNING, "the console could not list holds: " + e.getMessage());
            return Optional.empty();
        }
    }

    private ConsoleSource.Served find(Principal who, String id) {
        return source.sandbox(who, id).orElseThrow(() -> new ConsoleRefusal(404, "Not found", "no sandbox " + id));
    }

    private static String age(Duration d) {
        long s = d.toSeconds();
        if (s < 120) return s + " s";
        if (s < 7200) return s / 60 + " min";
        return s / 3600 + " h";
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
