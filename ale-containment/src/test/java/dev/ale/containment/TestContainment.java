package dev.ale.containment;

import dev.ale.core.host.OwnTree;
import dev.ale.gateway.HostResolver;
import dev.ale.sandbox.local.LocalSandboxBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The guarded local backend (gateway, monitor, kill switch, audit log around bubblewrap sandboxes) on a fresh data
 * directory for one test class, closed and removed after it whatever happened. Skipped where
 * sandboxes cannot run (not root).
 */
public final class TestContainment implements BeforeAllCallback, AfterAllCallback {

    private GuardedBackend containment;
    private Path dataDir;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "sandboxes need root");
        dataDir = Files.createTempDirectory(Path.of("/tmp"), "ale-rollout-test");
        LocalSandboxBackend.Config config = LocalSandboxBackend.Config.defaults().withDataDir(dataDir);
        containment = GuardedBackend.open(dataDir.resolve("audit.db"), HostResolver.system(),
                network -> new LocalSandboxBackend(config.withNetwork(network)));
    }

    public GuardedBackend containment() {
        return containment;
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (containment == null) return;
        try {
            containment.close();
        } finally {
            OwnTree.delete(dataDir);
        }
    }
}
