package dev.ale.monitor.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Payloads as canonical JSON: keys sorted at every level, no whitespace, only JSON's own
 * value types. The same map always gives the same text, whatever its iteration order; the
 * chain hashes the text as stored, so verifying never has to re-canonicalize.
 *
 * <p>Why not Jackson's ORDER_MAP_ENTRIES_BY_KEYS: it keeps a SortedMap in its own comparator's
 * order and writes a Float as its float text (0.1, not 0.10000000149011612), so the bytes would
 * differ from those old chains hashed (CanonicalJsonBytesTest), and it serializes beans and NaN
 * that this refuses.
 */
final class CanonicalJson {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private CanonicalJson() {
    }

    static String write(Map<String, ?> payload) {
        try {
            return MAPPER.writeValueAsString(canonical(payload, "payload"));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("payload cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The payload text as a map; numbers come back as Integer, Long, BigInteger or Double. */
    static Map<String, Object> read(String json) throws JsonProcessingException {
        return Collections.unmodifiableMap(MAPPER.readValue(json, new TypeReference<Map<String, Object>>() {}));
    }

    private static Object canonical(Object value, String path) {
        return switch (value) {
            case null -> null;
            case String s -> s;
            case Boolean b -> b;
            case Byte n -> n.longValue();
            case Short n -> n.longValue();
            case Integer n -> n.longValue();
            case Long n -> n;
            case BigInteger n -> n;
            case Float n -> finite(n.doubleValue(), path);
            case Double n -> finite(n, path);
            case BigDecimal n -> n;
            case Map<?, ?> map -> {
                TreeMap<String, Object> sorted = new TreeMap<>();
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    if (!(entry.getKey() instanceof String key)) {
                        throw new IllegalArgumentException(path + ": key " + entry.getKey() + " is not a String");
                    }
                    sorted.put(key, canonical(entry.getValue(), path + "." + key));
                }
                yield sorted;
            }
            case List<?> list -> {
                List<Object> items = new ArrayList<>(list.size());
                for (int i = 0; i < list.size(); i++) {
                    items.add(canonical(list.get(i), path + "[" + i + "]"));
                }
                yield items;
            }
            default -> throw new IllegalArgumentException(path + ": a " + value.getClass().getName()
                    + " is not a JSON value (use String, Boolean, a finite Number, List or Map)");
        };
    }

    private static Double finite(double n, String path) {
        if (!Double.isFinite(n)) {
            throw new IllegalArgumentException(path + ": " + n + " has no JSON form");
        }
        return n;
    }
}
