package dev.ale.sandbox.testing;

import dev.ale.core.host.OwnTree;
import dev.ale.core.passport.ByteSize;
import dev.ale.core.passport.Passport;
import dev.ale.core.passport.Resources;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxRequest;
import dev.ale.sandbox.local.LocalSandboxBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real local sandbox backend for one test class on a fresh data directory; the sandboxes a test
 * makes are destroyed after it, the backend and its directory after the class, failures or not.
 * The class is skipped on a host that cannot run sandboxes (not root).
 */
public final class RealSandboxes implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {

    /** Small limits, so a test that goes wrong costs little; two cores so a busy loop can use a whole one. */
    public static final Resources SMALL = new Resources(2.0, ByteSize.parse("256MiB"), 128, Duration.ofMinutes(3), ByteSize.parse("64MiB"));

    private LocalSandboxBackend backend;
    private Path dataDir;
    private final List<Sandbox> made = new ArrayList<>();

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "the local backend needs root");
        dataDir = Files.createTempDirectory(Path.of("/tmp"), "ale-sandbox-test");
        backend = new LocalSandboxBackend(LocalSandboxBackend.Config.defaults().withDataDir(dataDir));
    }

    public Sandbox sandbox(Passport passport) {
        Sandbox s = backend.create(SandboxRequest.of(passport.withResources(SMALL)));
        synchronized (made) {
            made.add(s);
        }
        return s;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        synchronized (made) {
            made.forEach(Sandbox::destroy);
            made.clear();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (backend == null) return;
        try {
            afterEach(context);
        } finally {
            backend.close();
            OwnTree.delete(dataDir); // never into a mount a failed teardown left below it
        }
    }

}
