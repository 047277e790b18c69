package dev.ale.episode.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A JSON Schema (draft 2020-12) validator for the few keywords ALE's schemas use: type, enum,
 * required, properties, additionalProperties, items, minimum, pattern, and $ref to a sibling schema file or
 * to a {@code #/$defs/...} pointer. A schema using any other assertion keyword is refused, so a
 * schema can never pass by using one this does not check. Public so other modules' tests share it.
 */
public final class SchemaSubset {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ANNOTATIONS = Set.of("$schema", "$id", "$comment", "$defs", "title", "description", "format");
    private static final Set<String> ASSERTIONS = Set.of("type", "enum", "required", "properties", "additionalProperties", "items",
            "minimum", "pattern", "$ref");

    /** The schema document being walked, and where its sibling files are (none for a schema given as a tree). */
    private record Document(JsonNode root, Optional<Path> directory) {
    }

    private SchemaSubset() {
    }

    /** The repository's {@code docs/schemas/NAME}, from a module's directory (where surefire runs). */
    public static Path schema(String name) {
        return Path.of("..", "docs", "schemas", name);
    }

    /** Every way {@code value} breaks {@code schema}, each with its JSON path; empty when it conforms. */
    public static List<String> errors(JsonNode schema, JsonNode value) {
        List<String> errors = new ArrayList<>();
        check(new Document(schema, Optional.empty()), schema, value, "$", errors);
        return errors;
    }

    /** As {@link #errors(JsonNode, JsonNode)} for the schema in {@code file}; its $refs to other files resolve beside it. */
    public static List<String> errors(Path file, JsonNode value) {
        Document doc = new Document(read(file), Optional.of(file.toAbsolutePath().getParent()));
        List<String> errors = new ArrayList<>();
        check(doc, doc.root(), value, "$", errors);
        return errors;
    }

    private static JsonNode read(Path file) {
        try {
            return JSON.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void check(Document doc, JsonNode schema, JsonNode value, String path, List<String> errors) {
        if (schema.isBoolean()) {
            if (!schema.asBoolean()) errors.add(path + ": not allowed");
            return;
        }
        for (Map.Entry<String, JsonNode> k : schema.properties()) {
            if (!ANNOTATIONS.contains(k.getKey()) && !ASSERTIONS.contains(k.getKey())) {
                throw new IllegalArgumentException("schema keyword `" + k.getKey() + "` at " + path + " is not supported by this validator");
            }
        }
        JsonNode ref = schema.get("$ref");
        if (ref != null) {
            String target = ref.asText();
            int hash = target.indexOf('#');
            String file = hash < 0 ? target : target.substring(0, hash);
            String pointer = hash < 0 ? "" : target.substring(hash + 1);
            Document to = doc;
            if (!file.isEmpty()) {
                if (file.contains("/") || file.contains("\\") || doc.directory().isEmpty()) {
                    throw new IllegalArgumentException("$ref `" + target + "` at " + path + ": only a sibling schema file can be referred to");
                }
                Path f = doc.directory().get().resolve(file);
                to = new Document(read(f), doc.directory());
            }
            JsonNode resolved = pointer.isEmpty() ? to.root() : to.root().at(pointer);
            if (resolved.isMissingNode()) throw new IllegalArgumentException("$ref `" + target + "` at " + path + " points at nothing");
            check(to, resolved, value, path, errors);
        }
        JsonNode type = schema.get("type");
        if (type != null) {
            List<String> types = new ArrayList<>();
            if (type.isArray()) type.forEach(t -> types.add(t.asText()));
            else types.add(type.asText());
            if (types.stream().noneMatch(t -> is(t, value))) {
                errors.add(path + ": " + value.getNodeType().name().toLowerCase(Locale.ROOT) + " is not of type " + types);
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
        JsonNode pattern = schema.get("pattern");
        // 2020-12: a pattern applies to strings only, and matches anywhere unless anchored
        if (pattern != null && value.isTextual() && !Pattern.compile(pattern.asText()).matcher(value.asText()).find()) {
            errors.add(path + ": " + value + " does not match the pattern " + pattern.asText());
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
                if (properties.has(p.getKey())) check(doc, properties.get(p.getKey()), p.getValue(), at, errors);
                else if (additional != null) check(doc, additional, p.getValue(), at, errors);
            }
        }
        JsonNode items = schema.get("items");
        if (items != null && value.isArray()) {
            for (int i = 0; i < value.size(); i++) check(doc, items, value.get(i), path + "[" + i + "]", errors);
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
