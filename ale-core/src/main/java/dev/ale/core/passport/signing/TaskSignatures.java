package dev.ale.core.passport.signing;

import dev.ale.core.passport.PassportException;
import dev.ale.core.task.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A task's passport signature: {@code TASK_DIR/passport.sig}, over the passport the task runs
 * under (its passport file, an inline passport, or the default), made by
 * {@code ale passport sign --key KEY TASK_DIR}.
 */
public final class TaskSignatures {

    /** The file name of a task's signature inside its directory. */
    public static final String FILE = "passport.sig";

    private TaskSignatures() {
    }

    public static Path fileOf(Path taskDirectory) {
        return taskDirectory.resolve(FILE);
    }

    /** Checks every task's passport against {@code keys}; the first unsigned, altered or untrusted one is refused. */
    public static void check(List<Task> tasks, TrustedKeys keys) {
        for (Task t : tasks) check(t, keys);
    }

    /** Checks one task's passport against {@code keys}, naming the task and its directory when it is refused. */
    public static void check(Task task, TrustedKeys keys) {
        Path sig = fileOf(task.directory());
        String source = "task " + task.id() + " (" + task.directory() + ")";
        if (!Files.exists(sig)) {
            throw new PassportException(source + ": its passport is not signed: no " + sig + ", and signed passports are required;"
                    + " sign it with `ale passport sign --key KEY " + task.directory() + "`");
        }
        PassportSignature.read(sig).check(task.passport(), source, sig, keys);
    }
}
