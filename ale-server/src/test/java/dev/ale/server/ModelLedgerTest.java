package dev.ale.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.episode.wire.SchemaSubset;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ModelLedgerTest {

    private static ModelCall call(int index, long prompt, long completion) {
        return new ModelCall(index, Instant.now(), OptionalInt.of(1), 200, false, Views.object().put("messages", "m" + index),
                Views.object().put("reply", "r" + index), prompt, completion, false, Duration.ofMillis(5));
    }

    @Test
    void tokensAddUpAgainstTheBudget() {
        ModelLedger ledger = new ModelLedger("sb-1", 100);
        ledger.add(call(1, 30, 10), 1_000);
        ledger.add(call(2, 50, 20), 1_000);

        assertThat(ledger.spent()).isEqualTo(110);
        assertThat(ledger.left()).isZero();
        assertThat(ledger.toJson().get("calls")).hasSize(2);
    }

    @Test
    void pastTheRecordLimitCallsAreKeptWithoutTheirBodiesButStillCount() {
        ModelLedger ledger = new ModelLedger("sb-1", 1_000_000);
        ledger.add(call(1, 10, 1), ModelLedger.MAX_RECORDED - 10);
        ledger.add(call(2, 10, 1), 11);
        ledger.add(call(3, 10, 1), 10);

        var calls = ledger.toJson().get("calls");
        assertThat(calls.get(0).get("request").get("messages").asText()).isEqualTo("m1");
        assertThat(calls.get(1).get("request").get("ale_dropped").asText()).contains("over 64 MiB");
        assertThat(calls.get(1).get("usage").get("prompt_tokens").asLong()).isEqualTo(10);
        assertThat(calls.get(2).get("request").get("messages").asText()).as("a smaller one that fits is kept").isEqualTo("m3");
        assertThat(ledger.spent()).isEqualTo(33);
    }

    private static final Path SCHEMA = SchemaSubset.schema("model-call.schema.json");

    @Test
    void aCallKeptWithoutItsBodiesStillConformsToTheSchema() {
        ModelLedger ledger = new ModelLedger("sb-1", 1_000_000);
        ledger.add(call(1, 10, 1), ModelLedger.MAX_RECORDED - 10);
        ledger.add(call(2, 10, 1), 11);

        JsonNode calls = ledger.toJson().get("calls");
        assertThat(calls.get(1).get("request").has("ale_dropped")).isTrue();
        for (JsonNode c : calls) assertThat(SchemaSubset.errors(SCHEMA, c)).isEmpty();
    }

    /** So that the schema checks can fail: each damage is one the schema must catch. */
    @Test
    void theModelCallSchemaRefusesMalformedCalls() {
        List<Consumer<ObjectNode>> damages = List.of(
                j -> j.remove("step"),
                j -> j.put("step", -1),
                j -> j.put("status", "200"),
                j -> j.put("streamed", "no"),
                j -> ((ObjectNode) j.get("usage")).remove("estimated"),
                j -> ((ObjectNode) j.get("usage")).put("total_tokens", 3),
                j -> j.put("request", "text"),
                j -> j.put("sandbox", "sb-1"));
        for (Consumer<ObjectNode> damage : damages) {
            ObjectNode json = call(1, 10, 1).toJson();
            assertThat(SchemaSubset.errors(SCHEMA, json)).as("undamaged").isEmpty();
            damage.accept(json);
            assertThat(SchemaSubset.errors(SCHEMA, json)).as(json.toString()).isNotEmpty();
        }
    }
}
