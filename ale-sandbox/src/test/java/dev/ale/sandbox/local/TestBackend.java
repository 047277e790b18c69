package dev.ale.sandbox.local;

import dev.ale.core.passport.ByteSize;
import dev.ale.core.passport.Passport;
import dev.ale.core.passport.Resources;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One real local backend for a test class, on a fresh data directory, and the sandboxes its
 * tests make: {@link #destroySandboxes()} after each test, {@link #close()} after the class.
 */
final class TestBackend implements AutoCloseable {

    /** Small limits, so a test that goes wrong costs little. */
    static final Resources SMALL = new Resources(1.0, ByteSize.parse("256MiB"), 128, Duration.ofMinutes(2), ByteSize.parse("64MiB"));

    private final LocalSandboxBackend backend;
    private final Path dataDir;
    private final boolean ownsDataDir;
    private final List<Sandbox> sandboxes = new ArrayList<>();

    private TestBackend(LocalSandboxBackend backend, Path dataDir, boolean ownsDataDir) {
        this.backend = backend;
        this.dataDir = dataDir;
        this.ownsDataDir = ownsDataDir;
    }

    /** A backend on a new data directory under /tmp, deleted on close; skips the class on a host that cannot run one. */
    static TestBackend start() {
        assumeTrue(HostCommands.isRoot(), "the local backend needs root");
        try {
            return open(Files.createTempDirectory(Path.of("/tmp"), "ale-test"), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A backend on a data directory the caller owns (and removes). */
    static TestBackend on(Path dataDir) {
        assumeTrue(HostCommands.isRoot(), "the local backend needs root");
        return open(dataDir, false);
    }

    private static TestBackend open(Path dataDir, boolean owned) {
        return new TestBackend(new LocalSandboxBackend(LocalSandboxBackend.Config.defaults().withDataDir(dataDir)), dataDir, owned);
    }

    LocalSandboxBackend backend() {
        return backend;
    }

    Path dataDir() {
        return dataDir;
    }

    Sandbox sandbox() {
        return sandbox(Passport.defaults().withResources(SMALL));
    }

    Sandbox sandbox(Resources resources) {
        return sandbox(Passport.defaults().withResources(resources));
    }

    Sandbox sandbox(Passport passport) {
        Sandbox s = backend.create(SandboxRequest.of(passport));
        synchronized (sandboxes) {
            sandboxes.add(s);
        }
        return s;
    }

    void destroySandboxes() {
        synchronized (sandboxes) {
            sandboxes.forEach(Sandbox::destroy);
            sandboxes.clear();
        }
    }

    @Override
    public void close() {
        try {
            destroySandboxes();
        } finally {
            backend.close();
            if (ownsDataDir) deleteTree(dataDir);
        }
    }

    /** {@code bash -c script} in the sandbox. */
    static ExecResult bash(Sandbox sandbox, String script) {
        return sandbox.exec(ExecRequest.of("/bin/bash", "-c", script));
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
