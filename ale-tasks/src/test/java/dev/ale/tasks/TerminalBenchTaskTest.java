package dev.ale.tasks;

import dev.ale.core.task.AgentBudget;
import dev.ale.core.task.CopyIn;
import dev.ale.core.task.ImageRecipe;
import dev.ale.core.task.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import java.util.Map;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static dev.ale.tasks.TaskDirs.errorLoading;
import static dev.ale.tasks.TaskDirs.write;
import static org.assertj.core.api.Assertions.assertThat;

/** Terminal-Bench task directories read as they are, and the ones ALE cannot run. */
class TerminalBenchTaskTest {

    @TempDir
    Path tmp;

    /** A Terminal-Bench task laid out as the benchmark ships them, with every task.yaml key. */
    private Path helloWorld() {
        Path dir = tmp.resolve("hello-world");
        write(dir, "task.yaml", """
                instruction: |-
                  Create a file called hello.txt in the current directory. Write "Hello, world!" to it.
                author_name: Jane Doe
                author_email: jane@example.com
                difficulty: easy
                category: file-operations
                tags:
                  - file-operations
                  - beginner
                parser_name: pytest
                max_agent_timeout_sec: 240
                max_test_timeout_sec: 30.5
                run_tests_in_same_shell: false
                disable_asciinema: false
                estimated_duration_sec: 10
                expert_time_estimate_min: 1
                junior_time_estimate_min: 2
                language: bash
                env_name: default
                author: Jane Doe
                """);
        write(dir, "Dockerfile", """
                # syntax=docker/dockerfile:1
                FROM ghcr.io/laude-institute/t-bench/ubuntu-24-04:20250624

                WORKDIR /workspace/hello
                ENV LANG=C.UTF-8 \\
                    # a comment inside a continued instruction
                    PYTHONUNBUFFERED=1
                label maintainer="jane@example.com"
                """);
        write(dir, "docker-compose.yaml", """
                services:
                  client:
                    build: {dockerfile: Dockerfile}
                    image: ${T_BENCH_TASK_DOCKER_CLIENT_IMAGE_NAME}
                    container_name: ${T_BENCH_TASK_DOCKER_CLIENT_CONTAINER_NAME}
                    command: [ "sh", "-c", "sleep infinity" ]
                    environment:
                      - TEST_DIR=${T_BENCH_TEST_DIR}
                      - GREETING=hello
                    volumes:
                      - ${T_BENCH_TASK_LOGS_PATH}:${T_BENCH_CONTAINER_LOGS_PATH}
                """);
        write(dir, "run-tests.sh", """
                #!/bin/bash
                source $TEST_DIR/setup-uv-pytest.sh
                bash $TEST_DIR/run-uv-pytest.sh
                """);
        write(dir, "tests/test_outputs.py", """
                from pathlib import Path

                def test_hello_file_exists():
                    assert Path("hello.txt").read_text().strip() == "Hello, world!"
                """);
        write(dir, "solution.sh", "#!/bin/bash\necho \"Hello, world!\" > hello.txt\n");
        return dir;
    }

    private Path minimalTerminalBench(String name) {
        Path dir = tmp.resolve(name);
        write(dir, "task.yaml", "instruction: Print the date.\n");
        write(dir, "run-tests.sh", "#!/bin/bash\ntrue\n");
        return dir;
    }

