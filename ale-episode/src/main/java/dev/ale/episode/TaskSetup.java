package dev.ale.episode;

import dev.ale.core.passport.Phase;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.task.CopyIn;
import dev.ale.core.task.Task;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * An episode's setup phase: the workdir made, the task's files copied in, its setup script run
 * (and removed). Shared by {@link EpisodeRunner} and environments stepped from outside, so a task
 * starts the same way under both.
 */
public final class TaskSetup {

    /** The writable directories every sandbox starts with (DESIGN: a writable /workspace and /tmp). */
    private static final Set<String> SANDBOX_DIRS = Set.of("/workspace", "/workspace/", "/tmp", "/tmp/");

    private TaskSetup() {
    }

    /** Copies the task's files in and runs its setup script; the failure message if either fails. */
    public static Optional<String> run(Sandbox sandbox, Task task) {
        sandbox.enterPhase(Phase.SETUP);
        String workdir = task.environment().workdir();
        if (!SANDBOX_DIRS.contains(workdir)) { // every sandbox has these: a guarded call less per episode
            ExecResult mkdir = sandbox.exec(ExecRequest.of("/bin/mkdir", "-p", "--", workdir).withTimeout(Duration.ofSeconds(30)));
            if (mkdir.exitCode() != 0) return Optional.of("setup: cannot make workdir " + workdir + ": " + mkdir.stderr().strip());
        }
        for (CopyIn file : task.environment().files()) sandbox.files().upload(file.source(), file.target());
        if (task.environment().setupScript().isEmpty()) return Optional.empty();
        CopyIn script = task.environment().setupScript().get();
        sandbox.files().upload(script.source(), script.target());
        ExecResult r = sandbox.exec(ExecRequest.of("/bin/bash", "--noprofile", "--norc", script.target())
                .withCwd(workdir).withEnv(task.environment().env()).withTimeout(task.environment().setupTimeout()));
        sandbox.exec(ExecRequest.of("/bin/rm", "-f", "--", script.target()).withTimeout(Duration.ofSeconds(30)));
        if (r.exitCode() != 0 || r.killed()) {
            String tail = r.stderr().strip();
            if (tail.length() > 2000) tail = tail.substring(tail.length() - 2000);
            return Optional.of("setup script " + task.directory().relativize(script.source()) + " of task " + task.id()
                    + " failed (exit " + r.exitCode() + r.reason().map(x -> ", " + x).orElse("") + "): " + tail);
        }
        return Optional.empty();
    }
}
