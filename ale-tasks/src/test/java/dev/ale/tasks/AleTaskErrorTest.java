package dev.ale.tasks;

import dev.ale.core.AleException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.ale.tasks.TaskDirs.aleTask;
import static dev.ale.tasks.TaskDirs.errorLoading;
import static dev.ale.tasks.TaskDirs.minimal;
import static dev.ale.tasks.TaskDirs.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Each kind of mistake in an ALE task, and the message naming the file, the field, the value and the fix. */
class AleTaskErrorTest {

    @TempDir
    Path tmp;

    private String errorFor(String yaml) {
        return errorLoading(aleTask(tmp, "t", yaml));
    }

    private String taskFile() {
        return tmp.resolve("t/task.yaml").toString();
    }

    @Test
    void aTaskErrorIsAnInputFault() {
        TaskException e = catchThrowableOfType(TaskException.class, () -> TaskLoader.load(tmp.resolve("nothing")));

        assertThat(e.fault()).isEqualTo(AleException.Fault.INPUT);
    }

    @Test
    void aMissingIdIsRequiredWithAnExample() {
        assertThat(errorFor("""
                instruction: Do it.
                verifier: {script: verify.sh}
                """)).isEqualTo(taskFile() + ": id: is required (add a line such as id: fix-c-overflow)");
    }

