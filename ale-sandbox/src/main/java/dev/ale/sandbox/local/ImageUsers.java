package dev.ale.sandbox.local;

import dev.ale.core.sandbox.ImageRoot;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The users images run as, as resolved from their accounts, kept for later starts of the same image.
 * The key is everything the answer depends on: the image's config digest (which names its layers'
 * digests and its {@code User}), its unpacked layers (directories named by their digests, never written
 * once unpacked) and the {@code User} string. A changed image is another key, so an entry never goes
 * stale; it is only dropped when the map is full, the least recently used first. Failures are not kept:
 * an image a sandbox cannot run as says why every time.
 */
final class ImageUsers {

    /** Far more images than one host runs at once; each entry is a few hundred bytes. */
    private static final int MAX = 512;

    record Key(String digest, List<Path> layers, Optional<String> user) {
        static Key of(ImageRoot image) {
            return new Key(image.digest(), image.layers(), image.user());
        }
    }

    private final Map<Key, ImageUser> users = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, ImageUser> eldest) {
            return size() > MAX;
        }
    };

    synchronized Optional<ImageUser> get(Key key) {
        return Optional.ofNullable(users.get(key));
    }

    synchronized void put(Key key, ImageUser user) {
        users.put(key, user);
    }
}
