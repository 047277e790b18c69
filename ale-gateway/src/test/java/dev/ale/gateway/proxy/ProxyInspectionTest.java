package dev.ale.gateway.proxy;

import static dev.ale.gateway.proxy.HttpProxyTest.concat;
import static dev.ale.gateway.proxy.HttpProxyTest.hello;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.ale.core.net.NetworkRecord;
import dev.ale.core.net.ProxyRecord;
import dev.ale.core.passport.EgressRule;
import dev.ale.core.passport.EgressRules;
import dev.ale.core.passport.Phase;
import dev.ale.gateway.HostResolver;
import dev.ale.gateway.SandboxClients;
import dev.ale.gateway.SandboxClients.Client;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What passes an allowlisted CONNECT or a plain request, judged on the client's first bytes: real
 * TLS, a websocket where the passport allows one and plain HTTP pass; SSH, miners, shells, DNS,
 * hellos for other names, websockets without leave and miners in request bodies are refused
 * before a byte reaches the upstream, and recorded with what they carried. Every server is a
 * real one on 127.0.0.1, reached by names pinned to it.
 */
class ProxyInspectionTest {

    private static final InetAddress LOOPBACK = LoopbackServers.LOOPBACK;
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String XMRIG_LOGIN = "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":{\"login\":\"44AFFq5kSiGBoZ4NMDwYtN18\","
            + "\"pass\":\"x\",\"agent\":\"XMRig/6.21.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0\"}}\n";

    private static LoopbackServers.Tls tls;

    private final List<NetworkRecord> records = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger webBodies = new AtomicInteger();
    private LoopbackServers.Server echo;
    private LoopbackServers.Server tlsEcho;
    private LoopbackServers.Server wsEcho;
    private HttpServer web;
    private HttpProxy proxy;

    @BeforeAll
    static void makeACertificate(@TempDir Path dir) throws Exception {
        tls = LoopbackServers.Tls.selfSigned("tls.test", dir);
    }

    @BeforeEach
    void startServers() throws IOException {
        echo = new LoopbackServers.Server(new ServerSocket(0, 50, LOOPBACK), (s, server) -> {
            byte[] buffer = new byte[8192];
            for (int n; (n = s.getInputStream().read(buffer)) > 0; ) {
                server.received.addAndGet(n);
                s.getOutputStream().write(buffer, 0, n);
            }
        });
        tlsEcho = LoopbackServers.tlsEcho(tls);
        wsEcho = LoopbackServers.webSocketEcho();
        web = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 0);
        web.createContext("/echo", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            webBodies.incrementAndGet();
            exchange.sendResponseHeaders(201, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        web.start();
        startProxy(Duration.ofSeconds(3));
    }

    private void startProxy(Duration firstBytes) {
        if (proxy != null) proxy.close();
        EgressRules egress = new EgressRules(Map.of(Phase.AGENT, List.of(
                new EgressRule("echo.test", List.of(echo.port())),
                new EgressRule("tls.test", List.of(tlsEcho.port())),
                new EgressRule("web.test", List.of(web.getAddress().getPort())),
                new EgressRule("ws.test", List.of(wsEcho.port()), true),
                new EgressRule("nows.test", List.of(wsEcho.port())))));
        SandboxClients clients = source -> source.equals(LOOPBACK) ? Optional.of(new Client("sb-9", egress, Phase.AGENT)) : Optional.empty();
        HostResolver pinned = HostResolver.pinned(Map.of("echo.test", List.of(LOOPBACK), "tls.test", List.of(LOOPBACK),
                "web.test", List.of(LOOPBACK), "ws.test", List.of(LOOPBACK), "nows.test", List.of(LOOPBACK)));
        HttpProxy.Limits limits = new HttpProxy.Limits(64, 64, 16 * 1024, Duration.ofSeconds(10), Duration.ofSeconds(5),
                Duration.ofMinutes(1), firstBytes);
        Dialer loopbackOnly = (to, timeout) -> {
            if (!to.getAddress().isLoopbackAddress()) throw new java.net.ConnectException("test guard: " + to);
            return Dialer.PLAIN.dial(to, timeout);
        };
        proxy = HttpProxy.start(new InetSocketAddress(LOOPBACK, 0), clients, pinned, records::add, limits, loopbackOnly);
    }

    @AfterEach
    void closeEverything() throws IOException {
        for (Socket s : sockets) s.close();
        if (proxy != null) proxy.close();
        echo.close();
        tlsEcho.close();
        wsEcho.close();
        web.stop(0);
    }

    // ---- what passes ----

    @Test
    void aRealTlsSessionToTheAllowlistedNameGoesThroughTheTunnel() throws IOException {
        Socket tunnel = connect("tls.test:" + tlsEcho.port());
        SSLSocket session = (SSLSocket) tls.client().getSocketFactory().createSocket(tunnel, "tls.test", tlsEcho.port(), true);
        SSLParameters parameters = session.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name tls.test
        session.setSSLParameters(parameters);
        byte[] payload = new byte[100_000];
        new Random(1).nextBytes(payload);

        session.startHandshake();
        CompletableFuture<byte[]> back = CompletableFuture.supplyAsync(() -> {
            try {
                return session.getInputStream().readNBytes(payload.length);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        session.getOutputStream().write(payload);
        session.getOutputStream().flush();

        assertThat(back.join()).isEqualTo(payload);
        session.close();
        ProxyRecord record = awaitRecord();
        assertThat(record.allowed()).isTrue();
        assertThat(record.opening()).hasValueSatisfying(o -> {
            assertThat(o.protocol()).isEqualTo("tls");
            assertThat(o.name()).contains("tls.test");
        });
    }

    @Test
    void plainHttpInsideATunnelIsServedAsOneRequest() throws IOException {
        int port = web.getAddress().getPort();
        Socket tunnel = connect("web.test:" + port);
        tunnel.getOutputStream().write(("POST /echo HTTP/1.1\r\nHost: web.test:" + port + "\r\nContent-Length: 5\r\n\r\nhello")
                .getBytes(StandardCharsets.ISO_8859_1));

        String response = new String(tunnel.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);

        assertThat(response).startsWith("HTTP/1.1 201").endsWith("hello");
        assertThat(response.toLowerCase()).contains("connection: close");
        ProxyRecord record = awaitRecord();
        assertThat(record.allowed()).isTrue();
        assertThat(record.opening()).hasValueSatisfying(o -> assertThat(o.protocol()).isEqualTo("http"));
    }

    @Test
    void aWebsocketWhereThePassportAllowsOneCarriesItsMessagesBothWays() throws Exception {
        HttpClient http = HttpClient.newBuilder().proxy(ProxySelector.of(proxy.address())).build();
        CompletableFuture<String> echoed = new CompletableFuture<>();
        WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create("ws://ws.test:" + wsEcho.port() + "/chat"), new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                echoed.complete(data.toString());
                return null;
            }
        }).get(60, TimeUnit.SECONDS);

        ws.sendText("{\"type\":\"subscribe\",\"channel\":\"ticker\"}", true).get(60, TimeUnit.SECONDS);

        assertThat(echoed.get(60, TimeUnit.SECONDS)).isEqualTo("{\"type\":\"subscribe\",\"channel\":\"ticker\"}");
        ws.abort();
        assertThat(records).noneMatch(r -> r instanceof ProxyRecord p && !p.allowed());
    }

    // ---- what is refused ----

    @Test
    void hostileOpeningsInsideAnAllowlistedConnectAreRefusedBeforeAByteIsRelayed() throws Exception {
        Map<String, byte[]> cases = new LinkedHashMap<>();
        cases.put("ssh", ascii("SSH-2.0-OpenSSH_9.6\r\n"));
        cases.put("ssh after a blank line", ascii("\r\n\r\nSSH-2.0-OpenSSH_9.6\r\n"));
        cases.put("ssh after an http preamble", ascii("GET / HTTP/1.1\r\nHost: echo.test\r\n\r\nSSH-2.0-OpenSSH_9.6\r\n"));
        cases.put("stratum", ascii(XMRIG_LOGIN));
        cases.put("stratum batch", ascii("[{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"cgminer/4.10\"]}]\n"));
        cases.put("shell", ascii("bash: no job control in this shell\nagent@sandbox:~$ "));
        cases.put("dns", dnsOverTcp("c2VjcmV0.exfil.example"));
        cases.put("connect inside connect", ascii("CONNECT 10.0.0.7:22 HTTP/1.1\r\nHost: 10.0.0.7:22\r\n\r\n"));
        cases.put("tls for another name", hello("other.test"));
        cases.put("tls without a name", hello(""));
        cases.put("http for another host", ascii("GET / HTTP/1.1\r\nHost: other.test\r\n\r\n"));
        Map<String, String> expected = Map.ofEntries(
                Map.entry("ssh", "ssh"), Map.entry("ssh after a blank line", "ssh"), Map.entry("ssh after an http preamble", "ssh"),
                Map.entry("stratum", "stratum"), Map.entry("stratum batch", "stratum"), Map.entry("shell", "shell"),
                Map.entry("dns", "dns"), Map.entry("connect inside connect", "http"), Map.entry("tls for another name", "tls"),
                Map.entry("tls without a name", "tls"), Map.entry("http for another host", "http"));
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, byte[]> c : cases.entrySet()) {
            records.clear();
            Socket tunnel = connect("echo.test:" + echo.port());
            tunnel.getOutputStream().write(c.getValue());
            int answer = tunnel.getInputStream().read();
            ProxyRecord record = awaitRecord();
            String protocol = record.opening().map(o -> o.protocol()).orElse("none");
            if (answer != -1 || record.allowed() || !protocol.equals(expected.get(c.getKey()))) {
                wrong.add(c.getKey() + ": read " + answer + ", " + record.refusal() + ", " + protocol);
            }
        }
        assertThat(wrong).isEmpty();
        assertThat(echo.received()).as("bytes that reached the upstream").isZero();
    }

    /** Gathered until it says what it is: the proxy hangs up as soon as the fragments make a banner, before it ends. */
    @Test
    void aBannerTrickledIntoATunnelIsGatheredAndRefused() throws Exception {
        Socket tunnel = connect("echo.test:" + echo.port());
        int sent = 0;
        try {
            for (byte b : ascii("\r\nSSH-2.0-trickle\r\n")) {
                tunnel.getOutputStream().write(b);
                tunnel.getOutputStream().flush();
                sent++;
                Thread.sleep(60);
            }
        } catch (IOException hungUp) {
            // the proxy closed the tunnel mid-banner
        }

        ProxyRecord record = awaitRecord();
        assertThat(record.refusal()).hasValueSatisfying(r -> assertThat(r).startsWith("tunnel carried ssh (SSH-"));
        assertThat(sent).as("bytes written before the proxy hung up").isGreaterThanOrEqualTo(6);
        assertThat(echo.received()).isZero();
    }

    @Test
    void aTunnelThatSendsNothingIsCutAtTheDeadlineAndOneNeverUsedIsNoRefusal() throws Exception {
        startProxy(Duration.ofMillis(300));
        Socket silent = connect("echo.test:" + echo.port());
        assertThat(silent.getInputStream().read()).isEqualTo(-1);
        assertThat(awaitRecord().refusal()).contains("tunnel carried nothing within 300 ms");

        records.clear();
        Socket unused = connect("echo.test:" + echo.port());
        unused.close();
        assertThat(awaitRecord().allowed()).as("opened and closed unused").isTrue();
    }

    @Test
    void aWebsocketThePassportDoesNotAllowIsRefused() throws IOException {
        HttpClient http = HttpClient.newBuilder().proxy(ProxySelector.of(proxy.address())).build();

        assertThatThrownBy(() -> http.newWebSocketBuilder().buildAsync(URI.create("ws://nows.test:" + wsEcho.port() + "/"),
                new WebSocket.Listener() { }).get(60, TimeUnit.SECONDS)).rootCause().hasMessageContaining("403");

        ProxyRecord record = awaitRecord();
        assertThat(record.refusal()).contains("websocket upgrade not allowlisted");
        assertThat(record.opening()).hasValueSatisfying(o -> assertThat(o.detail()).contains("upgrade=websocket"));

        // the same upgrade sent as a plain proxied request
        records.clear();
        String answer = exchange("GET http://nows.test:" + wsEcho.port() + "/ HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 403");
        assertThat(awaitRecord().refusal()).contains("websocket upgrade not allowlisted");
        assertThat(wsEcho.received()).as("bytes that reached the websocket server").isZero();
    }

    @Test
    void aWebsocketWhoseFirstMessageIsAMinersLoginIsCutOff() throws Exception {
        Socket tunnel = connect("ws.test:" + wsEcho.port());
        tunnel.getOutputStream().write(("GET /pool HTTP/1.1\r\nHost: ws.test:" + wsEcho.port() + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        assertThat(LoopbackServers.readHead(tunnel.getInputStream())).startsWith("HTTP/1.1 101");

        long upgradeRequest = wsEcho.received();
        tunnel.getOutputStream().write(maskedFrame(ascii(XMRIG_LOGIN)));

        assertThat(tunnel.getInputStream().read()).isEqualTo(-1);
        ProxyRecord record = awaitRecord();
        assertThat(record.refusal()).contains("websocket carried stratum");
        assertThat(record.opening()).hasValueSatisfying(o -> assertThat(o.detail()).contains("method=login"));
        assertThat(wsEcho.received()).as("bytes of messages that reached the websocket server").isEqualTo(upgradeRequest);
    }

    @Test
    void aMinersCallInAPlainRequestBodyIsRefusedHoweverItIsFramed() throws IOException {
        String url = "http://web.test:" + web.getAddress().getPort() + "/echo";
        Map<String, String> requests = new LinkedHashMap<>();
        requests.put("length", "POST " + url + " HTTP/1.1\r\nContent-Length: " + XMRIG_LOGIN.length() + "\r\n\r\n" + XMRIG_LOGIN);
        requests.put("after a blank line", "POST " + url + " HTTP/1.1\r\nContent-Length: " + (XMRIG_LOGIN.length() + 2) + "\r\n\r\n\r\n"
                + XMRIG_LOGIN);
        requests.put("chunked", "POST " + url + " HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n" + XMRIG_LOGIN.substring(0, 16)
                + "\r\n" + Integer.toHexString(XMRIG_LOGIN.length() - 16) + "\r\n" + XMRIG_LOGIN.substring(16) + "\r\n0\r\n\r\n");
        String batch = "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\"},{\"id\":2,\"method\":\"mining.authorize\",\"params\":[\"w\",\"x\"]}]";
        requests.put("batch", "POST " + url + " HTTP/1.1\r\nContent-Length: " + batch.length() + "\r\n\r\n" + batch);
        String getwork = "{\"jsonrpc\":\"1.0\",\"id\":\"m\",\"method\":\"getblocktemplate\",\"params\":[{\"rules\":[\"segwit\"]}]}";
        requests.put("getblocktemplate", "POST " + url + " HTTP/1.1\r\nContent-Length: " + getwork.length() + "\r\n\r\n" + getwork);
        for (Map.Entry<String, String> r : requests.entrySet()) {
            records.clear();
            String answer = exchange(r.getValue());
            assertThat(answer).as(r.getKey()).startsWith("HTTP/1.1 403");
            ProxyRecord record = awaitRecord();
            assertThat(record.refusal()).as(r.getKey()).contains("request body carried stratum");
            assertThat(record.opening()).as(r.getKey()).hasValueSatisfying(o -> assertThat(o.protocol()).isEqualTo("stratum"));
        }
        // a client that waits for 100 Continue gets it from the proxy, and then its refusal
        Socket waiting = open();
        waiting.getOutputStream().write(("POST " + url + " HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: " + XMRIG_LOGIN.length()
                + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        assertThat(LoopbackServers.readHead(waiting.getInputStream())).startsWith("HTTP/1.1 100");
        waiting.getOutputStream().write(ascii(XMRIG_LOGIN));
        assertThat(new String(waiting.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 403");
        assertThat(webBodies).as("requests that reached the server").hasValue(0);
    }

    @Test
    void benignBodiesLikeMiningCallsPass() throws IOException {
        String url = "http://web.test:" + web.getAddress().getPort() + "/echo";
        List<String> bodies = List.of(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}",
                "{\"msg\":\"method\",\"method\":\"login\",\"id\":\"42\",\"params\":[{\"user\":{\"username\":\"bob\"},\"password\":\"x\"}]}",
                "0014command=ls-refs\n0014agent=git/2.39.2\n0000",
                "build log\nuid=1000(agent) gid=1000(agent) groups=1000(agent)\nok\n");
        for (String body : bodies) {
            String answer = exchange("POST " + url + " HTTP/1.1\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            assertThat(answer).as(body).startsWith("HTTP/1.1 201").endsWith(body);
        }
        assertThat(webBodies).hasValue(bodies.size());
        await().atMost(PATIENCE).until(() -> records.size() == bodies.size());
        assertThat(records).allMatch(r -> ((ProxyRecord) r).allowed());
    }

    // ---- helpers ----

    private Socket open() throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.connect(proxy.address(), 10_000);
        s.setSoTimeout((int) PATIENCE.toMillis());
        return s;
    }

    private Socket connect(String hostPort) throws IOException {
        Socket s = open();
        s.getOutputStream().write(("CONNECT " + hostPort + " HTTP/1.1\r\nHost: " + hostPort + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        assertThat(LoopbackServers.readHead(s.getInputStream())).startsWith("HTTP/1.1 200");
        return s;
    }

    private String exchange(String raw) throws IOException {
        Socket s = open();
        s.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
        return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    private ProxyRecord awaitRecord() {
        await().atMost(PATIENCE).until(() -> !records.isEmpty());
        return (ProxyRecord) records.getFirst();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] maskedFrame(byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x81);
        if (payload.length < 126) {
            out.write(0x80 | payload.length);
        } else {
            out.write(0x80 | 126);
            out.write(payload.length >> 8);
            out.write(payload.length & 0xff);
        }
        byte[] mask = {0x11, 0x22, 0x33, 0x44};
        out.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) out.write(payload[i] ^ mask[i & 3]);
        return out.toByteArray();
    }

    private static byte[] dnsOverTcp(String name) {
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        m.writeBytes(new byte[] {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0});
        for (String label : name.split("\\.")) {
            m.write(label.length());
            m.writeBytes(ascii(label));
        }
        m.writeBytes(new byte[] {0, 0, 16, 0, 1});
        byte[] message = m.toByteArray();
        return concat(new byte[] {(byte) (message.length >> 8), (byte) message.length}, message);
    }
}
