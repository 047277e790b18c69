package dev.ale.gateway;

import java.io.IOException;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The build runs every test JVM in a network namespace of its own with only {@code lo}
 * ({@code scripts/java-in-netns}), so a test that sends packets to a non-loopback address can
 * reach only what it built itself. The unit tier runs without that namespace, so this is a root test.
 */
@Tag("root")
class TestJvmNetworkTest {

    @Test
    void testJvmRunsInAFreshNamespaceWithOnlyLoopback() throws IOException {
        String own = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        // the wrapper that started this JVM stays in the namespace the build runs in
        long wrapper = ProcessHandle.current().parent().orElseThrow().pid();
        String build = Files.readSymbolicLink(Path.of("/proc/" + wrapper + "/ns/net")).toString();
        List<String> interfaces = NetworkInterface.networkInterfaces().map(NetworkInterface::getName).toList();

        assertThat(own).as("the test JVM's network namespace").isNotEqualTo(build);
        assertThat(interfaces).containsExactly("lo");
        // cgroups stay visible: the namespace was entered with nsenter --net, which leaves /sys alone
        assertThat(Path.of("/sys/fs/cgroup")).isDirectory();
        assertThat(Files.list(Path.of("/sys/fs/cgroup")).findAny()).isPresent();
    }
}