    @Test
    void anInstructionAloneIsATerminalBenchTaskThatSaysNothingWouldScoreIt() {
        assertThat(errorFor("instruction: Do it.\n")).isEqualTo(java.nio.file.Path.of(taskFile()).getParent() + ": has neither run-tests.sh nor"
                + " tests/test_outputs.py, so nothing would score the agent's work; add one of them");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Fix-It", "-fix", "fix it", "fix/it", "a-name-much-longer-than-sixty-four-characters-which-no-task-needs-x"})
    void aBadIdIsRefusedWithTheRule(String id) {
        assertThat(errorFor(minimal("\"" + id + "\""))).isEqualTo(taskFile() + ": id: \"" + id + "\" is not a valid task id:"
                + " use 1 to 64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit");
    }

    @Test
    void aMissingInstructionIsRequired() {
        assertThat(errorFor("""
                id: t
                verifier: {script: verify.sh}
                """)).startsWith(taskFile() + ": instruction: is required (add a line such as instruction: ");
    }

    @Test
    void aBlankInstructionIsRefused() {
        assertThat(errorFor(minimal("t").replace("Create /workspace/done.", "\"  \"")))
                .isEqualTo(taskFile() + ": instruction: is blank; write what the agent should do");
    }

    @Test
    void aMissingVerifierIsRequired() {
        assertThat(errorFor("id: t\ninstruction: Do it.\n"))
                .isEqualTo(taskFile() + ": verifier: is required (add a line such as verifier: {script: verify.sh})");
    }

    @Test
    void anUnknownTopLevelKeyIsRefusedWithASuggestionAndTheAllowedKeys() {
        assertThat(errorFor(minimal("t") + "soluton: solution.sh\n")).isEqualTo(taskFile()
                + ": soluton: unknown field (did you mean solution?); allowed at the top level:"
                + " id, instruction, tags, environment, verifier, solution, budget, passport, actions");
    }

    @Test
    void anUnknownKeyInASectionIsRefusedWithItsPath() {
        assertThat(errorFor(minimal("t") + "environment: {workdr: /workspace}\n")).isEqualTo(taskFile()
                + ": environment.workdr: unknown field (did you mean workdir?); allowed in environment:"
                + " rootfs, files, setup, setup_timeout, workdir");
    }

    @Test
    void anUnknownKeyInAFilesEntryIsRefusedWithItsIndex() {
        assertThat(errorFor(minimal("t") + "environment: {files: [{from: a, into: /workspace/}]}\n")).isEqualTo(taskFile()
                + ": environment.files[0].into: unknown field; allowed in environment.files[0]: from, to");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            tags: c                     | tags: must be a list of words such as [c, debugging], not the string "c"
            tags: [c, 5]                | tags[1]: must be a word such as debugging, not the number 5
            tags: [c, c]                | tags[1]: "c" is already listed at tags[0]; keep one
            budget: {steps: many}       | budget.steps: must be a whole number such as 30, not the string "many"
            budget: {steps: 0}          | budget.steps: 0 is out of range: write a whole number from 1 to 2147483647
            budget: {tokens: 1.5}       | budget.tokens: must be a whole number such as 200000, not the number 1.5
            budget: 30                  | budget: must be a mapping of steps, tokens, wall, not the number 30
            environment: [a]            | environment: must be a mapping of rootfs, files, setup, setup_timeout, workdir, not a list
            solution: [a.sh]            | solution: must be a path relative to the task directory, such as solution.sh, not a list
            passport: 5                 | passport: must be a file name such as passport.yaml, or a mapping of passport fields such as {resources: {wallTime: 5m}}, not the number 5
            """)
    void aValueOfTheWrongTypeNamesTheFieldTheValueAndWhatIsExpected(String line, String message) {
        assertThat(errorFor(minimal("t") + line + "\n")).isEqualTo(taskFile() + ": " + message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            budget: {wall: 10}              | budget.wall: 10 has no unit (write e.g. 30s, 10m or 2h)
            budget: {wall: soon}            | budget.wall: "soon" is not a duration (write e.g. 500ms, 30s, 10m or 2h)
            environment: {setup_timeout: 0s} | environment.setup_timeout: "0s" is too short: the minimum is 1ms
            """)
    void aBadDurationIsRefusedWithExamples(String line, String message) {
        assertThat(errorFor(minimal("t") + line + "\n")).isEqualTo(taskFile() + ": " + message);
    }

    @Test
    void aBadVerifierTimeoutNamesItsPath() {
        assertThat(errorFor(minimal("t") + "  timeout: 2 minutes\n")).isEqualTo(taskFile()
                + ": verifier.timeout: \"2 minutes\" is not a duration (write e.g. 500ms, 30s, 10m or 2h)");
    }

    @Test
    void aMissingVerifierScriptIsNamedWithTheTaskDirectory() throws IOException {
        Path dir = aleTask(tmp, "t", minimal("t"));
        Files.delete(dir.resolve("verify.sh"));

        assertThat(errorLoading(dir)).isEqualTo(taskFile() + ": verifier.script: \"verify.sh\" does not exist in " + dir);
    }

    @Test
    void aVerifierScriptThatIsADirectoryIsRefused() throws IOException {
        Path dir = aleTask(tmp, "t", minimal("t").replace("verify.sh", "checks"));
        Files.createDirectories(dir.resolve("checks"));

        assertThat(errorLoading(dir)).isEqualTo(taskFile()
                + ": verifier.script: \"checks\" is not a regular file; give a file such as verify.sh");
    }

    @Test
    void aFromEscapingTheTaskDirectoryWithDotDotIsRefused() {
        assertThat(errorFor(minimal("t") + "environment: {files: [{from: ../other/, to: /workspace/}]}\n")).isEqualTo(
                taskFile() + ": environment.files[0].from: \"../other/\" contains a '..' component; a task may only use"
                        + " files inside " + tmp.resolve("t"));
    }

    @Test
    void aFromEscapingTheTaskDirectoryThroughASymbolicLinkIsRefused() throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("secrets"));
        Path dir = aleTask(tmp, "t", minimal("t") + "environment: {files: [{from: data/, to: /workspace/}]}\n");
        Files.createSymbolicLink(dir.resolve("data"), outside);

