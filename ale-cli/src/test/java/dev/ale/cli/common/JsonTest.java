package dev.ale.cli.common;

import dev.ale.cli.common.Json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ale.core.event.Category;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.sandbox.ExecResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** No detector emits events yet; their JSON is fixed now so that scripts written today keep working. */
class JsonTest {

    @Test
    void eventsInAnExecResultCarryTheWholeSafetyEventWithItsAttribution() {
        SafetyEvent event = new SafetyEvent("ssh-reverse-tunnel", Category.TUNNEL, SafetyEvent.Severity.CRITICAL,
                SafetyEvent.Action.KILL, "sb-1a2b3c4d", Optional.of("ep-1"), OptionalInt.of(3), "coder-1",
                Optional.of("sha256:" + "ab".repeat(32)),
                Instant.parse("2026-01-02T03:04:05Z"), "ssh -R to 203.0.113.7:22", Map.of("argv", "ssh -fNR 9000:localhost:22"));
        ExecResult result = new ExecResult(137, true, Optional.of("ssh-reverse-tunnel"), Duration.ofMillis(1500), "", "",
                false, List.of(event));

        JsonNode json = Json.execResult("sb-1a2b3c4d", result);

        assertThat(json.get("reason").asText()).isEqualTo("ssh-reverse-tunnel");
        assertThat(json.get("durationMs").asLong()).isEqualTo(1500);
        JsonNode e = json.get("events").get(0);
        assertThat(e.propertyStream().map(Map.Entry::getKey).toList())
                .containsExactly("rule", "category", "severity", "action", "sandbox", "episode", "step", "passport",
                        "passport_fingerprint", "time", "detail", "evidence");
        assertThat(e.get("rule").asText()).isEqualTo("ssh-reverse-tunnel");
        assertThat(e.get("category").asText()).isEqualTo("tunnel");
        assertThat(e.get("severity").asText()).isEqualTo("critical");
        assertThat(e.get("action").asText()).isEqualTo("kill");
        assertThat(e.get("time").asText()).isEqualTo("2026-01-02T03:04:05Z");
        assertThat(e.get("detail").asText()).isEqualTo("ssh -R to 203.0.113.7:22");
        assertThat(e.get("sandbox").asText()).isEqualTo("sb-1a2b3c4d");
        assertThat(e.get("episode").asText()).isEqualTo("ep-1");
        assertThat(e.get("step").asInt()).isEqualTo(3);
        assertThat(e.get("passport_fingerprint").asText()).isEqualTo("sha256:" + "ab".repeat(32));
        assertThat(e.get("passport").asText()).isEqualTo("coder-1");
        assertThat(e.get("evidence").get("argv").asText()).isEqualTo("ssh -fNR 9000:localhost:22");
    }
}
