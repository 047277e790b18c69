package dev.ale.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ale.core.task.AgentBudget;
import dev.ale.core.task.CopyIn;
import dev.ale.core.task.Task;
import dev.ale.core.task.TaskEnvironment;
import dev.ale.core.task.VerifierSpec;
import dev.ale.core.yaml.YamlField;
import dev.ale.core.yaml.YamlMapping;
import dev.ale.tasks.TaskFiles.Found;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a Terminal-Bench task as it is: {@code task.yaml} (instruction and metadata),
 * {@code run-tests.sh} with {@code tests/}, a reference {@code solution.sh} or
 * {@code solution.yaml}, and its container: the one service of {@code docker-compose.yaml} and
 * its {@code Dockerfile}, of which ALE honours the base image's name, WORKDIR and ENV (see
 * {@link TaskImages}). Keys of task.yaml that ALE does not use are warnings, not mistakes, since
 * Terminal-Bench's datasets add their own.
 */
final class TerminalBenchReader {

    /** Terminal-Bench's task.yaml keys (its own tasks' and its datasets'); any other is a warning. */
    static final List<String> TOP_LEVEL = List.of("instruction", "descriptions", "author_name", "author_email", "author",
            "difficulty", "category", "tags", "language", "env_name", "parser_name", "max_agent_timeout_sec",
            "max_test_timeout_sec", "run_tests_in_same_shell", "disable_asciinema", "estimated_duration_sec",
            "expert_time_estimate_min", "junior_time_estimate_min");

    static final String RUN_TESTS = "run-tests.sh";
    static final Duration DEFAULT_TEST_TIMEOUT = Duration.ofSeconds(180);
    static final Duration DEFAULT_AGENT_TIMEOUT = Duration.ofSeconds(360);

    /** A timeout beyond this many seconds (about 31 years) is a mistake, not a plan. */
    private static final double MAX_SECONDS = 1e9;

    private TerminalBenchReader() {
    }

    /** A Terminal-Bench task.yaml has an instruction (or the older descriptions) but neither of ALE's id and verifier. */
    static boolean isTerminalBench(ObjectNode top) {
        return (top.has("instruction") || top.has("descriptions")) && !top.has("id") && !top.has("verifier");
    }

    /** The keys ALE knows, with a warning for each other one (removed from {@code top}). */
    static List<String> dropUnknown(ObjectNode top, String file) {
        List<String> warnings = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        top.properties().forEach(p -> {
            if (!TOP_LEVEL.contains(p.getKey())) unknown.add(p.getKey());
        });
        for (String key : unknown) {
            top.remove(key);
            warnings.add(file + ": " + YamlField.escape(key) + ": ignored; not a key of Terminal-Bench's task.yaml that ALE knows");
        }
        return warnings;
    }

