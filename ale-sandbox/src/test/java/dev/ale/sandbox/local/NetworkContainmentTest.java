package dev.ale.sandbox.local;

import dev.ale.core.host.HostTools;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.Sandbox;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.ale.sandbox.local.TestBackend.bash;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A sandbox's network namespace has only its own loopback. Nothing here sends a packet from the
 * host anywhere but to the host's own loopback; 203.0.113.1 (TEST-NET-3) is only tried from
 * inside a sandbox, where there is no route to it.
 */
@Tag("root")
class NetworkContainmentTest {

    @RegisterExtension
    static final TestBackend tb = TestBackend.perClass();

    @Test
    void hostLoopbackServiceUnreachable() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(300);
            int port = server.getLocalPort();
            Sandbox s = tb.sandbox();

            ExecResult r = bash(s, "exec 3<>/dev/tcp/127.0.0.1/" + port + " && echo connected");

            assertThat(r.exitCode()).as(r.toString()).isNotZero();
            assertThat(r.stdout()).doesNotContain("connected");
            assertThat(r.stderr()).contains("Connection refused");
            // a connection made before exec returned would already wait in the backlog
            assertThatThrownBy(server::accept).isInstanceOf(SocketTimeoutException.class);
            // while the host itself still reaches its service
            try (Socket client = new Socket()) {
                client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
                server.setSoTimeout(5000);
                try (Socket accepted = server.accept()) {
                    assertThat(accepted.getPort()).isEqualTo(client.getLocalPort());
                }
            }
        }
    }

    @Test
    void noNetworkBeyondLoopback() throws IOException {
        Sandbox s = tb.sandbox();

        ExecResult links = s.exec(ExecRequest.of("ip", "-o", "link"));
        ExecResult routes = s.exec(ExecRequest.of("ip", "route", "show"));
        ExecResult outside = bash(s, "exec 3<>/dev/tcp/203.0.113.1/80");
        ExecResult loopback = s.exec(ExecRequest.of("/usr/bin/python3", "-c", """
                import socket
                server = socket.socket()
                server.bind(("127.0.0.1", 0))
                server.listen(1)
                client = socket.create_connection(server.getsockname(), timeout=10)
                peer, _ = server.accept()
                client.sendall(b"ping")
                print(peer.recv(4).decode())
                """).withTimeout(Duration.ofSeconds(30)));
        ExecResult netns = s.exec(ExecRequest.of("readlink", "/proc/self/ns/net"));

        assertThat(links.stdout().lines()).hasSize(1).allMatch(l -> l.startsWith("1: lo:"));
        assertThat(routes.stdout()).isBlank();
        assertThat(outside.exitCode()).isNotZero();
        assertThat(outside.stderr()).contains("Network is unreachable");
        assertThat(loopback.stdout().strip()).as(loopback.toString()).isEqualTo("ping");
        // the sandbox's namespace is not the host's, and the host's view of it shows the same lone lo
        String hostNetns = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        Object ownNetns = Files.getAttribute(HostView.netnsFile(s.id()), "unix:ino");
        assertThat(netns.stdout().strip()).isEqualTo("net:[" + ownNetns + "]").isNotEqualTo(hostNetns);
        HostTools.Result fromHost = HostCommands.tryRun(List.of("ip", "-n", "ale-" + s.id(), "-o", "link"));
        assertThat(fromHost.output().lines()).hasSize(1).allMatch(l -> l.startsWith("1: lo:"));
    }
}
