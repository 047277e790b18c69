package dev.ale.core.sandbox;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An image made ready for a sandbox root: its unpacked layers (bottom first, shared and never
 * written), and what its config says a process starts with ({@code Env} as {@code K=V},
 * {@code WorkingDir}, {@code User}).
 */
public record ImageRoot(String image, String digest, List<Path> layers, List<String> env, Optional<String> workingDir,
                        Optional<String> user) {

    public ImageRoot {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(digest, "digest");
        layers = List.copyOf(layers);
        env = List.copyOf(env);
        workingDir = workingDir == null ? Optional.empty() : workingDir;
        user = user == null ? Optional.empty() : user;
    }
}
