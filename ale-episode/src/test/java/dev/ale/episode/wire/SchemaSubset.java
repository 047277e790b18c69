package dev.ale.episode.wire;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A JSON Schema (draft 2020-12) validator for the few keywords ALE's schemas use: type, enum,
 * required, properties, additionalProperties, items and minimum. A schema using any other
 * assertion keyword is refused, so a schema can never pass by using one this does not check.
 */
final class SchemaSubset {

    private static final Set<String> ANNOTATIONS = Set.of("$schema", "$id", "$comment", "title", "description", "format");
    private static final Set<String> ASSERTIONS = Set.of("type", "enum", "required", "properties", "additionalProperties", "items",
            "minimum");

    private SchemaSubset() {
    }

    /** Every way {@code value} breaks {@code schema}, each with its JSON path; empty when it conforms. */
    static List<String> errors(JsonNode schema, JsonNode value) {
        List<String> errors = new ArrayList<>();
        check(schema, value, "$", errors);
        return errors;
    }

    private static void check(JsonNode schema, JsonNode value, String path, List<String> errors) {
        if (schema.isBoolean()) {
            if (!schema.asBoolean()) errors.add(path + ": not allowed");
            return;
        }
        for (Map.Entry<String, JsonNode> k : schema.properties()) {
            if (!ANNOTATIONS.contains(k.getKey()) && !ASSERTIONS.contains(k.getKey())) {
                throw new IllegalArgumentException("schema keyword `" + k.getKey() + "` at " + path + " is not supported by this validator");
            }
        }
        JsonNode type = schema.get("type");
        if (type != null) {
            List<String> types = new ArrayList<>();
            if (type.isArray()) type.forEach(t -> types.add(t.asText()));
            else types.add(type.asText());
            if (types.stream().noneMatch(t -> is(t, value))) {
                errors.add(path + ": " + value.getNodeType().name().toLowerCase() + " is not of type " + types);
                return;
            }
        }
        JsonNode allowed = schema.get("enum");
        if (allowed != null) {
            boolean found = false;
            for (JsonNode a : allowed) found |= a.equals(value);
            if (!found) errors.add(path + ": " + value + " is not one of " + allowed);
        }
        JsonNode minimum = schema.get("minimum");
        if (minimum != null && value.isNumber() && value.decimalValue().compareTo(minimum.decimalValue()) < 0) {
            errors.add(path + ": " + value + " is below the minimum " + minimum);
        }
        if (value.isObject()) {
            JsonNode required = schema.get("required");
            if (required != null) required.forEach(r -> {
                if (!value.has(r.asText())) errors.add(path + ": required property `" + r.asText() + "` is missing");
            });
            JsonNode properties = schema.path("properties");
            JsonNode additional = schema.get("additionalProperties");
            for (Map.Entry<String, JsonNode> p : value.properties()) {
                String at = path + "." + p.getKey();
                if (properties.has(p.getKey())) check(properties.get(p.getKey()), p.getValue(), at, errors);
                else if (additional != null) check(additional, p.getValue(), at, errors);
            }
        }
        JsonNode items = schema.get("items");
        if (items != null && value.isArray()) {
            for (int i = 0; i < value.size(); i++) check(items, value.get(i), path + "[" + i + "]", errors);
        }
    }

    private static boolean is(String type, JsonNode value) {
        return switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "boolean" -> value.isBoolean();
            case "null" -> value.isNull();
            case "number" -> value.isNumber();
            // 2020-12: an integer is any number with a zero fractional part (1.0 included).
            case "integer" -> value.isIntegralNumber() || (value.isNumber() && value.decimalValue().stripTrailingZeros().scale() <= 0);
            default -> throw new IllegalArgumentException("unknown JSON Schema type `" + type + "`");
        };
    }
}
