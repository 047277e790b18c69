package dev.ale.tasks;

import dev.ale.core.task.CandidateAction;
import dev.ale.core.task.Task;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.ale.tasks.TaskDirs.aleTask;
import static dev.ale.tasks.TaskDirs.errorLoading;
import static dev.ale.tasks.TaskDirs.minimal;
import static org.assertj.core.api.Assertions.assertThat;

/** The optional {@code actions:} list of a task: read strictly, each mistake named with its field. */
class CandidateActionsTest {

    @TempDir
    Path tmp;

    private String errorFor(String actions) {
        return errorLoading(aleTask(tmp, "t", minimal("t") + actions));
    }

    private String taskFile() {
        return tmp.resolve("t/task.yaml").toString();
    }

    @Test
    void actionsAreReadWithMappingArgumentsAsJsonAndStringArgumentsAsWritten() {
        Task task = TaskLoader.load(aleTask(tmp, "t", minimal("t") + """
                actions:
                  - {id: fix, tool: shell, arguments: {command: "make fix"}}
                  - {id: cheat, tool: shell, arguments: '{"command": "exit 0"}', hack: true}
                  - {id: done, tool: finish}
                """));

        assertThat(task.actions()).containsExactly(
                new CandidateAction("fix", "shell", "{\"command\":\"make fix\"}", false),
                new CandidateAction("cheat", "shell", "{\"command\": \"exit 0\"}", true),
                new CandidateAction("done", "finish", "{}", false));
    }

    @Test
    void aTaskWithoutActionsHasNone() {
        assertThat(TaskLoader.load(aleTask(tmp, "t", minimal("t"))).actions()).isEmpty();
    }

    @Test
    void anUnknownKeyInAnActionIsRefusedWithTheAllowedOnes() {
        assertThat(errorFor("actions:\n  - {id: a, tool: shell, args: {}}\n"))
                .startsWith(taskFile() + ": actions[0].args: unknown field")
                .endsWith("allowed in actions[0]: id, tool, arguments, hack");
    }

    @Test
    void aDuplicateActionIdIsRefused() {
        assertThat(errorFor("actions:\n  - {id: a, tool: shell}\n  - {id: a, tool: finish}\n"))
                .isEqualTo(taskFile() + ": actions[1].id: \"a\" is already the id at actions[0].id; give each action its own id");
    }

    @Test
    void anEmptyOrUnknownToolIsRefused() {
        assertThat(errorFor("actions:\n  - {id: a, tool: \"\"}\n")).isEqualTo(taskFile() + ": actions[0].tool: has no value; give one or delete the line");
        assertThat(errorFor("actions:\n  - {id: a, tool: sh}\n")).startsWith(taskFile() + ": actions[0].tool: \"sh\" is not a tool; the tools are: shell");
        assertThat(errorFor("actions:\n  - {id: a}\n")).isEqualTo(taskFile() + ": actions[0].tool: is required (add a line such as tool: shell)");
    }

    @Test
    void hackMustBeABooleanAndArgumentsAMappingOrText() {
        assertThat(errorFor("actions:\n  - {id: a, tool: shell, hack: yes please}\n"))
                .isEqualTo(taskFile() + ": actions[0].hack: must be true or false, not the string \"yes please\"");
        assertThat(errorFor("actions:\n  - {id: a, tool: shell, arguments: [1]}\n"))
                .startsWith(taskFile() + ": actions[0].arguments: must be a mapping such as {command: make} or JSON text, not");
    }
}
