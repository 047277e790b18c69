package dev.ale.cluster;

import dev.ale.server.ClusterCerts;
import dev.ale.server.ClusterTls;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The front's connections to its nodes under mutual TLS, against a TLS server on a real loopback
 * socket: the cluster's node is called over one pooled connection; a node whose certificate comes
 * from another CA, names another host, or is a client's certificate, is refused in the handshake.
 */
class NodeHttpTlsTest {

    @TempDir
    static Path certs;

    private static Path cluster;
    private static Path otherCa;
    private static Path wrongName;

    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void makeCertificates() throws IOException {
        cluster = certs.resolve("cluster");
        ClusterCerts.make(cluster, 1);
        otherCa = certs.resolve("other");
        ClusterCerts.make(otherCa, 1);
        // the same CA, a node certificate for another name
        wrongName = Files.createDirectories(certs.resolve("wrong-name"));
        for (String f : List.of("ca.p12", "ca.crt", "password")) Files.copy(cluster.resolve(f), wrongName.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        ClusterCerts.issue(wrongName, ClusterTls.Role.NODE, "not-ale-node.example");
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) c.close();
    }

    /** A TLS server wanting a client certificate, answering every request with {@code {}}; counts connections that completed a handshake. */
    private URI node(SSLContext serverKeys, AtomicInteger handshakes) throws IOException {
        return node(serverKeys, handshakes, Duration.ZERO);
    }

    /** As above, each handshake started only {@code delay} after the connection was taken (a node busy elsewhere). */
    private URI node(SSLContext serverKeys, AtomicInteger handshakes, Duration delay) throws IOException {
        SSLServerSocket server = (SSLServerSocket) serverKeys.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        server.setNeedClientAuth(true);
        open.add(server);
        Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    Socket s = server.accept();
                    Thread.ofVirtual().start(() -> {
                        try {
                            Thread.sleep(delay);
                        } catch (InterruptedException e) {
                            return;
                        }
                        serve(s, handshakes);
                    });
                }
            } catch (IOException closed) {
                // the test is over
            }
        });
        return URI.create("https://127.0.0.1:" + server.getLocalPort());
    }

    private static void serve(Socket s, AtomicInteger handshakes) {
        try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1))) {
            ((javax.net.ssl.SSLSocket) s).startHandshake();
            handshakes.incrementAndGet();
            OutputStream out = s.getOutputStream();
            for (String line; (line = in.readLine()) != null; ) {
                if (!line.isEmpty()) continue;
                out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        } catch (IOException e) {
            // a refused handshake, or the client went away
        }
    }

    private NodeHttp front() {
        return front(Duration.ofSeconds(10), Duration.ofSeconds(10));
    }

    private NodeHttp front(Duration connect, Duration handshake) {
        NodeHttp http = new NodeHttp(connect, handshake, Optional.of(ClusterTls.load(cluster, ClusterTls.Role.FRONT).context().getSocketFactory()));
        open.add(http);
        return http;
    }

    private static String call(NodeHttp http, URI node) throws IOException {
        NodeHttp.Connection c = http.connect(node);
        NodeHttp.Reply r = http.exchange(c, "GET", "/v1/node", Map.of(), new byte[0]);
        try (InputStream body = r.body()) {
            return r.status() + " " + new String(body.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aHandshakeSlowerThanTheConnectTimeoutButWithinItsOwnBoundConnects() throws Exception {
        AtomicInteger handshakes = new AtomicInteger();
        URI node = node(ClusterTls.load(cluster, ClusterTls.Role.NODE).context(), handshakes, Duration.ofSeconds(2));
        NodeHttp http = front(Duration.ofMillis(500), Duration.ofSeconds(30));

        assertThat(call(http, node)).isEqualTo("200 {}");
    }

    @Test
    void aNodeThatTakesTheConnectionButNeverHandshakesFailsAtTheHandshakeBound() throws Exception {
        AtomicInteger handshakes = new AtomicInteger();
        URI node = node(ClusterTls.load(cluster, ClusterTls.Role.NODE).context(), handshakes, Duration.ofSeconds(30));
        NodeHttp http = front(Duration.ofSeconds(10), Duration.ofSeconds(1));

        assertThatThrownBy(() -> http.connect(node)).isInstanceOf(SocketTimeoutException.class);
        assertThat(handshakes.get()).isZero();
    }

    @Test
    void theClustersNodeIsCalledOverTlsOnOnePooledConnection() throws Exception {
        AtomicInteger handshakes = new AtomicInteger();
        URI node = node(ClusterTls.load(cluster, ClusterTls.Role.NODE).context(), handshakes);
        NodeHttp http = front();
        assertThat(call(http, node)).isEqualTo("200 {}");
        assertThat(call(http, node)).isEqualTo("200 {}");
        assertThat(call(http, node)).isEqualTo("200 {}");
        assertThat(handshakes.get()).as("one handshake, the connection kept alive and reused").isEqualTo(1);
    }

    @Test
    void aTlsConnectionIdleLongEnoughToBeCheckedForACloseIsStillReused() throws Exception {
        AtomicInteger handshakes = new AtomicInteger();
        URI node = node(ClusterTls.load(cluster, ClusterTls.Role.NODE).context(), handshakes);
        NodeHttp http = front();
        assertThat(call(http, node)).isEqualTo("200 {}");
        Thread.sleep(2_500); // past the age at which a pooled connection is probed with a 1 ms read before reuse
        assertThat(call(http, node)).isEqualTo("200 {}");
        assertThat(handshakes.get()).as("the probe's timed-out read left the TLS connection usable").isEqualTo(1);
    }

    @Test
    void aNodeWhoseCertificateAnotherCaSignedIsRefused() throws Exception {
        AtomicInteger handshakes = new AtomicInteger();
        URI node = node(ClusterTls.load(otherCa, ClusterTls.Role.NODE).context(), handshakes);
        assertThatThrownBy(() -> front().connect(node)).isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("PKIX path");
        assertThat(handshakes.get()).isZero();
    }

    @Test
    void aNodeWhoseCertificateNamesAnotherHostIsRefused() throws Exception {
        AtomicInteger handshakes = new AtomicInteger();
        URI node = node(ClusterTls.load(wrongName, ClusterTls.Role.NODE).context(), handshakes);
        assertThatThrownBy(() -> front().connect(node)).isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining(ClusterTls.NODE_NAME);
        assertThat(handshakes.get()).isZero();
    }

    @Test
    void aServerShowingTheFrontsOwnClientCertificateIsNotTakenForANode() throws Exception {
        AtomicInteger handshakes = new AtomicInteger();
        URI node = node(ClusterTls.load(cluster, ClusterTls.Role.FRONT).context(), handshakes);
        assertThatThrownBy(() -> front().connect(node)).isInstanceOf(SSLHandshakeException.class);
        assertThat(handshakes.get()).isZero();
    }
}
