package dev.ale.core.sandbox;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What a sandbox rooted in an image wrote over it: the host directory of its overlay's upper
 * layer (new and changed files; deletions as overlayfs whiteouts) and the host ids its processes
 * write as: {@code idCount} ids from {@code hostUid} on, which are ids 0..idCount-1 inside. An
 * image build reads it to turn a RUN step into a layer.
 */
public record ImageWrites(Path upperDir, int hostUid, int idCount) {

    public ImageWrites {
        Objects.requireNonNull(upperDir, "upperDir");
        if (idCount < 1) throw new IllegalArgumentException("idCount " + idCount + " < 1");
    }

    /** The id inside for a host id of the sandbox's range; any other id as it is. */
    public int insideId(int hostId) {
        return hostId >= hostUid && (long) hostId < (long) hostUid + idCount ? hostId - hostUid : hostId;
    }
}