    static Task read(YamlMapping top, TaskFiles files, Path shown, List<String> earlierWarnings) {
        String id = id(files.root(), shown);
        String file = shown.resolve(TaskLoader.TASK_FILE).toString();
        List<String> warnings = new ArrayList<>(earlierWarnings);
        String instruction = instruction(top, file, warnings);
        Set<String> tags = new LinkedHashSet<>();
        top.optional("tags").ifPresent(f -> f.items("words such as [c, debugging]").forEach(i -> tags.add(TaskFields.tag(i))));
        for (String key : List.of("category", "difficulty", "language")) {
            top.optional(key).ifPresent(f -> tags.add(TaskFields.tag(f)));
        }
        for (String key : List.of("author_name", "author_email", "author", "env_name")) {
            top.optional(key).ifPresent(f -> f.text("text"));
        }
        // Terminal-Bench's default parser is pytest's: the tests listed in pytest's short summary decide
        String parser = top.optional("parser_name").map(f -> f.text("a parser name such as pytest")).orElse("pytest");
        if (!parser.equals("pytest")) {
            warnings.add(file + ": parser_name: " + YamlField.quote(parser) + " is not read; ALE scores by run-tests.sh's"
                    + " exit status (or $ALE_SCORE_FILE), not by parsing its output");
        }
        top.optional("run_tests_in_same_shell").ifPresent(f -> {
            if (f.bool()) {
                warnings.add(file + ": run_tests_in_same_shell: true is ignored; ALE runs the tests in a fresh process tree,"
                        + " so tests of what the agent's shell holds (its variables, its jobs) fail");
            }
        });
        top.optional("disable_asciinema").ifPresent(YamlField::bool);
        for (String key : List.of("estimated_duration_sec", "expert_time_estimate_min", "junior_time_estimate_min")) {
            top.optional(key).ifPresent(f -> {
                if (!f.present().isNumber() && !f.present().isNull()) throw f.error("must be a number, not " + YamlField.describe(f.present()));
            });
        }
        Duration testTimeout = top.optional("max_test_timeout_sec").map(TerminalBenchReader::seconds).orElse(DEFAULT_TEST_TIMEOUT);
        Duration agentTimeout = top.optional("max_agent_timeout_sec").map(TerminalBenchReader::seconds).orElse(DEFAULT_AGENT_TIMEOUT);

        List<CopyIn> verifierFiles = new ArrayList<>();
        Optional<Found> tests = files.fixed("tests");
        tests.ifPresent(t -> {
            if (!Files.isDirectory(t.real())) {
                throw new TaskException(shown.resolve("tests") + ": is not a directory; Terminal-Bench keeps a task's"
                        + " tests in a directory named tests");
            }
            verifierFiles.add(new CopyIn(t.real(), TaskLoader.TESTS_DIR));
        });
        CopyIn runTests = runTests(files, shown, id, tests);
        TaskImages.Side side = TaskImages.read(files, shown, "", Optional.empty());
        warnings.addAll(side.warnings());
        Optional<Path> solution = solution(files, shown, id);

        TaskEnvironment environment = new TaskEnvironment(List.of(), Optional.empty(),
                AleTaskReader.DEFAULT_SETUP_TIMEOUT, side.workdir(), side.image(), side.env(), side.build());
        VerifierSpec verifier = new VerifierSpec(runTests, verifierFiles, testTimeout)
                .withScoring(parser.equals("pytest") ? VerifierSpec.Scoring.PYTEST_SUMMARY : VerifierSpec.Scoring.EXIT_STATUS);
        AgentBudget budget = new AgentBudget(AgentBudget.DEFAULT.maxSteps(), AgentBudget.DEFAULT.maxTokens(), agentTimeout);
        return new Task(id, files.root(), Task.Format.TERMINAL_BENCH, instruction, environment, verifier, budget,
                TaskLoader.passportFor(id, environment, budget, verifier), List.copyOf(tags), solution, List.of(), warnings);
    }

    /** instruction, or the older descriptions: a list of {key, description}, of which "base" is the instruction. */
    private static String instruction(YamlMapping top, String file, List<String> warnings) {
        Optional<YamlField> instruction = top.optional("instruction");
        Optional<YamlField> descriptions = top.optional("descriptions");
        if (instruction.isPresent()) {
            descriptions.ifPresent(d -> warnings.add(file + ": descriptions: ignored; instruction is given too"));
            return TaskFields.instruction(instruction.get());
        }
        List<YamlField> items = descriptions.orElseThrow().items("a list of {key, description}, such as - {key: base, description: ...}");
        if (items.isEmpty()) throw descriptions.get().error("is empty; give at least - {key: base, description: ...}");
        Optional<YamlField> chosen = Optional.empty();
        for (YamlField item : items) {
            YamlMapping entry = item.section(List.of("key", "description"));
            String key = entry.required("key", "key: base").text("a name such as base");
            YamlField description = entry.required("description", "description: Make the tests pass");
            if (key.equals("base") && chosen.isEmpty()) chosen = Optional.of(description);
        }
        if (chosen.isEmpty()) {
            chosen = Optional.of(items.getFirst().section(List.of("key", "description")).required("description", "description: ..."));
            warnings.add(file + ": descriptions: none has key base; the first is the instruction");
        }
        if (items.size() > 1) warnings.add(file + ": descriptions: only one is the instruction; the other " + (items.size() - 1) + " are ignored");
        return TaskFields.instruction(chosen.get());
    }

