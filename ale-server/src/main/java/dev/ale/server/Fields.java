package dev.ale.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Typed fields of a JSON request body. Every mistake is a 400 that names the field, and a
 * field the route does not know is a mistake too (a typo must not be silently ignored).
 */
final class Fields {

    private static final System.Logger LOG = System.getLogger(Fields.class.getName());
    private static final int MAX_LIST = 4096;
    private static final int MAX_STRING = 1 << 20;
    private static final BigDecimal MIN_SECONDS = new BigDecimal("0.001");

    private final ObjectNode body;

    private Fields(ObjectNode body) {
        this.body = body;
    }

    static Fields of(ObjectNode body, Set<String> known) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!known.contains(name)) throw ApiError.invalidField(name, "unknown field; expected one of " + known.stream().sorted().toList());
        }
        return new Fields(body);
    }

    /** As ROCK reads a body: a field the route does not know is ignored, and logged, never refused. */
    static Fields lenient(ObjectNode body, Set<String> known, String route) {
        List<String> unknown = new ArrayList<>();
        body.fieldNames().forEachRemaining(n -> {
            if (!known.contains(n)) unknown.add(n);
        });
        if (!unknown.isEmpty()) LOG.log(System.Logger.Level.WARNING, route + ": ignoring fields ALE does not know: " + unknown);
        return new Fields(body);
    }

    boolean has(String field) {
        JsonNode v = body.get(field);
        return v != null && !v.isNull();
    }

    Optional<JsonNode> node(String field) {
        return has(field) ? Optional.of(body.get(field)) : Optional.empty();
    }

    Optional<String> string(String field) {
        if (!has(field)) return Optional.empty();
        JsonNode v = body.get(field);
        if (!v.isTextual()) throw ApiError.invalidField(field, "must be a string");
        if (v.asText().length() > MAX_STRING) throw ApiError.invalidField(field, "is too long");
        return Optional.of(v.asText());
    }

    Optional<Boolean> bool(String field) {
        if (!has(field)) return Optional.empty();
        JsonNode v = body.get(field);
        if (!v.isBoolean()) throw ApiError.invalidField(field, "must be true or false");
        return Optional.of(v.asBoolean());
    }

    /** A positive number of seconds (decimals allowed), at most {@code max}. */
    Optional<Duration> seconds(String field, Duration max) {
        if (!has(field)) return Optional.empty();
        JsonNode v = body.get(field);
        if (!v.isNumber()) throw ApiError.invalidField(field, "must be a number of seconds");
        BigDecimal s = v.decimalValue();
        if (s.compareTo(MIN_SECONDS) < 0) throw ApiError.invalidField(field, "must be at least " + MIN_SECONDS);
        if (s.compareTo(BigDecimal.valueOf(max.toSeconds())) > 0) throw ApiError.invalidField(field, "must be at most " + max.toSeconds());
        return Optional.of(Duration.ofNanos(s.movePointRight(9).longValue()));
    }

    Optional<List<String>> strings(String field) {
        if (!has(field)) return Optional.empty();
        JsonNode v = body.get(field);
        if (!v.isArray()) throw ApiError.invalidField(field, "must be an array of strings");
        if (v.size() > MAX_LIST) throw ApiError.invalidField(field, "has more than " + MAX_LIST + " items");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual()) throw ApiError.invalidField(field + "[" + i + "]", "must be a string");
            out.add(v.get(i).asText());
        }
        return Optional.of(List.copyOf(out));
    }

    Optional<Map<String, String>> stringMap(String field) {
        if (!has(field)) return Optional.empty();
        JsonNode v = body.get(field);
        if (!v.isObject()) throw ApiError.invalidField(field, "must be an object of string values");
        if (v.size() > MAX_LIST) throw ApiError.invalidField(field, "has more than " + MAX_LIST + " entries");
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            if (!e.getValue().isTextual()) throw ApiError.invalidField(field + "." + e.getKey(), "must be a string");
            out.put(e.getKey(), e.getValue().asText());
        }
        return Optional.of(Map.copyOf(out));
    }
}
