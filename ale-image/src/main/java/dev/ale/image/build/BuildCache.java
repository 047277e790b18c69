package dev.ale.image.build;

import dev.ale.core.AleException.Fault;
import dev.ale.image.registry.Digest;
import dev.ale.image.store.Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * Build steps by content: a key (the parent layers, the config a step runs under, the
 * instruction after substitution, the digest of the files it copies) to the layer it made, or to
 * "no change". A hit whose layer a prune removed is a miss.
 */
final class BuildCache {

    /** What a step produced: a layer, or nothing (a RUN that changed no file). */
    record Outcome(Optional<Digest> layer) {
    }

    private final Store store;
    private final Path dir;

    BuildCache(Store store) {
        this.store = store;
        this.dir = store.root().resolve("build-cache");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new DockerfileException(Fault.ENVIRONMENT, "cannot prepare the build cache " + dir + ": " + e.getMessage(), e);
        }
    }

    Optional<Outcome> get(Digest key) {
        Path f = dir.resolve(key.hex());
        try {
            if (!Files.isRegularFile(f)) return Optional.empty();
            String v = Files.readString(f, StandardCharsets.UTF_8).strip();
            if (v.equals("none")) return Optional.of(new Outcome(Optional.empty()));
            Digest layer = Digest.parse(v);
            return store.hasLayer(layer) ? Optional.of(new Outcome(Optional.of(layer))) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // a damaged entry is a miss; the step runs again and rewrites it
        }
    }

    void put(Digest key, Outcome outcome) {
        Path tmp = store.newTemp("cache");
        try {
            Files.writeString(tmp.resolve("e"), outcome.layer().map(Digest::toString).orElse("none"), StandardCharsets.UTF_8);
            Files.move(tmp.resolve("e"), dir.resolve(key.hex()), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new DockerfileException(Fault.ENVIRONMENT, "cannot write the build cache: " + e.getMessage(), e);
        } finally {
            Store.deleteTree(tmp);
        }
    }
}
