package dev.ale.cli.audit;

import static dev.ale.cli.audit.AuditCli.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ale.core.event.Category;
import dev.ale.core.event.SafetyEvent.Action;
import dev.ale.monitor.audit.AuditLog;
import dev.ale.monitor.audit.AuditRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ale audit query}: each filter, the --since forms, and the three output shapes. */
class AuditQueryCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    Path file;
    List<AuditRecord> seeded;

    @BeforeEach
    void fiveRecords() {
        file = dir.resolve("audit.db");
        seeded = AuditCli.seed(file);
    }

    private AuditCli.Result query(String... filters) {
        List<String> args = new ArrayList<>(List.of("audit", "query", "--audit", file.toString()));
        args.addAll(List.of(filters));
        return run(args.toArray(String[]::new));
    }

    /** The seqs of the records {@code --jsonl} prints with these filters. */
    private List<Long> seqs(String... filters) {
        List<String> args = new ArrayList<>(List.of(filters));
        args.add("--jsonl");
        AuditCli.Result r = query(args.toArray(String[]::new));
        assertThat(r.exit()).as(r.err()).isZero();
        return r.out().lines().map(AuditQueryCommandTest::parse).map(j -> j.get("seq").asLong()).toList();
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void theTableShowsEveryRecordWithItsEpisodeStepCategoryRuleAndAction() {
        AuditCli.Result r = query();

        assertThat(r.exit()).isZero();
        assertThat(r.err()).isEmpty();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(6);
        // DETAIL is cut to the terminal's width, which differs between machines: only its start is checked.
        assertThat(lines.getFirst()).matches("TIME +SEQ +SANDBOX +EPISODE/STEP +CATEGORY +RULE +ACTION +DETAIL");
        assertThat(lines.get(2)).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z +2 +sb-1 +ep-1/2 +tunnel"
                + " +ssh-reverse-tunnel +kill +ssh -R 9000.*");
        assertThat(lines.get(1)).as("a record that is not a detection shows its kind and payload")
                .matches(".* +1 +sb-1 +ep-1/1 +- +- +- +step \\{\"command\":\"ls.*");
    }

    @Test
    void aLongDetailIsCutToOneTerminalLine() {
        try (AuditLog log = AuditLog.open(file)) {
            log.append(AuditCli.event("exfil", Category.EXFILTRATION, Action.BLOCK, "sb-3", "ep-3", 1,
                    "POST https://paste.example/ " + "x".repeat(500) + "\nsecond line"));
        }

        String last = query("--sandbox", "sb-3").out().lines().toList().getLast();

        assertThat(last).contains("POST https://paste.example/ xxx").endsWith("…").doesNotContain("second line");
        assertThat(last.length()).isLessThan(500);
    }

    @Test
    void eachFilterNarrowsTheRecords() {
        assertThat(seqs("--sandbox", "sb-2")).containsExactly(3L, 5L);
        assertThat(seqs("--episode", "ep-1")).containsExactly(1L, 2L, 4L);
        assertThat(seqs("--rule", "cloud-metadata")).containsExactly(4L);
        assertThat(seqs("--category", "mining")).containsExactly(3L);
        assertThat(seqs("--sandbox", "sb-1", "--category", "tunnel")).containsExactly(2L);
        assertThat(seqs("--limit", "2")).containsExactly(1L, 2L);
        assertThat(seqs("--sandbox", "sb-404")).isEmpty();
    }

    @Test
    void sinceAnInstantKeepsOnlyRecordsWrittenFromThen() {
        // A boundary later than every seeded record, and a sixth record written at it by the log's clock.
        Instant boundary = seeded.getLast().time().plusSeconds(1);
        try (AuditLog log = AuditLog.open(file, Clock.fixed(boundary, ZoneOffset.UTC))) {
            AuditCli.step(log, "sb-1", "ep-1", 7, "make test");
        }

        assertThat(seqs("--since", boundary.toString())).containsExactly(6L);
        assertThat(seqs("--since", seeded.get(3).time().toString())).containsExactly(4L, 5L, 6L);
        assertThat(seqs("--since", "2000-01-01T02:00:00+02:00")).hasSize(6);
        assertThat(seqs("--since", "2999-01-01T00:00:00Z")).isEmpty();
    }

    @Test
    void sinceADurationCountsBackFromNow() {
        // Backdate record 1 as if it were written two days ago; query does not check the chain.
        AuditCli.tamper(file, "UPDATE audit SET time = ? WHERE seq = 1",
                "2020-01-01T00:00:00.000000000Z");

        assertThat(seqs("--since", "1d")).containsExactly(2L, 3L, 4L, 5L);
        assertThat(seqs("--since", "2h")).containsExactly(2L, 3L, 4L, 5L);
        assertThat(seqs("--since", "10m")).containsExactly(2L, 3L, 4L, 5L);
        assertThat(seqs("--since", "99999d")).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void jsonlHasTheShapeOfTheExport() {
        AuditCli.Result jsonl = query("--sandbox", "sb-1", "--jsonl");
        AuditCli.Result export = run("audit", "export", "--audit", file.toString(), "--sandbox", "sb-1");

        assertThat(jsonl.exit()).isZero();
        assertThat(jsonl.out()).isEqualTo(export.out());
        JsonNode tunnel = parse(jsonl.out().lines().toList().get(1));
        assertThat(tunnel.get("seq").asLong()).isEqualTo(2);
        assertThat(tunnel.get("category").asText()).isEqualTo("tunnel");
        assertThat(tunnel.get("payload").get("action").asText()).isEqualTo("kill");
        assertThat(tunnel.get("hash").asText()).isEqualTo(seeded.get(1).hash());
        assertThat(tunnel.get("prev_hash").asText()).isEqualTo(seeded.get(0).hash());
    }

    @Test
    void jsonIsOneDocumentWithTheRecords() {
        AuditCli.Result r = query("--category", "mining", "--json");

        assertThat(r.exit()).isZero();
        JsonNode json = parse(r.out());
        assertThat(json.get("records")).hasSize(1);
        assertThat(json.get("records").get(0).get("rule").asText()).isEqualTo("stratum-login");
        assertThat(json.get("records").get(0)).isEqualTo(parse(query("--category", "mining", "--jsonl").out()));
    }

    @Test
    void noMatchSaysSo() {
        AuditCli.Result r = query("--sandbox", "sb-404");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo("No records in " + file + " match.\n");
    }

    @Test
    void jsonAndJsonlTogetherAreAUsageError() {
        AuditCli.Result r = query("--json", "--jsonl");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--json").contains("--jsonl").contains("mutually exclusive");
    }
}
