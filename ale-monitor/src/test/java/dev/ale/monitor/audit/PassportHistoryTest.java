package dev.ale.monitor.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ale.core.AleException;
import dev.ale.core.event.Category;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.event.SafetyEvent.Action;
import dev.ale.core.event.SafetyEvent.Severity;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A passport's history from the audit log: what its agents did, per version, within time bounds, and what it refuses. */
class PassportHistoryTest {

    static final String V1 = "sha256:" + "11".repeat(32);
    static final String V2 = "sha256:" + "22".repeat(32);
    static final String OTHER = "sha256:" + "33".repeat(32);
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    @TempDir
    Path dir;

    final AuditQueryTest.SetClock clock = new AuditQueryTest.SetClock(T0);
    AuditLog log;

    @BeforeEach
    void records() {
        log = AuditLog.open(dir.resolve("audit.db"), clock);
        created("sb-1", "coder", V1, "run.t.0");
        log.append(PassportHistory.EGRESS_KIND, "sb-1", Optional.empty(), OptionalInt.empty(), Optional.empty(), Optional.empty(),
                Map.of("host", "pypi.org", "port", 443, "method", "CONNECT", "passport", "coder", "passport_fingerprint", V1));
        log.append(event("egress-denied.proxy", Category.EGRESS_DENIED, Action.BLOCK, "sb-1", "coder", V1,
                Map.of("destination", "evil.example:443")));
        log.append(event("tamper.protected.changed", Category.TAMPER, Action.ALERT, "sb-1", "coder", V1,
                Map.of("path", "/workspace/tests/run.sh")));
        log.append(event("tamper.protected.named", Category.TAMPER, Action.ALERT, "sb-1", "coder", V1,
                Map.of("path", "/workspace/tests")));
        // another passport's sandbox, in the same log: none of it belongs to coder
        created("sb-x", "reviewer", OTHER, "run.u.0");
        log.append(event("tunnel.ssh.banner", Category.TUNNEL, Action.KILL, "sb-x", "reviewer", OTHER, Map.of()));
        clock.advance(Duration.ofHours(1));
        // the file changed: same id, new rules
        created("sb-2", "coder", V2, "run.t.1");
        log.append(event("tunnel.ssh.banner", Category.TUNNEL, Action.KILL, "sb-2", "coder", V2,
                Map.of("destination", "203.0.113.9:22")));
        log.append(event("egress-denied.dns", Category.EGRESS_DENIED, Action.BLOCK, "sb-2", "coder", V2,
                Map.of("name", "evil.example")));
        // a hold and its decision, which names only the sandbox
        log.append("hold", "sb-2", Optional.of("run.t.1"), OptionalInt.of(2), Optional.empty(), Optional.empty(),
                Map.of("detail", "held: curl to an unknown host"));
        log.append("hold-decision", "sb-2", Optional.of("run.t.1"), OptionalInt.of(2), Optional.empty(), Optional.empty(),
                Map.of("decision", "deny", "by", "admin"));
    }

    @AfterEach
    void close() {
        log.close();
    }

    private void created(String sandbox, String id, String fingerprint, String episode) {
        log.append(PassportHistory.SANDBOX_KIND, sandbox, Optional.of(episode), OptionalInt.empty(), Optional.empty(), Optional.empty(),
                Map.of("event", "created", "passport", id, "passport_fingerprint", fingerprint));
    }

    private SafetyEvent event(String rule, Category category, Action action, String sandbox, String id, String fingerprint,
                              Map<String, String> evidence) {
        String episode = sandbox.equals("sb-1") ? "run.t.0" : sandbox.equals("sb-2") ? "run.t.1" : "run.u.0";
        return new SafetyEvent(rule, category, Severity.HIGH, action, sandbox, Optional.of(episode), OptionalInt.of(1), id,
                Optional.of(fingerprint), clock.instant(), rule + " happened", evidence);
    }

    @Test
    void byIdItGathersEveryVersionAndWhatItsAgentsDidAcrossRuns() {
        PassportHistory h = PassportHistory.read(log, "coder", Optional.empty(), Optional.empty());

        assertThat(h.versions()).extracting(PassportHistory.Version::fingerprint).containsExactly(V1, V2);
        assertThat(h.sandboxes()).containsExactly("sb-1", "sb-2");
        assertThat(h.episodes()).containsExactly("run.t.0", "run.t.1");
        assertThat(h.hostsReached()).isEqualTo(Map.of("pypi.org:443", 1));
        assertThat(h.hostsRefused()).isEqualTo(Map.of("evil.example:443", 1, "evil.example", 1));
        assertThat(h.protectedWrites()).isEqualTo(Map.of("/workspace/tests/run.sh", 1));
        assertThat(h.eventsByCategory()).isEqualTo(Map.of("egress-denied", 2, "tamper", 2, "tunnel", 1));
        assertThat(h.kills()).extracting(PassportHistory.Act::sandbox).containsExactly("sb-2");
        assertThat(h.holds()).extracting(PassportHistory.Act::kind).containsExactly("hold", "hold-decision");
        assertThat(h.holds().get(1).decision()).contains("deny");
        assertThat(h.holds().get(1).by()).contains("admin");
    }

