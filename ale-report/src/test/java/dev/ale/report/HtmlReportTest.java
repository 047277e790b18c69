package dev.ale.report;

import static dev.ale.report.TrainingRun.OFF;
import static dev.ale.report.TrainingRun.ON;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The page of a training run: its sections, its figures, its timeline, and that nothing from the run can run or load. */
class HtmlReportTest {

    private static final Pattern EVENT_MARK = Pattern.compile(
            "<g class=\"event\" data-episode=\"([^\"]*)\" data-step=\"([^\"]*)\" data-rule=\"([^\"]*)\"><title>([^<]*)</title>");

    @TempDir
    Path dir;

    private Path run;

    @BeforeEach
    void writeRun() throws IOException {
        run = TrainingRun.write(dir.resolve("train-1"));
    }

    private String page() {
        return HtmlReport.render(RunReport.read(run));
    }

    /** The part of the page between the start of section {@code id} and the next section. */
    private static String section(String page, String id) {
        int start = page.indexOf("<section id=\"" + id + "\"");
        assertThat(start).as("section " + id).isNotNegative();
        return page.substring(start, page.indexOf("</section>", start));
    }

    private static String metricsRow(String page, int iteration, String arm) {
        Matcher m = Pattern.compile("<tr data-iteration=\"" + iteration + "\" data-arm=\"" + arm + "\">(.*?)</tr>").matcher(page);
        assertThat(m.find()).as("metrics row %d %s", iteration, arm).isTrue();
        return m.group(1);
    }

    @Test
    void thePageHasItsSectionsInOrder() {
        String page = page();

        List<Integer> at = new ArrayList<>();
        for (String id : List.of("summary", "charts", "timeline", "incidents", "tasks", "groups", "passports")) {
            int i = page.indexOf("id=\"" + id + "\"");
            assertThat(i).as(id).isNotNegative();
            at.add(i);
        }
        assertThat(at).isSorted();
        assertThat(page).startsWith("<!DOCTYPE html>").contains("<title>ALE run train-1</title>").endsWith("</html>\n");
    }

    @Test
    void theHeaderGivesTheRunAndItsFigures() {
        String page = page();
        String header = page.substring(0, page.indexOf("</header>"));

        assertThat(header).contains("<h1>train-1</h1>").contains("policy <b>openai:qwen3-8b</b>").contains("started <b>2026-01-02 03:04:05.000</b>")
                .contains("<span class=\"chip\">fix-c</span>").contains("<span class=\"chip\">sum</span>")
                .contains("arms <b>monitor-on, monitor-off</b>").contains("iterations <b>3</b>");
        assertThat(header).contains(card("12", "episodes")).contains(card("75%", "pass rate")).contains(card("6", "events"))
                .contains(card("4", "incidents")).contains(card("1", "kills")).contains(card("50%", "hack rate"))
                .contains(card("0.65", "mean reward"));
    }

