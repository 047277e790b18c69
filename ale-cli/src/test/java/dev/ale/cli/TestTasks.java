package dev.ale.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small tasks that tests of the CLI, the server and the cluster make environments of. */
final class TestTasks {

    private TestTasks() {
    }

    /** {@code greet} under {@code tasks}: write the word named in note.txt to out.txt. Returns {@code tasks}. */
    static Path greet(Path tasks) throws IOException {
        Path task = Files.createDirectories(tasks.resolve("greet"));
        Files.createDirectories(task.resolve("workspace"));
        Files.writeString(task.resolve("workspace/note.txt"), "the word is hello\n");
        Files.writeString(task.resolve("verify.sh"), "#!/bin/bash\ngrep -qx hello /workspace/out.txt\n");
        Files.writeString(task.resolve("task.yaml"), """
                id: greet
                instruction: |
                  Read /workspace/note.txt and write the word it names, alone on one line, to /workspace/out.txt.
                environment:
                  files:
                    - from: workspace/
                      to: /workspace/
                  workdir: /workspace
                verifier:
                  script: verify.sh
                  timeout: 30s
                budget:
                  steps: 10
                  wall: 5m
                """);
        return tasks;
    }
}
