package dev.ale.episode.env;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ale.core.AleException;
import dev.ale.core.task.Task;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * How a GEM environment reads a trainer's action, as the task declares it in {@code gem.yaml} next
 * to its {@code task.yaml} (and {@code make} may choose): {@code tool} (one JSON tool call, the
 * default), {@code shell} (a string is a shell command; an object is still a tool call), or
 * {@code text} (a string goes to the task's own parser script). {@code malformedUsesStep}: whether
 * a malformed action spends a step of the budget (default yes).
 */
public record ActionFormat(Kind kind, Optional<String> parser, boolean malformedUsesStep) {

    /** The file in a task directory that declares it. */
    public static final String FILE = "gem.yaml";

    private static final Set<String> KEYS = Set.of("action", "parser", "malformed_uses_step");
    private static final long MAX_PARSER = 64 << 10;

    public enum Kind {
        TOOL, SHELL, TEXT;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<Kind> of(String text) {
            for (Kind k : values()) if (k.wire().equals(text)) return Optional.of(k);
            return Optional.empty();
        }
    }

    public ActionFormat {
        if (kind == Kind.TEXT && parser.isEmpty()) throw new IllegalArgumentException("a text action format needs a parser");
    }

    /** JSON tool calls, a malformed one spending a step: what every task without {@code gem.yaml} gets. */
    public static ActionFormat tool() {
        return new ActionFormat(Kind.TOOL, Optional.empty(), true);
    }

    /** The task's declaration, from its {@code gem.yaml}; {@link #tool()} when it has none. Every mistake names the file and key. */
    public static ActionFormat of(Task task) {
        Path file = task.directory().resolve(FILE);
        if (!Files.isRegularFile(file)) return tool();
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw bad(file, "cannot be read: " + e.getMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) return tool();
        if (!root.isObject()) throw bad(file, "must be a mapping of action, parser, malformed_uses_step");
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) throw bad(file, "unknown key '" + key + "'; the keys are " + KEYS.stream().sorted().toList());
        }
        Kind kind = Kind.TOOL;
        if (root.hasNonNull("action")) {
            String text = root.get("action").asText();
            kind = Kind.of(text).orElseThrow(() -> bad(file, "action: '" + text + "' is not one of tool, shell, text"));
        }
        boolean usesStep = true;
        if (root.hasNonNull("malformed_uses_step")) {
            if (!root.get("malformed_uses_step").isBoolean()) throw bad(file, "malformed_uses_step: must be true or false");
            usesStep = root.get("malformed_uses_step").asBoolean();
        }
        Optional<String> parser = Optional.empty();
        if (root.hasNonNull("parser")) parser = Optional.of(parser(task.directory(), file, root.get("parser").asText()));
        if (kind == Kind.TEXT && parser.isEmpty()) throw bad(file, "action: text needs parser: a script in the task directory that reads the text");
        return new ActionFormat(kind, parser, usesStep);
    }

    /** The same declaration read as {@code kind} instead (a {@code make} that chooses); text needs the task's parser. */
    public ActionFormat as(Kind newKind, String taskId) {
        if (newKind == Kind.TEXT && parser.isEmpty()) {
            throw new EnvironmentException(AleException.Fault.INPUT, "task " + taskId + " has no parser for text actions (" + FILE + ": parser)");
        }
        return new ActionFormat(newKind, parser, malformedUsesStep);
    }

    private static String parser(Path dir, Path file, String name) {
        Path script = dir.resolve(name).normalize();
        if (!script.startsWith(dir.normalize()) || !Files.isRegularFile(script)) {
            throw bad(file, "parser: '" + name + "' is not a file in the task directory");
        }
        try {
            if (Files.size(script) > MAX_PARSER) throw bad(file, "parser: '" + name + "' is over " + MAX_PARSER + " bytes");
            return Files.readString(script, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw bad(file, "parser: '" + name + "' cannot be read: " + e.getMessage());
        }
    }

    private static EnvironmentException bad(Path file, String why) {
        return new EnvironmentException(AleException.Fault.INPUT, file + ": " + why);
    }
}
