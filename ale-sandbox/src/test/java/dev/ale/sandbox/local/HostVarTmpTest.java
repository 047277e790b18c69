package dev.ale.sandbox.local;

import dev.ale.core.passport.Passport;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.Sandbox;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.ale.sandbox.local.TestBackend.bash;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The host's /var/tmp is world-writable and shared by every host user: a unix socket left there reached a host
 * service from inside (a read-only bind does not stop connect; found by a red-team probe), and its files were
 * readable. On the host root a sandbox's /var/tmp is its own /tmp.
 */
@Tag("root")
class HostVarTmpTest {

    @RegisterExtension
    static final TestBackend tb = TestBackend.perClass();

    @Test
    void aSocketAndAFileInTheHostsVarTmpAreNotInsideAndVarTmpIsTheSandboxsOwn() throws IOException {
        String name = "ale-test-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        Path socket = Path.of("/var/tmp", name + ".sock");
        Path file = Path.of("/var/tmp", name + ".txt");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rwxrwxrwx"));
            Files.writeString(file, "host scratch\n");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
            Sandbox s = tb.sandbox(Passport.defaults().withResources(TestBackend.SMALL));

            ExecResult r = bash(s, "ls -a /var/tmp; cat /var/tmp/" + name + ".txt; "
                    + "python3 -c 'import socket; s=socket.socket(socket.AF_UNIX); s.connect(\"/var/tmp/" + name + ".sock\")' 2>&1; "
                    + "echo mine > /var/tmp/own && cat /tmp/own");

            assertThat(r.stdout()).doesNotContain(name).doesNotContain("host scratch").contains("FileNotFoundError").contains("mine");
            assertThat(Files.exists(Path.of("/var/tmp/own"))).as("a sandbox's /var/tmp write stays in the sandbox").isFalse();
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(file);
        }
    }

    @Test
    void onlyARootThatBringsTheHostsVarTmpGetsItReplaced() {
        assertThat(BwrapCommand.hostVarTmp(List.of("--ro-bind", "/var/tmp", "/var/tmp"))).isTrue();
        assertThat(BwrapCommand.hostVarTmp(List.of("--ro-bind", "/var", "/var"))).isEqualTo(Files.isDirectory(Path.of("/var/tmp")));
        // an image's root is bound whole; its /var/tmp is its own overlay's
        assertThat(BwrapCommand.hostVarTmp(List.of("--bind", "/data/views/v1", "/"))).isFalse();
        assertThat(BwrapCommand.hostVarTmp(List.of("--ro-bind", "/var/tmpfiles", "/var/tmpfiles"))).isFalse();
    }
}