        assertThat(errorLoading(dir)).isEqualTo(taskFile() + ": environment.files[0].from: \"data/\" resolves through a"
                + " symbolic link to \"" + outside.toRealPath() + "\", outside the task directory; copy what the task needs into " + dir);
    }

    @Test
    void aSymbolicLinkOutOfTheTaskDirectoryInsideACopiedDirectoryIsRefused() throws IOException {
        Path secret = write(tmp, "host/secret.txt", "key");
        Path dir = aleTask(tmp, "t", minimal("t") + "environment: {files: [{from: project/, to: /workspace/}]}\n");
        write(dir, "project/main.c", "");
        Files.createSymbolicLink(dir.resolve("project/key"), secret);

        assertThat(errorLoading(dir)).isEqualTo(taskFile() + ": environment.files[0].from: \"project/\" holds"
                + " \"project/key\", a symbolic link to \"" + secret.toRealPath() + "\", outside the task directory;"
                + " copy what the task needs into " + dir);
    }

    @Test
    void anAbsoluteFromIsRefused() {
        assertThat(errorFor(minimal("t") + "environment: {files: [{from: /etc/passwd, to: /workspace/}]}\n")).isEqualTo(
                taskFile() + ": environment.files[0].from: \"/etc/passwd\" is an absolute path; write it relative to the"
                        + " task directory, such as project/");
    }

    @Test
    void aFromEndingInSlashThatIsAFileIsRefused() {
        Path dir = aleTask(tmp, "t", minimal("t") + "environment: {files: [{from: notes.txt/, to: /workspace/}]}\n");
        write(dir, "notes.txt", "");

        assertThat(errorLoading(dir)).isEqualTo(taskFile() + ": environment.files[0].from: \"notes.txt/\" ends with '/'"
                + " but is a file; write \"notes.txt\" to copy the file");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            /etc/app/     | "/etc/app/" is outside /workspace and /tmp; the sandbox can write only there
            workspace/    | "workspace/" is not an absolute path; write it from /, such as /workspace/
            /workspace/../etc/ | "/workspace/../etc/" contains a '..' component; write the path it stands for
            /tmp/ale-verifier/x | "/tmp/ale-verifier/x" is in /tmp/ale-verifier, where ALE puts the task's own scripts; choose another path
            /workspaces/  | "/workspaces/" is outside /workspace and /tmp; the sandbox can write only there
            """)
    void aToOutsideWorkspaceAndTmpIsRefused(String to, String message) {
        Path dir = aleTask(tmp, "t", minimal("t") + "environment: {files: [{from: project/, to: \"" + to + "\"}]}\n");
        write(dir, "project/main.c", "");

        assertThat(errorLoading(dir)).isEqualTo(taskFile() + ": environment.files[0].to: " + message);
    }

    @Test
    void aCopyThatWouldReplaceTheWorkspaceItselfIsRefused() {
        Path dir = aleTask(tmp, "t", minimal("t") + "environment: {files: [{from: project, to: /workspace}]}\n");
        write(dir, "project/main.c", "");

        assertThat(errorLoading(dir)).isEqualTo(taskFile() + ": environment.files[0].to: \"/workspace\" would be replaced"
                + " by \"project\"; write \"/workspace/\" to copy it into /workspace, or end from with '/' to copy what it holds");
    }

    @Test
    void aWorkdirOutsideWorkspaceAndTmpIsRefused() {
        assertThat(errorFor(minimal("t") + "environment: {workdir: /app}\n")).isEqualTo(taskFile()
                + ": environment.workdir: \"/app\" is outside /workspace and /tmp; the sandbox can write only there");
    }

    @Test
    void aVerifierFileInsideTheEnvironmentFilesIsRefused() {
        Path dir = aleTask(tmp, "t", minimal("t").replace("  script: verify.sh\n", """
                  script: verify.sh
                  files: [project/tests/]
                """) + "environment: {files: [{from: project/, to: /workspace/}]}\n");
        write(dir, "project/tests/test.sh", "");

        assertThat(errorLoading(dir)).isEqualTo(taskFile() + ": verifier.files[0]: \"project/tests/\" lies inside"
                + " environment.files[0].from \"project/\", which is in the sandbox before the agent starts; the agent must"
                + " never see the verifier's files, so keep them out of what environment copies in");
    }

    @Test
    void aVerifierScriptThatIsAnEnvironmentFileIsRefused() {
        Path dir = aleTask(tmp, "t", minimal("t") + "environment: {files: [{from: verify.sh, to: /workspace/}]}\n");

        assertThat(errorLoading(dir)).startsWith(taskFile() + ": verifier.script: \"verify.sh\" is the same as"
                + " environment.files[0].from \"verify.sh\", which is in the sandbox before the agent starts");
    }

    @Test
    void anEnvironmentFileInsideTheVerifierFilesIsRefusedToo() {
        Path dir = aleTask(tmp, "t", minimal("t").replace("  script: verify.sh\n", """
                  script: verify.sh
                  files: [tests/]
                """) + "environment: {files: [{from: tests/data/, to: /workspace/}]}\n");
        write(dir, "tests/data/input.txt", "");

        assertThat(errorLoading(dir)).startsWith(taskFile() + ": verifier.files[0]: \"tests/\" holds"
                + " environment.files[0].from \"tests/data/\", which is in the sandbox before the agent starts");
    }

    @Test
    void aVerifierFileReachedThroughASymbolicLinkInTheEnvironmentFilesIsRefused() throws IOException {
        Path dir = aleTask(tmp, "t", minimal("t").replace("  script: verify.sh\n", """
                  script: verify.sh
                  files: [tests/]
                """) + "environment: {files: [{from: project/, to: /workspace/}]}\n");
        write(dir, "tests/test.sh", "");
        write(dir, "project/main.c", "");
        Files.createSymbolicLink(dir.resolve("project/peek"), Path.of("../tests"));

        assertThat(errorLoading(dir)).startsWith(taskFile() + ": verifier.files[0]: \"tests/\" shares files, through a"
                + " symbolic link, with environment.files[0].from \"project/\"");
    }

    @Test
    void aVerifierFileThatIsTheSetupScriptIsRefused() {
        Path dir = aleTask(tmp, "t", minimal("t") + "environment: {setup: verify.sh}\n");

        assertThat(errorLoading(dir)).startsWith(taskFile() + ": verifier.script: \"verify.sh\" is the same as"
                + " environment.setup \"verify.sh\"");
    }

    @Test
    void aSolutionInsideTheEnvironmentFilesIsRefused() {
        Path dir = aleTask(tmp, "t", minimal("t") + """
                solution: project/solve.sh
                environment: {files: [{from: project/, to: /workspace/}]}
                """);
        write(dir, "project/solve.sh", "");

        assertThat(errorLoading(dir)).isEqualTo(taskFile() + ": solution: \"project/solve.sh\" lies inside"
                + " environment.files[0].from \"project/\", which is in the sandbox before the agent starts; the agent"
                + " must never see the reference solution, so keep them out of what environment copies in");
    }

    @Test
    void twoVerifierFilesWithOneNameAreRefused() {
        Path dir = aleTask(tmp, "t", minimal("t").replace("  script: verify.sh\n", """
                  script: verify.sh
                  files: [a/data, b/data]
                """));
        write(dir, "a/data", "");
        write(dir, "b/data", "");

        assertThat(errorLoading(dir)).isEqualTo(taskFile() + ": verifier.files[1]: \"b/data\" would be copied to"
                + " /tmp/ale-verifier/data, which verifier.files[0] takes already; give them different names");
    }

    @Test
    void aVerifierFileNamedLikeTheScoreFileIsRefused() {
        Path dir = aleTask(tmp, "t", minimal("t").replace("  script: verify.sh\n", """
                  script: verify.sh
                  files: [score]
                """));
        write(dir, "score", "1");

        assertThat(errorLoading(dir)).isEqualTo(taskFile() + ": verifier.files[0]: \"score\" would be copied to"
                + " /tmp/ale-verifier/score, which the score file ($ALE_SCORE_FILE) takes already; give them different names");
    }

    @Test
    void aRootfsThatDoesNotExistIsRefused() {
        assertThat(errorFor(minimal("t") + "environment: {rootfs: /nonexistent/rootfs}\n"))
                .isEqualTo(taskFile() + ": environment.rootfs: \"/nonexistent/rootfs\" does not exist");
    }

    @Test
    void aMistakeInAnInlinePassportNamesTheTaskFileAndThePassportPath() {
        assertThat(errorFor(minimal("t") + "passport: {egress: {agnet: []}}\n")).isEqualTo(taskFile()
                + ": passport.egress.agnet: unknown phase (did you mean agent?); allowed in passport.egress: setup, agent, verify");
    }

    @Test
    void aMistakeInAPassportFileNamesTheTaskFileAndThePassportFile() {
        Path dir = aleTask(tmp, "t", minimal("t") + "passport: passport.yaml\n");
        write(dir, "passport.yaml", "id: p\nresources: {memory: lots}\n");

        assertThat(errorLoading(dir)).isEqualTo(taskFile() + ": passport: " + dir.resolve("passport.yaml")
                + ": resources.memory: \"lots\" is not a size (write e.g. 512MiB or 2GiB)");
    }

    @Test
    void aMissingPassportFileIsRefused() {
        assertThat(errorFor(minimal("t") + "passport: passport.yaml\n"))
                .isEqualTo(taskFile() + ": passport: \"passport.yaml\" does not exist in " + tmp.resolve("t"));
    }

    @Test
    void aKeyWithoutAValueIsRefusedRatherThanDefaulted() {
        assertThat(errorFor(minimal("t") + "solution:\n"))
                .isEqualTo(taskFile() + ": solution: has no value; give one or delete the line");
    }

    @Test
    void aKeyWrittenTwiceIsRefused() {
        assertThat(errorFor(minimal("t") + "id: u\n")).isEqualTo(taskFile() + ": id: appears twice (line 5); keep one");
    }

    @Test
    void aTaskFileThatIsNotUtf8IsRefused() throws IOException {
        Path dir = aleTask(tmp, "t", "");
        Files.write(dir.resolve("task.yaml"), new byte[] {'i', 'd', ':', ' ', (byte) 0xff, '\n'});

        assertThat(errorLoading(dir)).isEqualTo(taskFile() + ": is not UTF-8 text; save it as UTF-8");
    }

    @Test
    void aTaskFileLargerThanOneMebibyteIsRefused() {
        assertThat(errorFor(minimal("t") + "#" + "x".repeat(TaskLoader.MAX_BYTES))).isEqualTo(taskFile()
                + ": is larger than 1MiB, the limit for a task file; check that this is the right file");
    }

    @Test
    void anEmptyTaskFileSaysWhatATaskNeeds() {
        assertThat(errorFor("# nothing yet\n")).isEqualTo(taskFile()
                + ": is empty; a task needs at least an id, an instruction and a verifier (see docs/tasks.md)");
    }

    @Test
    void aTaskFileThatIsNotAMappingIsRefused() {
        assertThat(errorFor("- id: t\n")).isEqualTo(taskFile() + ": must be a mapping of id, instruction, tags,"
                + " environment, verifier, solution, budget, passport, actions, not a list");
    }

    @Test
    void invalidYamlIsRefusedWithItsLine() {
        assertThat(errorFor("id: t\ninstruction: [\n")).startsWith(taskFile() + ": line 3, column 1: not valid YAML:");
    }

    @Test
    void aDirectoryWithoutTaskYamlIsRefused() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("empty"));

        assertThat(errorLoading(dir)).isEqualTo(dir + ": holds neither task.yaml (an ALE or Terminal-Bench task) nor"
                + " task.toml (a Harbor task); see docs/tasks.md");
    }

    @Test
    void aDirectoryThatDoesNotExistIsRefused() {
        assertThat(errorLoading(tmp.resolve("missing"))).isEqualTo(tmp.resolve("missing") + ": no such directory; check the path");
    }

    @Test
    void theTaskFileInsteadOfItsDirectoryIsRefusedWithTheDirectoryToGive() {
        Path dir = aleTask(tmp, "t", minimal("t"));

        assertThat(errorLoading(dir.resolve("task.yaml"))).isEqualTo(dir.resolve("task.yaml")
                + ": is a file, not a task directory; give the directory that holds it, " + dir);
    }

    @Test
    void aTaskYamlThatIsADirectoryIsRefused() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("t/task.yaml")).getParent();

        assertThat(errorLoading(dir)).isEqualTo(dir.resolve("task.yaml") + ": is a directory; the task file must be a file");
    }
}
