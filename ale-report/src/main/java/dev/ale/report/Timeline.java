package dev.ale.report;

import dev.ale.report.RunReport.Episode;
import dev.ale.report.RunReport.Event;
import dev.ale.report.RunReport.Step;
import dev.ale.report.RunReport.ToolCall;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * The timeline: one row per episode, one column per step (column 0 is setup), one mark per
 * SafetyEvent in the cell of its episode and step, coloured by category and shaped by action.
 * It lines up what the ROME team had to match by hand: firewall alarms against episodes.
 */
final class Timeline {

    /** Beyond this many episodes only those with events get a row; the page says how many were left out. */
    static final int MAX_ROWS = 300;

    private static final int WIDTH = 1240;
    private static final int LABEL = 250;
    private static final int STATUS = 150;
    private static final int ROW = 24;
    private static final int GROUP = 26;
    private static final int AXIS = 30;
    private static final int MARK = 14;
    /** Where the reward column ends, right of the plot. */
    private static final int REWARD = 140;

    private Timeline() {
    }

    /** The anchor of the episode at {@code index} in {@link RunReport#episodes()}, for links from other sections. */
    static String anchor(int index) {
        return "ep-" + index;
    }

    /** Indices into {@link RunReport#episodes()} of the rows drawn, in drawing order. */
    static List<Integer> rows(RunReport report) {
        List<Episode> episodes = report.episodes();
        List<Integer> rows = IntStream.range(0, episodes.size()).boxed().toList();
        if (rows.size() > MAX_ROWS) {
            rows = rows.stream().filter(i -> !episodes.get(i).events().isEmpty()).limit(MAX_ROWS).toList();
        }
        List<String> arms = report.arms();
        List<String> tasks = new ArrayList<>(report.run().tasks());
        episodes.forEach(e -> {
            if (!tasks.contains(e.task())) tasks.add(e.task());
        });
        Comparator<Integer> order = Comparator.<Integer>comparingInt(i -> episodes.get(i).iteration())
                .thenComparingInt(i -> arms.indexOf(episodes.get(i).arm()))
                .thenComparingInt(i -> tasks.indexOf(episodes.get(i).task()))
                .thenComparing(i -> episodes.get(i).sample(), Timeline::naturally);
        return rows.stream().sorted(order).toList();
    }

    /** Sample "10" after "9": numbers as numbers, anything else as text after them. */
    private static int naturally(String a, String b) {
        boolean na = a.matches("\\d{1,9}");
        boolean nb = b.matches("\\d{1,9}");
        if (na && nb) return Integer.compare(Integer.parseInt(a), Integer.parseInt(b));
        if (na != nb) return na ? -1 : 1;
        return a.compareTo(b);
    }

