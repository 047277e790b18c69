package dev.ale.report;

import static dev.ale.report.TrainingRun.OFF;
import static dev.ale.report.TrainingRun.ON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.ale.core.AleException;
import dev.ale.report.RunReport.IterationMetrics;
import dev.ale.report.RunReport.TaskRow;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a run directory: figures per iteration and arm, per task, incidents, passports, and what a broken line leaves. */
class RunReportTest {

    @TempDir
    Path dir;

    private static IterationMetrics metric(RunReport r, int iteration, String arm) {
        return r.metrics().stream().filter(m -> m.iteration() == iteration && m.arm().equals(arm)).findFirst().orElseThrow();
    }

    @Test
    void figuresPerIterationAndArmAreWorkedOutFromEpisodesWhenTheRunWroteNoMetrics() throws IOException {
        RunReport r = RunReport.read(TrainingRun.write(dir.resolve("run")));

        assertThat(r.metricsSource()).isEqualTo(RunReport.MetricsSource.EPISODES);
        assertThat(r.iterations()).containsExactly(0, 1, 2);
        assertThat(r.arms()).containsExactly(ON, OFF);
        assertThat(r.metrics()).hasSize(6);
        double[][] expected = { // pass, hack, reward, kills, events: the table in TrainingRun
                {0.5, 0.5, 0.0, 1, 2}, {0.5, 0.5, 0.5, 0, 1},
                {1.0, 0.0, 0.9, 0, 2}, {0.5, 1.0, 0.5, 0, 1},
                {1.0, 0.0, 1.0, 0, 0}, {1.0, 1.0, 1.0, 0, 0}};
        for (int it = 0; it < 3; it++) {
            for (int a = 0; a < 2; a++) {
                IterationMetrics m = metric(r, it, a == 0 ? ON : OFF);
                double[] e = expected[it * 2 + a];
                assertThat(m.episodes()).isEqualTo(2);
                assertThat(m.passRate()).as("pass rate %s", m).isCloseTo(e[0], within(1e-9));
                assertThat(m.hackRate().getAsDouble()).as("hack rate %s", m).isCloseTo(e[1], within(1e-9));
                assertThat(m.meanReward().getAsDouble()).as("mean reward %s", m).isCloseTo(e[2], within(1e-9));
                assertThat(m.kills()).isEqualTo((int) e[3]);
                assertThat(m.events()).isEqualTo((int) e[4]);
            }
        }
    }

    @Test
    void aMetricsFileIsTakenAsTheTrainerWroteIt() throws IOException {
        Path run = TrainingRun.write(dir.resolve("run"));
        TrainingRun.writeMetrics(run);

        RunReport r = RunReport.read(run);

        assertThat(r.metricsSource()).isEqualTo(RunReport.MetricsSource.METRICS_FILE);
        assertThat(metric(r, 1, OFF).passRate()).isEqualTo(0.375);
        assertThat(metric(r, 2, OFF).hackRate()).isEqualTo(OptionalDouble.of(1.0));
        assertThat(metric(r, 0, ON).episodes()).isEqualTo(8);
    }

    @Test
    void aTruncatedLastLineIsSkippedAndNoted() throws IOException {
        RunReport r = RunReport.read(TrainingRun.write(dir.resolve("run")));

        assertThat(r.episodes()).hasSize(12);
        assertThat(r.notes()).singleElement().asString().contains("last line of episodes.jsonl (line 13) is cut short").contains("skipped");
    }

    @Test
    void aBrokenLineInTheMiddleIsSkippedAndNamed() throws IOException {
        Path run = TrainingRun.write(dir.resolve("run"));
        List<String> lines = Files.readAllLines(run.resolve("episodes.jsonl"));
        lines.add(3, "{not json");
        Files.write(run.resolve("episodes.jsonl"), lines.subList(0, 13));

        RunReport r = RunReport.read(run);

        assertThat(r.episodes()).hasSize(12);
        assertThat(r.notes()).singleElement().asString().startsWith("Line 4 of episodes.jsonl was skipped: not valid JSON");
    }

    @Test
    void anUnreadableEventIsLeftOutAndNamedNotGuessed() throws IOException {
        Path run = TrainingRun.write(dir.resolve("run"));
        List<String> lines = Files.readAllLines(run.resolve("episodes.jsonl"));
        ObjectMapper json = new ObjectMapper();
        int at = 0;
        while (json.readTree(lines.get(at)).path("events").isEmpty()) at++;
        ObjectNode episode = (ObjectNode) json.readTree(lines.get(at));
        ((ObjectNode) episode.path("events").get(0)).put("category", "?").remove("passport");
        lines.set(at, episode.toString());
        Files.write(run.resolve("episodes.jsonl"), lines.subList(0, 12));

        RunReport r = RunReport.read(run);

        assertThat(r.episodes()).hasSize(12);
        assertThat(r.eventCount()).isEqualTo(5);
        assertThat(r.episodes()).flatExtracting(RunReport.Episode::events).extracting(RunReport.Event::category).doesNotContain("?");
        assertThat(r.notes()).singleElement().asString().startsWith("Line " + (at + 1) + " of episodes.jsonl: a safety event of episode "
                + episode.path("episode").asText() + " could not be read and is not counted").contains("passport");
    }

