package dev.ale.server;

import io.javalin.Javalin;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node's listeners under mutual TLS, on real loopback sockets: the API port speaks TLS to the
 * front's certificate only; the plain loopback port the gateway sends model calls to serves the
 * model proxy's paths and nothing else.
 */
class TlsConnectorsTest {

    @TempDir
    static Path certs;

    private Javalin app;

    @BeforeAll
    static void makeCertificates() {
        ClusterCerts.make(certs, 1);
    }

    @AfterEach
    void stop() {
        if (app != null) app.stop();
    }

    @Test
    void theApiIsServedOverTlsToTheFrontAloneAndTheLoopbackPortServesOnlyTheModelProxy() throws Exception {
        AtomicInteger proxyPort = new AtomicInteger(-1);
        ClusterTls node = ClusterTls.load(certs, ClusterTls.Role.NODE);
        app = Javalin.create(c -> {
            c.showJavalinBanner = false;
            c.startupWatcherEnabled = false;
            TlsConnectors.add(c, "127.0.0.1", 0, node);
        });
        TlsConnectors.guard(app, proxyPort);
        app.exception(ApiError.class, (e, ctx) -> ctx.status(e.status()).result(e.code()));
        app.get("/v1/models", ctx -> ctx.result("the models"));
        app.get("/v1/sandboxes", ctx -> ctx.result("the sandboxes"));
        app.start();
        proxyPort.set(TlsConnectors.modelProxyPort(app));
        assertThat(proxyPort.get()).isNotEqualTo(app.port());

        assertThat(plain(proxyPort.get(), "/v1/models")).startsWith("HTTP/1.1 200").endsWith("the models");
        assertThat(plain(proxyPort.get(), "/v1/sandboxes")).startsWith("HTTP/1.1 404").endsWith("not_found");

        SSLContext front = ClusterTls.load(certs, ClusterTls.Role.FRONT).context();
        assertThat(tls(app.port(), front, "/v1/sandboxes")).startsWith("HTTP/1.1 200").endsWith("the sandboxes");
        // the node's own certificate is for serverAuth: as a client's it is refused, as is plain HTTP on the TLS port
        assertThat(tls(app.port(), node.context(), "/v1/sandboxes")).startsWith("refused");
        String plainOnTls;
        try {
            plainOnTls = plain(app.port(), "/v1/sandboxes");
        } catch (IOException e) {
            plainOnTls = "refused: " + e;
        }
        assertThat(plainOnTls).doesNotContain("the sandboxes");
    }

    @Test
    void underTlsEachCallRunsOnAVirtualThreadAndBothConnectorsAcceptOnPlatformThreadsOfTheNodesPool() throws Exception {
        AtomicInteger proxyPort = new AtomicInteger(-1);
        ClusterTls node = ClusterTls.load(certs, ClusterTls.Role.NODE);
        app = Javalin.create(c -> {
            c.showJavalinBanner = false;
            c.startupWatcherEnabled = false;
            c.useVirtualThreads = true;
            c.jetty.threadPool = JettyThreads.pool("ale-tls-test");
            TlsConnectors.add(c, "127.0.0.1", 0, node);
        });
        TlsConnectors.guard(app, proxyPort);
        app.get("/v1/models", ctx -> ctx.result(Thread.currentThread().isVirtual() + " " + Thread.currentThread().getName()));
        app.start();
        proxyPort.set(TlsConnectors.modelProxyPort(app));

        SSLContext front = ClusterTls.load(certs, ClusterTls.Role.FRONT).context();
        assertThat(tls(app.port(), front, "/v1/models")).startsWith("HTTP/1.1 200").matches("(?s).* … true ale-tls-test-call-[0-9]+");
        assertThat(plain(proxyPort.get(), "/v1/models")).startsWith("HTTP/1.1 200").matches("(?s).* … true ale-tls-test-call-[0-9]+");
        // Thread.getAllStackTraces lists platform threads only: each connector's acceptor is one of the pool's
        List<String> acceptors = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith("ale-tls-test-") && n.contains("-acceptor-")).toList();
        assertThat(acceptors).anyMatch(n -> n.contains(":" + app.port() + "}")).anyMatch(n -> n.contains(":" + proxyPort.get() + "}"));
    }

    private static String plain(int port, String path) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            s.setSoTimeout(30_000);
            return exchange(s, path);
        }
    }

    private static String tls(int port, SSLContext keys, String path) throws IOException {
        try (Socket raw = new Socket()) {
            raw.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            raw.setSoTimeout(30_000);
            try (SSLSocket s = (SSLSocket) keys.getSocketFactory().createSocket(raw, ClusterTls.NODE_NAME, port, true)) {
                SSLParameters p = s.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                s.setSSLParameters(p);
                s.startHandshake();
                return exchange(s, path);
            } catch (SSLException | java.net.SocketException e) {
                return "refused: " + e;
            }
        }
    }

    /** One GET with Connection: close; the status line and the body. */
    private static String exchange(Socket s, String path) throws IOException {
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        String all = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        int end = all.indexOf("\r\n");
        return (end < 0 ? all : all.substring(0, end)) + " … " + all.substring(all.indexOf("\r\n\r\n") + 4);
    }
}
