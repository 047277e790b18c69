package dev.ale.server.rock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;

/**
 * Typed fields of a ROCK request body, read as ROCK reads them: a field the route does not know is
 * ignored (ROCK's models ignore extras) and logged once per request, so a newer SDK still works;
 * a known field of the wrong type is refused with its name.
 */
public final class RockFields {

    private static final System.Logger LOG = System.getLogger(RockFields.class.getName());
    private static final int MAX_STRING = 16 << 20;

    private final ObjectNode body;

    private RockFields(ObjectNode body) {
        this.body = body;
    }

    /** The body's fields; those outside {@code known} are logged as ignored, with the route's name. */
    public static RockFields of(ObjectNode body, Set<String> known, String route) {
        Set<String> unknown = new TreeSet<>();
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!known.contains(name)) unknown.add(name);
        }
        if (!unknown.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "ROCK " + route + ": ignoring fields ALE does not know: " + unknown);
        }
        return new RockFields(body);
    }

    public boolean has(String field) {
        JsonNode v = body.get(field);
        return v != null && !v.isNull();
    }

    public Optional<JsonNode> node(String field) {
        return has(field) ? Optional.of(body.get(field)) : Optional.empty();
    }

    public Optional<String> string(String field) {
        if (!has(field)) return Optional.empty();
        JsonNode v = body.get(field);
        if (!v.isTextual()) throw new RockException(field + ": must be a string");
        if (v.asText().length() > MAX_STRING) throw new RockException(field + ": is too long");
        if (v.asText().indexOf('\0') >= 0) throw new RockException(field + ": must not contain NUL");
        return Optional.of(v.asText());
    }

    public String required(String field) {
        String v = string(field).orElseThrow(() -> new RockException(field + ": is required"));
        if (v.isBlank()) throw new RockException(field + ": must not be blank");
        return v;
    }

    public OptionalDouble number(String field) {
        if (!has(field)) return OptionalDouble.empty();
        JsonNode v = body.get(field);
        if (v.isNumber()) return OptionalDouble.of(v.asDouble());
        if (v.isTextual()) {
            try {
                return OptionalDouble.of(Double.parseDouble(v.asText().strip()));
            } catch (NumberFormatException e) {
                throw new RockException(field + ": must be a number, not '" + v.asText() + "'");
            }
        }
        throw new RockException(field + ": must be a number");
    }

    public Optional<Boolean> bool(String field) {
        if (!has(field)) return Optional.empty();
        JsonNode v = body.get(field);
        if (!v.isBoolean()) throw new RockException(field + ": must be true or false");
        return Optional.of(v.asBoolean());
    }

    public Optional<List<String>> strings(String field) {
        if (!has(field)) return Optional.empty();
        JsonNode v = body.get(field);
        if (!v.isArray()) throw new RockException(field + ": must be a list of strings");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual()) throw new RockException(field + "[" + i + "]: must be a string");
            out.add(v.get(i).asText());
        }
        return Optional.of(List.copyOf(out));
    }

    public Optional<Map<String, String>> stringMap(String field) {
        if (!has(field)) return Optional.empty();
        JsonNode v = body.get(field);
        if (!v.isObject()) throw new RockException(field + ": must be an object of string values");
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            if (!e.getValue().isTextual()) throw new RockException(field + "." + e.getKey() + ": must be a string");
            out.put(e.getKey(), e.getValue().asText());
        }
        return Optional.of(Map.copyOf(out));
    }
}