    /** A serve run: the trainer named its groups (one of four samples solved twice, one never solved with an infrastructure failure). */
    @Test
    void theGroupsSectionShowsTheTrainersGroupsWithPassAtKAndAdvantageSpread() throws IOException {
        Path serve = Files.createDirectories(dir.resolve("serve-1"));
        Files.writeString(serve.resolve("run.json"), "{\"run\": \"serve-1\", \"policy\": \"gem\", \"tasks\": []}");
        StringBuilder lines = new StringBuilder();
        double[] a = {1, 0, 0, 1};
        for (int k = 0; k < a.length; k++) lines.append(gem("e-a" + k, "task-a", "it0-task-a", k, a[k])).append('\n');
        lines.append(gem("e-b0", "task-b", "it0-task-b", 0, 0)).append('\n').append(gem("e-b1", "task-b", "it0-task-b", 1, 0)).append('\n');
        lines.append("{\"episode\": \"e-b2\", \"task\": \"task-b\", \"group\": \"it0-task-b\", \"sample\": 2, \"end\": \"infrastructure\"}\n");
        lines.append("{\"episode\": \"run.task-c.0\", \"task\": \"task-c\", \"end\": \"finished\", \"passed\": true, \"reward\": {\"score\": 1, ")
                .append("\"penalty\": 0, \"killed\": false, \"total\": 1}}\n");
        Files.writeString(serve.resolve("episodes.jsonl"), lines);

        String groups = section(HtmlReport.render(RunReport.read(serve)), "groups");

        assertThat(groups).contains("<strong>3</strong> groups · pass@k <strong>66.7%</strong> of groups · <strong>1</strong> with equal rewards (no signal)");
        assertThat(groupRow(groups, "it0-task-a")).contains("<code>it0-task-a</code>").contains("<td>task-a</td>")
                .contains("samples\">4<").contains("pass-at-1\">50%<").contains("pass-at-k\">yes<").contains("mean-reward\">0.50<")
                .contains("max-reward\">1.00<").contains("spread\">2.00<");
        assertThat(groupRow(groups, "it0-task-b")).contains("samples\">3<").contains("pass-at-1\">0%<").contains("pass-at-k\">no<")
                .contains("mean-reward\">0.00<").contains("spread\">0.00<");
        // an episode without a trainer's group is in ALE's: its task's samples of one iteration and arm
        assertThat(groupRow(groups, "iteration 0 · run")).contains("<td>task-c</td>").contains("samples\">1<").contains("pass-at-k\">yes<");
    }

    private static String gem(String episode, String task, String group, int sample, double reward) {
        return ("{\"episode\": \"%s\", \"task\": \"%s\", \"group\": \"%s\", \"sample\": %d, \"end\": \"finished\", \"passed\": %s, "
                + "\"reward\": {\"score\": %s, \"penalty\": 0, \"killed\": false, \"total\": %s}}").formatted(episode, task, group, sample,
                reward > 0, reward, reward);
    }

    private static String groupRow(String section, String group) {
        Matcher m = Pattern.compile("<tr class=\"group-row\" data-group=\"" + Pattern.quote(group) + "\"[^>]*>(.*?)</tr>").matcher(section);
        assertThat(m.find()).as("group row " + group).isTrue();
        return m.group(1);
    }

    @Test
    void aTrainingRunsGroupsAreEachTaskInEachIterationAndArm() {
        String groups = section(page(), "groups");

        assertThat(groups).contains("<strong>12</strong> groups · pass@k <strong>75%</strong> of groups");
        assertThat(groupRow(groups, "iteration 0 · monitor-on")).contains("<td>fix-c</td>").contains("mean-reward\">-1.00<");
        assertThat(groups).as("no trainer named a group").doesNotContain("<td><code>");
    }

    private static String card(String value, String name) {
        return "<div class=\"value\">" + value + "</div><div class=\"name\">" + name + "</div>";
    }

    @Test
    void passAndHackRatesArePerIterationAndArm() {
        String page = page();

        String[][] expected = {{"50%", "50%", "0.00"}, {"50%", "50%", "0.50"}, {"100%", "0%", "0.90"}, {"50%", "100%", "0.50"},
                {"100%", "0%", "1.00"}, {"100%", "100%", "1.00"}};
        for (int it = 0; it < 3; it++) {
            for (int a = 0; a < 2; a++) {
                String row = metricsRow(page, it, a == 0 ? ON : OFF);
                String[] e = expected[it * 2 + a];
                assertThat(row).contains("<td class=\"n pass-rate\">" + e[0] + "</td>").contains("<td class=\"n hack-rate\">" + e[1] + "</td>")
                        .contains("<td class=\"n mean-reward\">" + e[2] + "</td>");
            }
        }
        String charts = section(page, "charts");
        assertThat(charts).contains("worked out from <code>episodes.jsonl</code>")
                .contains("<figcaption>mean reward</figcaption>").contains("<figcaption>pass rate</figcaption>")
                .contains("<figcaption>hack rate</figcaption>")
                // one line per arm in each of the three charts, and a point per iteration with its value
                .containsPattern("(?s)(<polyline.*){6}")
                .contains("<title>monitor-off, iteration 1: 100% (2 episodes)</title>")
                .contains("<title>monitor-on, iteration 1: 0.90 (2 episodes)</title>");
    }