    @Test
    void anOperatorsKillFromTheConsoleCountsAsAKillNamingTheTokenAndOneThatFoundItDeadDoesNot() {
        log.append(PassportHistory.CONSOLE_KIND, "sb-1", Optional.empty(), OptionalInt.empty(), Optional.of("console.kill"), Optional.empty(),
                Map.of("action", "kill", "token", "alice", "admin", false, "outcome", "ok"));
        log.append(PassportHistory.CONSOLE_KIND, "sb-1", Optional.empty(), OptionalInt.empty(), Optional.of("console.kill"), Optional.empty(),
                Map.of("action", "kill", "token", "bob", "admin", true, "outcome", "not running"));
        // another passport's sandbox killed by hand is not this passport's
        log.append(PassportHistory.CONSOLE_KIND, "sb-x", Optional.empty(), OptionalInt.empty(), Optional.of("console.kill"), Optional.empty(),
                Map.of("action", "kill", "token", "carol", "admin", true, "outcome", "ok"));

        PassportHistory h = PassportHistory.read(log, "coder", Optional.empty(), Optional.empty());

        assertThat(h.kills()).extracting(PassportHistory.Act::sandbox).containsExactly("sb-2", "sb-1");
        assertThat(h.kills().get(1).rule()).contains("console.kill");
        assertThat(h.kills().get(1).by()).contains("alice");
    }

    @Test
    void byFingerprintItKeepsToThatVersionOfTheRules() {
        PassportHistory h = PassportHistory.read(log, V1, Optional.empty(), Optional.empty());

        assertThat(h.versions()).extracting(PassportHistory.Version::fingerprint).containsExactly(V1);
        assertThat(h.sandboxes()).containsExactly("sb-1");
        assertThat(h.kills()).isEmpty();
        assertThat(h.holds()).isEmpty();
    }

    @Test
    void timeBoundsKeepRecordsWrittenFromSinceUpToButNotIncludingUntil() {
        Instant later = T0.plus(Duration.ofMinutes(30));

        PassportHistory before = PassportHistory.read(log, "coder", Optional.empty(), Optional.of(later));
        PassportHistory after = PassportHistory.read(log, "coder", Optional.of(later), Optional.empty());
        PassportHistory none = PassportHistory.read(log, "coder", Optional.of(T0.minusSeconds(60)), Optional.of(T0));

        assertThat(before.sandboxes()).containsExactly("sb-1");
        assertThat(after.sandboxes()).containsExactly("sb-2");
        assertThat(after.kills()).hasSize(1);
        assertThat(none.sandboxes()).isEmpty();
        assertThat(none.eventsByCategory()).isEmpty();
    }

    @Test
    void anUnknownPassportIsRefusedNamingItAndTheLog() {
        for (String unknown : new String[] {"nobody", "sha256:" + "44".repeat(32)}) {
            assertThatThrownBy(() -> PassportHistory.read(log, unknown, Optional.empty(), Optional.empty()))
                    .isInstanceOf(AuditException.class).hasMessageContaining(unknown).hasMessageContaining("audit.db")
                    .satisfies(e -> assertThat(((AleException) e).fault()).isEqualTo(AleException.Fault.INPUT));
            assertThatThrownBy(() -> PassportHistory.read(log, unknown, Optional.of(T0), Optional.empty()))
                    .hasMessageContaining(unknown);
        }
    }

    @Test
    void boundsInTheWrongOrderAreRefused() {
        assertThatThrownBy(() -> PassportHistory.read(log, "coder", Optional.of(T0), Optional.of(T0)))
                .isInstanceOf(AuditException.class).hasMessageContaining("--since").hasMessageContaining("--until");
    }

    @Test
    void itsJsonNamesEveryPart() {
        JsonNode json = PassportHistory.read(log, "coder", Optional.empty(), Optional.empty()).toJson();

        assertThat(json.get("passport").asText()).isEqualTo("coder");
        assertThat(json.get("versions")).hasSize(2);
        assertThat(json.get("hosts_reached").get("pypi.org:443").asInt()).isEqualTo(1);
        assertThat(json.get("protected_writes").has("/workspace/tests/run.sh")).isTrue();
        assertThat(json.get("events_by_category").get("tunnel").asInt()).isEqualTo(1);
        assertThat(json.get("kills").get(0).get("rule").asText()).isEqualTo("tunnel.ssh.banner");
        assertThat(json.get("holds").get(1).get("decision").asText()).isEqualTo("deny");
        assertThat(json.get("since").isNull()).isTrue();
    }
}