    static String svg(RunReport report) {
        List<Episode> episodes = report.episodes();
        List<Integer> rows = rows(report);
        int lastStep = rows.stream().mapToInt(i -> episodes.get(i).lastStep()).max().orElse(0);
        int columns = lastStep + 1;
        double plotLeft = LABEL;
        double cell = Math.min(60, (double) (WIDTH - LABEL - STATUS) / columns);
        double plotRight = plotLeft + cell * columns;
        boolean grouped = report.metrics().size() > 1 || report.iterations().size() > 1;
        long groups = grouped ? rows.stream().map(i -> group(episodes.get(i))).distinct().count() : 0;
        boolean bottomAxis = rows.size() > 20;
        boolean rewards = rows.stream().anyMatch(i -> episodes.get(i).reward().isPresent());
        int height = AXIS + rows.size() * ROW + (int) groups * GROUP + (bottomAxis ? AXIS : 0) + 8;

        StringBuilder svg = new StringBuilder();
        svg.append("<svg class=\"timeline\" width=\"").append(WIDTH).append("\" height=\"").append(height).append("\" viewBox=\"0 0 ")
                .append(WIDTH).append(' ').append(height).append("\" role=\"img\" aria-label=\"SafetyEvents by episode and step\">");
        // The setup column is shaded the whole way down, so a mark in it reads as "before the agent's first step".
        svg.append("<rect x=\"").append(Html.px(plotLeft)).append("\" y=\"").append(AXIS - 4).append("\" width=\"").append(Html.px(cell))
                .append("\" height=\"").append(height - AXIS - (bottomAxis ? AXIS : 0) - 4).append("\" fill=\"#eef0f3\"/>");
        for (int c = 1; c <= columns; c++) {
            double x = plotLeft + c * cell;
            svg.append("<line x1=\"").append(Html.px(x)).append("\" x2=\"").append(Html.px(x)).append("\" y1=\"").append(AXIS - 4)
                    .append("\" y2=\"").append(height - (bottomAxis ? AXIS : 0) - 8).append("\" stroke=\"#eceff3\"/>");
        }
        axis(svg, AXIS - 10, plotLeft, plotRight, cell, columns, rewards);

        double y = AXIS;
        String current = null;
        int stripe = 0;
        for (int index : rows) {
            Episode e = episodes.get(index);
            if (grouped && !Objects.equals(current, group(e))) {
                current = group(e);
                svg.append("<text x=\"8\" y=\"").append(Html.px(y + 18)).append("\" class=\"group\">").append(Html.esc(current)).append("</text>");
                svg.append("<line x1=\"8\" x2=\"").append(WIDTH - 8).append("\" y1=\"").append(Html.px(y + GROUP - 2)).append("\" y2=\"")
                        .append(Html.px(y + GROUP - 2)).append("\" stroke=\"#9ca3af\"/>");
                y += GROUP;
                stripe = 0;
            }
            row(svg, e, index, y, plotLeft, plotRight, cell, stripe++ % 2 == 1);
            y += ROW;
        }
        if (bottomAxis) axis(svg, (int) y + 20, plotLeft, plotRight, cell, columns, rewards);
        svg.append("</svg>");
        return svg.toString();
    }

    private static String group(Episode e) {
        return "iteration " + e.iteration() + " · " + e.arm();
    }

    private static void axis(StringBuilder svg, int y, double left, double right, double cell, int columns, boolean rewards) {
        svg.append("<text x=\"").append(Html.px(left - 8)).append("\" y=\"").append(y).append("\" text-anchor=\"end\" class=\"axis\">step →</text>");
        // Label every k-th step so that labels stay about 24 px apart however long the episodes ran.
        int every = Math.max(1, (int) Math.ceil(24 / cell));
        svg.append("<text x=\"").append(Html.px(left + cell / 2)).append("\" y=\"").append(y).append("\" text-anchor=\"middle\" class=\"tick\">")
                .append(cell >= 40 ? "setup" : "S").append("</text>");
        for (int c = 1; c < columns; c++) {
            if (c % every != 0 && c != 1) continue;
            svg.append("<text x=\"").append(Html.px(left + (c + 0.5) * cell)).append("\" y=\"").append(y)
                    .append("\" text-anchor=\"middle\" class=\"tick\">").append(c).append("</text>");
        }
        svg.append("<text x=\"").append(Html.px(right + 12)).append("\" y=\"").append(y).append("\" class=\"axis\">outcome</text>");
        if (rewards) {
            svg.append("<text x=\"").append(Html.px(right + REWARD)).append("\" y=\"").append(y).append("\" text-anchor=\"end\" class=\"axis\">reward</text>");
        }
    }

