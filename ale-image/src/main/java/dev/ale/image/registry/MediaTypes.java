package dev.ale.image.registry;

import java.util.List;
import java.util.Optional;

/** The manifest and layer media types ALE understands, OCI's and Docker's. */
public final class MediaTypes {

    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";

    public static final String OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";
    public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
    public static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    /** The Accept header of a manifest request: every kind, so the registry never down-converts. */
    static final String ACCEPT = String.join(", ", List.of(OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST));

    private MediaTypes() {
    }

    public static boolean isIndex(String type) {
        return type.equals(OCI_INDEX) || type.equals(DOCKER_LIST);
    }

    /** How a layer blob is compressed; empty (refused) for zstd, foreign and unknown layers. */
    public static Optional<Compression> compression(String layerType) {
        return switch (layerType) {
            case OCI_LAYER_TAR, "application/vnd.docker.image.rootfs.diff.tar" -> Optional.of(Compression.NONE);
            case OCI_LAYER_GZIP, DOCKER_LAYER_GZIP -> Optional.of(Compression.GZIP);
            default -> Optional.empty();
        };
    }

    /** A layer's compression. */
    public enum Compression { NONE, GZIP }
}
