package dev.ale.core.sandbox;

/**
 * Turns an image name from a passport ({@code filesystem.image}) into its unpacked layers. A
 * backend that can root sandboxes in images is given one; {@code ale-image}'s store is the one.
 */
@FunctionalInterface
public interface ImageResolver {

    /** The image's layers and config; throws an {@code AleException} naming the image when it is not available. */
    ImageRoot resolve(String image);
}