    @Test
    void aTerminalBenchTaskIsReadWithItsTestsSolutionTimeoutsAndTags() throws IOException {
        Path dir = helloWorld();
        Path root = dir.toRealPath();

        Task task = TaskLoader.load(dir);

        assertThat(task.id()).isEqualTo("hello-world");
        assertThat(task.format()).isEqualTo(Task.Format.TERMINAL_BENCH);
        assertThat(task.directory()).isEqualTo(root);
        assertThat(task.instruction()).isEqualTo(
                "Create a file called hello.txt in the current directory. Write \"Hello, world!\" to it.");
        assertThat(task.tags()).containsExactly("file-operations", "beginner", "easy", "bash");
        assertThat(task.verifier().script()).isEqualTo(new CopyIn(root.resolve("run-tests.sh"), "/tmp/ale-verifier/run-tests.sh"));
        assertThat(task.verifier().files()).containsExactly(new CopyIn(root.resolve("tests"), "/tests"));
        assertThat(task.verifier().timeout()).isEqualTo(Duration.ofMillis(30_500));
        assertThat(task.budget()).isEqualTo(new AgentBudget(30, 200_000, Duration.ofSeconds(240)));
        assertThat(task.solution()).contains(root.resolve("solution.sh"));
        assertThat(task.environment().files()).isEmpty();
        assertThat(task.environment().setupScript()).isEmpty();
        assertThat(task.environment().workdir()).isEqualTo("/workspace/hello");
        assertThat(task.environment().image()).contains("ghcr.io/laude-institute/t-bench/ubuntu-24-04:20250624");
        assertThat(task.environment().env()).containsExactlyInAnyOrderEntriesOf(
                Map.of("LANG", "C.UTF-8", "PYTHONUNBUFFERED", "1", "GREETING", "hello"));
        assertThat(task.passport().id()).isEqualTo("task:hello-world");
        assertThat(task.warnings()).isEmpty();
    }

    @Test
    void aTerminalBenchTaskWithoutTimeoutsTakes180sForTheTestsAnd360sForTheAgent() {
        Task task = TaskLoader.load(minimalTerminalBench("date"));

        assertThat(task.verifier().timeout()).isEqualTo(Duration.ofSeconds(180));
        assertThat(task.budget().wallTime()).isEqualTo(Duration.ofSeconds(360));
        assertThat(task.verifier().files()).isEmpty();
        assertThat(task.solution()).isEmpty();
        assertThat(task.tags()).isEmpty();
    }

    @Test
    void aSolutionYamlBecomesAScriptRunningEachCommandInTurn() throws IOException {
        Path dir = minimalTerminalBench("date");
        write(dir, "solution.yaml", """
                - command: "cd /workspace"
                - command: |
                    cat > hello.txt << 'EOF'
                    Hello, world!
                    EOF
                  min_timeout_sec: 0.1
                  max_timeout_sec: 30
                  block: true
                  append_enter: true
                - command: "date > now.txt"
                  block: false
                """);

        Task task = TaskLoader.load(dir);

        assertThat(task.solution()).isPresent();
        assertThat(Files.readString(task.solution().orElseThrow())).isEqualTo("""
                #!/bin/bash
                # Made by ALE from solution.yaml: each command runs in turn.
                cd /workspace
                cat > hello.txt << 'EOF'
                Hello, world!
                EOF
                date > now.txt
                """);
    }

    @Test
    void solutionShIsPreferredOverSolutionYaml() throws IOException {
        Path dir = minimalTerminalBench("date");
        write(dir, "solution.sh", "date\n");
        write(dir, "solution.yaml", "- command: whoami\n");

        assertThat(TaskLoader.load(dir).solution()).contains(dir.toRealPath().resolve("solution.sh"));
    }

    @Test
    void keystrokesWithoutEnterInSolutionYamlAreRefused() {
        Path dir = minimalTerminalBench("date");
        write(dir, "solution.yaml", "- command: vim x\n- {command: \":wq\", append_enter: false}\n");

        assertThat(errorLoading(dir)).isEqualTo(dir.resolve("solution.yaml") + ": [1]: append_enter: false types keys"
                + " without Enter, for an interactive program; that has no form as a script, so write the solution as solution.sh");
    }

    @Test
    void aSolutionYamlThatIsNotAListIsRefused() {
        Path dir = minimalTerminalBench("date");
        write(dir, "solution.yaml", "command: date\n");

        assertThat(errorLoading(dir)).isEqualTo(dir.resolve("solution.yaml")
                + ": must be a list of commands such as - {command: make}, not a mapping");
    }

