package dev.ale.tasks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Task directories written at test time, and the message loading one fails with. */
final class TaskDirs {

    static final String VERIFY = "#!/bin/bash\ntest -f /workspace/done\n";

    private TaskDirs() {
    }

    /** Writes {@code text} at {@code relative} under {@code dir}, making parent directories. */
    static Path write(Path dir, String relative, String text) {
        try {
            Path file = dir.resolve(relative);
            Files.createDirectories(file.getParent());
            return Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A task directory {@code name} under {@code parent} with task.yaml {@code yaml} and a verify.sh. */
    static Path aleTask(Path parent, String name, String yaml) {
        Path dir = parent.resolve(name);
        write(dir, "task.yaml", yaml);
        write(dir, "verify.sh", VERIFY);
        return dir;
    }

    /** The smallest valid task.yaml, for tests that add one mistake to it. */
    static String minimal(String id) {
        return """
                id: %s
                instruction: Create /workspace/done.
                verifier:
                  script: verify.sh
                """.formatted(id);
    }

    /** The message of the TaskException that loading {@code dir} throws. */
    static String errorLoading(Path dir) {
        TaskException e = catchThrowableOfType(TaskException.class, () -> TaskLoader.load(dir));
        assertThat(e).as("a TaskException loading %s", dir).isNotNull();
        return e.getMessage();
    }
}
