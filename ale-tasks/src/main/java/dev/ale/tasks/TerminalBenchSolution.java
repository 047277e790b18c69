package dev.ale.tasks;

import com.fasterxml.jackson.databind.JsonNode;

import dev.ale.core.yaml.StrictYaml;
import dev.ale.core.yaml.YamlField;
import dev.ale.core.yaml.YamlMapping;
import dev.ale.core.yaml.YamlSource;

import java.nio.file.Path;
import java.util.List;

/**
 * A Terminal-Bench {@code solution.yaml} (keystrokes sent to a terminal, one item per command)
 * made into the shell script the replay policy runs: each command becomes lines of one script,
 * run in turn. Keystrokes without Enter (for an interactive program) have no script form and are refused.
 */
final class TerminalBenchSolution {

    static final List<String> ITEM = List.of("command", "min_timeout_sec", "max_timeout_sec", "block", "append_enter");

    private static final StrictYaml YAML = new StrictYaml("solution file", 1 << 20, 16, "two");

    private TerminalBenchSolution() {
    }

    /** The script text for the solution.yaml at {@code file} (as the caller named it). */
    static String script(Path file) {
        YamlSource source = new YamlSource(file.toString(), TaskLoader.ERRORS);
        JsonNode tree = YAML.read(file, source);
        if (tree == null || tree.isNull() || tree.isMissingNode() || (tree.isTextual() && tree.textValue().isBlank())) {
            throw source.error("is empty; list the commands, such as: - {command: make}");
        }
        if (!tree.isArray()) {
            throw source.error("must be a list of commands such as - {command: make}, not " + YamlField.describe(tree));
        }
        StringBuilder script = new StringBuilder("#!/bin/bash\n# Made by ALE from solution.yaml: each command runs in turn.\n");
        for (YamlField item : new YamlField(source, "", tree).items("commands")) {
            YamlMapping entry = item.section(ITEM);
            String command = entry.required("command", "command: make").text("a shell command such as make");
            entry.optional("min_timeout_sec").ifPresent(TerminalBenchSolution::seconds);
            entry.optional("max_timeout_sec").ifPresent(TerminalBenchSolution::seconds);
            entry.optional("block").ifPresent(YamlField::bool);
            boolean enter = entry.optional("append_enter").map(YamlField::bool).orElse(true);
            if (!enter) {
                throw item.error("append_enter: false types keys without Enter, for an interactive program;"
                        + " that has no form as a script, so write the solution as solution.sh");
            }
            script.append(command);
            if (!command.endsWith("\n")) script.append('\n');
        }
        return script.toString();
    }

    /** The script of {@link #script} in a new private temporary file, deleted when this JVM exits. */
    static Path toScript(Path file, String id) {
        return TaskLoader.generatedScript(file, id, "solution", script(file));
    }

    /** Timeouts have no meaning in a script, but a wrong type is still a mistake worth telling. */
    private static void seconds(YamlField field) {
        JsonNode value = field.present();
        if (!value.isNumber() || value.doubleValue() < 0) {
            throw field.error("must be a number of seconds, 0 or more, not " + YamlField.describe(value));
        }
    }
}
