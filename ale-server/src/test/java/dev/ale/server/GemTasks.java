package dev.ale.server;

import dev.ale.core.host.OwnTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Two tiny tasks for GEM environment tests: {@code greet} (write "hello" to out.txt; the setup
 * leaves a note to read) and {@code greet-short}, the same with a two-step budget.
 */
final class GemTasks {

    private GemTasks() {
    }

    static Path write(Path dir) throws IOException {
        task(dir.resolve("greet"), "greet", 10);
        task(dir.resolve("greet-short"), "greet-short", 2);
        boxed(dir.resolve("boxed"));
        return dir;
    }

    private static void task(Path dir, String id, int steps) throws IOException {
        Files.createDirectories(dir.resolve("workspace"));
        Files.writeString(dir.resolve("workspace/note.txt"), "the word is hello\n");
        Files.writeString(dir.resolve("setup.sh"), "echo set-up > /workspace/.setup-ran\n");
        Files.writeString(dir.resolve("verify.sh"), "#!/bin/bash\ngrep -qx hello /workspace/out.txt\n");
        Files.writeString(dir.resolve("task.yaml"), """
                id: %s
                instruction: |
                  Read /workspace/note.txt and write the word it names, alone on one line, to /workspace/out.txt.
                environment:
                  files:
                    - from: workspace/
                      to: /workspace/
                  setup: setup.sh
                  workdir: /workspace
                verifier:
                  script: verify.sh
                  timeout: 30s
                budget:
                  steps: %d
                  wall: 2m
                """.formatted(id, steps));
    }

    /**
     * {@code boxed}: a text task. Its parser takes the answer in {@code \\boxed{...}} (the answer is
     * "up"), records it and finishes; text without one is malformed and, by its gem.yaml, spends no step.
     */
    private static void boxed(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("task.yaml"), """
                id: boxed
                instruction: |
                  Which way is the sky? Answer in \\boxed{}.
                verifier:
                  script: verify.sh
                  timeout: 30s
                budget:
                  steps: 3
                  wall: 2m
                """);
        Files.writeString(dir.resolve("verify.sh"), "#!/bin/sh\ngrep -qx up /workspace/answer.txt\n");
        Files.writeString(dir.resolve("gem.yaml"), "action: text\nparser: parse.sh\nmalformed_uses_step: false\n");
        Files.writeString(dir.resolve("parse.sh"), """
                #!/bin/sh
                answer=$(sed -n 's/.*\\\\boxed{\\([^}]*\\)}.*/\\1/p' | head -n 1)
                if [ -z "$answer" ]; then
                  printf '%s\\n' '{"observation": "no \\\\boxed{} answer in the text", "malformed": true}'
                else
                  printf '%s\\n' "$answer" > /workspace/answer.txt
                  printf '%s\\n' '{"observation": "answer recorded", "finish": true}'
                fi
                """);
    }

    static void delete(Path dir) throws IOException {
        if (dir != null) OwnTree.delete(dir);
    }
}
