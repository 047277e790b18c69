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
 * Reads task directories: ALE's own {@code task.yaml} (with an {@code id} and a {@code verifier})
 * or a Terminal-Bench task ({@code task.yaml} with an {@code instruction} only, next to
 * {@code run-tests.sh}). Every mistake is a {@link TaskException} naming the file, the field and
 * the value; docs/tasks.md describes both formats.
 */
public final class TaskLoader {

    /** Where the verifier's script and files are copied after the agent ends; $ALE_VERIFIER_DIR. */
    public static final String VERIFIER_DIR = "/tmp/ale-verifier";
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
        if (!Files.exists(file)) {
            throw new TaskException(file + ": no such file; a task directory holds a " + TASK_FILE
                    + " (see docs/tasks.md)");
        }
        if (Files.isDirectory(file)) throw new TaskException(file + ": is a directory; the task file must be a file");
        Path root;
        try {
            root = directory.toRealPath();
        } catch (IOException e) {
            throw new TaskException(directory + ": cannot be read: " + e.getMessage(), e);
        }
        YamlSource source = new YamlSource(file.toString(), ERRORS);
        JsonNode tree = YAML.read(file, source);
        if (tree == null || tree.isNull() || tree.isMissingNode() || (tree.isTextual() && tree.textValue().isBlank())) {
            throw source.error("is empty; a task needs at least an id, an instruction and a verifier (see docs/tasks.md)");
        }
        if (!(tree instanceof ObjectNode top)) {
            throw source.error("must be a mapping of " + String.join(", ", AleTaskReader.TOP_LEVEL)
                    + ", not " + YamlField.describe(tree));
        }
        TaskFiles files = new TaskFiles(directory, root);
        if (TerminalBenchReader.isTerminalBench(top, root)) {
            return TerminalBenchReader.read(source.root(top, TerminalBenchReader.TOP_LEVEL), files, directory);
        }
        if (!top.has("id") && !top.has("verifier") && top.has("instruction")) {
            throw source.error("id: is required (add a line such as id: fix-c-overflow); a Terminal-Bench task"
                    + " needs run-tests.sh next to " + TASK_FILE + " instead");
        }
        return AleTaskReader.read(source.root(top, AleTaskReader.TOP_LEVEL), files, directory);
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
        if (!Files.isDirectory(path) || Files.exists(path.resolve(TASK_FILE))) return List.of(path);
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
            throw new TaskException(path + ": holds no " + TASK_FILE + " and no task directories; give a task directory"
                    + " or a directory of them");
        }
        return directories;
    }

    /** The passport of a task that names none: the built-in defaults, under the task's name. */
    static Passport defaultPassport(String id) {
        Passport defaults = Passport.defaults();
        return new Passport("task:" + id, defaults.resources(), defaults.filesystem(), defaults.devices(),
                defaults.egress(), defaults.protectedPaths(), defaults.detectors());
    }
}
