package dev.ale.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

import dev.ale.core.yaml.YamlField;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Values both task formats hold (id, instruction, tags, numbers) and the rules for paths inside the sandbox. */
final class TaskFields {

    static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    static final String ID_RULE = "use 1 to 64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit";

    private static final int MAX_TAG = 64;
    private static final Path WORKSPACE = Path.of("/workspace");
    private static final Path TMP = Path.of("/tmp");
    private static final List<Path> RESERVED = List.of(Path.of(TaskLoader.VERIFIER_DIR), Path.of(TaskLoader.SETUP_DIR));

    private TaskFields() {
    }

    static String id(YamlField field) {
        String id = field.text("a name such as fix-c-overflow");
        if (!ID.matcher(id).matches()) {
            throw field.error(YamlField.quote(id) + " is not a valid task id: " + ID_RULE);
        }
        return id;
    }

    static String instruction(YamlField field) {
        String text = field.text("the text the agent reads, such as: instruction: Make the tests in /workspace pass");
        if (text.isBlank()) throw field.error("is blank; write what the agent should do");
        return text;
    }

    /** Tags as written, each once. */
    static List<String> tags(List<YamlField> items) {
        List<String> tags = new ArrayList<>(items.size());
        Map<String, String> listedAt = new HashMap<>();
        for (YamlField item : items) {
            String tag = tag(item);
            String earlier = listedAt.putIfAbsent(tag, item.path());
            if (earlier != null) throw item.error(YamlField.quote(tag) + " is already listed at " + earlier + "; keep one");
            tags.add(tag);
        }
        return List.copyOf(tags);
    }

    static String tag(YamlField item) {
        String tag = item.text("a word such as debugging");
        if (tag.isBlank()) throw item.error("is blank; write a word such as debugging, or remove the item");
        if (tag.codePoints().anyMatch(Character::isISOControl)) {
            throw item.error(YamlField.quote(tag) + " contains a control character");
        }
        if (tag.codePointCount(0, tag.length()) > MAX_TAG) {
            throw item.error(YamlField.quote(tag) + " is longer than " + MAX_TAG + " characters");
        }
        return tag;
    }

    /** A whole number from {@code min} to {@code max}. */
    static long wholeNumber(YamlField field, long min, long max, String example) {
        JsonNode value = field.present();
        if (!value.isIntegralNumber()) {
            throw field.error("must be a whole number such as " + example + ", not " + YamlField.describe(value));
        }
        if (!value.canConvertToLong() || value.longValue() < min || value.longValue() > max) {
            throw field.error(YamlField.escape(value.asText()) + " is out of range: write a whole number from "
                    + min + " to " + max);
        }
        return value.longValue();
    }

    /** A path inside the sandbox as written: {@code path} in normal form, {@code directory} when it ended with '/'. */
    record SandboxPath(String path, boolean directory) {

        /** Whether this is /workspace or /tmp itself, which a copy may fill but not replace. */
        boolean isWritableRoot() {
            return Path.of(path).equals(WORKSPACE) || Path.of(path).equals(TMP);
        }
    }

    /**
     * Why {@code path} (absolute, normal form) cannot be a task's working directory on today's
     * sandboxes, or empty when it can: it must lie under /workspace or /tmp, the only places a
     * sandbox can write, and outside ALE's own directories there.
     */
    static Optional<String> unwritable(String path) {
        Path p = Path.of(path);
        if (!p.startsWith(WORKSPACE) && !p.startsWith(TMP)) {
            return Optional.of(path + " is outside /workspace and /tmp, the only places today's sandboxes can write"
                    + " (the host root is read-only; a root made from the task's image will lift this)");
        }
        for (Path reserved : RESERVED) {
            if (p.startsWith(reserved)) return Optional.of(path + " is in " + reserved + ", which is ALE's own");
        }
        return Optional.empty();
    }

    /**
     * An absolute path under /workspace or /tmp, the only places a sandbox can write, and not in
     * the directories ALE itself copies the setup and the verifier to.
     */
    static SandboxPath sandboxPath(YamlField field, String example) {
        String text = field.text("an absolute path in the sandbox such as " + example);
        String shown = YamlField.quote(text);
        if (text.codePoints().anyMatch(Character::isISOControl)) throw field.error(shown + " contains a control character");
        if (!text.startsWith("/")) {
            throw field.error(shown + " is not an absolute path; write it from /, such as " + example);
        }
        for (String component : text.split("/")) {
            if (component.equals("..") || component.equals(".")) {
                throw field.error(shown + " contains a '" + component + "' component; write the path it stands for");
            }
        }
        Path path = Path.of(text);
        if (!path.startsWith(WORKSPACE) && !path.startsWith(TMP)) {
            throw field.error(shown + " is outside /workspace and /tmp; the sandbox can write only there");
        }
        for (Path reserved : RESERVED) {
            if (path.startsWith(reserved)) {
                throw field.error(shown + " is in " + reserved + ", where ALE puts the task's own scripts; choose another path");
            }
        }
        return new SandboxPath(path.toString(), text.endsWith("/"));
    }
}