    @Test
    void aDockerfileNamingOnlyABaseImageIsAccepted() {
        Path dir = minimalTerminalBench("date");
        write(dir, "Dockerfile", "FROM ubuntu:24.04\n");

        assertThat(TaskLoader.load(dir).id()).isEqualTo("date");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            FROM ubuntu:24.04\\nRUN apt-get update && apt-get install -y gcc     | /workspace
            FROM ubuntu:24.04\\nWORKDIR /app\\nCOPY . /app                      | /app
            FROM ubuntu:24.04\\nENV A=1 \\\\\\n  B=2\\n\\n# setup\\nrun pip install x | /workspace
            FROM ubuntu:24.04\\nADD https://example.com/x.tar.gz /opt/            | /workspace
            FROM golang:1.22 AS build\\nRUN go build\\nFROM debian:12\\nWORKDIR /srv  | /srv
            """)
    void aDockerfileThatChangesFilesIsBuiltAsTheTasksImageWithoutItsAnswers(String dockerfile, String workdir) throws IOException {
        Path dir = minimalTerminalBench("date");
        write(dir, "Dockerfile", dockerfile.replace("\\n", "\n").replace("\\\\", "\\") + "\n");
        write(dir, "solution.sh", "date\n");
        write(dir, "tests/test_outputs.py", "def test(): pass\n");

        Task task = TaskLoader.load(dir);
        assertThat(task.environment().workdir()).isEqualTo(workdir);
        ImageRecipe recipe = task.environment().build().orElseThrow();
        assertThat(recipe.dockerfile()).contains(dir.toRealPath().resolve("Dockerfile"));
        assertThat(recipe.context()).isEqualTo(dir.toRealPath());
        // the task's answers lie in its build context: the build must leave them out
        assertThat(recipe.withheld()).containsExactlyInAnyOrder("tests", "run-tests.sh", "solution.sh");
        assertThat(task.warnings()).isEmpty();
    }

    @Test
    void aDockerfileThatOnlyNamesItsImageRunsOnTheHostRootAsBefore() {
        Path dir = minimalTerminalBench("date");
        write(dir, "Dockerfile", "FROM ubuntu:24.04\nWORKDIR /workspace\nUSER nobody\n");
        Task task = TaskLoader.load(dir);
        assertThat(task.environment().build()).isEmpty();
        assertThat(task.warnings()).singleElement().asString().contains("USER has no effect");
    }

    @Test
    void onbuildIsRefusedWithItsLine() {
        Path dir = minimalTerminalBench("date");
        write(dir, "Dockerfile", "FROM ubuntu:24.04\nONBUILD RUN true\n");
        assertThat(errorLoading(dir)).isEqualTo(dir.resolve("Dockerfile") + " line 2 `ONBUILD RUN true`: ONBUILD is refused: it runs in"
                + " the builds of other images, and ALE builds only the task's own");
    }

    @Test
    void aWorkdirTheHostRootCannotWriteMakesTheTaskRunInItsImage() {
        Path dir = minimalTerminalBench("date");
        write(dir, "Dockerfile", "FROM ubuntu:24.04\n\nWORKDIR /app\n");
        Task task = TaskLoader.load(dir);
        assertThat(task.environment().workdir()).isEqualTo("/app");
        assertThat(task.environment().build()).isPresent();
    }

    @Test
    void aWorkdirTheHostRootCannotWriteWithoutAnyImageIsRefused() {
        Path dir = minimalTerminalBench("date");
        write(dir, "docker-compose.yaml", "services:\n  client:\n    working_dir: /app\n");
        assertThat(errorLoading(dir)).startsWith(dir.resolve("docker-compose.yaml") + ": services.client.working_dir: the task works in /app is"
                + " outside /workspace and /tmp").endsWith("so it runs only in its own image, and it names none");
    }

    @Test
    void aComposeWorkingDirOverridesTheDockerfileAndARelativeWorkdirJoinsTheEarlierOne() {
        Path dir = minimalTerminalBench("date");
        write(dir, "Dockerfile", "FROM ubuntu:24.04\nWORKDIR /workspace\nWORKDIR src\nENV HOME_DIR=/workspace X=\"a b\"\nENV Y ${HOME_DIR}/y\n");
        assertThat(TaskLoader.load(dir).environment().workdir()).isEqualTo("/workspace/src");
        assertThat(TaskLoader.load(dir).environment().env()).containsEntry("X", "a b").containsEntry("Y", "/workspace/y");

        write(dir, "docker-compose.yaml", "services:\n  client:\n    build: .\n    working_dir: /tmp/work\n");
        assertThat(TaskLoader.load(dir).environment().workdir()).isEqualTo("/tmp/work");
    }

    @Test
    void aComposeFileWithASecondServiceRefusesTheTaskNamingThem() {
        Path dir = minimalTerminalBench("date");
        write(dir, "Dockerfile", "FROM ubuntu:24.04\n");
        write(dir, "docker-compose.yaml", "services:\n  client:\n    build: {dockerfile: Dockerfile}\n  db:\n    image: postgres:16\n");

        assertThat(errorLoading(dir)).isEqualTo(dir.resolve("docker-compose.yaml") + ": services: defines 2 services (client, db);"
                + " ALE runs one sandbox per episode, so a task that needs a second container (a database, a server) cannot run");
    }

    @Test
    void aComposeImageWithoutBuildIsTheTasksImage() {
        Path dir = minimalTerminalBench("date");
        write(dir, "docker-compose.yaml", "services:\n  client:\n    image: python:3.13-slim\n    ports: [\"8080:80\"]\n");

        Task task = TaskLoader.load(dir);

        assertThat(task.environment().image()).contains("python:3.13-slim");
        assertThat(task.warnings()).containsExactly(dir.resolve("docker-compose.yaml") + ": services.client.ports: ignored; ALE"
                + " reads the service's build, image, environment and working_dir");
    }

    @Test
    void instructionsThatOnlyDescribeTheContainerAreWarnedAboutNotRefused() {
        Path dir = minimalTerminalBench("date");
        write(dir, "Dockerfile", "FROM ubuntu:24.04\nUSER root\nCMD [\"bash\"]\nLABEL a=b\n");

        assertThat(TaskLoader.load(dir).warnings()).containsExactly(
                dir.resolve("Dockerfile") + " line 2 `USER root`: ignored; USER has no effect in an ALE sandbox",
                dir.resolve("Dockerfile") + " line 3 `CMD [\\\"bash\\\"]`: ignored; CMD has no effect in an ALE sandbox");
    }

    @Test
    void anUnknownTerminalBenchKeyIsAWarningNotAMistake() {
        Path dir = minimalTerminalBench("date");
        write(dir, "task.yaml", "instruction: Print the date.\nmax_agent_timout_sec: 60\nrun_tests_in_same_shell: true\n");

        Task task = TaskLoader.load(dir);

        assertThat(task.budget().wallTime()).isEqualTo(Duration.ofSeconds(360));
        assertThat(task.warnings()).containsExactly(
                dir.resolve("task.yaml") + ": max_agent_timout_sec: ignored; not a key of Terminal-Bench's task.yaml that ALE knows",
                dir.resolve("task.yaml") + ": run_tests_in_same_shell: true is ignored; ALE runs the tests in a fresh process tree,"
                        + " so tests of what the agent's shell holds (its variables, its jobs) fail");
    }

    @Test
    void theOlderDescriptionsListGivesTheInstructionFromItsBaseEntry() {
        Path dir = minimalTerminalBench("date");
        write(dir, "task.yaml", """
                descriptions:
                  - key: hard
                    description: Print it.
                  - key: base
                    description: Print the date in ISO form.
                author_email: a@b.c
                """);

        Task task = TaskLoader.load(dir);

        assertThat(task.instruction()).isEqualTo("Print the date in ISO form.");
        assertThat(task.format()).isEqualTo(Task.Format.TERMINAL_BENCH);
    }

    @Test
    void withoutRunTestsShThePytestFileRunsAsTerminalBenchRunsIt() throws IOException {
        Path dir = minimalTerminalBench("date");
        Files.delete(dir.resolve("run-tests.sh"));
        write(dir, "tests/test_outputs.py", "def test_x():\n    pass\n");

        Task task = TaskLoader.load(dir);

        assertThat(Files.readString(task.verifier().script().source())).contains("python3 -m pytest -rA \"$TEST_DIR/test_outputs.py\"");
        Files.delete(dir.resolve("tests/test_outputs.py"));
        assertThat(errorLoading(dir)).isEqualTo(dir + ": has neither run-tests.sh nor tests/test_outputs.py, so nothing would"
                + " score the agent's work; add one of them");
    }

    @Test
    void theSandboxOutlivesTheAgentsTimeAndTheVerifiers() {
        Path dir = minimalTerminalBench("date");
        write(dir, "task.yaml", "instruction: Print the date.\nmax_agent_timeout_sec: 1800\nmax_test_timeout_sec: 600\n");

        assertThat(TaskLoader.load(dir).passport().resources().wallTime())
                .isGreaterThanOrEqualTo(Duration.ofSeconds(1800 + 600));
    }
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            max_test_timeout_sec: soon   | max_test_timeout_sec: must be a number of seconds such as 180, not the string "soon"
            max_agent_timeout_sec: 0     | max_agent_timeout_sec: 0 is out of range: write a number of seconds more than 0 and at most 1000000000
            tags: file-operations        | tags: must be a list of words such as [c, debugging], not the string "file-operations"
            category: [a, b]             | category: must be a word such as debugging, not a list
            """)
    void aTerminalBenchValueOfTheWrongTypeNamesTheField(String line, String message) {
        Path dir = minimalTerminalBench("date");
        write(dir, "task.yaml", "instruction: Print the date.\n" + line + "\n");

        assertThat(errorLoading(dir)).isEqualTo(dir.resolve("task.yaml") + ": " + message);
    }

