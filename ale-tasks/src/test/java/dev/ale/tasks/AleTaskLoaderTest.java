package dev.ale.tasks;

import dev.ale.core.passport.Passport;
import dev.ale.core.passport.Phase;
import dev.ale.core.task.AgentBudget;
import dev.ale.core.task.CopyIn;
import dev.ale.core.task.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static dev.ale.tasks.TaskDirs.aleTask;
import static dev.ale.tasks.TaskDirs.minimal;
import static dev.ale.tasks.TaskDirs.write;
import static org.assertj.core.api.Assertions.assertThat;

/** ALE task directories the loader accepts, and exactly what they become. */
class AleTaskLoaderTest {

    @TempDir
    Path tmp;

    @Test
    void aTaskWithEveryFieldLoadsToExactlyTheValuesItStates() throws IOException {
        Path rootfs = Files.createDirectories(tmp.resolve("rootfs"));
        Path dir = aleTask(tmp, "fix-c-overflow", """
                id: fix-c-overflow
                instruction: |
                  The program in /workspace/calc overflows; fix it.
                tags: [c, debugging]
                environment:
                  rootfs: %s
                  files:
                    - from: project/
                      to: /workspace/
                    - from: data/input.txt
                      to: /tmp/input/
                    - from: data
                      to: /workspace/data-copy
                  setup: setup.sh
                  setup_timeout: 60s
                  workdir: /workspace/calc
                verifier:
                  script: verify.sh
                  files: [tests/, expected.txt]
                  timeout: 45s
                solution: solution.sh
                budget:
                  steps: 12
                  tokens: 50000
                  wall: 5m
                passport:
                  resources: {wallTime: 15m}
                """.formatted(rootfs));
        write(dir, "project/calc/main.c", "int main(void) { return 0; }\n");
        write(dir, "data/input.txt", "1 2\n");
        write(dir, "setup.sh", "make -C /workspace/calc\n");
        write(dir, "tests/test_calc.sh", "./calc 1 2\n");
        write(dir, "expected.txt", "3\n");
        write(dir, "solution.sh", "sed -i s/int/long/ /workspace/calc/main.c\n");
        Path root = dir.toRealPath();

        Task task = TaskLoader.load(dir);

        assertThat(task.id()).isEqualTo("fix-c-overflow");
        assertThat(task.format()).isEqualTo(Task.Format.ALE);
        assertThat(task.directory()).isEqualTo(root);
        assertThat(task.instruction()).isEqualTo("The program in /workspace/calc overflows; fix it.\n");
        assertThat(task.tags()).containsExactly("c", "debugging");
        assertThat(task.environment().files()).containsExactly(
                new CopyIn(root.resolve("project"), "/workspace", true),
                new CopyIn(root.resolve("data/input.txt"), "/tmp/input/input.txt", false),
                new CopyIn(root.resolve("data"), "/workspace/data-copy", false));
        assertThat(task.environment().setupScript()).contains(new CopyIn(root.resolve("setup.sh"), "/tmp/ale-setup/setup.sh"));
        assertThat(task.environment().setupTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(task.environment().workdir()).isEqualTo("/workspace/calc");
        assertThat(task.verifier().script()).isEqualTo(new CopyIn(root.resolve("verify.sh"), "/tmp/ale-verifier/verify.sh"));
        assertThat(task.verifier().files()).containsExactly(
                new CopyIn(root.resolve("tests"), "/tests"),
                new CopyIn(root.resolve("expected.txt"), "/tmp/ale-verifier/expected.txt"));
        assertThat(task.verifier().timeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(task.solution()).contains(root.resolve("solution.sh"));
        assertThat(task.budget()).isEqualTo(new AgentBudget(12, 50_000, Duration.ofMinutes(5)));
        assertThat(task.passport().id()).isEqualTo("task:fix-c-overflow");
        assertThat(task.passport().resources().wallTime()).isEqualTo(Duration.ofMinutes(15));
        assertThat(task.passport().filesystem().rootfs()).contains(rootfs);
    }

    @Test
    void theSetupScriptMayAlsoGoToTheVerifierToRebuildTheStartingState() {
        Path dir = aleTask(tmp, "t", """
                id: rebuilds
                instruction: Tidy /workspace.
                environment:
                  setup: setup.sh
                verifier:
                  script: verify.sh
                  files: [setup.sh]
                """);
        write(dir, "setup.sh", "touch /workspace/mess\n");

        Task task = TaskLoader.load(dir);

        assertThat(task.verifier().files()).extracting(c -> c.target()).containsExactly("/tmp/ale-verifier/setup.sh");
        assertThat(task.environment().setupScript()).isPresent();
    }

    @Test
    void aMinimalTaskTakesEveryDefault() {
        Path dir = aleTask(tmp, "t", minimal("smallest"));

        Task task = TaskLoader.load(dir);

        assertThat(task.tags()).isEmpty();
        assertThat(task.environment().files()).isEmpty();
        assertThat(task.environment().setupScript()).isEmpty();
        assertThat(task.environment().setupTimeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(task.environment().workdir()).isEqualTo("/workspace");
        assertThat(task.verifier().files()).isEmpty();
        assertThat(task.verifier().timeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(task.solution()).isEmpty();
        assertThat(task.budget()).isEqualTo(AgentBudget.DEFAULT);
        Passport defaults = Passport.defaults();
        assertThat(task.passport()).isEqualTo(new Passport("task:smallest", defaults.resources(), defaults.filesystem(),
                defaults.devices(), defaults.egress(), defaults.protectedPaths(), defaults.detectors()));
    }

    @Test
    void aBudgetNamingOnlySomeFieldsKeepsTheOtherDefaults() {
        Path dir = aleTask(tmp, "t", minimal("t") + "budget: {steps: 5}\n");

        assertThat(TaskLoader.load(dir).budget()).isEqualTo(new AgentBudget(5, 200_000, Duration.ofMinutes(10)));
    }

    @Test
    void anInlinePassportWithItsOwnIdKeepsIt() {
        Path dir = aleTask(tmp, "t", minimal("t") + """
                passport:
                  id: coder-1
                  egress:
                    agent:
                      - {domain: pypi.org, ports: [443]}
                  protected: [/workspace/answers.txt]
                """);

        Passport passport = TaskLoader.load(dir).passport();

        assertThat(passport.id()).isEqualTo("coder-1");
        assertThat(passport.egress().allows(Phase.AGENT, "pypi.org", 443)).isTrue();
        assertThat(passport.protectedPaths()).containsExactly("/workspace/answers.txt");
    }

    @Test
    void aPassportFileInTheTaskDirectoryIsLoaded() {
        Path dir = aleTask(tmp, "t", minimal("t") + "passport: passport.yaml\n");
        write(dir, "passport.yaml", """
                id: shared-coder
                resources: {memory: 256MiB}
                """);

        Passport passport = TaskLoader.load(dir).passport();

        assertThat(passport.id()).isEqualTo("shared-coder");
        assertThat(passport.resources().memoryBytes()).isEqualTo(256L << 20);
    }

    @Test
    void theTaskRootfsOverridesThePassportsRootfsAndKeepsItsOtherFilesystemRules() throws IOException {
        Path fromPassport = Files.createDirectories(tmp.resolve("passport-root"));
        Path fromTask = Files.createDirectories(tmp.resolve("task-root"));
        Path dir = aleTask(tmp, "t", minimal("t") + """
                environment: {rootfs: %s}
                passport:
                  filesystem: {rootfs: %s, hidden: [/srv/answers]}
                """.formatted(fromTask, fromPassport));

        Passport passport = TaskLoader.load(dir).passport();

        assertThat(passport.filesystem().rootfs()).contains(fromTask);
        assertThat(passport.filesystem().hidden()).containsExactly("/srv/answers");
    }

    @Test
    void aFileCopiedToAPathWithoutATrailingSlashBecomesThatPath() {
        Path dir = aleTask(tmp, "t", minimal("t") + """
                environment:
                  files: [{from: notes.txt, to: /workspace/README}]
                """);
        write(dir, "notes.txt", "read me\n");

        assertThat(TaskLoader.load(dir).environment().files()).singleElement()
                .isEqualTo(new CopyIn(TaskLoader.load(dir).directory().resolve("notes.txt"), "/workspace/README", false));
    }

    @Test
    void aSymbolicLinkInsideTheTaskDirectoryIsFollowedToItsRealPath() throws IOException {
        Path dir = aleTask(tmp, "t", minimal("t") + "solution: answer.sh\n");
        write(dir, "scripts/real-answer.sh", "touch /workspace/done\n");
        Files.createSymbolicLink(dir.resolve("answer.sh"), Path.of("scripts/real-answer.sh"));

        assertThat(TaskLoader.load(dir).solution()).isEqualTo(Optional.of(dir.toRealPath().resolve("scripts/real-answer.sh")));
    }

    @Test
    void tagsAndFilesKeepTheOrderTheyAreWrittenIn() {
        Path dir = aleTask(tmp, "t", minimal("t").replace("  script: verify.sh\n", """
                  script: verify.sh
                  files: [z.txt, a.txt]
                """) + "tags: [zeta, alpha]\n");
        write(dir, "z.txt", "z");
        write(dir, "a.txt", "a");

        Task task = TaskLoader.load(dir);

        assertThat(task.tags()).isEqualTo(List.of("zeta", "alpha"));
        assertThat(task.verifier().files()).extracting(CopyIn::target)
                .containsExactly("/tmp/ale-verifier/z.txt", "/tmp/ale-verifier/a.txt");
    }
}
