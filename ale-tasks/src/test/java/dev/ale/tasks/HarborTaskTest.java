package dev.ale.tasks;

import dev.ale.core.task.CopyIn;
import dev.ale.core.task.ImageRecipe;
import dev.ale.core.task.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static dev.ale.tasks.TaskDirs.errorLoading;
import static dev.ale.tasks.TaskDirs.write;
import static org.assertj.core.api.Assertions.assertThat;

/** Harbor (Terminal-Bench 2) task directories: task.toml, instruction.md, environment/, tests/test.sh, solution/solve.sh. */
class HarborTaskTest {

    @TempDir
    Path tmp;

    private Path harbor(String name, String toml) {
        Path dir = tmp.resolve(name);
        write(dir, "task.toml", toml);
        write(dir, "instruction.md", "Write hello to /workspace/hello.txt.\n");
        write(dir, "environment/Dockerfile", "FROM debian:bookworm-slim\nWORKDIR /workspace\nENV LC_ALL=C.UTF-8\n");
        write(dir, "tests/test.sh", "#!/bin/bash\ngrep -qx hello /workspace/hello.txt\n");
        write(dir, "tests/test_outputs.py", "# more tests\n");
        write(dir, "solution/solve.sh", "#!/bin/bash\necho hello > /workspace/hello.txt\n");
        return dir;
    }

