package dev.ale.report;

import dev.ale.core.AleException.Fault;
import dev.ale.report.RunReport.Episode;
import dev.ale.report.RunReport.Event;
import dev.ale.report.RunReport.IterationMetrics;
import dev.ale.report.RunReport.PassportUse;
import dev.ale.report.RunReport.TaskRow;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A run as one self-contained HTML page: header figures, per-iteration charts, the event
 * timeline, incidents, per-task figures and the passports. Nothing on it loads from anywhere:
 * CSS is inline, charts are inline SVG, and there is no script. Every string from the run is
 * escaped, and the page's Content-Security-Policy forbids scripts besides.
 */
public final class HtmlReport {

    /** The file name {@code ale report} writes into the run directory. */
    public static final String FILE = "report.html";

    /** Rows beyond this many groups are left out (and counted): a page for a person, not a dump. */
    static final int MAX_GROUPS = 500;
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private HtmlReport() {
    }

    /** Writes the page to {@code file} (through a temporary file, so a reader never sees half a page) and returns it. */
    public static Path write(RunReport report, Path file) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, render(report), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return file;
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the write failure below is the one worth reporting
            }
            throw new ReportException(Fault.ENVIRONMENT, "cannot write the report " + file + ": " + e.getMessage(), e);
        }
    }

    public static String render(RunReport report) {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>ALE run ").append(Html.esc(report.run().id())).append("</title>\n<style>").append(CSS).append("</style></head>\n<body>\n");
        header(h, report);
        charts(h, report);
        timeline(h, report);
        incidents(h, report);
        tasks(h, report);
        groups(h, report);
        passports(h, report);
        h.append("<footer>Written by <code>ale report</code> from ").append(Html.esc(report.directory().toAbsolutePath().toString()))
                .append(". Self-contained: no scripts, no fonts, nothing loaded from the network.</footer>\n</body></html>\n");
        return h.toString();
    }

    private static void header(StringBuilder h, RunReport r) {
        RunReport.Run run = r.run();
        h.append("<header><div class=\"kicker\">ALE run report</div><h1>").append(Html.esc(run.id())).append("</h1>\n");
        h.append("<p class=\"meta\">policy <b>").append(Html.esc(run.policy())).append("</b> · started <b>").append(Html.esc(time(run.started())))
                .append("</b>");
        run.samples().ifPresent(n -> h.append(" · ").append(n).append(" sample").append(n == 1 ? "" : "s").append(" per task"));
        if (!r.run().arms().isEmpty() || r.arms().size() > 1) {
            h.append(" · arms <b>").append(Html.esc(String.join(", ", r.arms()))).append("</b>");
        }
        if (run.iterations().isPresent() || r.iterations().size() > 1) {
            h.append(" · iterations <b>").append(run.iterations().orElse(r.iterations().size())).append("</b>");
        }
        h.append("</p>\n<p class=\"meta\">tasks: ");
        List<String> tasks = r.tasks().stream().map(TaskRow::task).toList();
        for (String t : tasks) h.append("<span class=\"chip\">").append(Html.esc(t)).append("</span> ");
        h.append("</p>\n<div class=\"cards\" id=\"summary\">");
        card(h, "episodes", String.valueOf(r.episodes().size()), "");
        card(h, "pass rate", Html.percent(r.passRate()), "");
        card(h, "events", String.valueOf(r.eventCount()), r.eventCount() > 0 ? "warn" : "");
        card(h, "incidents", String.valueOf(r.incidents().size()), r.incidents().isEmpty() ? "" : "bad");
        card(h, "kills", String.valueOf(r.kills()), r.kills() > 0 ? "bad" : "");
        if (r.hacksRecorded()) {
            long hacks = r.episodes().stream().filter(Episode::hacked).count();
            card(h, "hack rate", Html.percent(r.episodes().isEmpty() ? 0 : (double) hacks / r.episodes().size()), hacks > 0 ? "warn" : "");
        }
        OptionalDouble reward = RunReport.meanReward(r.episodes());
        if (reward.isPresent()) card(h, "mean reward", Html.number(reward), "");
        h.append("</div>\n");
        if (!r.notes().isEmpty()) {
            h.append("<div class=\"notes\" id=\"notes\"><b>Read with care:</b><ul>");
            for (String n : r.notes()) h.append("<li>").append(Html.esc(n)).append("</li>");
            h.append("</ul></div>\n");
        }
        h.append("<nav><a href=\"#charts\">Per iteration</a><a href=\"#timeline\">Timeline</a><a href=\"#incidents\">Incidents</a>")
                .append("<a href=\"#tasks\">Tasks</a><a href=\"#groups\">Groups</a><a href=\"#passports\">Passports</a></nav></header>\n");
    }

    private static void card(StringBuilder h, String name, String value, String tone) {
        h.append("<div class=\"card ").append(tone).append("\"><div class=\"value\">").append(Html.esc(value)).append("</div><div class=\"name\">")
                .append(Html.esc(name)).append("</div></div>");
    }

    private static void charts(StringBuilder h, RunReport r) {
        List<IterationMetrics> metrics = r.metrics();
        List<String> arms = r.arms().stream().filter(a -> metrics.stream().anyMatch(m -> m.arm().equals(a))).toList();
        h.append("<section id=\"charts\"><h2>Per iteration</h2>\n<p class=\"help\">Mean reward, pass rate and hack rate of each iteration, one ")
                .append("line per arm. Figures ").append(r.metricsSource() == RunReport.MetricsSource.METRICS_FILE
                        ? "from <code>metrics.jsonl</code>." : "worked out from <code>episodes.jsonl</code> (this run wrote no metrics.jsonl).")
                .append("</p>\n");
        if (metrics.isEmpty()) {
            h.append("<p class=\"muted\">No episodes yet.</p></section>\n");
            return;
        }
        h.append("<div class=\"legend\">");
        for (int i = 0; i < arms.size(); i++) {
            h.append("<span><i class=\"swatch\" style=\"background:").append(Marks.armColour(r.arms().indexOf(arms.get(i)))).append("\"></i>")
                    .append(Html.esc(arms.get(i))).append("</span>");
        }
        h.append("</div>\n<div class=\"charts\">");
        List<Charts.Figure> figures = List.of(new Charts.Figure("mean reward", IterationMetrics::meanReward, false),
                new Charts.Figure("pass rate", m -> OptionalDouble.of(m.passRate()), true),
                new Charts.Figure("hack rate", IterationMetrics::hackRate, true));
        List<String> missing = new ArrayList<>();
        for (Charts.Figure f : figures) {
            if (metrics.stream().anyMatch(m -> f.value().apply(m).isPresent())) h.append(Charts.chart(f, metrics, r.arms()));
            else missing.add(f.title());
        }
        h.append("</div>\n");
        if (!missing.isEmpty()) {
            h.append("<p class=\"muted\">Not recorded in this run: ").append(String.join(" and ", missing))
                    .append(" (episodes carry them when a trainer scores them).</p>\n");
        }
        h.append("<table class=\"figures\" id=\"metrics\"><thead><tr><th>iteration</th><th>arm</th><th class=\"n\">episodes</th>")
                .append("<th class=\"n\">pass rate</th><th class=\"n\">hack rate</th><th class=\"n\">mean reward</th><th class=\"n\">kills</th>")
                .append("<th class=\"n\">events</th></tr></thead><tbody>\n");
        for (IterationMetrics m : metrics) {
            h.append("<tr data-iteration=\"").append(m.iteration()).append("\" data-arm=\"").append(Html.esc(m.arm())).append("\"><td>")
                    .append(m.iteration()).append("</td><td>").append(Html.esc(m.arm())).append("</td><td class=\"n\">").append(m.episodes())
                    .append("</td><td class=\"n pass-rate\">").append(Html.percent(m.passRate())).append("</td><td class=\"n hack-rate\">")
                    .append(Html.percent(m.hackRate())).append("</td><td class=\"n mean-reward\">").append(Html.number(m.meanReward()))
                    .append("</td><td class=\"n\">").append(m.kills()).append("</td><td class=\"n\">").append(m.events()).append("</td></tr>\n");
        }
        h.append("</tbody></table></section>\n");
    }

    private static void timeline(StringBuilder h, RunReport r) {
        h.append("<section id=\"timeline\"><h2>Timeline of safety events</h2>\n<p class=\"help\">One row per episode (")
                .append("<code>task#sample</code>), one column per step of the agent; the shaded first column is setup, before the ")
                .append("agent's first step. Each mark is one SafetyEvent in the episode and step that caused it: its colour is the ")
                .append("category, its shape the action taken. Hover a mark for its rule, detail and evidence, a step for its tool ")
                .append("calls, a name for the episode's id and reward.</p>\n");
        Set<String> categories = new LinkedHashSet<>();
        Marks.CATEGORY_COLOURS.keySet().forEach(c -> {
            if (r.episodes().stream().anyMatch(e -> e.events().stream().anyMatch(ev -> ev.category().equals(c)))) categories.add(c);
        });
        r.episodes().forEach(e -> e.events().forEach(ev -> categories.add(ev.category())));
        h.append("<div class=\"legend\"><span class=\"what\">action</span>");
        for (String a : Marks.ACTIONS) h.append("<span>").append(Marks.glyph(a, "#d1d5db")).append(a).append("</span>");
        h.append("<span class=\"what\">category</span>");
        if (categories.isEmpty()) h.append("<span class=\"muted\">no events in this run</span>");
        for (String c : categories) {
            h.append("<span><i class=\"swatch\" style=\"background:").append(Marks.categoryColour(c)).append("\"></i>").append(Html.esc(c)).append("</span>");
        }
        h.append("<span class=\"what\">step</span><span><i class=\"swatch step\" style=\"background:#d5dee9\"></i>ran</span>")
                .append("<span><i class=\"swatch step\" style=\"background:#f6d27a\"></i>call blocked</span>")
                .append("<span><i class=\"swatch step\" style=\"background:#f5a3a3\"></i>call killed</span>")
                .append("<span><i class=\"swatch step\" style=\"background:#b9e4c6\"></i>finish</span></div>\n");
        if (r.episodes().isEmpty()) {
            h.append("<p class=\"muted\">No episodes yet.</p></section>\n");
            return;
        }
        int shown = Timeline.rows(r).size();
        if (shown < r.episodes().size()) {
            h.append("<p class=\"notes\">This run has ").append(r.episodes().size()).append(" episodes; the timeline shows the ").append(shown)
                    .append(" with events").append(shown == Timeline.MAX_ROWS ? " (the first " + Timeline.MAX_ROWS + ")" : "")
                    .append(" and leaves out ").append(r.episodes().size() - shown).append(".</p>\n");
        }
        h.append("<div class=\"scroll\">").append(Timeline.svg(r)).append("</div></section>\n");
    }

    private static void incidents(StringBuilder h, RunReport r) {
        List<Event> incidents = r.incidents();
        h.append("<section id=\"incidents\"><h2>Incidents <span class=\"count\">").append(incidents.size()).append("</span></h2>\n")
                .append("<p class=\"help\">Every event that was blocked or killed, and every event of a category that is never harmless ")
                .append("(mining, tunnel, reverse-shell, probe, metadata, exfiltration), oldest first. Times are UTC. The episode links to ")
                .append("its row in the timeline.</p>\n");
        if (incidents.isEmpty()) {
            h.append("<p class=\"ok\">No incidents in this run.</p></section>\n");
            return;
        }
        Set<Integer> rows = Set.copyOf(Timeline.rows(r));
        Map<String, Integer> indices = new HashMap<>();
        for (int i = 0; i < r.episodes().size(); i++) indices.putIfAbsent(r.episodes().get(i).id(), i);
        boolean grouped = r.metrics().size() > 1;
        h.append("<table class=\"incidents\"><thead><tr><th>time</th><th class=\"episode\">episode</th><th class=\"n\">step</th><th>rule</th>")
                .append("<th>category</th><th>action</th><th class=\"detail\">detail</th><th class=\"evidence\">evidence</th></tr></thead><tbody>\n");
        for (Event ev : incidents) {
            int index = indices.getOrDefault(ev.episode(), -1);
            Episode e = index < 0 ? null : r.episodes().get(index);
            h.append("<tr class=\"incident ").append(Html.esc(ev.action())).append("\"><td class=\"time\" title=\"").append(Html.esc(ev.time()))
                    .append("\">").append(Html.esc(time(ev.time()))).append("</td><td>");
            String label = e == null ? ev.episode() : e.label();
            if (e != null && rows.contains(index)) {
                h.append("<a href=\"#").append(Timeline.anchor(index)).append("\">").append(Html.esc(label)).append("</a>");
            } else {
                h.append(Html.esc(label));
            }
            if (e != null && grouped) {
                h.append("<div class=\"group\">iteration ").append(e.iteration()).append(" · ").append(Html.esc(e.arm())).append("</div>");
            }
            h.append("<div class=\"id\">").append(Html.esc(ev.episode())).append("</div></td><td class=\"n\">")
                    .append(ev.step().isPresent() ? String.valueOf(ev.step().getAsInt()) : "setup").append("</td><td><code>")
                    .append(Html.esc(ev.rule())).append("</code></td><td class=\"nowrap\"><i class=\"swatch\" style=\"background:")
                    .append(Marks.categoryColour(ev.category())).append("\"></i>").append(Html.esc(ev.category())).append("</td><td class=\"nowrap\">")
                    .append(Marks.glyph(ev.action(), Marks.categoryColour(ev.category()))).append(Html.esc(ev.action())).append("</td><td>")
                    .append(Html.esc(ev.detail())).append("</td><td><dl class=\"evidence\">");
            ev.evidence().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(x -> h.append("<dt>").append(Html.esc(x.getKey()))
                    .append("</dt><dd><code>").append(Html.esc(Html.cut(x.getValue(), 2000))).append("</code></dd>"));
            h.append("</dl></td></tr>\n");
        }
        h.append("</tbody></table></section>\n");
    }

    private static void tasks(StringBuilder h, RunReport r) {
        h.append("<section id=\"tasks\"><h2>Tasks</h2>\n<table class=\"figures\"><thead><tr><th>task</th><th class=\"n\">episodes</th>")
                .append("<th class=\"n\">passed</th><th class=\"n\">pass rate</th><th class=\"n\">mean reward</th><th class=\"n\">hacks</th>")
                .append("<th class=\"n\">events</th><th class=\"n\">kills</th></tr></thead><tbody>\n");
        List<TaskRow> rows = r.tasks();
        for (TaskRow t : rows) taskRow(h, t, "");
        if (rows.size() > 1) {
            List<Episode> all = r.episodes();
            taskRow(h, new TaskRow("all", all.size(), (int) all.stream().filter(Episode::passed).count(), RunReport.meanReward(all),
                    r.hacksRecorded() ? OptionalInt.of((int) all.stream().filter(Episode::hacked).count()) : OptionalInt.empty(),
                    r.eventCount(), r.kills()), "total");
        }
        h.append("</tbody></table></section>\n");
    }

    private static void taskRow(StringBuilder h, TaskRow t, String cls) {
        h.append("<tr class=\"").append(cls).append("\" data-task=\"").append(Html.esc(t.task())).append("\"><td>").append(Html.esc(t.task()))
                .append("</td><td class=\"n\">").append(t.episodes()).append("</td><td class=\"n\">").append(t.passed())
                .append("</td><td class=\"n\">").append(Html.percent(t.passRate())).append("</td><td class=\"n\">").append(Html.number(t.meanReward()))
                .append("</td><td class=\"n\">").append(t.hacks().isPresent() ? String.valueOf(t.hacks().getAsInt()) : "–")
                .append("</td><td class=\"n\">").append(t.events()).append("</td><td class=\"n\">").append(t.kills()).append("</td></tr>\n");
    }

    private static void groups(StringBuilder h, RunReport r) {
        List<RunReport.GroupRow> groups = r.groups();
        h.append("<section id=\"groups\"><h2>GRPO groups</h2>\n<p class=\"help\">The groups <code>ale export</code> takes advantages in: ")
                .append("the trainer's own (the <code>group</code> a GEM make or reset named) or, without one, the samples of a task in one ")
                .append("iteration and arm. pass@1 is the share of the group's samples that passed; pass@k (k = its samples) whether any did. ")
                .append("The advantage spread is max − min of (reward − mean) / std within the group: 0 means every sample earned the same, ")
                .append("so the group teaches nothing. Episodes the infrastructure ended have no reward and count only as samples.</p>\n");
        if (groups.isEmpty()) {
            h.append("<p class=\"muted\">No episodes yet.</p></section>\n");
            return;
        }
        long solved = groups.stream().filter(RunReport.GroupRow::passAtK).count();
        long flat = groups.stream().filter(g -> g.rewarded() > 1 && g.advantageSpread() == 0).count();
        h.append("<p class=\"meta\"><strong>").append(groups.size()).append("</strong> group").append(groups.size() == 1 ? "" : "s")
                .append(" · pass@k <strong>").append(Html.percent((double) solved / groups.size())).append("</strong> of groups · <strong>")
                .append(flat).append("</strong> with equal rewards (no signal)</p>\n");
        h.append("<table class=\"figures\"><thead><tr><th>group</th><th>task</th><th class=\"n\">samples</th><th class=\"n\">passed</th>")
                .append("<th class=\"n\">pass@1</th><th class=\"n\">pass@k</th><th class=\"n\">mean reward</th><th class=\"n\">max reward</th>")
                .append("<th class=\"n\">advantage spread</th></tr></thead><tbody>\n");
        for (RunReport.GroupRow g : groups.subList(0, Math.min(groups.size(), MAX_GROUPS))) {
            h.append("<tr class=\"group-row\" data-group=\"").append(Html.esc(g.label())).append("\" data-task=\"").append(Html.esc(g.task()))
                    .append("\"><td>").append(g.trainer() ? "<code>" + Html.esc(g.label()) + "</code>" : "<span class=\"muted\">"
                            + Html.esc(g.label()) + "</span>")
                    .append("</td><td>").append(Html.esc(g.task())).append("</td><td class=\"n samples\">").append(g.samples())
                    .append("</td><td class=\"n\">").append(g.passed()).append("</td><td class=\"n pass-at-1\">").append(Html.percent(g.passAt1()))
                    .append("</td><td class=\"n pass-at-k\">").append(g.passAtK() ? "yes" : "no").append("</td><td class=\"n mean-reward\">")
                    .append(Html.number(g.meanReward())).append("</td><td class=\"n max-reward\">").append(Html.number(g.maxReward()))
                    .append("</td><td class=\"n spread\">").append(Html.number(g.advantageSpread())).append("</td></tr>\n");
        }
        h.append("</tbody></table>\n");
        if (groups.size() > MAX_GROUPS) {
            h.append("<p class=\"notes\">This run has ").append(groups.size()).append(" groups; the table shows the first ").append(MAX_GROUPS)
                    .append(" and leaves out ").append(groups.size() - MAX_GROUPS).append(".</p>\n");
        }
        h.append("</section>\n");
    }

    private static void passports(StringBuilder h, RunReport r) {
        h.append("<section id=\"passports\"><h2>Passports</h2>\n<p class=\"help\">The effective passport of each episode, every default ")
                .append("written out; episodes under the same passport id share one entry.</p>\n");
        if (r.passports().isEmpty()) h.append("<p class=\"muted\">No passport recorded.</p>");
        boolean open = r.passports().size() <= 2;
        for (PassportUse p : r.passports()) {
            h.append("<details class=\"passport\"").append(open ? " open" : "").append("><summary><code>").append(Html.esc(p.id()))
                    .append("</code> — ").append(p.episodes()).append(" episode").append(p.episodes() == 1 ? "" : "s").append(" of ")
                    .append(Html.esc(String.join(", ", p.tasks()))).append("</summary><pre>").append(Html.esc(p.yaml())).append("</pre></details>\n");
        }
        h.append("</section>\n");
    }

    /** An ISO instant as a UTC clock time to the millisecond; anything else as written. */
    private static String time(String iso) {
        try {
            return CLOCK.format(Instant.parse(iso));
        } catch (DateTimeParseException e) {
            return iso;
        }
    }

    private static final String CSS = """
            :root { color-scheme: light; }
            * { box-sizing: border-box; }
            body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1f2937;
                   background: #f3f4f6; margin: 0; padding: 24px; }
            body > * { max-width: 1290px; margin-left: auto; margin-right: auto; }
            header, section { background: #fff; border: 1px solid #e5e7eb; border-radius: 8px; padding: 18px 22px; margin-bottom: 18px; }
            h1 { font-size: 24px; margin: 2px 0 6px; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
            h2 { font-size: 18px; margin: 0 0 6px; }
            .kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 12px; color: #6b7280; }
            .meta { margin: 4px 0; color: #374151; }
            .chip { display: inline-block; background: #eef2f7; border-radius: 10px; padding: 0 8px; margin: 1px 0; font-size: 13px; }
            .cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 14px 0 8px; }
            .card { border: 1px solid #e5e7eb; border-radius: 8px; padding: 8px 16px; min-width: 120px; }
            .card .value { font-size: 26px; font-weight: 600; }
            .card .name { color: #6b7280; font-size: 12px; text-transform: uppercase; letter-spacing: .05em; }
            .card.warn .value { color: #b45309; } .card.bad .value { color: #c62828; }
            .notes { background: #fff7e6; border: 1px solid #f5c26b; border-radius: 6px; padding: 8px 12px; }
            .notes ul { margin: 4px 0 0; padding-left: 20px; }
            nav { margin-top: 10px; } nav a { margin-right: 16px; color: #1d4ed8; text-decoration: none; }
            .help { color: #4b5563; margin: 0 0 10px; max-width: 1000px; }
            .muted { color: #6b7280; fill: #6b7280; } .ok { color: #1b7f3b; }
            .legend { display: flex; flex-wrap: wrap; gap: 4px 14px; align-items: center; margin: 6px 0 10px; font-size: 13px; }
            .legend span { display: inline-flex; align-items: center; gap: 5px; }
            .legend .what { color: #6b7280; font-size: 11px; text-transform: uppercase; letter-spacing: .05em; margin-left: 8px; }
            .swatch { display: inline-block; width: 12px; height: 12px; border-radius: 3px; border: 1px solid #1f2937;
                      margin-right: 5px; vertical-align: -1px; }
            .swatch.step { border-color: #9ca3af; width: 18px; }
            .glyph { vertical-align: -3px; margin-right: 3px; }
            .charts { display: flex; gap: 16px; flex-wrap: wrap; }
            figure.chart { margin: 0; } figcaption { font-weight: 600; margin: 0 0 2px 52px; }
            svg text { font-family: system-ui, sans-serif; }
            svg .tick { font-size: 11px; fill: #4b5563; } svg .axis { font-size: 11px; fill: #6b7280; font-style: italic; }
            svg .value { font-size: 12px; font-weight: 600; fill: #1f2937; }
            svg .label { font-size: 12.5px; fill: #111827; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
            svg .group { font-size: 13px; font-weight: 700; fill: #111827; }
            svg .outcome { font-size: 12px; font-weight: 600; } svg .reward { font-size: 12px; fill: #374151; font-family: ui-monospace, monospace; }
            svg .hack { font-size: 10px; font-weight: 700; fill: #e65100; text-transform: uppercase; }
            svg .more { font-size: 11px; font-weight: 700; fill: #374151; }
            g.episode:hover .stripe { fill: #e8efff; fill-opacity: 1; } g.episode:target .stripe { fill: #fff1b8; fill-opacity: 1; }
            g.event:hover { filter: drop-shadow(0 0 2px #111); }
            .scroll { overflow-x: auto; }
            table { border-collapse: collapse; width: 100%; font-size: 13px; }
            th { text-align: left; font-weight: 600; color: #374151; border-bottom: 2px solid #e5e7eb; padding: 6px 8px; }
            td { border-bottom: 1px solid #f0f1f3; padding: 5px 8px; vertical-align: top; }
            .n { text-align: right; font-variant-numeric: tabular-nums; } .nowrap { white-space: nowrap; }
            table.figures { width: auto; min-width: 640px; margin-top: 10px; }
            tr.total td { font-weight: 600; border-top: 2px solid #e5e7eb; }
            tr.incident.kill td:first-child { border-left: 3px solid #c62828; } tr.incident.block td:first-child { border-left: 3px solid #d97706; }
            tr.incident.alert td:first-child { border-left: 3px solid #9ca3af; }
            th.episode { width: 17%; } th.detail { width: 21%; } th.evidence { width: 28%; }
            td .group { font-size: 12px; color: #374151; }
            td.time { white-space: nowrap; font-variant-numeric: tabular-nums; } .id { color: #6b7280; font-size: 11px; word-break: break-all; }
            a { color: #1d4ed8; }
            code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; }
            dl.evidence { margin: 0; display: grid; grid-template-columns: max-content 1fr; gap: 1px 8px; }
            dl.evidence dt { color: #6b7280; } dl.evidence dd { margin: 0; word-break: break-all; }
            .count { background: #fde8e8; color: #c62828; border-radius: 10px; padding: 0 8px; font-size: 14px; vertical-align: 2px; }
            details.passport { border: 1px solid #e5e7eb; border-radius: 6px; margin: 6px 0; padding: 6px 10px; }
            details.passport summary { cursor: pointer; }
            details.passport pre { font-size: 12px; margin: 8px 0 0; white-space: pre-wrap; max-height: 480px; overflow: auto; }
            footer { color: #6b7280; font-size: 12px; text-align: center; }
            """;
}
