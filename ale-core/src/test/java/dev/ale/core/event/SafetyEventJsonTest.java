package dev.ale.core.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.core.event.SafetyEvent.Action;
import dev.ale.core.event.SafetyEvent.Severity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The one wire form of a SafetyEvent: what it writes, that it reads it back, and what it refuses. */
class SafetyEventJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FINGERPRINT = "sha256:" + "ab".repeat(32);

    static SafetyEvent event() {
        return new SafetyEvent("mining.stratum", Category.MINING, Severity.CRITICAL, Action.KILL, "sb-1", Optional.of("run.t.0"),
                OptionalInt.of(2), "coder", Optional.of(FINGERPRINT), Instant.parse("2026-03-01T10:00:00.5Z"), "stratum login",
                Map.of("z", "last", "a", "first"));
    }

    @Test
    void writesEveryFieldInThePublishedOrderWithSortedEvidence() {
        ObjectNode json = SafetyEventJson.toJson(event());

        assertThat(json.toString()).isEqualTo("{\"rule\":\"mining.stratum\",\"category\":\"mining\",\"severity\":\"critical\","
                + "\"action\":\"kill\",\"sandbox\":\"sb-1\",\"episode\":\"run.t.0\",\"step\":2,\"passport\":\"coder\","
                + "\"passport_fingerprint\":\"" + FINGERPRINT + "\","
                + "\"time\":\"2026-03-01T10:00:00.500Z\",\"detail\":\"stratum login\",\"evidence\":{\"a\":\"first\",\"z\":\"last\"}}");
    }

    @Test
    void anAbsentEpisodeAndStepAreWrittenAsNullAndReadBackAbsent() {
        SafetyEvent e = new SafetyEvent("r", Category.PROBE, Severity.LOW, Action.ALERT, "sb", Optional.empty(), OptionalInt.empty(),
                "p", Optional.empty(), Instant.EPOCH, "", Map.of());
        ObjectNode json = SafetyEventJson.toJson(e);

        assertThat(json.get("episode").isNull()).isTrue();
        assertThat(json.get("step").isNull()).isTrue();
        assertThat(SafetyEventJson.fromJson(json)).isEqualTo(e);
    }

    @Test
    void anEventWrittenBeforeFingerprintsExistedReadsBackWithoutOne() {
        ObjectNode json = SafetyEventJson.toJson(event());
        json.remove("passport_fingerprint");

        assertThat(SafetyEventJson.fromJson(json).passportFingerprint()).isEmpty();
        assertThat(SafetyEventJson.fromJson(SafetyEventJson.toJson(event())).passportFingerprint()).contains(FINGERPRINT);
    }

    @Test
    void readsBackWhatItWrote() throws Exception {
        SafetyEvent e = event();

        assertThat(SafetyEventJson.fromJson(JSON.readTree(SafetyEventJson.toJson(e).toString()))).isEqualTo(e);
    }

    @Test
    void refusesAMalformedEventNamingTheField() {
        record Bad(String field, Consumer<ObjectNode> damage) {}
        List<Bad> cases = List.of(
                new Bad("rule", j -> j.remove("rule")),
                new Bad("time", j -> j.remove("time")),
                new Bad("episode", j -> j.remove("episode")),
                new Bad("rule", j -> j.put("rule", 7)),
                new Bad("rule", j -> j.putNull("rule")),
                new Bad("step", j -> j.put("step", 2.5)),
                new Bad("step", j -> j.put("step", "2")),
                new Bad("step", j -> j.put("step", -1)),
                new Bad("severity", j -> j.put("severity", "HIGH")),
                new Bad("action", j -> j.put("action", "explode")),
                new Bad("category", j -> j.put("category", "?")),
                new Bad("time", j -> j.put("time", "yesterday")),
                new Bad("evidence", j -> j.putObject("evidence").put("n", 3)),
                new Bad("evidence", j -> j.putObject("evidence").putNull("n")),
                new Bad("passportId", j -> j.put("passportId", "coder")),
                new Bad("passport_fingerprint", j -> j.put("passport_fingerprint", "sha256:" + "AB".repeat(32))),
                new Bad("passport_fingerprint", j -> j.put("passport_fingerprint", "ab".repeat(32))),
                new Bad("passport_fingerprint", j -> j.put("passport_fingerprint", 7)));
        for (Bad bad : cases) {
            ObjectNode json = SafetyEventJson.toJson(event());
            bad.damage().accept(json);
            assertThatThrownBy(() -> SafetyEventJson.fromJson(json)).as(json.toString())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad.field());
        }
    }

    @Test
    void refusesWhatIsNotAnObject() throws Exception {
        assertThatThrownBy(() -> SafetyEventJson.fromJson(JSON.readTree("[1]"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("JSON object");
    }
}