    private static void row(StringBuilder svg, Episode e, int index, double y, double left, double right, double cell, boolean shaded) {
        svg.append("<g class=\"episode\" id=\"").append(anchor(index)).append("\" data-episode=\"").append(Html.esc(e.id())).append("\">");
        svg.append("<rect class=\"stripe\" x=\"0\" y=\"").append(Html.px(y)).append("\" width=\"").append(WIDTH).append("\" height=\"").append(ROW)
                .append("\" fill=\"").append(shaded ? "#f8fafc" : "#ffffff").append("\" fill-opacity=\"0.6\"/>");
        double mid = y + ROW / 2.0;
        svg.append("<text x=\"8\" y=\"").append(Html.px(mid + 4)).append("\" class=\"label\"><title>").append(Html.esc(episodeTitle(e)))
                .append("</title>").append(Html.esc(Html.cut(e.label(), e.hacked() ? 25 : 31))).append("</text>");
        if (e.hacked()) {
            svg.append("<text x=\"").append(Html.px(left - 8)).append("\" y=\"").append(Html.px(mid + 4))
                    .append("\" text-anchor=\"end\" class=\"hack\">hack</text>");
        }
        for (Step s : e.steps()) {
            if (s.index() < 1) continue;
            svg.append("<rect class=\"step\" x=\"").append(Html.px(left + s.index() * cell + 1)).append("\" y=\"").append(Html.px(y + 7))
                    .append("\" width=\"").append(Html.px(Math.max(1, cell - 2))).append("\" height=\"").append(ROW - 14)
                    .append("\" rx=\"2\" fill=\"").append(stepColour(s)).append("\"><title>").append(Html.esc(stepTitle(e, s))).append("</title></rect>");
        }
        Map<Integer, List<Event>> byColumn = new LinkedHashMap<>();
        for (Event ev : e.events()) byColumn.computeIfAbsent(ev.step().orElse(0), k -> new ArrayList<>()).add(ev);
        byColumn.forEach((column, events) -> {
            // Several events in one step share its cell side by side, in the order they were raised.
            // In a narrow cell they may spill into the next ones, overlapping by at most 40%, so that each stays visible.
            // Past what fits in about two cells, the last place says "+N" and its title lists the rest by rule.
            int fits = Math.max(2, (int) ((cell * 2) / (MARK * 0.6)));
            int k = Math.min(events.size(), fits);
            int drawn = events.size() > fits ? fits - 1 : k;
            double spacing = Math.max(cell / (k + 1), MARK * 0.6);
            double centre = left + (column + 0.5) * cell;
            for (int j = 0; j < drawn; j++) {
                Event ev = events.get(j);
                double x = centre + (j - (k - 1) / 2.0) * spacing;
                svg.append("<g class=\"event\" data-episode=\"").append(Html.esc(ev.episode())).append("\" data-step=\"")
                        .append(ev.step().isPresent() ? String.valueOf(ev.step().getAsInt()) : "setup").append("\" data-rule=\"")
                        .append(Html.esc(ev.rule())).append("\"><title>").append(Html.esc(eventTitle(e, ev))).append("</title>")
                        .append(Marks.shape(ev.action(), x, mid, MARK, Marks.categoryColour(ev.category()))).append("</g>");
            }
            if (drawn < events.size()) {
                List<Event> rest = events.subList(drawn, events.size());
                Map<String, Integer> byRule = new LinkedHashMap<>();
                rest.forEach(ev -> byRule.merge(ev.rule() + " (" + ev.action() + ")", 1, Integer::sum));
                StringBuilder title = new StringBuilder().append(rest.size()).append(" more events in ").append(e.label())
                        .append(column == 0 ? " · setup" : " · step " + column).append(':');
                byRule.forEach((rule, n) -> title.append('\n').append(n).append(" × ").append(rule));
                double x = centre + (k - 1 - (k - 1) / 2.0) * spacing;
                svg.append("<g class=\"more\" data-step=\"").append(column == 0 ? "setup" : String.valueOf(column)).append("\" data-count=\"")
                        .append(rest.size()).append("\"><title>").append(Html.esc(title.toString())).append("</title><text x=\"")
                        .append(Html.px(x)).append("\" y=\"").append(Html.px(mid + 4)).append("\" text-anchor=\"middle\" class=\"more\">+")
                        .append(rest.size()).append("</text></g>");
            }
        });
        String[] outcome = outcome(e);
        svg.append("<text x=\"").append(Html.px(right + 12)).append("\" y=\"").append(Html.px(mid + 4)).append("\" class=\"outcome\" fill=\"")
                .append(outcome[1]).append("\">").append(Html.esc(outcome[0])).append("</text>");
        if (e.reward().isPresent()) {
            svg.append("<text x=\"").append(Html.px(right + REWARD)).append("\" y=\"").append(Html.px(mid + 4))
                    .append("\" text-anchor=\"end\" class=\"reward\">")
                    .append(Html.number(e.reward().get().total())).append("</text>");
        }
        svg.append("</g>");
    }

