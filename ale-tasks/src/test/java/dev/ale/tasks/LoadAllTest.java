package dev.ale.tasks;

import dev.ale.core.task.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.ale.tasks.TaskDirs.aleTask;
import static dev.ale.tasks.TaskDirs.minimal;
import static dev.ale.tasks.TaskDirs.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Many tasks at once: task directories and directories of them, sorted by id, each id once. */
class LoadAllTest {

    @TempDir
    Path tmp;

    private String errorLoadingAll(List<Path> paths) {
        TaskException e = catchThrowableOfType(TaskException.class, () -> TaskLoader.loadAll(paths));
        assertThat(e).as("a TaskException loading %s", paths).isNotNull();
        return e.getMessage();
    }

    @Test
    void aDirectoryOfTaskDirectoriesLoadsEveryTaskSortedById() throws IOException {
        Path tasks = tmp.resolve("tasks");
        aleTask(tasks, "a-dir", minimal("zeta"));
        aleTask(tasks, "b-dir", minimal("alpha"));
        write(tasks, "c-terminal-bench/task.yaml", "instruction: Print the date.\n");
        write(tasks, "c-terminal-bench/run-tests.sh", "true\n");
        write(tasks, "README.md", "the tasks\n");
        Files.createDirectories(tasks.resolve(".git"));

        List<Task> loaded = TaskLoader.loadAll(List.of(tasks));

        assertThat(loaded).extracting(Task::id).containsExactly("alpha", "c-terminal-bench", "zeta");
        assertThat(loaded).extracting(Task::format)
                .containsExactly(Task.Format.ALE, Task.Format.TERMINAL_BENCH, Task.Format.ALE);
    }

    @Test
    void taskDirectoriesAndDirectoriesOfThemMayBeMixed() {
        Path single = aleTask(tmp, "single", minimal("single"));
        Path suite = tmp.resolve("suite");
        aleTask(suite, "one", minimal("one"));
        aleTask(suite, "two", minimal("two"));

        assertThat(TaskLoader.loadAll(List.of(suite, single))).extracting(Task::id).containsExactly("one", "single", "two");
    }

    @Test
    void noPathsGiveNoTasks() {
        assertThat(TaskLoader.loadAll(List.of())).isEmpty();
    }

    @Test
    void twoTasksWithOneIdAreRefusedNamingBothDirectories() throws IOException {
        Path first = aleTask(tmp.resolve("tasks"), "first", minimal("same"));
        Path second = aleTask(tmp.resolve("tasks"), "second", minimal("same"));

        assertThat(errorLoadingAll(List.of(tmp.resolve("tasks")))).isEqualTo("task id \"same\" is used twice: by "
                + first.toRealPath() + " and by " + second.toRealPath() + "; give each task its own id");
    }

    @Test
    void theSameTaskGivenTwiceIsADuplicateToo() {
        Path task = aleTask(tmp, "t", minimal("t"));

        assertThat(errorLoadingAll(List.of(task, task))).startsWith("task id \"t\" is used twice");
    }

    @Test
    void anEmptyTasksDirectoryIsRefused() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("tasks"));
        write(empty, "notes.txt", "no tasks yet\n");

        assertThat(errorLoadingAll(List.of(empty))).isEqualTo(empty
                + ": holds no task.yaml, no task.toml and no task directories; give a task directory or a directory of them");
    }

    @Test
    void aSubdirectoryWithoutTaskYamlInATasksDirectoryIsRefused() throws IOException {
        Path tasks = tmp.resolve("tasks");
        aleTask(tasks, "good", minimal("good"));
        Files.createDirectories(tasks.resolve("drafts"));

        assertThat(errorLoadingAll(List.of(tasks))).isEqualTo(tasks.resolve("drafts")
                + ": holds neither task.yaml (an ALE or Terminal-Bench task) nor task.toml (a Harbor task); see docs/tasks.md");
    }

    @Test
    void loadEachRunsPastBadTasksAndListsEachWithItsReason() throws IOException {
        Path tasks = tmp.resolve("tasks");
        aleTask(tasks, "good", minimal("good"));
        Files.createDirectories(tasks.resolve("drafts"));
        aleTask(tasks, "typo", minimal("typo") + "budgte: {steps: 3}\n");
        aleTask(tasks, "twin", minimal("good"));

        TaskLoader.Loaded loaded = TaskLoader.loadEach(List.of(tasks));

        assertThat(loaded.tasks()).extracting(dev.ale.core.task.Task::id).containsExactly("good");
        assertThat(loaded.refused()).extracting(TaskLoader.Refused::directory)
                .containsExactly(tasks.resolve("drafts"), tasks.resolve("twin"), tasks.resolve("typo"));
        assertThat(loaded.refused().get(0).reason()).contains("holds neither task.yaml");
        assertThat(loaded.refused().get(1).reason()).isEqualTo("task id \"good\" is used by " + tasks.resolve("good").toRealPath()
                + " already; give each task its own id");
        assertThat(loaded.refused().get(2).reason()).contains("budgte: unknown field (did you mean budget?)");
    }

    @Test
    void aHarborTaskDirectoryIsOneTaskNotADirectoryOfItsFolders() throws IOException {
        Path dir = tmp.resolve("hello");
        write(dir, "task.toml", "version = \"1.0\"\n");
        write(dir, "instruction.md", "Say hello.\n");
        write(dir, "environment/Dockerfile", "FROM debian:bookworm-slim\nWORKDIR /workspace\n");
        write(dir, "tests/test.sh", "#!/bin/bash\ntrue\n");

        assertThat(TaskLoader.loadAll(List.of(dir))).extracting(dev.ale.core.task.Task::format).containsExactly(dev.ale.core.task.Task.Format.HARBOR);
    }

    @Test
    void aMissingPathIsRefused() {
        assertThat(errorLoadingAll(List.of(tmp.resolve("nowhere")))).isEqualTo(tmp.resolve("nowhere")
                + ": no such directory; check the path");
    }

    @Test
    void theFirstBadTaskStopsLoadingWithItsOwnMessage() {
        Path tasks = tmp.resolve("tasks");
        aleTask(tasks, "bad", minimal("Bad"));

        assertThat(errorLoadingAll(List.of(tasks))).startsWith(tasks.resolve("bad/task.yaml") + ": id: \"Bad\"");
    }
}
