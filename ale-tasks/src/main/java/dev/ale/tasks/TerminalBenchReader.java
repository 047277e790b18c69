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
import java.nio.file.LinkOption;
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
 * {@code solution.yaml}, and a {@code Dockerfile} that may only name a base image, since ALE runs
 * these tasks on the host root rather than in a container built for them.
 */
final class TerminalBenchReader {

    /** Terminal-Bench's task.yaml keys; any other is refused like an unknown key of ALE's own format. */
    static final List<String> TOP_LEVEL = List.of("instruction", "author_name", "author_email", "difficulty", "category",
            "tags", "parser_name", "max_agent_timeout_sec", "max_test_timeout_sec", "run_tests_in_same_shell",
            "disable_asciinema", "estimated_duration_sec", "expert_time_estimate_min", "junior_time_estimate_min");

    static final String RUN_TESTS = "run-tests.sh";
    static final Duration DEFAULT_TEST_TIMEOUT = Duration.ofSeconds(180);
    static final Duration DEFAULT_AGENT_TIMEOUT = Duration.ofSeconds(360);

    /** A timeout beyond this many seconds (about 31 years) is a mistake, not a plan. */
    private static final double MAX_SECONDS = 1e9;

    private TerminalBenchReader() {
    }

    /** A Terminal-Bench task.yaml has an instruction but neither of ALE's id and verifier, and run-tests.sh beside it. */
    static boolean isTerminalBench(ObjectNode top, Path root) {
        return top.has("instruction") && !top.has("id") && !top.has("verifier")
                && Files.exists(root.resolve(RUN_TESTS), LinkOption.NOFOLLOW_LINKS);
    }

    static Task read(YamlMapping top, TaskFiles files, Path shown) {
        String id = id(files.root(), shown);
        String instruction = TaskFields.instruction(top.required("instruction", "instruction: Make the tests pass"));
        Set<String> tags = new LinkedHashSet<>();
        top.optional("tags").ifPresent(f -> f.items("words such as [c, debugging]").forEach(i -> tags.add(TaskFields.tag(i))));
        top.optional("category").ifPresent(f -> tags.add(TaskFields.tag(f)));
        top.optional("difficulty").ifPresent(f -> tags.add(TaskFields.tag(f)));
        Duration testTimeout = top.optional("max_test_timeout_sec").map(TerminalBenchReader::seconds).orElse(DEFAULT_TEST_TIMEOUT);
        Duration agentTimeout = top.optional("max_agent_timeout_sec").map(TerminalBenchReader::seconds).orElse(DEFAULT_AGENT_TIMEOUT);

        Found runTests = files.fixed(RUN_TESTS).orElseThrow();
        if (!Files.isRegularFile(runTests.real())) {
            throw new TaskException(shown.resolve(RUN_TESTS) + ": is not a regular file; it is the script that runs the tests");
        }
        List<CopyIn> verifierFiles = new ArrayList<>();
        files.fixed("tests").ifPresent(tests -> {
            if (!Files.isDirectory(tests.real())) {
                throw new TaskException(shown.resolve("tests") + ": is not a directory; Terminal-Bench keeps a task's"
                        + " tests in a directory named tests");
            }
            verifierFiles.add(new CopyIn(tests.real(), TaskLoader.VERIFIER_DIR + "/tests"));
        });
        files.fixed("Dockerfile").ifPresent(dockerfile -> Dockerfiles.requireNoImage(dockerfile.real(), shown));
        Optional<Path> solution = solution(files, shown, id);

        TaskEnvironment environment = new TaskEnvironment(List.of(), Optional.empty(),
                AleTaskReader.DEFAULT_SETUP_TIMEOUT, AleTaskReader.DEFAULT_WORKDIR);
        VerifierSpec verifier = new VerifierSpec(
                new CopyIn(runTests.real(), TaskLoader.VERIFIER_DIR + "/" + RUN_TESTS), verifierFiles, testTimeout);
        AgentBudget budget = new AgentBudget(AgentBudget.DEFAULT.maxSteps(), AgentBudget.DEFAULT.maxTokens(), agentTimeout);
        return new Task(id, files.root(), Task.Format.TERMINAL_BENCH, instruction, environment, verifier, budget,
                TaskLoader.defaultPassport(id), List.copyOf(tags), solution);
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