    @Test
    void totalsTasksAndIncidentsAddUp() throws IOException {
        RunReport r = RunReport.read(TrainingRun.write(dir.resolve("run")));

        assertThat(r.passRate()).isEqualTo(0.75);
        assertThat(r.eventCount()).isEqualTo(6);
        assertThat(r.kills()).isEqualTo(1);
        assertThat(r.incidents()).extracting(RunReport.Event::rule)
                .containsExactlyInAnyOrder("tunnel.ssh.remote-forward", "egress-denied.proxy", "mining.stratum", "probe.scan");
        TaskRow fix = r.tasks().get(0);
        assertThat(fix.task()).isEqualTo("fix-c");
        assertThat(fix.episodes()).isEqualTo(6);
        assertThat(fix.passed()).isEqualTo(4);
        assertThat(fix.hacks().getAsInt()).isEqualTo(4);
        assertThat(fix.events()).isEqualTo(4);
        assertThat(fix.kills()).isEqualTo(1);
        assertThat(fix.meanReward().getAsDouble()).isCloseTo(0.5, within(1e-9));
        TaskRow sum = r.tasks().get(1);
        assertThat(sum.passed()).isEqualTo(5);
        assertThat(sum.hacks().getAsInt()).isEqualTo(2);
        assertThat(sum.meanReward().getAsDouble()).isCloseTo(0.8, within(1e-9));
    }

    @Test
    void stepsEventsAndRewardsOfAnEpisodeAreRead() throws IOException {
        RunReport r = RunReport.read(TrainingRun.write(dir.resolve("run")));

        RunReport.Episode killed = r.episode(TrainingRun.id(0, ON, "fix-c")).orElseThrow();
        assertThat(killed.label()).isEqualTo("fix-c#0");
        assertThat(killed.killed()).isTrue();
        assertThat(killed.hacked()).isTrue();
        assertThat(killed.reward().orElseThrow().total()).isEqualTo(-1.0);
        assertThat(killed.steps()).hasSize(3);
        assertThat(killed.steps().get(2).calls().getFirst().status()).isEqualTo("killed");
        assertThat(killed.steps().get(2).ret()).isEqualTo(OptionalDouble.of(-1.0));
        assertThat(killed.events()).extracting(e -> e.step().getAsInt()).containsExactly(2, 3);
        assertThat(killed.events().get(1).evidence()).containsEntry("command", TrainingRun.SCRIPT);
        RunReport.Episode setup = r.episode(TrainingRun.id(1, ON, "sum")).orElseThrow();
        assertThat(setup.events()).singleElement().satisfies(e -> assertThat(e.step()).isEmpty());
    }

    @Test
    void passportsAreListedOncePerId() throws IOException {
        RunReport r = RunReport.read(TrainingRun.write(dir.resolve("run")));

        assertThat(r.passports()).extracting(RunReport.PassportUse::id).containsExactly("task:fix-c", "task:sum");
        assertThat(r.passports().getFirst().episodes()).isEqualTo(6);
        assertThat(r.passports().getFirst().yaml()).contains("tunnel:").contains("action: kill").doesNotStartWith("---");
    }

    @Test
    void aPlainRunIsIterationZeroOfArmRunAndHasNoHackOrRewardFigures() throws IOException {
        Path run = dir.resolve("plain");
        Files.createDirectories(run);
        Files.writeString(run.resolve("run.json"), """
                {"run": "r1", "policy": "replay", "samples": 1, "parallel": 1, "seed": null, "started": "2026-01-01T00:00:00Z",
                 "tasks": [{"id": "sum", "directory": "/t/sum"}]}
                """);
        Files.writeString(run.resolve("episodes.jsonl"), """
                {"episode": "r1.sum.0", "task": "sum", "end": "finished", "passed": true, "steps": [], "events": []}
                {"episode": "r1.sum.1", "task": "sum", "end": "finished", "passed": false, "steps": [], "events": []}
                """);

        RunReport r = RunReport.read(run);

        assertThat(r.metrics()).singleElement().satisfies(m -> {
            assertThat(m.iteration()).isZero();
            assertThat(m.arm()).isEqualTo(RunReport.DEFAULT_ARM);
            assertThat(m.passRate()).isEqualTo(0.5);
            assertThat(m.hackRate()).isEmpty();
            assertThat(m.meanReward()).isEmpty();
        });
        assertThat(r.notes()).isEmpty();
    }

    @Test
    void aDirectoryWithoutRunJsonIsAnInputErrorThatSaysWhatToGive() throws IOException {
        Files.createDirectories(dir.resolve("runs"));

        assertThatThrownBy(() -> RunReport.read(dir.resolve("runs")))
                .isInstanceOf(ReportException.class)
                .hasMessageContaining("no run.json in " + dir.resolve("runs"))
                .hasMessageContaining("OUT/RUN-ID")
                .extracting(e -> ((AleException) e).fault()).isEqualTo(AleException.Fault.INPUT);
        assertThatThrownBy(() -> RunReport.read(dir.resolve("nowhere")))
                .isInstanceOf(ReportException.class).hasMessageContaining("no run directory " + dir.resolve("nowhere"));
    }

    @Test
    void aRunJsonThatIsNotJsonIsAnInputErrorNamingTheFile() throws IOException {
        Files.writeString(dir.resolve("run.json"), "{\"run\": ");

        assertThatThrownBy(() -> RunReport.read(dir))
                .isInstanceOf(ReportException.class)
                .hasMessageStartingWith(dir.resolve("run.json") + " is not valid JSON");
    }
}
