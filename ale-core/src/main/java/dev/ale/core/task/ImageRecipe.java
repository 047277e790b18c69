package dev.ale.core.task;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A task's image, made before its episodes run: built from its Dockerfile in the build context,
 * leaving out the context's paths (relative to it) that hold the task's answers; without a
 * Dockerfile, the task's named image is used as it is.
 */
public record ImageRecipe(Optional<Path> dockerfile, Path context, List<String> withheld) {

    public ImageRecipe {
        Objects.requireNonNull(dockerfile, "dockerfile");
        Objects.requireNonNull(context, "context");
        withheld = List.copyOf(withheld);
    }
}