    @Test
    void aHarborTaskIsReadWithItsTimeoutsResourcesTagsImageAndRewardFiles() throws IOException {
        Path dir = harbor("hello-harbor", """
                version = "1.0"

                [metadata]
                author_name = "Jane Doe"
                author_email = "jane@example.com"
                difficulty = "easy"
                category = "programming"
                tags = ["trivial", "bash"]

                [verifier]
                timeout_sec = 90.0
                env = { MODE = "strict" }

                [agent]
                timeout_sec = 300.0

                [environment]
                build_timeout_sec = 600.0
                cpus = 2
                memory_mb = 2048
                storage_mb = 10240
                allow_internet = false
                """);
        Path root = dir.toRealPath();

        Task task = TaskLoader.load(dir);

        assertThat(task.id()).isEqualTo("hello-harbor");
        assertThat(task.format()).isEqualTo(Task.Format.HARBOR);
        assertThat(task.instruction()).isEqualTo("Write hello to /workspace/hello.txt.\n");
        assertThat(task.tags()).containsExactly("trivial", "bash", "programming", "easy");
        assertThat(task.verifier().timeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(task.verifier().env()).isEqualTo(Map.of("MODE", "strict"));
        assertThat(task.verifier().files()).containsExactly(new CopyIn(root.resolve("tests"), "/tests"));
        assertThat(task.verifier().script()).isEqualTo(new CopyIn(root.resolve("tests/test.sh"), "/tests/test.sh"));
        assertThat(task.verifier().rewardFiles()).containsExactly("/logs/verifier/reward.txt", "/logs/verifier/reward.json");
        assertThat(task.budget().wallTime()).isEqualTo(Duration.ofSeconds(300));
        assertThat(task.solution()).contains(root.resolve("solution/solve.sh"));
        assertThat(task.environment().image()).contains("debian:bookworm-slim");
        assertThat(task.environment().workdir()).isEqualTo("/workspace");
        assertThat(task.environment().env()).isEqualTo(Map.of("LC_ALL", "C.UTF-8"));
        assertThat(task.passport().resources().cpus()).isEqualTo(2.0);
        assertThat(task.passport().resources().memoryBytes()).isEqualTo(2048L * 1024 * 1024);
        assertThat(task.passport().resources().wallTime()).isGreaterThanOrEqualTo(Duration.ofSeconds(390));
        assertThat(task.warnings()).isEmpty();
    }

    @Test
    void withoutTimeoutsTheVerifierGets600sAsInHarborAndTheAgentALEsDefault() {
        Task task = TaskLoader.load(harbor("plain", "version = \"1.0\"\n"));

        assertThat(task.verifier().timeout()).isEqualTo(Duration.ofSeconds(600));
        assertThat(task.budget().wallTime()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void keysALEDoesNotUseAreWarningsNamingTheKey() {
        Path dir = harbor("extras", """
                version = "1.0"
                novel = 1
                [environment]
                allow_internet = true
                skills_dir = "/skills"
                [agent]
                timeout_sec = 60
                network_mode = "public"
                [verifier]
                env = { TOKEN = "${HOST_TOKEN}" }
                """);

        assertThat(TaskLoader.load(dir).warnings()).containsExactly(
                dir.resolve("task.toml") + ": novel: ignored; not a key ALE knows at the top level",
                dir.resolve("task.toml") + ": verifier.env.TOKEN: takes its value from the host; left out, since ALE never passes"
                        + " the host's environment into a sandbox",
                dir.resolve("task.toml") + ": agent.network_mode: ignored; the agent runs as the sandbox's one user, with the"
                        + " passport's agent egress",
                dir.resolve("task.toml") + ": environment.allow_internet: true is ignored; a sandbox reaches only what its"
                        + " passport's egress allows (by default nothing)",
                dir.resolve("task.toml") + ": environment.skills_dir: ignored; it has no counterpart in an ALE sandbox");
    }

    @Test
    void invalidTomlNamesTheLine() {
        Path dir = harbor("broken", "version = \"1.0\"\n[verifier\ntimeout_sec = 1\n");

        assertThat(errorLoading(dir)).startsWith(dir.resolve("task.toml") + ": line 2, column ").contains("not valid TOML");
    }

    @Test
    void aTimeoutOfTheWrongTypeNamesItsField() {
        Path dir = harbor("typed", "[verifier]\ntimeout_sec = \"soon\"\n");

        assertThat(errorLoading(dir)).isEqualTo(dir.resolve("task.toml")
                + ": verifier.timeout_sec: must be a number of seconds such as 180, not the string \"soon\"");
    }

    @Test
    void aMissingInstructionOrTestScriptIsNamed() throws IOException {
        Path dir = harbor("partial", "version = \"1.0\"\n");
        Files.delete(dir.resolve("tests/test.sh"));
        assertThat(errorLoading(dir)).isEqualTo(dir.resolve("tests/test.sh")
                + ": no such file; it is the script that scores the agent's work");
        Files.delete(dir.resolve("instruction.md"));
        assertThat(errorLoading(dir)).isEqualTo(dir.resolve("instruction.md")
                + ": no such file; a Harbor task's instruction is in instruction.md");
    }

    @Test
    void anEnvironmentThatBuildsOrWorksInAppRunsInTheImageBuiltFromItsOwnDirectory() throws IOException {
        Path dir = harbor("builds", "version = \"1.0\"\n");
        write(dir, "environment/Dockerfile", "FROM python:3.13-slim\nWORKDIR /app\n");
        Task task = TaskLoader.load(dir);
        assertThat(task.environment().workdir()).isEqualTo("/app");
        ImageRecipe recipe = task.environment().build().orElseThrow();
        assertThat(recipe.dockerfile()).contains(dir.toRealPath().resolve("environment/Dockerfile"));
        // the context is environment/: tests/ and solution/ lie outside it, so nothing there needs withholding
        assertThat(recipe.context()).isEqualTo(dir.toRealPath().resolve("environment"));
        assertThat(recipe.withheld()).isEmpty();

        write(dir, "environment/Dockerfile", "FROM python:3.13-slim\nRUN pip install pytest\n");
        assertThat(TaskLoader.load(dir).environment().build()).isPresent();
        assertThat(TaskLoader.load(dir).environment().workdir()).isEqualTo("/workspace");
    }

    @Test
    void aPrebuiltImageWorkingInAppRunsInThatImageAsItIs() {
        Path dir = harbor("prebuilt-app", "[environment]\ndocker_image = \"ghcr.io/x/y:1\"\n");
        write(dir, "environment/docker-compose.yaml", "services:\n  client:\n    image: ghcr.io/x/y:1\n    working_dir: /app\n");
        ImageRecipe recipe = TaskLoader.load(dir).environment().build().orElseThrow();
        assertThat(recipe.dockerfile()).isEmpty();
    }

    @Test
    void aPrebuiltDockerImageIsUsedInsteadOfTheDockerfile() {
        Path dir = harbor("prebuilt", "[environment]\ndocker_image = \"ghcr.io/x/y:1\"\n");
        write(dir, "environment/Dockerfile", "FROM python:3.13-slim\nRUN pip install pytest\n");

        assertThat(TaskLoader.load(dir).environment().image()).contains("ghcr.io/x/y:1");
    }
}
