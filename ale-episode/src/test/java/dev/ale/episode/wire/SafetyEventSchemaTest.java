package dev.ale.episode.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.core.episode.EndReason;
import dev.ale.core.episode.Trajectory;
import dev.ale.core.event.Category;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.event.SafetyEvent.Action;
import dev.ale.core.event.SafetyEvent.Severity;
import dev.ale.core.event.SafetyEventJson;
import dev.ale.core.model.Usage;
import dev.ale.core.passport.Passport;
import dev.ale.episode.trajectory.TrajectoryJson;
import dev.ale.monitor.audit.AuditLog;
import dev.ale.monitor.audit.AuditQuery;
import dev.ale.monitor.audit.AuditRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/schemas/safety-event.schema.json describes what ALE really writes: the serializer, the audit payload and a trajectory line. */
class SafetyEventSchemaTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static JsonNode schema() throws Exception {
        return JSON.readTree(Files.readString(Path.of("..", "docs", "schemas", "safety-event.schema.json")));
    }

    private static SafetyEvent event(Optional<String> episode, OptionalInt step) {
        return new SafetyEvent("tunnel.ssh.remote-forward", Category.TUNNEL, Severity.HIGH, Action.KILL, "sb-1", episode, step, "coder", Optional.of("sha256:" + "ab".repeat(32)),
                Instant.parse("2026-03-01T10:00:00.123Z"), "ssh -R to 203.0.113.9:22",
                Map.of("argv", "ssh -R 9000:localhost:22 203.0.113.9", "source", "pre-exec"));
    }

    @Test
    void theSchemaListsExactlyTheCategoriesSeveritiesAndActionsOfTheCode() throws Exception {
        JsonNode p = schema().path("properties");

        assertThat(texts(p.path("category").path("enum"))).containsExactlyElementsOf(Arrays.stream(Category.values()).map(Category::wire).toList());
        assertThat(texts(p.path("severity").path("enum"))).containsExactlyElementsOf(lower(Severity.values()));
        assertThat(texts(p.path("action").path("enum"))).containsExactlyElementsOf(lower(Action.values()));
    }

    @Test
    void whatTheSerializerWritesConforms() throws Exception {
        assertThat(SchemaSubset.errors(schema(), SafetyEventJson.toJson(event(Optional.of("run.t.0"), OptionalInt.of(3))))).isEmpty();
        assertThat(SchemaSubset.errors(schema(), SafetyEventJson.toJson(event(Optional.empty(), OptionalInt.empty())))).isEmpty();
    }

    @Test
    void aRealAuditPayloadConforms() throws Exception {
        try (AuditLog log = AuditLog.open(dir.resolve("audit.db"))) {
            log.append(event(Optional.of("run.t.0"), OptionalInt.of(3)));
            AuditRecord stored = log.query(AuditQuery.all()).getFirst();

            assertThat(SchemaSubset.errors(schema(), JSON.readTree(stored.payload()))).isEmpty();
            assertThat(SchemaSubset.errors(schema(), SafetyEventJson.toJson(stored.safetyEvent()))).isEmpty();
        }
    }

    /** A detection as older ALE stored it (passportId, the rest in columns) reads back in the one shape. */
    @Test
    void aVersionOneAuditPayloadReadsBackConforming() throws Exception {
        try (AuditLog log = AuditLog.open(dir.resolve("audit.db"))) {
            log.append(AuditRecord.SAFETY_EVENT, "sb-1", Optional.empty(), OptionalInt.empty(), Optional.of("probe.scan"),
                    Optional.of("probe"), Map.of("severity", "medium", "action", "alert", "passportId", "coder",
                            "time", "2026-03-01T10:00:00Z", "detail", "scan", "evidence", Map.of("ports", "22,80")));
            JsonNode read = SafetyEventJson.toJson(log.query(AuditQuery.all()).getFirst().safetyEvent());

            assertThat(SchemaSubset.errors(schema(), read)).isEmpty();
            assertThat(read.path("passport").asText()).isEqualTo("coder");
            assertThat(read.path("episode").isNull()).isTrue();
        }
    }

    @Test
    void theEventsOfARealTrajectoryLineConform() throws Exception {
        Trajectory t = new Trajectory("run.t.0", "t", "openai:m", "coder", List.of(), List.of(),
                List.of(event(Optional.of("run.t.0"), OptionalInt.of(1)), event(Optional.of("run.t.0"), OptionalInt.empty())),
                EndReason.KILLED, "tunnel.ssh.remote-forward", Optional.empty(), Usage.NONE, Instant.EPOCH,
                new Trajectory.Timings(Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO));
        JsonNode line = JSON.readTree(TrajectoryJson.line(t, Passport.defaults()));

        assertThat(line.path("events")).hasSize(2);
        for (JsonNode e : line.path("events")) assertThat(SchemaSubset.errors(schema(), e)).isEmpty();
    }

    /** So that the tests above can fail: each damage is one the schema must catch. */
    @Test
    void theSchemaRefusesMalformedEvents() throws Exception {
        List<Consumer<ObjectNode>> damages = List.of(
                j -> j.remove("passport"),
                j -> j.put("passportId", "coder"),
                j -> j.put("category", "?"),
                j -> j.put("severity", "HIGH"),
                j -> j.put("step", -1),
                j -> j.put("step", 1.5),
                j -> j.put("step", "1"),
                j -> j.put("episode", 7),
                j -> j.putObject("evidence").put("n", 3),
                j -> j.remove("passport_fingerprint"),
                j -> j.put("passport_fingerprint", "sha256:" + "AB".repeat(32)),
                j -> j.put("passport_fingerprint", "md5:" + "ab".repeat(16)),
                j -> j.put("passport_fingerprint", 7));
        for (Consumer<ObjectNode> damage : damages) {
            ObjectNode json = SafetyEventJson.toJson(event(Optional.of("e"), OptionalInt.of(1)));
            damage.accept(json);
            assertThat(SchemaSubset.errors(schema(), json)).as(json.toString()).isNotEmpty();
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<String> lower(Enum<?>[] values) {
        return Arrays.stream(values).map(v -> v.name().toLowerCase(Locale.ROOT)).toList();
    }
}