    private static String[] outcome(Episode e) {
        if (e.killed()) return new String[] {"✖ killed", Marks.KILLED};
        if (e.passed()) return new String[] {"✓ passed", Marks.PASSED};
        if (e.end().equals("finished")) return new String[] {"✗ failed", Marks.FAILED};
        return new String[] {"✗ " + e.end(), Marks.FAILED};
    }

    /** A step's cell shows what became of its tool calls: the worst of them. */
    private static String stepColour(Step s) {
        List<String> statuses = s.calls().stream().map(ToolCall::status).toList();
        if (statuses.contains("killed")) return "#f5a3a3";
        if (statuses.contains("blocked")) return "#f6d27a";
        if (statuses.contains("finished")) return "#b9e4c6";
        return "#d5dee9";
    }

    private static String episodeTitle(Episode e) {
        StringBuilder t = new StringBuilder("episode ").append(e.id()).append("\ntask ").append(e.task()).append(", iteration ")
                .append(e.iteration()).append(", arm ").append(e.arm()).append("\nend: ").append(e.end());
        if (!e.detail().isBlank()) t.append(" (").append(Html.cut(e.detail().strip(), 200)).append(')');
        t.append("\n").append(e.steps().size()).append(" step").append(e.steps().size() == 1 ? "" : "s").append(", ")
                .append(e.events().size()).append(" event").append(e.events().size() == 1 ? "" : "s");
        e.reward().ifPresent(r -> t.append("\nreward ").append(Html.number(r.total())).append(" = score ").append(Html.number(r.score()))
                .append(" − penalty ").append(Html.number(r.penalty())));
        if (e.advantage().isPresent()) t.append("\nadvantage ").append(Html.number(e.advantage().getAsDouble()));
        e.hack().ifPresent(h -> t.append(h ? "\ntook a hack action" : "\nno hack action"));
        return t.toString();
    }

    private static String stepTitle(Episode e, Step s) {
        StringBuilder t = new StringBuilder(e.label()).append(" · step ").append(s.index()).append(" (").append(s.durationMs()).append(" ms)");
        for (ToolCall c : s.calls()) {
            t.append("\n").append(c.name()).append(' ').append(Html.cut(c.arguments(), 240)).append(" → ").append(c.status());
        }
        if (s.reward().isPresent()) t.append("\nreward ").append(Html.number(s.reward().getAsDouble()));
        if (s.ret().isPresent()) t.append("\nreturn ").append(Html.number(s.ret().getAsDouble()));
        if (s.advantage().isPresent()) t.append("\nadvantage ").append(Html.number(s.advantage().getAsDouble()));
        return t.toString();
    }

    private static String eventTitle(Episode e, Event ev) {
        StringBuilder t = new StringBuilder(ev.rule()).append(" — ").append(ev.action()).append(" (").append(ev.category());
        if (!ev.severity().isBlank()) t.append(", ").append(ev.severity());
        t.append(")\n").append(e.label()).append(" · ").append(ev.step().isPresent() ? "step " + ev.step().getAsInt() : "setup")
                .append(" · ").append(ev.time()).append("\n").append(Html.cut(ev.detail(), 400));
        ev.evidence().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(x -> t.append("\n").append(x.getKey()).append(": ").append(Html.cut(x.getValue(), 200)));
        return t.toString();
    }
}
