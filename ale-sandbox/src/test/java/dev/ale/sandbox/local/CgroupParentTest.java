package dev.ale.sandbox.local;

import dev.ale.core.AleException.Fault;
import dev.ale.core.passport.Passport;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code ale serve --cgroup-parent}: a node's sandboxes in a cgroup subtree of its own, remembered by its data directory. */
@Tag("root")
class CgroupParentTest {

    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

    @Test
    void sandboxesGoUnderTheParentTheDataDirectoryRemembersItAndRefusesAnotherWhileItHoldsSandboxes() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("/tmp"), "ale-test-cgparent");
        String top = "ale-test-" + ProcessHandle.current().pid();
        String parent = top + "/node-a";
        LocalSandboxBackend.Config config = LocalSandboxBackend.Config.defaults().withDataDir(dataDir);
        try {
            try (TestBackend tb = TestBackend.on(config.withCgroupParent(parent))) {
                Sandbox s = tb.sandbox(Passport.defaults().withResources(TestBackend.SMALL));
                assertThat(cgroups(parent + "/" + s.id())).as("in its own subtree").isNotEmpty();
                assertThat(cgroups("ale/" + s.id())).as("not in the shared ale/").isEmpty();
                // a data directory holding sandboxes under one parent refuses another: their cgroups would be lost to gc
                assertThatThrownBy(() -> new LocalSandboxBackend(config.withCgroupParent(top + "/node-b")))
                        .isInstanceOfSatisfying(SandboxException.class, e -> assertThat(e.fault()).isEqualTo(Fault.INPUT))
                        .hasMessageContaining("holds sandboxes under the cgroup parent " + parent);
            }
            // opened again without a parent (as ale sandbox gc is): the one it recorded
            try (TestBackend tb = TestBackend.on(config)) {
                Sandbox s = tb.sandbox(Passport.defaults().withResources(TestBackend.SMALL));
                assertThat(cgroups(parent + "/" + s.id())).isNotEmpty();
            }
        } finally {
            for (Path root : roots()) {
                Files.deleteIfExists(root.resolve(parent));
                Files.deleteIfExists(root.resolve(top));
            }
            TestBackend.deleteTree(dataDir);
        }
        assertThat(cgroups(top)).as("nothing left behind").isEmpty();
    }

    /** The v2 root and every v1 hierarchy: this host may have either. */
    private static List<Path> roots() throws IOException {
        List<Path> roots = new ArrayList<>(List.of(CGROUP_ROOT));
        try (Stream<Path> mounts = Files.list(CGROUP_ROOT)) {
            mounts.filter(Files::isDirectory).forEach(roots::add);
        }
        return roots;
    }

    private static List<Path> cgroups(String relative) throws IOException {
        List<Path> found = new ArrayList<>();
        for (Path root : roots()) if (Files.isDirectory(root.resolve(relative))) found.add(root.resolve(relative));
        return found;
    }
}