    @Test
    void aTrainersMetricsFileIsWhatTheChartsShow() throws IOException {
        TrainingRun.writeMetrics(run);

        String page = page();

        assertThat(metricsRow(page, 1, OFF)).contains("<td class=\"n pass-rate\">37.5%</td>").contains("<td class=\"n hack-rate\">75%</td>");
        assertThat(section(page, "charts")).contains("Figures from <code>metrics.jsonl</code>.");
    }

    @Test
    void everyEventIsMarkedInItsEpisodesRowAtItsStep() {
        RunReport report = RunReport.read(run);
        String timeline = section(HtmlReport.render(report), "timeline");

        List<String> expected = new ArrayList<>();
        report.episodes().forEach(e -> e.events().forEach(ev -> expected.add(
                e.id() + " " + (ev.step().isPresent() ? ev.step().getAsInt() : "setup") + " " + ev.rule())));
        List<String> marked = new ArrayList<>();
        // Each row is one <g class="episode">; a mark counts only inside the row of the episode it names.
        for (String row : timeline.split("<g class=\"episode\" ")) {
            Matcher id = Pattern.compile("^id=\"ep-\\d+\" data-episode=\"([^\"]*)\"").matcher(row);
            if (!id.find()) continue;
            Matcher mark = EVENT_MARK.matcher(row);
            while (mark.find()) {
                assertThat(mark.group(1)).isEqualTo(id.group(1));
                marked.add(mark.group(1) + " " + mark.group(2) + " " + mark.group(3));
                String where = mark.group(2).equals("setup") ? "setup" : "step " + mark.group(2);
                assertThat(mark.group(4)).contains(" · " + where + " · ");
            }
        }
        assertThat(marked).containsExactlyInAnyOrderElementsOf(expected).hasSize(6);
        assertThat(timeline).contains("<title>tunnel.ssh.remote-forward — kill (tunnel, high)\nfix-c#0 · step 3 · ");
        assertThat(timeline).contains("iteration 1 · monitor-off");
    }

    @Test
    void aStepWithMoreEventsThanFitShowsWhatFitsAndCountsTheRest() throws IOException {
        String timeline = section(HtmlReport.render(RunReport.read(TrainingRun.writeCrowded(dir.resolve("crowded"), 40))), "timeline");

        Matcher marks = EVENT_MARK.matcher(timeline);
        int drawn = 0;
        while (marks.find()) drawn++;
        Matcher more = Pattern.compile("<g class=\"more\" data-step=\"2\" data-count=\"(\\d+)\"><title>(\\d+) more events in [^<]* · step 2:"
                + "((?:\n\\d+ × persistence\\.(?:detached|nohup) \\(alert\\))+)</title>").matcher(timeline);

        assertThat(more.find()).as(timeline).isTrue();
        int rest = Integer.parseInt(more.group(1));
        assertThat(drawn).isBetween(2, 20);
        assertThat(drawn + rest).as("every event is either drawn or counted").isEqualTo(40);
        assertThat(Pattern.compile("\n(\\d+) ×").matcher(more.group(3)).results().mapToInt(r -> Integer.parseInt(r.group(1))).sum())
                .isEqualTo(rest);
        assertThat(TrainingRun.write(dir.resolve("few")))
                .satisfies(few -> assertThat(HtmlReport.render(RunReport.read(few))).doesNotContain("class=\"more\""));
    }

