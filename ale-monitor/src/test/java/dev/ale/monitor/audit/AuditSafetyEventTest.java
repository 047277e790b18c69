package dev.ale.monitor.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ale.core.event.Category;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.event.SafetyEvent.Action;
import dev.ale.core.event.SafetyEvent.Severity;
import dev.ale.core.event.SafetyEventJson;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A detection's audit payload is its one wire form; records written in the older form still verify and read. */
class AuditSafetyEventTest {

    @TempDir
    Path dir;

    AuditLog log;

    @BeforeEach
    void open() {
        log = AuditLog.open(dir.resolve("audit.db"));
    }

    @AfterEach
    void close() {
        log.close();
    }

    private static SafetyEvent event(Optional<String> episode, OptionalInt step) {
        return new SafetyEvent("tunnel.ssh.remote-forward", Category.TUNNEL, Severity.HIGH, Action.KILL, "sb-1", episode, step,
                "coder", Optional.of("sha256:" + "ab".repeat(32)), Instant.parse("2026-03-01T10:00:00.123Z"), "ssh -R to 203.0.113.9:22",
                Map.of("argv", "ssh -R 9000:localhost:22 203.0.113.9", "dest", "203.0.113.9:22"));
    }

    @Test
    void theStoredPayloadIsTheEventsWireFormAndReadsBackAsTheSameEvent() throws Exception {
        SafetyEvent e = event(Optional.of("ep-1"), OptionalInt.of(3));
        AuditRecord r = log.append(e);

        assertThat(r.payloadMap()).isEqualTo(CanonicalJson.read(SafetyEventJson.toJson(e).toString()));
        assertThat(log.query(AuditQuery.all()).getFirst().safetyEvent()).isEqualTo(e);
        assertThat(log.verify().ok()).isTrue();
    }

    @Test
    void anEventWithoutEpisodeOrStepReadsBackWithout() throws Exception {
        SafetyEvent e = event(Optional.empty(), OptionalInt.empty());
        log.append(e);

        assertThat(log.query(AuditQuery.all()).getFirst().safetyEvent()).isEqualTo(e);
    }

    /** The payload exactly as ALE wrote a detection before the wire form was shared (payload version 1). */
    @Test
    void aVersionOneRecordStillVerifiesAndReadsAsTheEventItRecorded() throws Exception {
        SafetyEvent e = event(Optional.of("ep-1"), OptionalInt.of(3));
        Map<String, Object> v1 = new LinkedHashMap<>();
        v1.put("severity", "high");
        v1.put("action", "kill");
        v1.put("passportId", "coder");
        v1.put("time", "2026-03-01T10:00:00.123Z");
        v1.put("detail", "ssh -R to 203.0.113.9:22");
        v1.put("evidence", e.evidence());
        AuditRecord r = log.append(AuditRecord.SAFETY_EVENT, "sb-1", Optional.of("ep-1"), OptionalInt.of(3),
                Optional.of("tunnel.ssh.remote-forward"), Optional.of("tunnel"), v1);

        // The bytes older ALE hashed: a change to CanonicalJson that altered them would break old chains.
        assertThat(r.payload()).isEqualTo("{\"action\":\"kill\",\"detail\":\"ssh -R to 203.0.113.9:22\",\"evidence\":"
                + "{\"argv\":\"ssh -R 9000:localhost:22 203.0.113.9\",\"dest\":\"203.0.113.9:22\"},\"passportId\":\"coder\","
                + "\"severity\":\"high\",\"time\":\"2026-03-01T10:00:00.123Z\"}");
        assertThat(log.verify().ok()).isTrue();
        // written before fingerprints: the same event, without one
        SafetyEvent withoutFingerprint = new SafetyEvent(e.rule(), e.category(), e.severity(), e.action(), e.sandbox(), e.episode(),
                e.step(), e.passportId(), Optional.empty(), e.time(), e.detail(), e.evidence());
        assertThat(log.query(AuditQuery.all()).getFirst().safetyEvent()).isEqualTo(withoutFingerprint);
    }

    @Test
    void aPayloadThatDisagreesWithItsColumnsIsDamage() throws Exception {
        SafetyEvent e = event(Optional.of("ep-1"), OptionalInt.of(3));
        Map<String, Object> wire = CanonicalJson.read(SafetyEventJson.toJson(e).toString());
        log.append(AuditRecord.SAFETY_EVENT, "sb-OTHER", Optional.of("ep-1"), OptionalInt.of(3),
                Optional.of("tunnel.ssh.remote-forward"), Optional.of("tunnel"), wire);

        assertThatThrownBy(() -> log.query(AuditQuery.all()).getFirst().safetyEvent())
                .isInstanceOf(AuditException.class).hasMessageContaining("record 1").hasMessageContaining("columns");
    }

    @Test
    void aPayloadMissingAFieldIsDamageNamingTheField() throws Exception {
        Map<String, Object> v1 = Map.of("severity", "high", "action", "kill", "passportId", "coder", "detail", "d",
                "evidence", Map.of());
        log.append(AuditRecord.SAFETY_EVENT, "sb-1", Optional.empty(), OptionalInt.empty(), Optional.of("r"), Optional.of("tunnel"), v1);

        assertThatThrownBy(() -> log.query(AuditQuery.all()).getFirst().safetyEvent())
                .isInstanceOf(AuditException.class).hasMessageContaining("record 1").hasMessageContaining("time");
    }

    @Test
    void aRecordOfAnotherKindIsNotAnEvent() throws Exception {
        log.append("step", "sb-1", Optional.empty(), OptionalInt.empty(), Optional.empty(), Optional.empty(), Map.of("tool", "shell"));

        assertThatThrownBy(() -> log.query(AuditQuery.all()).getFirst().safetyEvent())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("step record");
    }
}
