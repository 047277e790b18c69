package dev.ale.core.task;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the sandbox holds before the agent starts: files copied in, then a setup script run in
 * the {@code setup} phase (its own egress allowlist) with {@code workdir} as working directory.
 * The base root is the passport's {@code filesystem.rootfs} (empty: the host root). {@code image}
 * is the container image the task names (a Dockerfile's {@code FROM}, a compose or task
 * {@code image:}), kept for a backend that can make a root from it; {@code env} are the variables
 * the task's image sets (Dockerfile {@code ENV}, compose {@code environment}), given to every
 * command of the episode.
 */
public record TaskEnvironment(List<CopyIn> files, Optional<CopyIn> setupScript, Duration setupTimeout, String workdir,
                              Optional<String> image, Map<String, String> env) {

    public TaskEnvironment {
        files = List.copyOf(files);
        setupScript = setupScript == null ? Optional.empty() : setupScript;
        Objects.requireNonNull(setupTimeout, "setupTimeout");
        Objects.requireNonNull(workdir, "workdir");
        image = image == null ? Optional.empty() : image;
        env = Map.copyOf(env);
    }

    /** An environment that names no image and sets no variables. */
    public TaskEnvironment(List<CopyIn> files, Optional<CopyIn> setupScript, Duration setupTimeout, String workdir) {
        this(files, setupScript, setupTimeout, workdir, Optional.empty(), Map.of());
    }
}
