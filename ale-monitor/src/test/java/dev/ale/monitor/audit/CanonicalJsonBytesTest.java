package dev.ale.monitor.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The bytes CanonicalJson writes are what the chain hashed: these texts were written by the
 * hand-rolled canonicalizer that came first, and any later implementation must give them exactly.
 */
class CanonicalJsonBytesTest {

    private static Map<String, Object> unsorted(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        return m;
    }

    @Test
    void everyKindOfValueKeepsTheBytesTheChainHashed() {
        Map<String, Object> payload = unsorted(
                "zeta", 1,
                "alpha", unsorted("y", Arrays.asList(3, 2.5f, 0.1f, 1.5d, null, true, (short) 7, (byte) -1),
                        "x", "\u00e9\n\"\u0001\u2028\ud834\udd1e\\/"),
                "Z", new BigDecimal("1.10"),
                "big", BigInteger.TWO.pow(70),
                "long", Long.MAX_VALUE,
                "neg", -0.0d,
                "tiny", 1e-12,
                "list", List.of(unsorted("b", 2, "a", 1), List.of(), Map.of()),
                "nothing", null,
                "B", "upper before lower",
                "\u00e4", "non-ASCII key sorts by UTF-16");

        assertThat(CanonicalJson.write(payload)).isEqualTo(GOLDEN);
    }

    /** A sorted map sorted otherwise (here: reversed) is still written in the natural order of its keys. */
    @Test
    void aMapSortedByItsOwnComparatorIsWrittenInKeyOrder() {
        TreeMap<String, Object> reversed = new TreeMap<>(Comparator.reverseOrder());
        reversed.put("a", 1);
        reversed.put("b", unsortedReversed());

        assertThat(CanonicalJson.write(Map.of("m", reversed))).isEqualTo("{\"m\":{\"a\":1,\"b\":{\"x\":1,\"y\":2}}}");
    }

    private static Map<String, Object> unsortedReversed() {
        TreeMap<String, Object> m = new TreeMap<>(Comparator.reverseOrder());
        m.put("x", 1);
        m.put("y", 2);
        return m;
    }

    private static final String GOLDEN = "{\"B\":\"upper before lower\",\"Z\":1.10,\"alpha\":{\"x\":\"\u00e9\\n\\\"\\u0001\u2028\ud834\udd1e\\\\/\",\"y\":[3,2.5,0.10000000149011612,1.5,null,true,7,-1]},\"big\":1180591620717411303424,\"list\":[{\"a\":1,\"b\":2},[],{}],\"long\":9223372036854775807,\"neg\":-0.0,\"nothing\":null,\"tiny\":1.0E-12,\"zeta\":1,\"\u00e4\":\"non-ASCII key sorts by UTF-16\"}";

    @Test
    void refusesWhatHasNoJsonFormNamingWhere() {
        List<Object> list = new ArrayList<>();
        list.add(Double.NaN);
        assertThatThrownBy(() -> CanonicalJson.write(Map.of("a", unsorted("b", list)))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("payload.a.b[0]");
        assertThatThrownBy(() -> CanonicalJson.write(Map.of("a", Float.POSITIVE_INFINITY))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("payload.a");
        assertThatThrownBy(() -> CanonicalJson.write(Map.of("a", Map.of(1, "x")))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a String");
        assertThatThrownBy(() -> CanonicalJson.write(Map.of("a", new StringBuilder("x")))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a JSON value");
        record Pojo(String v) {}
        assertThatThrownBy(() -> CanonicalJson.write(Map.of("a", new Pojo("x")))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a JSON value");
    }
}