    @Test
    void aScriptTagInEvidenceComesOutAsText() {
        String page = page();

        assertThat(page).doesNotContainPattern("(?i)<script");
        assertThat(section(page, "incidents")).contains("<dt>command</dt><dd><code>&lt;script&gt;alert(1)&lt;/script&gt;</code></dd>");
        assertThat(section(page, "timeline")).contains("command: &lt;script&gt;alert(1)&lt;/script&gt;");
    }

    @Test
    void thePageLoadsNothingFromAnywhere() {
        String page = page();

        assertThat(page).doesNotContainPattern("(?i)(src|href|xlink:href|action|srcset|poster)\\s*=\\s*[\"']?\\s*(https?:)?//");
        assertThat(page).doesNotContainPattern("(?i)https?://");
        assertThat(page).doesNotContainPattern("(?i)url\\(|@import|<link|<img|<iframe|<object|<embed");
        assertThat(page).contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">");
        // Every link on the page points within it.
        Matcher href = Pattern.compile("href=\"([^\"]*)\"").matcher(page);
        while (href.find()) assertThat(href.group(1)).startsWith("#");
    }

    @Test
    void aTruncatedLastLineIsReportedOnThePage() {
        String page = page();

        assertThat(page.substring(0, page.indexOf("</header>"))).contains("<div class=\"notes\" id=\"notes\">")
                .contains("The last line of episodes.jsonl (line 13) is cut short");
    }

    @Test
    void incidentsAreTheBlocksKillsAndRomeCategoriesWithTheirEpisodeAndStep() {
        String incidents = section(page(), "incidents");

        assertThat(incidents).contains("Incidents <span class=\"count\">4</span>");
        List<String> rows = new ArrayList<>();
        Matcher row = Pattern.compile("(?s)<tr class=\"incident (\\w+)\">(.*?)</tr>").matcher(incidents);
        while (row.find()) rows.add(row.group(1) + " " + row.group(2));
        assertThat(rows).hasSize(4);
        assertThat(rows).anySatisfy(r -> assertThat(r).startsWith("kill ").contains("<code>tunnel.ssh.remote-forward</code>")
                .contains(">fix-c#0</a>").contains(TrainingRun.id(0, ON, "fix-c")).contains("<td class=\"n\">3</td>")
                .contains("ssh asks for a remote port forward"));
        assertThat(rows).anySatisfy(r -> assertThat(r).startsWith("block ").contains("egress-denied.proxy").contains("<td class=\"n\">1</td>"));
        assertThat(rows).anySatisfy(r -> assertThat(r).startsWith("alert ").contains("mining.stratum").contains("<td class=\"n\">4</td>"));
        assertThat(rows).anySatisfy(r -> assertThat(r).startsWith("alert ").contains("probe.scan"));
        assertThat(incidents).doesNotContain("credential.file.read").doesNotContain("persistence.crontab");
        // The episode links to its row in the timeline.
        String kill = rows.stream().filter(r -> r.startsWith("kill ")).findFirst().orElseThrow();
        Matcher link = Pattern.compile("<a href=\"#(ep-\\d+)\">fix-c#0</a>").matcher(kill);
        assertThat(link.find()).isTrue();
        assertThat(page()).contains("id=\"" + link.group(1) + "\" data-episode=\"" + TrainingRun.id(0, ON, "fix-c") + "\"");
    }

    @Test
    void theTaskTableCountsEpisodesPassesHacksEventsAndKills() {
        String tasks = section(page(), "tasks");

        assertThat(tasks).contains("<tr class=\"\" data-task=\"fix-c\"><td>fix-c</td><td class=\"n\">6</td><td class=\"n\">4</td>"
                + "<td class=\"n\">66.7%</td><td class=\"n\">0.50</td><td class=\"n\">4</td><td class=\"n\">4</td><td class=\"n\">1</td></tr>");
        assertThat(tasks).contains("<tr class=\"\" data-task=\"sum\"><td>sum</td><td class=\"n\">6</td><td class=\"n\">5</td>"
                + "<td class=\"n\">83.3%</td><td class=\"n\">0.80</td><td class=\"n\">2</td><td class=\"n\">2</td><td class=\"n\">0</td></tr>");
        assertThat(tasks).contains("<tr class=\"total\" data-task=\"all\"><td>all</td><td class=\"n\">12</td><td class=\"n\">9</td>"
                + "<td class=\"n\">75%</td><td class=\"n\">0.65</td><td class=\"n\">6</td><td class=\"n\">6</td><td class=\"n\">1</td></tr>");
    }

    @Test
    void eachPassportIsShownOnceAsYaml() {
        String passports = section(page(), "passports");

        assertThat(passports).contains("<code>task:fix-c</code> — 6 episodes of fix-c").contains("<code>task:sum</code> — 6 episodes of sum");
        assertThat(passports).contains("<pre>id: task:fix-c\n").contains("  tunnel:\n    action: kill\n");
    }

    @Test
    void textFromTheAgentCannotLeaveItsAttributeOrElement() throws IOException {
        Path plain = dir.resolve("evil");
        Files.createDirectories(plain);
        String evil = "x\"><img src=x onerror=alert(1)>'";
        Files.writeString(plain.resolve("run.json"), """
                {"run": "r<b>1", "policy": "replay", "started": "2026-01-01T00:00:00Z", "tasks": [{"id": "t</title><script>", "directory": "/t"}]}
                """);
        String escaped = evil.replace("\\", "\\\\").replace("\"", "\\\"");
        Files.writeString(plain.resolve("episodes.jsonl"), ("""
                {"episode": "EVIL", "task": "t</title><script>", "end": "killed", "passed": false, "passport": {"id": "EVIL"},
                 "steps": [{"index": 1, "tool_calls": [{"name": "shell", "arguments": "EVIL", "status": "killed"}]}],
                 "events": [{"rule": "EVIL", "category": "tunnel", "action": "kill", "episode": "EVIL", "step": 1,
                             "time": "EVIL", "detail": "EVIL", "evidence": {"EVIL": "EVIL"}}]}
                """).replace("\n", " ").replace("EVIL", escaped) + "\n");

        String page = HtmlReport.render(RunReport.read(plain));

        assertThat(page).doesNotContainPattern("(?i)<img|<script|<b>1");
        assertThat(page).contains("x&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&#39;").contains("r&lt;b&gt;1");
        assertThat(page).contains("data-episode=\"x&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&#39;\"");
    }

    @Test
    void aSingleIterationIsDrawnAsBarsPerArm() throws IOException {
        Path plain = dir.resolve("plain");
        Files.createDirectories(plain);
        Files.writeString(plain.resolve("run.json"), """
                {"run": "r1", "policy": "replay", "started": "2026-01-01T00:00:00Z", "tasks": [{"id": "sum", "directory": "/t"}]}
                """);
        Files.writeString(plain.resolve("episodes.jsonl"), """
                {"episode": "r1.sum.0", "task": "sum", "end": "finished", "passed": true, "steps": [], "events": []}
                {"episode": "r1.sum.1", "task": "sum", "end": "finished", "passed": false, "steps": [], "events": []}
                """);

        String charts = section(HtmlReport.render(RunReport.read(plain)), "charts");

        assertThat(charts).doesNotContain("<polyline").contains("<rect").contains("<title>run, iteration 0: 50% (2 episodes)</title>")
                .contains("Not recorded in this run: mean reward and hack rate");
    }

    @Test
    void writeReplacesTheFileWhole() throws IOException {
        Path file = run.resolve(HtmlReport.FILE);
        Files.writeString(file, "old");

        Path written = HtmlReport.write(RunReport.read(run), file);

        assertThat(written).isEqualTo(file);
        assertThat(Files.readString(file)).startsWith("<!DOCTYPE html>");
        assertThat(run.resolve(HtmlReport.FILE + ".tmp")).doesNotExist();
    }
}
