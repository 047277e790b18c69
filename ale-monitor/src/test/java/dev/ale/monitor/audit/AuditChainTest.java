package dev.ale.monitor.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import dev.ale.core.AleException.Fault;
import dev.ale.monitor.audit.VerifyReport.Kind;
import dev.ale.monitor.audit.VerifyReport.Problem;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Five honest records, then one kind of tampering per test, done with plain SQL as an intruder would. */
class AuditChainTest {

    @TempDir
    Path dir;

    Path file;
    AuditLog log;
    List<AuditRecord> appended;

    @BeforeEach
    void fiveRecords() {
        file = dir.resolve("audit.db");
        log = AuditLog.open(file);
        appended = List.of(step(1), step(2), step(3), step(4), step(5));
    }

    @AfterEach
    void close() {
        log.close();
    }

    private AuditRecord step(int n) {
        return log.append("step", "sb-1", Optional.of("ep-1"), OptionalInt.of(n), Optional.empty(), Optional.empty(),
                Map.of("n", n, "tool", "shell"));
    }

    private String hashOf(long seq) {
        return appended.get((int) seq - 1).hash();
    }

    @Test
    void appendedRecordsVerifyAndLinkEachToTheOneBefore() {
        VerifyReport report = log.verify();

        assertThat(report.ok()).as("%s", report.problems()).isTrue();
        assertThat(report.checked()).isEqualTo(5);
        assertThat(appended).extracting(AuditRecord::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(appended.getFirst().prevHash()).isEqualTo("0".repeat(64));
        for (int i = 1; i < 5; i++) {
            assertThat(appended.get(i).prevHash()).isEqualTo(appended.get(i - 1).hash());
        }
        assertThat(appended).extracting(AuditRecord::hash).allMatch(h -> h.matches("[0-9a-f]{64}")).doesNotHaveDuplicates();
        assertThat(log.headHash()).isEqualTo(hashOf(5));
    }

    @Test
    void anEmptyLogVerifiesWithNothingChecked() {
        try (AuditLog empty = AuditLog.open(dir.resolve("empty.db"))) {
            VerifyReport report = empty.verify();

            assertThat(report.ok()).isTrue();
            assertThat(report.checked()).isZero();
            assertThat(empty.headHash()).isEqualTo("0".repeat(64));
        }
    }

    @Test
    void aChangedPayloadIsNamedByItsSeq() {
        Tamper.sql(file, "UPDATE audit SET payload = '{\"n\":3,\"tool\":\"nothing-happened\"}' WHERE seq = 3");

        VerifyReport report = log.verify();

        assertThat(report.problems()).singleElement().satisfies(p -> {
            assertThat(p.seq()).isEqualTo(3);
            assertThat(p.kind()).isEqualTo(Kind.CHANGED);
            assertThat(p.message()).startsWith("record 3 was changed");
        });
        assertThat(report.checked()).isEqualTo(5);
    }

    @Test
    void aChangedColumnOtherThanThePayloadIsAlsoNamed() {
        Tamper.sql(file, "UPDATE audit SET sandbox = 'sb-2' WHERE seq = 2");

        assertThat(log.verify().problems()).extracting(Problem::seq, Problem::kind)
                .containsExactly(tuple(2L, Kind.CHANGED));
    }

    @Test
    void aDeletedMiddleRecordIsNamedWithItsNeighbours() {
        Tamper.sql(file, "DELETE FROM audit WHERE seq = 3");

        assertThat(log.verify().problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(Kind.MISSING);
            assertThat(p.seq()).isEqualTo(3);
            assertThat(p.message()).isEqualTo("record 3 is missing or was removed between 2 and 4");
        });
    }

