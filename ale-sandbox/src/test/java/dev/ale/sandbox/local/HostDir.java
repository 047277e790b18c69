package dev.ale.sandbox.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A host directory {@code /opt/ale-test-<random>} (mode 755, owned by root) for files a test
 * shows to sandboxes: /opt is bound into every sandbox, unlike /tmp. Removed on close.
 */
record HostDir(Path path) implements AutoCloseable {

    static HostDir create() {
        Path dir = Path.of("/opt", "ale-test-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
        try {
            Files.createDirectory(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new HostDir(dir);
    }

    Path resolve(String name) {
        return path.resolve(name);
    }

    @Override
    public void close() {
        TestBackend.deleteTree(path);
    }
}
