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
 * {@code image:}); {@code env} are the variables the task's image sets (Dockerfile {@code ENV},
 * compose {@code environment}), given to every command of the episode. {@code build} is present
 * when the task runs only in its own image (its Dockerfile changes files, or it works where the
 * host root is read-only): the runner builds it and roots the task's sandboxes in it.
 */
public record TaskEnvironment(List<CopyIn> files, Optional<CopyIn> setupScript, Duration setupTimeout, String workdir,
                              Optional<String> image, Map<String, String> env, Optional<ImageRecipe> build) {

    public TaskEnvironment {
        files = List.copyOf(files);
        setupScript = setupScript == null ? Optional.empty() : setupScript;
        Objects.requireNonNull(setupTimeout, "setupTimeout");
        Objects.requireNonNull(workdir, "workdir");
        image = image == null ? Optional.empty() : image;
        env = Map.copyOf(env);
        build = build == null ? Optional.empty() : build;
    }

    /** An environment that needs no image of its own. */
    public TaskEnvironment(List<CopyIn> files, Optional<CopyIn> setupScript, Duration setupTimeout, String workdir,
                           Optional<String> image, Map<String, String> env) {
        this(files, setupScript, setupTimeout, workdir, image, env, Optional.empty());
    }

    /** An environment that names no image and sets no variables. */
    public TaskEnvironment(List<CopyIn> files, Optional<CopyIn> setupScript, Duration setupTimeout, String workdir) {
        this(files, setupScript, setupTimeout, workdir, Optional.empty(), Map.of(), Optional.empty());
    }
}
