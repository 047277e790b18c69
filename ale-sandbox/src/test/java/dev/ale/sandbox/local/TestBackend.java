package dev.ale.sandbox.local;

import dev.ale.core.host.OwnTree;
import dev.ale.core.host.HostTools;
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
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One real local backend for a test class, on a fresh data directory, and the sandboxes its
 * tests make. Registered as {@code @RegisterExtension static final TestBackend tb = TestBackend.perClass()}
 * it opens before the class (skipping it on a host that cannot run one), destroys the test's
 * sandboxes after each test, and closes after the class, even when tests fail.
 */
final class TestBackend implements AutoCloseable, BeforeAllCallback, AfterEachCallback, AfterAllCallback {

    /** Small limits, so a test that goes wrong costs little. */
    static final Resources SMALL = new Resources(1.0, ByteSize.parse("256MiB"), 128, Duration.ofMinutes(2), ByteSize.parse("64MiB"));

    private LocalSandboxBackend backend;
    private Path dataDir;
    private boolean ownsDataDir;
    private final List<Sandbox> sandboxes = new ArrayList<>();
    /** The exec path it forces; empty: whatever $ALE_SANDBOX_EXEC says (the suite runs on either). */
    private final Optional<LocalSandboxBackend.ExecPath> execPath;

    private TestBackend() {
        this(Optional.empty());
    }

    private TestBackend(Optional<LocalSandboxBackend.ExecPath> execPath) {
        this.execPath = execPath;
    }

    /** Not open yet: JUnit opens it before the class and closes it after. */
    static TestBackend perClass() {
        return new TestBackend();
    }

    /** Like {@link #perClass()}, on one exec path whatever the environment says. */
    static TestBackend perClass(LocalSandboxBackend.ExecPath path) {
        return new TestBackend(Optional.of(path));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        TestBackend started = start(execPath);
        backend = started.backend;
        dataDir = started.dataDir;
        ownsDataDir = started.ownsDataDir;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (backend != null) destroySandboxes();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (backend != null) close();
    }

    /** A backend on a new data directory under /tmp, deleted on close; skips the class on a host that cannot run one. */
    static TestBackend start() {
        return start(Optional.empty());
    }

    private static TestBackend start(Optional<LocalSandboxBackend.ExecPath> path) {
        assumeTrue(HostTools.isRoot(), "the local backend needs root");
        try {
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "ale-test");
            LocalSandboxBackend.Config config = LocalSandboxBackend.Config.defaults().withDataDir(dir);
            return open(path.map(config::withExecPath).orElse(config), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A backend on a data directory the caller owns (and removes). */
    static TestBackend on(Path dataDir) {
        assumeTrue(HostTools.isRoot(), "the local backend needs root");
        return open(dataDir, false);
    }

    /** A backend of {@code config}, whose data directory the caller owns (and removes). */
    static TestBackend on(LocalSandboxBackend.Config config) {
        assumeTrue(HostTools.isRoot(), "the local backend needs root");
        return open(config, false);
    }

    private static TestBackend open(Path dataDir, boolean owned) {
        return open(LocalSandboxBackend.Config.defaults().withDataDir(dataDir), owned);
    }

    private static TestBackend open(LocalSandboxBackend.Config config, boolean owned) {
        TestBackend tb = new TestBackend();
        tb.backend = new LocalSandboxBackend(config);
        tb.dataDir = config.dataDir();
        tb.ownsDataDir = owned;
        return tb;
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

    /** Deletes a test's directory; refuses while anything is mounted below it (that would reach the host). */
    static void deleteTree(Path dir) {
        if (OwnTree.hasMountsUnder(dir)) throw new IllegalStateException("still mounted below " + dir + "; not deleting it");
        if (!OwnTree.delete(dir)) throw new IllegalStateException("could not delete all of " + dir);
    }
}
