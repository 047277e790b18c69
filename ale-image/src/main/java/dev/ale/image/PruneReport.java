package dev.ale.image;

import java.util.List;

/** What a prune removed: images (by name or id), layers and blobs, and the bytes freed. */
public record PruneReport(List<String> images, int layers, int blobs, long bytesFreed) {

    public PruneReport {
        images = List.copyOf(images);
    }
}
