package dev.ale.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ale.core.passport.Passport;
import dev.ale.core.task.Task;
import dev.ale.core.yaml.InputErrors;
import dev.ale.core.yaml.StrictYaml;
import dev.ale.core.yaml.YamlField;
import dev.ale.core.yaml.YamlSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Reads task directories: ALE's own {@code task.yaml} (with an {@code id} and a {@code verifier}),
 * a Terminal-Bench task ({@code task.yaml} with an {@code instruction} and neither), or a Harbor
 * task ({@code task.toml}, {@code instruction.md}, {@code tests/test.sh}). Every mistake is a
 * {@link TaskException} naming the file, the field and the value; docs/tasks.md describes the formats.
 */
public final class TaskLoader {

    /** Where the verifier's script and files are copied after the agent ends; $ALE_VERIFIER_DIR. */
    public static final String VERIFIER_DIR = "/tmp/ale-verifier";
    /**
     * Where a task's tests appear, only in the verify phase; $TEST_DIR. Terminal-Bench's run-tests.sh
     * and Harbor's test.sh name it outright; the sandbox keeps it empty and unwritable until then.
     */
    public static final String TESTS_DIR = "/tests";
    /** The file in {@link #VERIFIER_DIR} where a verifier may write a score in [0, 1]; $ALE_SCORE_FILE. */
    public static final String SCORE_FILE_NAME = "score";
    /** Where the setup script is copied before it runs. */
    public static final String SETUP_DIR = "/tmp/ale-setup";
    /** The task file in every task directory. */
    public static final String TASK_FILE = "task.yaml";
    /** A task file is short and hand-written; anything larger is the wrong file. */
    public static final int MAX_BYTES = 1 << 20;

    /** An inline passport makes a task file six levels deep (passport.egress.agent[0].ports). */
    private static final StrictYaml YAML = new StrictYaml("task file", MAX_BYTES, 64, "six");
    static final InputErrors ERRORS = InputErrors.of(TaskException::new, TaskException::new);

    private TaskLoader() {
    }

    /** Reads the task in {@code directory}; errors name the paths as given. */
    public static Task load(Path directory) {
        Objects.requireNonNull(directory, "directory");
        if (!Files.exists(directory)) throw new TaskException(directory + ": no such directory; check the path");
        if (!Files.isDirectory(directory)) {
            String hint = directory.getFileName() != null && directory.getFileName().toString().equals(TASK_FILE)
                    ? "; give the directory that holds it, " + Objects.requireNonNullElse(directory.getParent(), Path.of("."))
                    : "; give the directory that holds " + TASK_FILE;
            throw new TaskException(directory + ": is a file, not a task directory" + hint);
        }
        Path file = directory.resolve(TASK_FILE);
        if (!Files.exists(file) && HarborReader.isHarbor(directory)) return HarborReader.read(files(directory), directory);
        if (!Files.exists(file)) {
            throw new TaskException(directory + ": holds neither " + TASK_FILE + " (an ALE or Terminal-Bench task) nor "
                    + HarborReader.TASK_FILE + " (a Harbor task); see docs/tasks.md");
        }
        if (Files.isDirectory(file)) throw new TaskException(file + ": is a directory; the task file must be a file");
        TaskFiles files = files(directory);
        YamlSource source = new YamlSource(file.toString(), ERRORS);
        JsonNode tree = YAML.read(file, source);
        if (tree == null || tree.isNull() || tree.isMissingNode() || (tree.isTextual() && tree.textValue().isBlank())) {
            throw source.error("is empty; a task needs at least an id, an instruction and a verifier (see docs/tasks.md)");
        }
        if (!(tree instanceof ObjectNode top)) {
            throw source.error("must be a mapping of " + String.join(", ", AleTaskReader.TOP_LEVEL)
                    + ", not " + YamlField.describe(tree));
        }
        if (TerminalBenchReader.isTerminalBench(top)) {
            List<String> warnings = TerminalBenchReader.dropUnknown(top, file.toString());
            return TerminalBenchReader.read(source.root(top, TerminalBenchReader.TOP_LEVEL), files, directory, warnings);
        }
        return AleTaskReader.read(source.root(top, AleTaskReader.TOP_LEVEL), files, directory);
    }

    private static TaskFiles files(Path directory) {
        try {
            return new TaskFiles(directory, directory.toRealPath());
        } catch (IOException e) {
            throw new TaskException(directory + ": cannot be read: " + e.getMessage(), e);
        }
    }

    /** A task directory ALE would not load, and why. */
    public record Refused(Path directory, String reason) {
    }

    /** The tasks that loaded (sorted by id) and those that did not, each with its reason. */
    public record Loaded(List<Task> tasks, List<Refused> refused) {

        public Loaded {
            tasks = List.copyOf(tasks);
            refused = List.copyOf(refused);
        }
    }