    /** run-tests.sh; without one, Terminal-Bench runs pytest on tests/test_outputs.py, and so does ALE. */
    private static CopyIn runTests(TaskFiles files, Path shown, String id, Optional<Found> tests) {
        Optional<Found> script = files.fixed(RUN_TESTS);
        if (script.isPresent()) {
            if (!Files.isRegularFile(script.get().real())) {
                throw new TaskException(shown.resolve(RUN_TESTS) + ": is not a regular file; it is the script that runs the tests");
            }
            return new CopyIn(script.get().real(), TaskLoader.VERIFIER_DIR + "/" + RUN_TESTS);
        }
        if (tests.isEmpty() || !Files.isRegularFile(tests.get().real().resolve("test_outputs.py"))) {
            throw new TaskException(shown + ": has neither " + RUN_TESTS + " nor tests/test_outputs.py, so nothing would score"
                    + " the agent's work; add one of them");
        }
        String text = "#!/bin/bash\n# Made by ALE: without run-tests.sh, Terminal-Bench runs pytest on tests/test_outputs.py.\n"
                + "exec python3 -m pytest -rA \"$TEST_DIR/test_outputs.py\"\n";
        return new CopyIn(TaskLoader.generatedScript(shown.resolve(RUN_TESTS), id, "run-tests", text),
                TaskLoader.VERIFIER_DIR + "/" + RUN_TESTS);
    }

    /** A Terminal-Bench task is named by its directory. */
    private static String id(Path root, Path shown) {
        String name = root.getFileName() == null ? "" : root.getFileName().toString();
        if (!TaskFields.ID.matcher(name).matches()) {
            throw new TaskException(shown + ": the directory name " + YamlField.quote(name) + " is not a valid task id,"
                    + " and a Terminal-Bench task takes its id from its directory: " + TaskFields.ID_RULE
                    + "; rename the directory");
        }
        return name;
    }

    /** solution.sh as it is; else solution.yaml, made into a script. */
    private static Optional<Path> solution(TaskFiles files, Path shown, String id) {
        Optional<Found> script = files.fixed("solution.sh");
        if (script.isPresent()) {
            if (!Files.isRegularFile(script.get().real())) {
                throw new TaskException(shown.resolve("solution.sh") + ": is not a regular file");
            }
            return Optional.of(script.get().real());
        }
        return files.fixed("solution.yaml").map(yaml -> {
            if (!Files.isRegularFile(yaml.real())) {
                throw new TaskException(shown.resolve("solution.yaml") + ": is not a regular file");
            }
            return TerminalBenchSolution.toScript(shown.resolve("solution.yaml"), id);
        });
    }

    /** Terminal-Bench gives timeouts as a number of seconds, whole or not. */
    static Duration seconds(YamlField field) {
        JsonNode value = field.present();
        if (!value.isNumber()) {
            throw field.error("must be a number of seconds such as 180, not " + YamlField.describe(value));
        }
        double seconds = value.doubleValue();
        if (!(seconds > 0) || seconds > MAX_SECONDS) {
            throw field.error(YamlField.escape(value.asText()) + " is out of range: write a number of seconds more than 0"
                    + " and at most " + (long) MAX_SECONDS);
        }
        long millis = Math.round(seconds * 1000);
        if (millis == 0) throw field.error(YamlField.escape(value.asText()) + " is too short: the minimum is 0.001");
        return Duration.ofMillis(millis);
    }
}
