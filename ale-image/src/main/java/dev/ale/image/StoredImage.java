package dev.ale.image;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** An image in the store, as listings show it: id, names, size on disk, layer count, and whether a sandbox uses it. */
public record StoredImage(String id, List<String> names, long bytes, int layers, Instant created, String source,
                          List<String> env, Optional<String> workingDir, Optional<String> user, boolean inUse) {

    public StoredImage {
        names = List.copyOf(names);
        env = List.copyOf(env);
    }

    /** The first 12 hex digits of the id. */
    public String shortId() {
        return id.substring("sha256:".length(), "sha256:".length() + 12);
    }
}