    /**
     * Reads every task under {@code paths} as {@link #loadAll} does, but a task with a mistake, or
     * one ALE cannot run (it needs an image build, a second container, a directory the sandbox cannot
     * write), does not stop the others: it is listed with its reason. A task whose id an earlier
     * one already has is refused too. A path that holds no tasks at all is still an error.
     */
    public static Loaded loadEach(List<Path> paths) {
        Objects.requireNonNull(paths, "paths");
        List<Task> tasks = new ArrayList<>();
        List<Refused> refused = new ArrayList<>();
        Map<String, Task> byId = new HashMap<>();
        for (Path path : paths) {
            for (Path directory : taskDirectories(path)) {
                Task task;
                try {
                    task = load(directory);
                } catch (TaskException e) {
                    refused.add(new Refused(directory, e.getMessage()));
                    continue;
                }
                Task earlier = byId.putIfAbsent(task.id(), task);
                if (earlier != null) {
                    refused.add(new Refused(directory, "task id \"" + task.id() + "\" is used by " + earlier.directory()
                            + " already; give each task its own id"));
                    continue;
                }
                tasks.add(task);
            }
        }
        tasks.sort(Comparator.comparing(Task::id));
        return new Loaded(tasks, refused);
    }

    /**
     * Reads every task under {@code paths}, sorted by id: each path is a task directory (it holds
     * task.yaml) or a directory of task directories (each subdirectory not starting with '.').
     * Two tasks with one id are an error.
     */
    public static List<Task> loadAll(List<Path> paths) {
        Objects.requireNonNull(paths, "paths");
        List<Task> tasks = new ArrayList<>();
        for (Path path : paths) {
            for (Path directory : taskDirectories(path)) tasks.add(load(directory));
        }
        Map<String, Task> byId = new HashMap<>();
        for (Task task : tasks) {
            Task earlier = byId.putIfAbsent(task.id(), task);
            if (earlier != null) {
                throw new TaskException("task id \"" + task.id() + "\" is used twice: by " + earlier.directory()
                        + " and by " + task.directory() + "; give each task its own id");
            }
        }
        tasks.sort(Comparator.comparing(Task::id));
        return List.copyOf(tasks);
    }

    private static List<Path> taskDirectories(Path path) {
        Objects.requireNonNull(path, "path");
        if (!Files.isDirectory(path) || Files.exists(path.resolve(TASK_FILE)) || Files.exists(path.resolve(HarborReader.TASK_FILE))) {
            return List.of(path);
        }
        List<Path> directories;
        try (Stream<Path> entries = Files.list(path)) {
            directories = entries
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(Files::isDirectory)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new TaskException(path + ": cannot be read: " + e.getMessage(), e);
        }
        if (directories.isEmpty()) {
            throw new TaskException(path + ": holds no " + TASK_FILE + ", no " + HarborReader.TASK_FILE
                    + " and no task directories; give a task directory or a directory of them");
        }
        return directories;
    }

    /**
     * The passport of a Terminal-Bench or Harbor task: the built-in defaults, under the task's name,
     * with a wall time long enough for setup, the agent's time and the verifier's, so the sandbox
     * outlives the episode's own limits.
     */
    static Passport passportFor(String id, dev.ale.core.task.TaskEnvironment environment, dev.ale.core.task.AgentBudget budget,
                                dev.ale.core.task.VerifierSpec verifier) {
        Passport p = defaultPassport(id);
        java.time.Duration needed = environment.setupTimeout().plus(budget.wallTime()).plus(verifier.timeout())
                .plus(java.time.Duration.ofMinutes(1));
        if (needed.compareTo(p.resources().wallTime()) <= 0) return p;
        return p.withResources(p.resources().withWallTime(needed));
    }

    /** {@code text} as a script in a new private temporary file, deleted when this JVM exits. */
    static Path generatedScript(Path madeFrom, String id, String kind, String text) {
        try {
            Path script = Files.createTempFile("ale-" + kind + "-" + id + "-", ".sh");
            script.toFile().deleteOnExit();
            return Files.writeString(script, text);
        } catch (IOException e) {
            throw new dev.ale.core.AleException(dev.ale.core.AleException.Fault.ENVIRONMENT, madeFrom + ": cannot write the"
                    + " script made from it to " + System.getProperty("java.io.tmpdir") + ": " + e.getMessage() + "; check that directory", e);
        }
    }

    /** The passport of a task that names none: the built-in defaults, under the task's name. */
    static Passport defaultPassport(String id) {
        Passport defaults = Passport.defaults();
        return new Passport("task:" + id, defaults.resources(), defaults.filesystem(), defaults.devices(),
                defaults.egress(), defaults.protectedPaths(), defaults.detectors());
    }
}
