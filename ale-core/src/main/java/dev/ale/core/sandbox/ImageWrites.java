package dev.ale.core.sandbox;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What a sandbox rooted in an image wrote over it: the host directory of its overlay's upper
 * layer (new and changed files; deletions as overlayfs whiteouts) and the host uid its processes
 * write as. An image build reads it to turn a RUN step into a layer.
 */
public record ImageWrites(Path upperDir, int hostUid) {

    public ImageWrites {
        Objects.requireNonNull(upperDir, "upperDir");
    }
}