    @Test
    void deletedFirstRecordsAreNamedAsARange() {
        Tamper.sql(file, "DELETE FROM audit WHERE seq <= 2");

        assertThat(log.verify().problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(Kind.MISSING);
            assertThat(p.message()).isEqualTo("records 1 to 2 are missing or were removed before 3");
        });
    }

    @Test
    void aDeletedLastRecordShowsAsAChainShorterThanItsHead() {
        Tamper.sql(file, "DELETE FROM audit WHERE seq = 5");

        assertThat(log.verify().problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(Kind.TRUNCATED);
            assertThat(p.seq()).isEqualTo(5);
            assertThat(p.message())
                    .isEqualTo("chain ends at 4 but the head says 5: record 5 is missing or was removed from the end");
        });
    }

    @Test
    void appendingAfterTheTailWasCutOffKeepsTheCutVisible() {
        Tamper.sql(file, "DELETE FROM audit WHERE seq >= 4");

        AuditRecord next = step(6);

        assertThat(next.seq()).isEqualTo(6);
        assertThat(next.prevHash()).isEqualTo(hashOf(5));
        assertThat(log.verify().problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(Kind.MISSING);
            assertThat(p.message()).isEqualTo("records 4 to 5 are missing or were removed between 3 and 6");
        });
    }

    @Test
    void aForgedRecordWithAMadeUpHashIsNamedAsInserted() {
        Tamper.sql(file, "INSERT INTO audit (" + AuditLog.COLUMNS + ") VALUES (6, '2026-01-01T00:00:00.000000000Z',"
                + " 'step', 'sb-1', 'ep-1', 6, NULL, NULL, '{\"n\":6}', ?, ?)", hashOf(5), "ab".repeat(32));

        assertThat(log.verify().problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(Kind.INSERTED);
            assertThat(p.seq()).isEqualTo(6);
            assertThat(p.message()).startsWith("record 6 was not appended by ALE: it lies past the head,"
                    + " which says the chain ends at 5").contains("its hash does not match its content");
        });
    }

    @Test
    void aForgedRecordWithACorrectlyComputedHashIsStillCaughtByTheHead() {
        String time = "2026-01-01T00:00:00.000000000Z";
        String payload = "{\"n\":6}";
        String hash = ChainHash.of(6, time, "step", "sb-1", "ep-1", "6", null, null, payload, hashOf(5));
        Tamper.sql(file, "INSERT INTO audit (" + AuditLog.COLUMNS + ") VALUES (6, ?, 'step', 'sb-1', 'ep-1', 6,"
                + " NULL, NULL, ?, ?, ?)", time, payload, hashOf(5), hash);

        assertThat(log.verify().problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(Kind.INSERTED);
            assertThat(p.seq()).isEqualTo(6);
            assertThat(p.message()).contains("its own hash is consistent");
        });
    }

    @Test
    void aRecordInsertedBeforeTheFirstIsNamed() {
        Tamper.sql(file, "INSERT INTO audit (" + AuditLog.COLUMNS + ") VALUES (0, '2026-01-01T00:00:00.000000000Z',"
                + " 'step', 'sb-1', NULL, NULL, NULL, NULL, '{}', ?, ?)", "0".repeat(64), "cd".repeat(32));

        assertThat(log.verify().problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(Kind.INSERTED);
            assertThat(p.seq()).isZero();
            assertThat(p.message()).contains("sequence numbers start at 1");
        });
    }

    @Test
    void twoRecordsWithSwappedSeqsAreReportedAsReordered() {
        Tamper.sql(file, "UPDATE audit SET seq = -1 WHERE seq = 2");
        Tamper.sql(file, "UPDATE audit SET seq = 2 WHERE seq = 3");
        Tamper.sql(file, "UPDATE audit SET seq = 3 WHERE seq = -1");

        List<Problem> problems = log.verify().problems();

        assertThat(problems).filteredOn(p -> p.kind() == Kind.REORDERED).extracting(Problem::seq)
                .containsExactly(2L, 3L, 4L);
        assertThat(problems).filteredOn(p -> p.kind() == Kind.REORDERED).extracting(Problem::message).containsExactly(
                "record 2's prev_hash is the hash of record 3, which comes after it, not of record 1: records were reordered",
                "record 3's prev_hash is the hash of record 1, not of record 2 before it: records were reordered,"
                        + " or record 2 was inserted",
                "record 4's prev_hash is the hash of record 2, not of record 3 before it: records were reordered,"
                        + " or record 3 was inserted");
        // seq is hashed, so the moved records no longer match their hashes either.
        assertThat(problems).filteredOn(p -> p.kind() == Kind.CHANGED).extracting(Problem::seq).containsExactly(2L, 3L);
        assertThat(problems).extracting(Problem::kind).containsOnly(Kind.REORDERED, Kind.CHANGED);
    }

    @Test
    void twoRecordsWithSwappedContentAreReportedAsChanged() {
        Tamper.sql(file, "UPDATE audit SET payload = (SELECT payload FROM audit WHERE seq = 4) WHERE seq = 2");
        Tamper.sql(file, "UPDATE audit SET payload = ? WHERE seq = 4", appended.get(1).payload());

        assertThat(log.verify().problems()).extracting(Problem::seq, Problem::kind).containsExactly(
                tuple(2L, Kind.CHANGED),
                tuple(4L, Kind.CHANGED));
    }

    @Test
    void aRecordChangedWithItsHashRecomputedIsExposedByTheNextRecordsPrevHash() {
        Tamper.sql(file, "UPDATE audit SET payload = '{\"n\":3,\"tool\":\"nothing-happened\"}' WHERE seq = 3");
        Tamper.rehash(file, 3);

        assertThat(log.verify().problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(Kind.BROKEN_LINK);
            assertThat(p.seq()).isEqualTo(3);
            assertThat(p.message()).isEqualTo("chain breaks between record 3 and record 4: record 4's prev_hash"
                    + " matches no record, so record 3 was changed and its hash recomputed, or records were"
                    + " removed and the rest renumbered");
        });
    }

    @Test
    void theLastRecordChangedWithItsHashRecomputedIsExposedByTheHead() {
        Tamper.sql(file, "UPDATE audit SET payload = '{}' WHERE seq = 5");
        Tamper.rehash(file, 5);

        assertThat(log.verify().problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(Kind.HEAD);
            assertThat(p.seq()).isEqualTo(5);
            assertThat(p.message()).startsWith("record 5's hash is not the hash the head holds for it");
        });
    }

    @Test
    void aRemovedHeadIsReportedAndStopsFurtherAppends() {
        Tamper.sql(file, "DELETE FROM head");

        assertThat(log.verify().problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(Kind.HEAD);
            assertThat(p.message()).contains("has no head record");
        });
        AuditException e = catchThrowableOfType(AuditException.class, () -> step(6));
        assertThat(e.fault()).isEqualTo(Fault.INPUT);
        assertThat(e.getMessage()).contains(file.toString()).contains("lost its head record");
    }

    @Test
    void rewritingTheWholeChainAndHeadIsCaughtOnlyByAnAnchoredHeadHash() {
        String anchored = log.headHash();
        Tamper.sql(file, "UPDATE audit SET payload = '{}' WHERE seq = 3");
        String previous = Tamper.rehash(file, 3);
        for (long seq = 4; seq <= 5; seq++) {
            Tamper.sql(file, "UPDATE audit SET prev_hash = ? WHERE seq = ?", previous, seq);
            previous = Tamper.rehash(file, seq);
        }
        Tamper.sql(file, "UPDATE head SET hash = ?", previous);

        // The documented limit: a consistent forgery verifies; only the anchor outside the file differs.
        assertThat(log.verify().ok()).isTrue();
        assertThat(log.headHash()).isNotEqualTo(anchored);
    }
}