    @Test
    void aDirectoryNameThatIsNoValidIdIsRefused() {
        Path dir = minimalTerminalBench("Hello_World");

        assertThat(errorLoading(dir)).isEqualTo(dir + ": the directory name \"Hello_World\" is not a valid task id, and a"
                + " Terminal-Bench task takes its id from its directory: use 1 to 64 lowercase letters, digits, '.', '_'"
                + " or '-', starting with a letter or digit; rename the directory");
    }

    @Test
    void aTestsEntryThatIsAFileIsRefused() {
        Path dir = minimalTerminalBench("date");
        write(dir, "tests", "not a directory");

        assertThat(errorLoading(dir)).isEqualTo(dir.resolve("tests")
                + ": is not a directory; Terminal-Bench keeps a task's tests in a directory named tests");
    }

    @Test
    void aRunTestsLinkOutOfTheTaskDirectoryIsRefused() throws IOException {
        Path outside = write(tmp, "elsewhere/run.sh", "true\n");
        Path dir = minimalTerminalBench("date");
        Files.delete(dir.resolve("run-tests.sh"));
        Files.createSymbolicLink(dir.resolve("run-tests.sh"), outside);

        assertThat(errorLoading(dir)).isEqualTo(dir.resolve("run-tests.sh") + ": resolves through a symbolic link to \""
                + outside.toRealPath() + "\", outside the task directory; copy what the task needs into " + dir);
    }

    @Test
    void aTaskYamlWithAnIdIsReadAsAnAleTaskEvenBesideRunTestsSh() {
        Path dir = minimalTerminalBench("date");
        write(dir, "task.yaml", "id: date\ninstruction: Print the date.\nverifier: {script: run-tests.sh}\n");

        assertThat(TaskLoader.load(dir).format()).isEqualTo(Task.Format.ALE);
    }
}
