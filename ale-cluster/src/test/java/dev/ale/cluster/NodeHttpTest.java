package dev.ale.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The front's HTTP/1.1 to its nodes, against a server on a real socket that answers with exactly the bytes each test gives. */
class NodeHttpTest {

    private final NodeHttp http = new NodeHttp(Duration.ofSeconds(3), Duration.ofSeconds(3), Optional.empty());
    private final List<AutoCloseable> open = new ArrayList<>();

    /** A server that answers each request line with {@code answer}'s bytes; counts the connections it accepted. */
    private final class Server {
        final ServerSocket socket;
        final AtomicInteger accepted = new AtomicInteger();
        final BlockingQueue<String> requests = new LinkedBlockingQueue<>();

        Server(Function<String, String> answer) throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            open.add(socket);
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        Socket s = socket.accept();
                        accepted.incrementAndGet();
                        Thread.ofVirtual().start(() -> serve(s, answer));
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
        }

        private void serve(Socket s, Function<String, String> answer) {
            try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1))) {
                OutputStream out = s.getOutputStream();
                for (String line; (line = in.readLine()) != null; ) {
                    StringBuilder request = new StringBuilder(line).append('\n');
                    int length = 0;
                    for (String h; !(h = in.readLine()).isEmpty(); ) {
                        request.append(h).append('\n');
                        if (h.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(h.substring(15).strip());
                    }
                    char[] body = new char[length];
                    int got = 0;
                    while (got < length) got += in.read(body, got, length - got);
                    request.append(body);
                    requests.add(request.toString());
                    String reply = answer.apply(line);
                    if (reply.isEmpty()) return; // close without a word
                    out.write(reply.getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    if (reply.contains("Connection: close") || reply.contains("X-Then: drop")) return;
                }
            } catch (IOException e) {
                // the client went away
            }
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        http.close();
        for (AutoCloseable c : open) c.close();
    }

    private static String body(NodeHttp.Reply r) throws IOException {
        try (InputStream in = r.body()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private NodeHttp.Reply call(Server s, String method, String path, String body) throws IOException {
        return http.exchange(http.connect(s.url()), method, path, Map.of("Content-Type", "application/json"), body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aLengthDelimitedReplyIsReadAndItsConnectionServesTheNextCall() throws Exception {
        Server s = new Server(line -> "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}");
        NodeHttp.Reply first = call(s, "POST", "/v1/envs/env-1/step", "{\"action\":1}");
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.header("content-type")).contains("application/json");
        assertThat(body(first)).isEqualTo("{\"ok\":true}");
        assertThat(body(call(s, "GET", "/v1/node", ""))).isEqualTo("{\"ok\":true}");
        assertThat(s.accepted.get()).as("the second call reused the first call's connection").isEqualTo(1);
        String sent = s.requests.take();
        assertThat(sent).startsWith("POST /v1/envs/env-1/step HTTP/1.1\n").contains("Content-Length: 12\n").endsWith("{\"action\":1}");
    }

    @Test
    void aChunkedReplyIsJoinedAndItsConnectionKept() throws Exception {
        Server s = new Server(line -> "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n");
        assertThat(body(call(s, "GET", "/a", ""))).isEqualTo("hello, world");
        assertThat(body(call(s, "GET", "/b", ""))).isEqualTo("hello, world");
        assertThat(s.accepted.get()).isEqualTo(1);
    }

    @Test
    void aReplyThatSaysCloseOrIsReadOnlyInPartIsNotPooled() throws Exception {
        Server closing = new Server(line -> "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
        assertThat(body(call(closing, "GET", "/a", ""))).isEqualTo("ok");
        assertThat(body(call(closing, "GET", "/b", ""))).isEqualTo("ok");
        assertThat(closing.accepted.get()).isEqualTo(2);

        Server keeping = new Server(line -> "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789");
        NodeHttp.Reply partly = call(keeping, "GET", "/a", "");
        try (InputStream in = partly.body()) {
            assertThat(in.read()).isEqualTo('0');
        }
        assertThat(body(call(keeping, "GET", "/b", ""))).isEqualTo("0123456789");
        assertThat(keeping.accepted.get()).as("the half-read connection was closed, not reused out of step").isEqualTo(2);
    }

    @Test
    void aNodeThatClosesWithoutAnAnswerIsAnErrorNotAnEmptyReply() throws Exception {
        Server silent = new Server(line -> "");
        assertThatThrownBy(() -> call(silent, "POST", "/v1/sandboxes", "{}")).isInstanceOf(IOException.class)
                .hasMessageContaining("closed the connection without an answer");
    }

    @Test
    void aReusedConnectionTheNodeClosedWhileIdleIsNamedSoTheCallMayGoOnAFreshOne() throws Exception {
        // the node answers, then drops the kept-alive connection without saying so (as an idle timeout does)
        Server dropping = new Server(line -> "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Then: drop\r\n\r\nok");
        assertThat(body(call(dropping, "GET", "/a", ""))).isEqualTo("ok");
        Thread.sleep(200); // the server has closed its end
        assertThatThrownBy(() -> call(dropping, "POST", "/v1/envs/env-1/step", "{}")).isInstanceOf(NodeHttp.NotSent.class);
        assertThat(body(call(dropping, "GET", "/b", ""))).as("a fresh connection").isEqualTo("ok");

        // a fresh connection that gets nothing is not a stale one: the node took the request and said nothing
        Server silent = new Server(line -> "");
        assertThatThrownBy(() -> call(silent, "POST", "/v1/sandboxes", "{}")).isInstanceOf(IOException.class)
                .isNotInstanceOf(NodeHttp.NotSent.class);
    }

    @Test
    void aReplyCutShortOfItsLengthFailsTheRead() throws Exception {
        Server cut = new Server(line -> "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\nshort");
        NodeHttp.Reply r = call(cut, "GET", "/a", "");
        assertThatThrownBy(() -> body(r)).isInstanceOf(IOException.class).hasMessageContaining("broke off");
    }

    @Test
    void aLineBreakInAHeaderOrPathIsRefusedBeforeAnythingIsSent() throws Exception {
        Server s = new Server(line -> "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        NodeHttp.Connection c = http.connect(s.url());
        assertThatThrownBy(() -> http.exchange(c, "GET", "/a\r\nX-Evil: 1", Map.of(), new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line break");
        assertThatThrownBy(() -> http.exchange(c, "GET", "/a", Map.of("Authorization", "Bearer x\r\nX-Evil: 1"), new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line break");
        // a benign look-alike: escaped line breaks in the query are only characters
        assertThat(http.exchange(c, "GET", "/a?q=%0D%0A", Map.of(), new byte[0]).status()).isEqualTo(200);
    }

    @Test
    void anAbortedConnectionFailsItsBlockedRead() throws Exception {
        Server slow = new Server(line -> {
            try {
                Thread.sleep(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "";
        });
        NodeHttp.Connection c = http.connect(slow.url());
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            c.abort();
        });
        assertThatThrownBy(() -> http.exchange(c, "GET", "/a", Map.of(), new byte[0])).isInstanceOf(IOException.class);
    }

    @Test
    void aStreamedBodyGoesInChunksAndArrivesWholeOnANewConnectionThatIsThenPooled() throws Exception {
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        List<String> encodings = new CopyOnWriteArrayList<>();
        server.createContext("/up", x -> {
            encodings.add(String.valueOf(x.getRequestHeaders().getFirst("Transfer-Encoding")));
            byte[] got;
            try (InputStream in = x.getRequestBody()) {
                got = in.readAllBytes();
            }
            byte[] answer = sha256(got).getBytes(StandardCharsets.US_ASCII);
            x.sendResponseHeaders(200, answer.length);
            try (OutputStream out = x.getResponseBody()) {
                out.write(answer);
            }
        });
        server.start();
        open.add(() -> server.stop(0));
        byte[] body = new byte[3 << 20];
        for (int i = 0; i < body.length; i++) body[i] = (byte) (i * 131 + i / 7);
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        NodeHttp.Connection c = http.open(url);
        NodeHttp.Reply r = http.exchangeStreamed(c, "POST", "/up", Map.of(), new java.io.ByteArrayInputStream(body));
        String sum;
        try (InputStream in = r.body()) {
            sum = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        assertThat(r.status()).isEqualTo(200);
        assertThat(sum).isEqualTo(sha256(body));
        assertThat(encodings).containsExactly("chunked");
        assertThat(http.connect(url)).as("the connection, read to its end, went back to the pool").isSameAs(c);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
