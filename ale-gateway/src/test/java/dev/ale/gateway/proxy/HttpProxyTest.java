package dev.ale.gateway.proxy;

import com.sun.net.httpserver.HttpServer;
import dev.ale.core.net.NetworkRecord;
import dev.ale.core.net.ProxyRecord;
import dev.ale.core.passport.EgressRule;
import dev.ale.core.passport.EgressRules;
import dev.ale.core.passport.Phase;
import dev.ale.gateway.HostResolver;
import dev.ale.gateway.SandboxClients;
import dev.ale.gateway.SandboxClients.Client;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import java.util.Arrays;
import java.util.LinkedHashMap;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real proxy on 127.0.0.1 with real upstream servers on 127.0.0.1, reached by names pinned to
 * loopback. Names that resolve to private or metadata addresses are given as data only: the dialer
 * is a guard that notes every attempt and refuses any address off loopback, so no packet can leave.
 */
class HttpProxyTest {

    private static final InetAddress LOOPBACK = InetAddress.ofLiteral("127.0.0.1");
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private final List<NetworkRecord> records = new CopyOnWriteArrayList<>();
    private final List<InetSocketAddress> dialled = new CopyOnWriteArrayList<>();
    private final List<InetSocketAddress> offLoopback = new CopyOnWriteArrayList<>();
    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.AGENT);
    private final AtomicInteger echoAccepted = new AtomicInteger();
    /** Every byte any echo connection received: what got through the proxy. */
    private final java.util.concurrent.atomic.AtomicLong echoReceived = new java.util.concurrent.atomic.AtomicLong();
    private static final Map<String, byte[]> HELLOS = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private ServerSocket echo;
    private HttpServer web;
    private HttpProxy proxy;

    private final Dialer guard = (to, timeout) -> {
        dialled.add(to);
        if (!to.getAddress().isLoopbackAddress()) {
            offLoopback.add(to);
            throw new ConnectException("test guard: refusing to dial " + to);
        }
        return Dialer.PLAIN.dial(to, timeout);
    };

    @BeforeEach
    void startUpstreams() throws IOException {
        echo = new ServerSocket(0, 256, LOOPBACK);
        threads.execute(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    echoAccepted.incrementAndGet();
                    sockets.add(s);
                    threads.execute(() -> {
                        try (s) {
                            byte[] buffer = new byte[8192];
                            for (int n; (n = s.getInputStream().read(buffer)) > 0; ) {
                                echoReceived.addAndGet(n);
                                s.getOutputStream().write(buffer, 0, n);
                            }
                        } catch (IOException ignored) {
                            // the test closed it
                        }
                    });
                } catch (IOException closed) {
                    return;
                }
            }
        });
        web = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 0);
        web.createContext("/fixed", exchange -> {
            byte[] body = bytes(300_000, 1);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        web.createContext("/chunked", exchange -> {
            exchange.getResponseHeaders().add("X-Seen-Host", exchange.getRequestHeaders().getFirst("Host"));
            exchange.getResponseHeaders().add("X-Seen-Proxy-Authorization",
                    String.valueOf(exchange.getRequestHeaders().getFirst("Proxy-Authorization")));
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                byte[] body = bytes(200_000, 2);
                for (int i = 0; i < body.length; i += 7_000) out.write(body, i, Math.min(7_000, body.length - i));
            }
        });
        web.createContext("/echo", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(201, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        web.setExecutor(threads);
        web.start();
    }

    @AfterEach
    void closeEverything() throws IOException {
        try {
            for (Socket s : sockets) s.close();
            if (proxy != null) proxy.close();
            web.stop(0);
            echo.close();
            threads.shutdownNow();
        } finally {
            assertThat(offLoopback).as("addresses off loopback the proxy tried to dial").isEmpty();
        }
    }

    private void startProxy(HttpProxy.Limits limits) {
        int echoPort = echo.getLocalPort();
        int webPort = web.getAddress().getPort();
        EgressRules egress = new EgressRules(Map.of(
                Phase.SETUP, List.of(new EgressRule("pypi.test", List.of(echoPort))),
                Phase.AGENT, List.of(
                        new EgressRule("echo.test", List.of(echoPort)),
                        new EgressRule("web.test", List.of(webPort)),
                        new EgressRule("*.cdn.test", List.of(echoPort)),
                        new EgressRule("internal.test", List.of(echoPort)),
                        new EgressRule("metadata.test", List.of(echoPort)),
                        new EgressRule("neighbour.test", List.of(echoPort)),
                        new EgressRule("pinned-neighbour.test", List.of(echoPort)),
                        new EgressRule("nowhere.test", List.of(echoPort)))));
        SandboxClients clients = source -> source.equals(LOOPBACK)
                ? Optional.of(new Client("sb-7", egress, phase.get())) : Optional.empty();
        HostResolver resolver = ((HostResolver) name -> switch (name) {
            case "internal.test" -> List.of(InetAddress.ofLiteral("93.184.216.34"), InetAddress.ofLiteral("10.0.0.5"));
            case "metadata.test" -> List.of(InetAddress.ofLiteral("169.254.169.254"));
            case "neighbour.test" -> List.of(InetAddress.ofLiteral("198.18.0.5"));
            default -> throw new UnknownHostException(name);
        }).withPins(Map.of("echo.test", List.of(LOOPBACK), "web.test", List.of(LOOPBACK), "pypi.test", List.of(LOOPBACK),
                "a.cdn.test", List.of(LOOPBACK),
                "pinned-neighbour.test", List.of(InetAddress.ofLiteral("198.18.0.7"))));
        proxy = HttpProxy.start(new InetSocketAddress(LOOPBACK, 0), clients, resolver, records::add, limits, guard);
    }

    private void startProxy() {
        startProxy(HttpProxy.Limits.DEFAULT);
    }

    private static final String MODEL_TOKEN = "ale-sbx-0123456789abcdef";

    /** A proxy whose clients have a model-proxy token (or none) and, with {@code routed}, a model route to the web server's /echo. */
    private void startModelProxy(boolean routed, Optional<String> token) {
        InetSocketAddress route = new InetSocketAddress(LOOPBACK, web.getAddress().getPort());
        SandboxClients clients = new SandboxClients() {
            @Override
            public Optional<Client> bySource(InetAddress source) {
                return source.equals(LOOPBACK) ? Optional.of(new Client("sb-7", EgressRules.none(), phase.get(), token)) : Optional.empty();
            }

            @Override
            public Optional<InetSocketAddress> modelRoute() {
                return routed ? Optional.of(route) : Optional.empty();
            }
        };
        if (!modelContext) web.createContext("/v1/chat/completions", exchange -> {
            byte[] body = ("auth=" + exchange.getRequestHeaders().getFirst("Authorization") + " body="
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        modelContext = true;
        proxy = HttpProxy.start(new InetSocketAddress(LOOPBACK, 0), clients, HostResolver.pinned(Map.of()), records::add,
                HttpProxy.Limits.DEFAULT, guard);
    }

    private boolean modelContext;

    private static String chat(String auth) {
        return "POST /v1/chat/completions HTTP/1.1\r\nHost: 198.18.0.1:3128\r\n" + auth
                + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
    }

    @Test
    void aRequestToTheGatewayItselfGoesToTheModelRouteWithTheSandboxsOwnToken() throws IOException {
        startModelProxy(true, Optional.of(MODEL_TOKEN));

        Reply origin = request(chat("Authorization: Bearer " + MODEL_TOKEN + "\r\n"));
        Reply absolute = request(chat("Authorization: Bearer " + MODEL_TOKEN + "\r\n")
                .replace("POST /v1/", "POST http://198.18.0.1:3128/v1/"));

        assertThat(origin.status()).isEqualTo(200);
        assertThat(origin.body()).isEqualTo("auth=Bearer " + MODEL_TOKEN + " body={}");
        assertThat(absolute.status()).as("sent through the proxy anyway, it is still the gateway's").isEqualTo(200);
        ProxyRecord record = awaitRecord();
        assertThat(record.host()).isEqualTo("ale-model-proxy");
        assertThat(record.allowed()).isTrue();
        assertThat(dialled).containsOnly(new InetSocketAddress(LOOPBACK, web.getAddress().getPort()));
    }

    @Test
    void theModelRouteRefusesAWrongTokenAnotherPathAnotherPhaseAndASandboxWithoutOne() throws IOException {
        startModelProxy(true, Optional.of(MODEL_TOKEN));
        Reply wrong = request(chat("Authorization: Bearer ale-sbx-someone-else\r\n"));
        Reply none = request(chat(""));
        Reply elsewhere = request("GET /v1/sandboxes HTTP/1.1\r\nAuthorization: Bearer " + MODEL_TOKEN + "\r\n\r\n");
        phase.set(Phase.VERIFY);
        Reply verifying = request(chat("Authorization: Bearer " + MODEL_TOKEN + "\r\n"));
        proxy.close();
        phase.set(Phase.AGENT);
        startModelProxy(true, Optional.empty());
        Reply forbidden = request(chat("Authorization: Bearer " + MODEL_TOKEN + "\r\n"));

        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.body()).contains("own token");
        assertThat(none.status()).isEqualTo(401);
        assertThat(elsewhere.status()).isEqualTo(404);
        assertThat(elsewhere.body()).contains("POST /v1/chat/completions");
        assertThat(verifying.status()).isEqualTo(403);
        assertThat(verifying.body()).contains("agent phase");
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.body()).contains("model.proxy: false");
        assertThat(dialled).as("nothing refused is passed on").isEmpty();
        assertThat(records).hasSize(5).allMatch(r -> r instanceof ProxyRecord p && !p.allowed() && p.host().equals("ale-model-proxy"));
    }

    @Test
    void withoutAModelRouteARequestToTheGatewayItselfIsNotFound() throws IOException {
        startModelProxy(false, Optional.empty());
        Reply reply = request("GET /relative HTTP/1.1\r\nHost: web.test\r\n\r\n");
        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.body()).contains("no model proxy here");
    }

    @Test
    void connectTunnelsBytesBothWaysToAnAllowlistedPinnedServer() throws IOException {
        startProxy();
        Socket client = connect("echo.test:" + echo.getLocalPort());
        byte[] sent = concat(hello("echo.test"), bytes(1_000_000, 3)); // a hello for the allowed name opens the tunnel
        Future<byte[]> back = threads.submit(() -> client.getInputStream().readNBytes(sent.length));
        client.getOutputStream().write(sent);
        assertThat(get(back)).isEqualTo(sent);
        client.close();

        ProxyRecord record = awaitRecord();
        assertThat(record.allowed()).isTrue();
        assertThat(record).extracting(ProxyRecord::sandbox, ProxyRecord::method, ProxyRecord::host, ProxyRecord::port)
                .containsExactly("sb-7", "CONNECT", "echo.test", echo.getLocalPort());
        assertThat(record.upstreamAddress()).contains("127.0.0.1");
        assertThat(record.bytesUp()).isEqualTo(sent.length);
        assertThat(record.bytesDown()).isEqualTo(sent.length);
        assertThat(record.opening()).hasValueSatisfying(o -> {
            assertThat(o.protocol()).isEqualTo("tls");
            assertThat(o.name()).contains("echo.test");
        });
    }

    @Test
    void aStreamingTunnelBorrowsALargeBufferAndGivesItBackOnceIdleWhileStillOpen() throws IOException {
        startProxy();
        Socket client = connect("echo.test:" + echo.getLocalPort());
        byte[] sent = concat(hello("echo.test"), bytes(4_000_000, 5));
        Future<byte[]> back = threads.submit(() -> client.getInputStream().readNBytes(sent.length));
        client.getOutputStream().write(sent);
        assertThat(get(back)).isEqualTo(sent);
        assertThat(proxy.buffers().largeBorrowed()).as("large buffers lent to the streaming tunnel").isPositive();

        // the tunnel is open and idle: its directions wait on empty sockets with their small buffers only
        await().atMost(PATIENCE).until(() -> proxy.buffers().largeLent() == 0);
        byte[] more = bytes(100, 6);
        client.getOutputStream().write(more);
        assertThat(client.getInputStream().readNBytes(more.length)).isEqualTo(more);
        client.close();
        assertThat(awaitRecord().bytesUp()).isEqualTo(sent.length + more.length);
        assertThat(proxy.buffers().largeLent()).isZero();
    }

    @Test
    void wildcardRuleAllowsAConnectToANameBelowIt() throws IOException {
        startProxy();
        Socket client = connect("a.cdn.test:" + echo.getLocalPort());
        byte[] hello = hello("a.cdn.test");
        client.getOutputStream().write(hello);
        assertThat(client.getInputStream().readNBytes(hello.length)).isEqualTo(hello);
    }

    @Test
    void plainGetIsForwardedWithFixedAndChunkedBodiesIntact() throws Exception {
        startProxy();
        HttpClient http = HttpClient.newBuilder().proxy(ProxySelector.of(proxy.address())).build();
        String base = "http://web.test:" + web.getAddress().getPort();

        HttpResponse<byte[]> fixed = http.send(HttpRequest.newBuilder(URI.create(base + "/fixed")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(fixed.statusCode()).isEqualTo(200);
        assertThat(fixed.body()).isEqualTo(bytes(300_000, 1));

        HttpResponse<byte[]> chunked = http.send(HttpRequest.newBuilder(URI.create(base + "/chunked?x=1")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(chunked.statusCode()).isEqualTo(200);
        assertThat(chunked.body()).isEqualTo(bytes(200_000, 2));
        assertThat(chunked.headers().firstValue("X-Seen-Host")).contains("web.test:" + web.getAddress().getPort());

        List<ProxyRecord> got = awaitRecords(2);
        assertThat(got).allSatisfy(r -> {
            assertThat(r.method()).isEqualTo("GET");
            assertThat(r.host()).isEqualTo("web.test");
            assertThat(r.allowed()).isTrue();
        });
        assertThat(got).anySatisfy(r -> assertThat(r.bytesDown()).isGreaterThan(300_000));
    }

    @Test
    void postBodyGoesUpAndProxyHeadersDoNot() throws Exception {
        startProxy();
        byte[] body = bytes(100_000, 4);
        String head = "POST http://web.test:" + web.getAddress().getPort() + "/echo HTTP/1.1\r\n"
                + "Host: elsewhere.test\r\nProxy-Authorization: Basic c2VjcmV0\r\nContent-Length: " + body.length + "\r\n\r\n";
        Socket client = open();
        client.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
        client.getOutputStream().write(body);
        byte[] response = client.getInputStream().readAllBytes();
        String text = new String(response, StandardCharsets.ISO_8859_1);
        assertThat(text).startsWith("HTTP/1.1 201");
        assertThat(text.toLowerCase()).contains("connection: close");
        byte[] got = Arrays.copyOfRange(response, text.indexOf("\r\n\r\n") + 4, response.length);
        assertThat(got).isEqualTo(body);
        assertThat(awaitRecord().bytesUp()).isGreaterThan(body.length);

        HttpClient http = HttpClient.newBuilder().proxy(ProxySelector.of(proxy.address())).build();
        HttpResponse<String> seen = http.send(HttpRequest.newBuilder(URI.create("http://web.test:" + web.getAddress().getPort()
                + "/chunked")).header("Proxy-Authorization", "Basic c2VjcmV0").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(seen.headers().firstValue("X-Seen-Proxy-Authorization")).contains("null");
    }

    @Test
    void hostNotAllowlistedIsRefusedWith403AndRecordedWithoutAnyLookupOrDial() throws IOException {
        startProxy();
        Reply reply = request("CONNECT pypi.org:443 HTTP/1.1\r\nHost: pypi.org:443\r\n\r\n");
        assertThat(reply.status()).isEqualTo(403);
        assertThat(reply.body()).contains("pypi.org:443 is not allowlisted for phase agent");
        ProxyRecord record = awaitRecord();
        assertThat(record.refusal()).contains("not allowlisted");
        assertThat(record.upstreamAddress()).isEmpty();
        assertThat(dialled).isEmpty();
    }

    @Test
    void allowlistedHostOnAnotherPortIsRefused() throws IOException {
        startProxy();
        Reply reply = request("CONNECT echo.test:22 HTTP/1.1\r\n\r\n");
        assertThat(reply.status()).isEqualTo(403);
        assertThat(reply.body()).contains("port 22 is not allowlisted for echo.test");
        assertThat(awaitRecord()).extracting(ProxyRecord::port, ProxyRecord::refusal).containsExactly(22, Optional.of("not allowlisted"));
        assertThat(dialled).isEmpty();
    }

    @Test
    void plainRequestToAHostNotAllowlistedIsRefused() throws IOException {
        startProxy();
        Reply reply = request("GET http://evil.test/steal HTTP/1.1\r\nHost: evil.test\r\n\r\n");
        assertThat(reply.status()).isEqualTo(403);
        assertThat(awaitRecord()).extracting(ProxyRecord::method, ProxyRecord::host, ProxyRecord::port)
                .containsExactly("GET", "evil.test", 80);
        assertThat(dialled).isEmpty();
    }

    @Test
    void allowlistedNameResolvingToAPrivateAddressIsRefusedBeforeAnyDial() throws IOException {
        startProxy();
        Reply reply = request("CONNECT internal.test:" + echo.getLocalPort() + " HTTP/1.1\r\n\r\n");
        assertThat(reply.status()).isEqualTo(403);
        assertThat(reply.body()).contains("private 10.0.0.5");
        assertThat(awaitRecord().refusal()).contains("resolves to private 10.0.0.5");
        assertThat(dialled).isEmpty();
        assertThat(echoAccepted).hasValue(0);
    }

    @Test
    void allowlistedNameResolvingToTheMetadataAddressIsRefusedBeforeAnyDial() throws IOException {
        startProxy();
        Reply reply = request("GET http://metadata.test:" + echo.getLocalPort() + "/latest/meta-data/ HTTP/1.1\r\n\r\n");
        assertThat(reply.status()).isEqualTo(403);
        assertThat(reply.body()).contains("metadata 169.254.169.254");
        assertThat(awaitRecord().refusal()).contains("resolves to metadata 169.254.169.254");
        assertThat(dialled).isEmpty();
    }

    /** From the host, ALE's link range reaches the gateway's own listeners and other sandboxes. */
    @Test
    void nameResolvingIntoAlesOwnLinkRangeIsRefusedEvenWhenPinned() throws IOException {
        startProxy();
        Reply resolved = request("CONNECT neighbour.test:" + echo.getLocalPort() + " HTTP/1.1\r\n\r\n");
        Reply pinned = request("CONNECT pinned-neighbour.test:" + echo.getLocalPort() + " HTTP/1.1\r\n\r\n");

        assertThat(resolved.status()).isEqualTo(403);
        assertThat(resolved.body()).contains("ale-link 198.18.0.5");
        assertThat(pinned.status()).isEqualTo(403);
        assertThat(pinned.body()).contains("ale-link 198.18.0.7");
        assertThat(dialled).isEmpty();
    }

    @Test
    void addressLiteralIsRefusedAsNotAllowlisted() throws IOException {
        startProxy();
        Reply reply = request("CONNECT 127.0.0.1:" + echo.getLocalPort() + " HTTP/1.1\r\n\r\n");
        assertThat(reply.status()).isEqualTo(403);
        assertThat(awaitRecord().refusal()).contains("not allowlisted");
        assertThat(dialled).isEmpty();
        assertThat(echoAccepted).hasValue(0);
    }

    @Test
    void everySpellingOfAnAddressIsRefusedAsThatAddressAndRecorded() throws IOException {
        startProxy();
        Map<String, String> spellings = new LinkedHashMap<>();
        spellings.put("GET http://2852039166/latest/meta-data/ HTTP/1.1\r\n\r\n", "169.254.169.254");
        spellings.put("GET http://0xA9FEA9FE/ HTTP/1.1\r\n\r\n", "169.254.169.254");
        spellings.put("GET http://0251.0376.0251.0376/ HTTP/1.1\r\n\r\n", "169.254.169.254");
        spellings.put("GET http://169.254.43518/ HTTP/1.1\r\n\r\n", "169.254.169.254");
        spellings.put("GET http://[::ffff:169.254.169.254]/ HTTP/1.1\r\n\r\n", "169.254.169.254");
        spellings.put("GET http://%31%36%39.254.169.254/ HTTP/1.1\r\n\r\n", "169.254.169.254");
        spellings.put("GET http://\u00ef\u00bc\u0091\u00ef\u00bc\u0090.0.0.1/ HTTP/1.1\r\n\r\n", "10.0.0.1"); // full-width 10, as UTF-8
        spellings.put("CONNECT 127.1:" + echo.getLocalPort() + " HTTP/1.1\r\n\r\n", "127.0.0.1");
        spellings.put("CONNECT 0x7f000001:" + echo.getLocalPort() + " HTTP/1.1\r\n\r\n", "127.0.0.1");
        for (Map.Entry<String, String> spelling : spellings.entrySet()) {
            records.clear();
            Reply reply = request(spelling.getKey());
            assertThat(reply.status()).as(spelling.getKey()).isEqualTo(403);
            assertThat(reply.body()).as(spelling.getKey()).contains("is an address").contains(spelling.getValue());
            ProxyRecord record = awaitRecord();
            assertThat(record.refusal()).contains("not allowlisted");
            assertThat(dev.ale.core.net.AddressRanges.classify(record.host())).as(record.host()).isPresent();
        }
        assertThat(dialled).isEmpty();
        assertThat(echoAccepted).hasValue(0);
    }

    @Test
    void unresolvableAllowlistedNameGets502AndIsRecorded() throws IOException {
        startProxy();
        Reply reply = request("CONNECT nowhere.test:" + echo.getLocalPort() + " HTTP/1.1\r\n\r\n");
        assertThat(reply.status()).isEqualTo(502);
        assertThat(awaitRecord().refusal()).contains("cannot resolve");
    }

    @Test
    void phaseSwitchChangesWhatIsAllowed() throws IOException {
        startProxy();
        String connect = "CONNECT pypi.test:" + echo.getLocalPort() + " HTTP/1.1\r\n\r\n";
        assertThat(request(connect).status()).isEqualTo(403);
        phase.set(Phase.SETUP);
        Socket client = connect("pypi.test:" + echo.getLocalPort());
        byte[] hello = hello("pypi.test");
        client.getOutputStream().write(hello);
        assertThat(client.getInputStream().readNBytes(hello.length)).isEqualTo(hello);
    }

    @Test
    void unknownClientIsRefusedAndNotRecorded() throws IOException {
        proxy = HttpProxy.start(new InetSocketAddress(LOOPBACK, 0), source -> Optional.empty(),
                HostResolver.pinned(Map.of("echo.test", List.of(LOOPBACK))), records::add, HttpProxy.Limits.DEFAULT, guard);
        Reply reply = request("CONNECT echo.test:" + echo.getLocalPort() + " HTTP/1.1\r\n\r\n");
        assertThat(reply.status()).isEqualTo(403);
        assertThat(reply.body()).contains("not a sandbox");
        assertThat(records).isEmpty();
        assertThat(dialled).isEmpty();
    }

    @Test
    void malformedRequestsGet400AndOversizedHeads431() throws IOException {
        startProxy();
        assertThat(request("CONNECT echo.test HTTP/1.1\r\n\r\n").status()).isEqualTo(400);
        assertThat(request("GET http://user@web.test/ HTTP/1.1\r\n\r\n").status()).isEqualTo(400);
        assertThat(request("POST http://web.test/ HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n").status())
                .isEqualTo(400);
        assertThat(request("GET http://web.test/ HTTP/1.1\r\nX: " + "a".repeat(20_000) + "\r\n\r\n").status()).isEqualTo(431);
        assertThat(dialled).isEmpty();
    }

    @Test
    void slowClientIsCutOffAtTheHeadDeadline() throws IOException {
        startProxy(new HttpProxy.Limits(64, 64, 16 * 1024, Duration.ofMillis(300), Duration.ofSeconds(5), Duration.ofMinutes(1)));
        Socket client = open();
        client.getOutputStream().write("GET http://web.test/ HTTP/1.1\r\n".getBytes(StandardCharsets.ISO_8859_1));
        String answer = new String(client.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertThat(answer).startsWith("HTTP/1.1 408");
    }

    @Test
    void hundredConcurrentConnectsAllTunnel() throws Exception {
        startProxy();
        List<Future<Boolean>> results = new ArrayList<>();
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < 100; i++) clients.add(connect("echo.test:" + echo.getLocalPort()));
        for (int i = 0; i < 100; i++) {
            Socket client = clients.get(i);
            byte[] sent = concat(hello("echo.test"), bytes(10_000, 100 + i));
            results.add(threads.submit(() -> {
                client.getOutputStream().write(sent);
                client.shutdownOutput();
                return Arrays.equals(client.getInputStream().readAllBytes(), sent);
            }));
        }
        for (Future<Boolean> r : results) assertThat(get(r)).isTrue();
        await().atMost(PATIENCE).until(() -> records.size() == 100);
        assertThat(records).allSatisfy(r -> assertThat(((ProxyRecord) r).bytesDown()).isEqualTo(hello("echo.test").length + 10_000));
    }

    // --- helpers ---

    record Reply(int status, String body) {
    }

    private Socket open() throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.connect(proxy.address(), 10_000);
        s.setSoTimeout((int) PATIENCE.toMillis());
        return s;
    }

    /** Opens a tunnel and reads the proxy's answer up to the blank line, so what follows is the upstream's. */
    private Socket connect(String hostPort) throws IOException {
        Socket s = open();
        s.getOutputStream().write(("CONNECT " + hostPort + " HTTP/1.1\r\nHost: " + hostPort + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        String head = readHead(s.getInputStream());
        assertThat(head).startsWith("HTTP/1.1 200");
        return s;
    }

    private Reply request(String raw) throws IOException {
        Socket s = open();
        s.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
        String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = Integer.parseInt(all.substring(9, 12));
        return new Reply(status, all.substring(all.indexOf("\r\n\r\n") + 4));
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) break;
            head.write(b);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') break;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** A genuine ClientHello naming {@code sni}, as the JDK's TLS client sends it (captured once per name). */
    static byte[] hello(String sni) {
        return HELLOS.computeIfAbsent(sni, name -> {
            try {
                return dev.ale.gateway.sink.ClientHellos.capture(name);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static <T> T get(Future<T> future) {
        try {
            return future.get(PATIENCE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private ProxyRecord awaitRecord() {
        return awaitRecords(1).getFirst();
    }

    private List<ProxyRecord> awaitRecords(int n) {
        await().atMost(PATIENCE).until(() -> records.size() >= n);
        return records.stream().map(ProxyRecord.class::cast).toList();
    }
}
