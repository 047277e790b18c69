package dev.ale.image.build;

import dev.ale.image.StoredImage;

/** A finished build: the image, how many steps made a layer or ran, how many the cache answered, and how many sandboxes it made. */
public record BuildResult(StoredImage image, int steps, int cached, int sandboxes) {
}
