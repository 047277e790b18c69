package dev.ale.image.registry;

import java.util.Optional;

/** What a manifest or index points at: a media type, a digest, a size and (in an index) a platform. */
public record Descriptor(String mediaType, Digest digest, long size, Optional<Platform> platform) {

    public Descriptor {
        platform = platform == null ? Optional.empty() : platform;
    }
}
