package dev.ale.cluster;

import dev.ale.server.ClusterTls;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * HTTP/1.1 from the front to its nodes on kept-alive, pooled sockets with TCP_NODELAY, written and
 * read by the calling (virtual) thread itself. The JDK's HttpClient hands every call between its
 * selector thread and an executor several times; on a loaded host each hand-off waits for a CPU,
 * which is where most of the front's added latency went (ale bench cluster, docs/benchmarks.md).
 */
final class NodeHttp implements AutoCloseable {

    /** A node's answer: its status, its headers (names in lower case) and its body, to be closed. */
    record Reply(int status, Map<String, String> headers, InputStream body) {
        Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
        }
    }

    /**
     * A request on a reused kept-alive connection that got nothing back at all, not a byte: the
     * node had closed the connection while it sat idle, before any handler read the request. A
     * fresh connection may send it once more (a node that died after reading it refuses that one).
     */
    static final class NotSent extends IOException {
        private static final long serialVersionUID = 1L;

        NotSent(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** One open connection; {@link #abort()} makes a blocked read or write fail at once (the node was declared dead). */
    static final class Connection {
        private final URI node;
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private long idleSince;
        private boolean reused;

        /** {@code socket} is the TCP connection, {@code wire} what is spoken on it: the same socket, or TLS over it. */
        private Connection(URI node, Socket socket, Socket wire) throws IOException {
            this.node = node;
            this.socket = socket;
            this.in = new BufferedInputStream(wire.getInputStream(), 16 << 10);
            this.out = new BufferedOutputStream(wire.getOutputStream(), 16 << 10);
        }

        /** A read that waits longer than {@code limit} fails (a poll's bound); 0 waits for ever. Reset when the connection is returned. */
        void timeout(Duration limit) throws IOException {
            socket.setSoTimeout((int) limit.toMillis());
        }

        /** Closes the TCP connection itself, never TLS's close_notify: that could wait behind a blocked write. */
        void abort() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing is all that was wanted
            }
        }

        /** Whether the node closed it while it sat in the pool (it would answer a request with nothing). */
        private boolean stale() {
            try {
                if (socket.isClosed() || socket.isInputShutdown()) return true;
                if (in.available() > 0) return true; // bytes nobody asked for: the stream is out of step
                socket.setSoTimeout(1);
                try {
                    in.read();
                    return true; // the end of the stream, or a byte before any request: either way not fit for use
                } catch (java.net.SocketTimeoutException quiet) {
                    return false; // nothing to read and not closed: fit for use
                } finally {
                    socket.setSoTimeout(0);
                }
            } catch (IOException e) {
                return true;
            }
        }
    }

    /** Longest header block a node may send; a node is ALE's own server, so this is a guard against a broken one. */
    private static final int MAX_HEAD = 64 << 10;
    private static final byte[] CRLF = {'\r', '\n'};
    private static final String NO_ANSWER = "the node closed the connection without an answer";
    /** Kept idle connections per node; more are closed when returned (a burst's surplus). */
    private static final int MAX_IDLE = 256;
    /** An idle connection older than this is closed, not reused: well below a node's own idle timeout of two hours. */
    private static final long MAX_IDLE_NANOS = Duration.ofMinutes(5).toNanos();
    /** A pooled connection idle longer than this is checked for a close by the node before reuse. */
    private static final long CHECK_AFTER_NANOS = Duration.ofSeconds(2).toNanos();

    private final Duration connectTimeout;
    private final Duration handshakeTimeout;
    private final Optional<SSLSocketFactory> tls;
    private final Map<URI, Deque<Connection>> idle = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * @param connectTimeout   how long a TCP connection to a node may take
     * @param handshakeTimeout how long its TLS handshake may take once the node took the connection: longer, since a
     *                         busy node is not a dead one (64 environments starting at once on a loaded 2-core host opened
     *                         64 connections whose handshakes, on nodes with that code not yet compiled, took over 3 s)
     * @param tls              when present, every connection is TLS 1.3 with the front's certificate, and the node's
     *                         must chain to the cluster CA and carry the DNS name {@link ClusterTls#NODE_NAME}
     */
    NodeHttp(Duration connectTimeout, Duration handshakeTimeout, Optional<SSLSocketFactory> tls) {
        this.connectTimeout = connectTimeout;
        this.handshakeTimeout = handshakeTimeout;
        this.tls = tls;
    }

    /** A pooled connection to {@code node}, or a new one. */
    Connection connect(URI node) throws IOException {
        Deque<Connection> pool = idle.computeIfAbsent(node, k -> new ConcurrentLinkedDeque<>());
        for (Connection c; (c = pool.pollFirst()) != null; ) {
            long age = System.nanoTime() - c.idleSince;
            if (age > MAX_IDLE_NANOS || age > CHECK_AFTER_NANOS && c.stale()) {
                c.abort();
                continue;
            }
            c.reused = true;
            return c;
        }
        return open(node);
    }

    /** A new connection, never a pooled one: for a request whose body is a stream, which could not be sent a second time. */
    Connection open(URI node) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true); // a request goes out in one write; never hold its last segment back
            s.setKeepAlive(true);
            s.connect(new InetSocketAddress(node.getHost(), port(node)), (int) connectTimeout.toMillis());
            return new Connection(node, s, tls.isPresent() ? handshake(s, tls.get()) : s);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /**
     * TLS over {@code s}, the handshake done here, bounded by the handshake timeout: the node's
     * certificate is checked for the cluster's node name, not for the address (nodes are reached
     * by pod IP), and the front shows its own.
     */
    private SSLSocket handshake(Socket s, SSLSocketFactory factory) throws IOException {
        SSLSocket ssl = (SSLSocket) factory.createSocket(s, ClusterTls.NODE_NAME, port(s), true);
        SSLParameters p = ssl.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS"); // the name in the certificate must be the one asked for
        p.setProtocols(new String[] {ClusterTls.PROTOCOL});
        ssl.setSSLParameters(p);
        ssl.setUseClientMode(true);
        s.setSoTimeout((int) handshakeTimeout.toMillis());
        ssl.startHandshake();
        s.setSoTimeout(0);
        return ssl;
    }

    private static int port(Socket s) {
        return s.getPort();
    }

    /**
     * Sends one request on {@code c} and reads the status and headers; the body is read from the
     * reply, and closing it returns the connection to the pool when the node meant to keep it.
     */
    Reply exchange(Connection c, String method, String pathAndQuery, Map<String, String> headers, byte[] body) throws IOException {
        return exchange(c, method, pathAndQuery, headers, body, Optional.empty());
    }

    /**
     * {@link #exchange} with a body read from {@code body} as it comes and sent in chunks (a file the
     * front must not hold whole). An {@link IOException} of {@code body} itself is the caller's: the
     * stream should say so in its own unchecked exception, so that it is never taken for the node's.
     */
    Reply exchangeStreamed(Connection c, String method, String pathAndQuery, Map<String, String> headers, InputStream body) throws IOException {
        return exchange(c, method, pathAndQuery, headers, new byte[0], Optional.of(body));
    }

    private Reply exchange(Connection c, String method, String pathAndQuery, Map<String, String> headers, byte[] body,
            Optional<InputStream> streamed) throws IOException {
        checkLine(pathAndQuery, "the path");
        StringBuilder head = new StringBuilder(256).append(method).append(' ').append(pathAndQuery).append(" HTTP/1.1\r\n")
                .append("Host: ").append(c.node.getHost()).append(':').append(port(c.node)).append("\r\n");
        for (Map.Entry<String, String> h : headers.entrySet()) {
            checkLine(h.getKey() + h.getValue(), "header " + h.getKey());
            head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        if (streamed.isPresent()) {
            head.append("Transfer-Encoding: chunked\r\n");
        } else if (body.length > 0 || !method.equals("GET") && !method.equals("HEAD") && !method.equals("DELETE")) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        int status;
        try {
            c.out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (streamed.isPresent()) writeChunks(streamed.get(), c.out);
            else c.out.write(body);
            c.out.flush();
            status = statusLine(readLine(c.in, true));
        } catch (IOException e) {
            // a reused connection that took the request and gave back nothing at all was closed by the node while idle
            if (c.reused && !c.socket.isClosed() && (e instanceof EOFException eof && eof.getMessage().startsWith(NO_ANSWER)
                    || e instanceof java.net.SocketException && !(e instanceof java.net.SocketTimeoutException))) {
                throw new NotSent("a kept-alive connection to " + c.node + " was closed by the node: " + e.getMessage(), e);
            }
            throw e;
        }
        while (status / 100 == 1 && status != 101) { // an interim answer (100 Continue): its headers, then the real one
            readHeaders(c.in);
            status = statusLine(readLine(c.in, true));
        }
        Map<String, String> replyHeaders = readHeaders(c.in);
        boolean keep = !"close".equalsIgnoreCase(replyHeaders.getOrDefault("connection", ""));
        InputStream raw;
        if (method.equals("HEAD") || status == 204 || status == 304) {
            raw = new Bounded(c.in, 0);
        } else if ("chunked".equalsIgnoreCase(replyHeaders.getOrDefault("transfer-encoding", ""))) {
            raw = new Chunked(c.in);
        } else if (replyHeaders.containsKey("content-length")) {
            raw = new Bounded(c.in, contentLength(replyHeaders.get("content-length")));
        } else {
            raw = c.in; // to the end of the connection
            keep = false;
        }
        return new Reply(status, replyHeaders, new Body(raw, c, keep));
    }

    /** {@code in} to its end as HTTP/1.1 chunks (RFC 9112 §7.1), then the last chunk. */
    private static void writeChunks(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[64 << 10];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            if (n == 0) continue;
            out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(buffer, 0, n);
            out.write(CRLF);
        }
        out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Closes {@code c}, or keeps it for the next call to its node. */
    void release(Connection c, boolean reusable) {
        if (!reusable || closed || c.socket.isClosed()) {
            c.abort();
            return;
        }
        Deque<Connection> pool = idle.computeIfAbsent(c.node, k -> new ConcurrentLinkedDeque<>());
        if (pool.size() >= MAX_IDLE) {
            c.abort();
            return;
        }
        try {
            c.timeout(Duration.ZERO);
        } catch (IOException e) {
            c.abort();
            return;
        }
        c.idleSince = System.nanoTime();
        pool.addFirst(c); // the most recently used first: the rest age out
    }

    /** Drops every idle connection to {@code node} (it died, or left). */
    void forget(URI node) {
        Deque<Connection> pool = idle.remove(node);
        if (pool != null) pool.forEach(Connection::abort);
    }

    @Override
    public void close() {
        closed = true;
        for (URI node : idle.keySet()) forget(node);
    }

    private static int port(URI node) {
        if (node.getPort() > 0) return node.getPort();
        return "https".equals(node.getScheme()) ? 443 : 80;
    }

    private static void checkLine(String s, String what) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\r' || ch == '\n') throw new IllegalArgumentException(what + " holds a line break");
        }
    }

    private static int statusLine(String line) throws IOException {
        // HTTP/1.1 200 OK
        if (!line.startsWith("HTTP/1.") || line.length() < 12 || line.charAt(8) != ' ') throw new IOException("not an HTTP reply: " + brief(line));
        try {
            return Integer.parseInt(line.substring(9, 12));
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP status: " + brief(line), e);
        }
    }

    private static Map<String, String> readHeaders(InputStream in) throws IOException {
        Map<String, String> out = new TreeMap<>();
        int total = 0;
        for (String line; !(line = readLine(in, false)).isEmpty(); ) {
            total += line.length();
            if (total > MAX_HEAD) throw new IOException("a node's reply headers exceed " + MAX_HEAD + " bytes");
            int colon = line.indexOf(':');
            if (colon <= 0) throw new IOException("a malformed header line: " + brief(line));
            String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            out.merge(name, value, (a, b) -> a + ", " + b);
        }
        return out;
    }

    /** One line without its CRLF; {@code first}: an end of stream before any byte is the node closing the connection. */
    private static String readLine(InputStream in, boolean first) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        for (int n = 0; ; n++) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException(first && n == 0 ? NO_ANSWER : "a node's reply broke off in its headers");
            }
            if (b == '\n') break;
            if (n >= MAX_HEAD) throw new IOException("a line of a node's reply exceeds " + MAX_HEAD + " bytes");
            line.write(b);
        }
        byte[] bytes = line.toByteArray();
        int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
    }

    private static long contentLength(String v) throws IOException {
        try {
            long n = Long.parseLong(v.strip());
            if (n < 0) throw new IOException("a negative Content-Length: " + v);
            return n;
        } catch (NumberFormatException e) {
            throw new IOException("a bad Content-Length: " + brief(v), e);
        }
    }

    private static String brief(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }

    /** A body of a known length. */
    private static final class Bounded extends InputStream {
        private final InputStream in;
        private long left;

        Bounded(InputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left == 0) return -1;
            if (len == 0) return 0;
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) throw new EOFException("a node's reply broke off " + left + " bytes before its end");
            left -= n;
            return n;
        }

        boolean done() {
            return left == 0;
        }
    }

    /** A body in chunks (RFC 9112 §7.1), trailers skipped. */
    private static final class Chunked extends InputStream {
        private final InputStream in;
        private long left;
        private boolean end;

        Chunked(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (end) return -1;
            if (len == 0) return 0;
            if (left == 0) {
                String size = readLine(in, false);
                int semi = size.indexOf(';');
                try {
                    left = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).strip(), 16);
                } catch (NumberFormatException e) {
                    throw new IOException("a bad chunk size: " + brief(size), e);
                }
                if (left < 0) throw new IOException("a bad chunk size: " + brief(size));
                if (left == 0) {
                    readHeaders(in); // trailers, then the blank line
                    end = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) throw new EOFException("a node's reply broke off inside a chunk");
            left -= n;
            if (left == 0 && !readLine(in, false).isEmpty()) throw new IOException("a chunk did not end with CRLF");
            return n;
        }

        boolean done() {
            return end;
        }
    }

    /** What the caller reads: closing it gives the connection back when the body was read to its end. */
    private final class Body extends InputStream {
        private final InputStream raw;
        private final Connection c;
        private final boolean keep;
        private boolean released;

        Body(InputStream raw, Connection c, boolean keep) {
            this.raw = raw;
            this.c = c;
            this.keep = keep;
        }

        @Override
        public int read() throws IOException {
            return raw.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return raw.read(b, off, len);
        }

        @Override
        public void close() {
            if (released) return;
            released = true;
            boolean whole = raw instanceof Bounded bounded && bounded.done() || raw instanceof Chunked chunked && chunked.done();
            release(c, keep && whole);
        }
    }
}
