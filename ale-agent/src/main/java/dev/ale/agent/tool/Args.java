package dev.ale.agent.tool;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Locale;

/**
 * Reads one tool call's arguments. A wrong or missing argument throws {@link BadArgument}, whose
 * message the tool hands back to the model as a failure naming the argument.
 */
final class Args {

    private final String tool;
    private final JsonNode node;

    Args(String tool, JsonNode node) {
        this.tool = tool;
        this.node = node;
    }

    String string(String name) {
        return optionalString(name).orElseThrow(() -> new BadArgument(tool + ": argument `" + name + "` is required (a string)"));
    }

    Optional<String> optionalString(String name) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) return Optional.empty();
        if (!v.isTextual()) throw new BadArgument(tool + ": argument `" + name + "` must be a string, was " + kind(v));
        return Optional.of(v.asText());
    }

    OptionalInt optionalInt(String name, int min, int max) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) return OptionalInt.empty();
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new BadArgument(tool + ": argument `" + name + "` must be an integer, was " + kind(v) + " " + v);
        }
        int i = v.asInt();
        if (i < min || i > max) throw new BadArgument(tool + ": argument `" + name + "` must lie in [" + min + ", " + max + "], was " + i);
        return OptionalInt.of(i);
    }

    boolean flag(String name) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) return false;
        if (!v.isBoolean()) throw new BadArgument(tool + ": argument `" + name + "` must be true or false, was " + kind(v));
        return v.asBoolean();
    }

    private static String kind(JsonNode v) {
        return v.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    /** An argument the model got wrong; the message is for the model. */
    static final class BadArgument extends RuntimeException {
        BadArgument(String message) {
            super(message);
        }
    }
}
