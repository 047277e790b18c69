package dev.ale.cli.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ale.core.event.Category;
import dev.ale.core.event.SafetyEvent.Action;
import dev.ale.monitor.audit.AuditLog;
import dev.ale.monitor.audit.PassportHistory;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ale passport history}: text and JSON from a real audit log, and the input it refuses. */
class PassportHistoryCommandTest {

    static final String FINGERPRINT = "sha256:" + "ab".repeat(32);

    @TempDir
    Path dir;

    Path file;

    @BeforeEach
    void log() {
        file = dir.resolve("audit.db");
        AuditCli.seed(file);
        try (AuditLog log = AuditLog.open(file)) {
            log.append(PassportHistory.SANDBOX_KIND, "sb-1", Optional.of("ep-1"), OptionalInt.empty(), Optional.empty(), Optional.empty(),
                    Map.of("event", "created", "passport", "coder-1", "passport_fingerprint", FINGERPRINT));
            log.append(PassportHistory.EGRESS_KIND, "sb-1", Optional.empty(), OptionalInt.empty(), Optional.empty(), Optional.empty(),
                    Map.of("host", "pypi.org", "port", 443, "method", "CONNECT", "passport", "coder-1", "passport_fingerprint", FINGERPRINT));
            log.append(AuditCli.event("egress-denied.proxy", Category.EGRESS_DENIED, Action.BLOCK, "sb-1", "ep-1", 4, "refused"));
        }
    }

    @Test
    void printsWhatAgentsUnderThePassportDid() {
        AuditCli.Result r = AuditCli.run("passport", "history", "coder-1", "--audit", file.toString());

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("Passport coder-1").contains("coder-1  " + FINGERPRINT).contains("Sandboxes: 2, episodes: 2")
                .contains("Hosts reached:\n  pypi.org:443  1").contains("Kills:\n  #").contains("ssh-reverse-tunnel")
                .contains("stratum-login").contains("Holds: none").contains("metadata  1");
    }

    @Test
    void printsJsonByFingerprint() throws Exception {
        AuditCli.Result r = AuditCli.run("passport", "history", FINGERPRINT, "--audit", file.toString(), "--json");

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("passport").asText()).isEqualTo(FINGERPRINT);
        assertThat(json.get("kills")).hasSize(2);
        assertThat(json.get("hosts_reached").get("pypi.org:443").asInt()).isEqualTo(1);
    }

    @Test
    void timeBoundsNarrowItAndABoundWithNothingInItSaysSo() {
        AuditCli.Result future = AuditCli.run("passport", "history", "coder-1", "--audit", file.toString(), "--since", "2999-01-01T00:00:00Z");
        AuditCli.Result past = AuditCli.run("passport", "history", "coder-1", "--audit", file.toString(), "--until", "2000-01-01T00:00:00Z");

        assertThat(future.exit()).as(future.err()).isZero();
        assertThat(future.out()).contains("no record in these bounds");
        assertThat(past.out()).contains("no record in these bounds");
    }

    @Test
    void anUnknownPassportOrMalformedBoundsExitTwoWithAReason() {
        AuditCli.Result unknown = AuditCli.run("passport", "history", "nobody", "--audit", file.toString());
        AuditCli.Result badSince = AuditCli.run("passport", "history", "coder-1", "--audit", file.toString(), "--since", "yesterday");
        AuditCli.Result badUntil = AuditCli.run("passport", "history", "coder-1", "--audit", file.toString(), "--until", "2026-13-01");
        AuditCli.Result backwards = AuditCli.run("passport", "history", "coder-1", "--audit", file.toString(),
                "--since", "2026-03-02T00:00:00Z", "--until", "2026-03-01T00:00:00Z");
        AuditCli.Result noLog = AuditCli.run("passport", "history", "coder-1", "--audit", dir.resolve("none.db").toString());

        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("nobody").contains(file.toString());
        assertThat(badSince.exit()).isEqualTo(2);
        assertThat(badSince.err()).contains("--since").contains("yesterday");
        assertThat(badUntil.exit()).isEqualTo(2);
        assertThat(badUntil.err()).contains("--until");
        assertThat(backwards.exit()).isEqualTo(2);
        assertThat(backwards.err()).contains("is not before --until");
        assertThat(noLog.exit()).isEqualTo(2);
        assertThat(noLog.err()).contains("no audit log");
    }
}
