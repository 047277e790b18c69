package dev.ale.monitor.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The record hash is a documented encoding and the payload text is canonical. */
class ChainHashTest {

    private static final String T = "2026-01-02T03:04:05.000000000Z";

    @Test
    void theHashIsTheDocumentedEncodingSoOtherToolsCanRecomputeIt() {
        // Expected values computed independently in Python from the encoding in ChainHash's Javadoc.
        assertThat(ChainHash.of(1, T, "safety-event", "sb-1", "ep-1", "7", "reverse-ssh", "tunnel",
                "{\"dest\":\"203.0.113.9:22\"}", "0".repeat(64)))
                .isEqualTo("c9073644d0146532b2371030a4a16fe1baa44337db205a6b551610c3ac95e223");
        assertThat(ChainHash.of(2, T, "sandbox", "sb-é", null, null, null, null, "{}", "f".repeat(64)))
                .isEqualTo("34d037bdfd87d41c497129aa08d35e2dcbbe02a82d82b5d2e555c62d412009a2");
    }

    @Test
    void movingTextAcrossAFieldBoundaryChangesTheHash() {
        String a = ChainHash.of(1, T, "step", "ab", "c", null, null, null, "{}", ChainHash.GENESIS);
        String b = ChainHash.of(1, T, "step", "a", "bc", null, null, null, "{}", ChainHash.GENESIS);

        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void anAbsentFieldIsNotAnEmptyOne() {
        String absent = ChainHash.of(1, T, "step", "sb", null, null, null, null, "{}", ChainHash.GENESIS);
        String empty = ChainHash.of(1, T, "step", "sb", "", null, null, null, "{}", ChainHash.GENESIS);
        String shifted = ChainHash.of(1, T, "step", "sb", null, "", null, null, "{}", ChainHash.GENESIS);

        assertThat(List.of(absent, empty, shifted)).doesNotHaveDuplicates();
    }

    @Test
    void aPayloadIsTheSameTextWhateverTheOrderOfItsKeys() {
        Map<String, Object> one = new LinkedHashMap<>();
        one.put("b", 1);
        one.put("a", Map.of("y", 2L, "x", List.of(1.5, "s")));
        Map<String, Object> two = new LinkedHashMap<>();
        two.put("a", new LinkedHashMap<>(Map.of("x", List.of(1.5, "s"), "y", 2)));
        two.put("b", 1L);

        assertThat(CanonicalJson.write(one)).isEqualTo(CanonicalJson.write(two))
                .isEqualTo("{\"a\":{\"x\":[1.5,\"s\"],\"y\":2},\"b\":1}");
    }

    @Test
    void aPayloadValueThatIsNotJsonIsRefusedWithItsPath() {
        IllegalArgumentException e = catchThrowableOfType(IllegalArgumentException.class,
                () -> CanonicalJson.write(Map.of("evidence", Map.of("when", Instant.EPOCH))));

        assertThat(e).hasMessageStartingWith("payload.evidence.when: a java.time.Instant is not a JSON value");
        assertThat(catchThrowableOfType(IllegalArgumentException.class,
                () -> CanonicalJson.write(Map.of("cpu", Double.NaN)))).hasMessageContaining("payload.cpu");
    }
}
