package dev.ale.gateway.proxy;

import dev.ale.core.net.Opening;
import dev.ale.core.net.ProxyRecord;
import dev.ale.gateway.SandboxClients.Client;
import dev.ale.gateway.net.ListenerPorts;
import dev.ale.gateway.sink.Classification;
import dev.ale.gateway.sink.ConnectionRecords;
import dev.ale.gateway.sink.FirstBytes;
import java.util.Locale;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One client connection to the proxy: one request, then the connection closes (a tunnel for
 * CONNECT, one forwarded exchange otherwise), and one {@link ProxyRecord} for it.
 */
final class ProxyExchange {

    private static final byte[] ESTABLISHED = "HTTP/1.1 200 Connection established\r\n\r\n"
            .getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    private final HttpProxy proxy;
    private final Socket socket;
    private final Instant time = Instant.now();

    ProxyExchange(HttpProxy proxy, Socket socket) {
        this.proxy = proxy;
        this.socket = socket;
    }

    void run() {
        try {
            serve();
        } catch (IOException | RuntimeException e) {
            System.getLogger(HttpProxy.class.getName()).log(System.Logger.Level.DEBUG, "proxy exchange ended: " + e);
        }
    }

    private void serve() throws IOException {
        socket.setTcpNoDelay(true);
        TimedInput timed = new TimedInput(socket);
        ClientInput in = new ClientInput(timed, 16 * 1024);
        CountingOutput counted = new CountingOutput(socket.getOutputStream());
        OutputStream out = new BufferedOutputStream(counted, Bodies.BUFFER);
        HttpProxy.Limits limits = proxy.limits();

        timed.deadline(limits.headTimeout());
        HttpHead request;
        try {
            request = HttpHead.read(in, limits.maxHeadBytes());
        } catch (EOFException closedQuietly) {
            return;
        } catch (Malformed e) {
            String message = e.status() == 431 ? "request head over " + limits.maxHeadBytes() + " bytes" : e.getMessage();
            respond(out, e.status(), message);
            return;
        } catch (SocketTimeoutException e) {
            respond(out, 408, "no complete request head within " + limits.headTimeout().toSeconds() + " s");
            return;
        }
        Optional<Client> found = proxy.clients().bySource(socket.getInetAddress());
        if (found.isEmpty()) {
            respond(out, 403, socket.getInetAddress().getHostAddress() + " is not a sandbox this gateway serves");
            return;
        }
        Client client = found.get();
        String method = request.first();
        if (!request.third().startsWith("HTTP/")) {
            respond(out, 400, "bad request line");
            return;
        }
        if (!request.third().equals("HTTP/1.1") && !request.third().equals("HTTP/1.0")) {
            respond(out, 505, "HTTP/1.0 or HTTP/1.1 only");
            return;
        }
        if (!HttpHead.isToken(method)) {
            respond(out, 400, "bad method");
            return;
        }
        Optional<String> toGateway = method.equals("CONNECT") ? Optional.empty() : ModelRoute.pathOf(request.second());
        if (toGateway.isPresent()) {
            serveModel(client, request, toGateway.get(), in, out, counted, timed);
            return;
        }
        Target target;
        HttpHead.Framing requestBody;
        try {
            target = method.equals("CONNECT") ? Target.ofConnect(request.second()) : Target.ofAbsolute(request.second());
            requestBody = method.equals("CONNECT") ? new HttpHead.Framing.None() : request.requestFraming();
        } catch (Malformed e) {
            respond(out, e.status(), e.getMessage());
            return;
        }
        if (!entered(client, out)) return;
        try {
            switch (Verdict.decide(client, target, proxy.resolver())) {
                case Verdict.Refuse refuse -> {
                    // Recorded first: the answer's lingering close may take a while.
                    record(client, method, target, Optional.of(refuse.reason()), Optional.empty(), 0, 0);
                    respond(out, refuse.status(), refuse.message());
                }
                case Verdict.Dial dial -> {
                    Optional<Socket> upstream = dial(dial, target);
                    if (upstream.isEmpty()) {
                        String tried = dial.addresses().getFirst().getHostAddress();
                        record(client, method, target, Optional.of("cannot connect to " + tried), Optional.of(tried), 0, 0);
                        respond(out, 502, "cannot connect to " + target.hostPort());
                        return;
                    }
                    try (Socket up = upstream.get()) {
                        proxy.track(up);
                        String upstreamAddress = up.getInetAddress().getHostAddress();
                        Exchanged x = method.equals("CONNECT")
                                ? connect(client, target, in, out, counted, timed, up)
                                : forward(client, request, target, requestBody, in, out, counted, timed, up, true);
                        record(client, method, target, x.refusal(), Optional.of(upstreamAddress), x.up(), x.down(), x.opening());
                    } finally {
                        proxy.untrack(upstream.get());
                    }
                }
            }
        } finally {
            proxy.leave(client.sandboxId());
        }
    }

    /** A request to the gateway itself: passed on to the model proxy, or refused, and recorded either way. */
    private void serveModel(Client client, HttpHead request, String path, InputStream in, OutputStream out,
                            CountingOutput counted, TimedInput timed) throws IOException {
        String method = request.first();
        Target named = new Target(ModelRoute.HOST, ListenerPorts.PROXY_PORT_SEEN, path, ModelRoute.HOST);
        Optional<InetSocketAddress> route = proxy.clients().modelRoute();
        Optional<Verdict.Refuse> refused = ModelRoute.refusal(client, route, method, path, request.all("Authorization"));
        if (refused.isPresent()) {
            record(client, method, named, Optional.of(refused.get().reason()), Optional.empty(), 0, 0);
            respond(out, refused.get().status(), refused.get().message());
            return;
        }
        HttpHead.Framing requestBody;
        try {
            requestBody = request.requestFraming();
        } catch (Malformed e) {
            respond(out, e.status(), e.getMessage());
            return;
        }
        if (!entered(client, out)) return;
        InetSocketAddress to = route.get();
        String address = to.getAddress().getHostAddress();
        try {
            Socket up;
            try {
                up = proxy.dialer().dial(to, proxy.limits().connectTimeout());
                up.setTcpNoDelay(true);
            } catch (IOException e) {
                record(client, method, named, Optional.of("cannot connect to the model proxy"), Optional.of(address), 0, 0);
                respond(out, 502, "the model proxy is not answering");
                return;
            }
            try (up) {
                proxy.track(up);
                Target upstream = new Target(address, to.getPort(), path, address + ":" + to.getPort());
                // ALE's own model proxy: its bodies are conversations, judged by the model proxy, not as first bytes
                Exchanged x = forward(client, request, upstream, requestBody, in, out, counted, timed, up, false);
                record(client, method, named, x.refusal(), Optional.of(address), x.up(), x.down(), x.opening());
            } finally {
                proxy.untrack(up);
            }
        } finally {
            proxy.leave(client.sandboxId());
        }
    }

    /** Counts the client's connection in; when it already has its fill, answers 503 and says false. */
    private boolean entered(Client client, OutputStream out) {
        if (proxy.enter(client.sandboxId())) return true;
        respond(out, 503, "sandbox " + client.sandboxId() + " has too many proxy connections open");
        return false;
    }

    private Optional<Socket> dial(Verdict.Dial dial, Target target) {
        int tries = 0;
        for (InetAddress address : dial.addresses()) {
            if (tries++ == 3) break;
            try {
                Socket up = proxy.dialer().dial(new InetSocketAddress(address, target.port()), proxy.limits().connectTimeout());
                up.setTcpNoDelay(true);
                return Optional.of(up);
            } catch (IOException e) {
                // try the next address
            }
        }
        return Optional.empty();
    }

    /** What one exchange did: bytes each way, and why the proxy cut it off, if it did, with what the client sent first. */
    private record Exchanged(long up, long down, Optional<String> refusal, Optional<Opening> opening) {
    }

    /**
     * An allowlisted CONNECT: the tunnel is established, but nothing is relayed either way until
     * the client's first bytes are judged ({@link TunnelOpening}). A TLS hello for the host is
     * spliced on; a plain HTTP request for it is served as one request; anything else ends the
     * tunnel, recorded with what it carried.
     */
    private Exchanged connect(Client client, Target target, ClientInput in, OutputStream out, CountingOutput counted,
                              TimedInput timed, Socket up) throws IOException {
        out.write(ESTABLISHED);
        out.flush();
        long established = counted.count();
        Duration within = proxy.limits().firstBytesTimeout();
        Peek first;
        try {
            first = Peek.read(in, timed, Peek.TUNNEL, FirstBytes.MAX_BYTES, within);
        } catch (IOException reset) {
            closeBoth(up);
            return new Exchanged(0, 0, Optional.empty(), Optional.empty());
        }
        if (first.length() == 0 && first.ended()) {
            closeBoth(up); // opened and closed unused: nothing was sent, nothing to judge
            return new Exchanged(0, 0, Optional.empty(), Optional.empty());
        }
        return switch (TunnelOpening.judge(target.host(), first, within)) {
            case TunnelOpening.Refuse refuse -> {
                closeBoth(up);
                yield new Exchanged(0, 0, Optional.of(refuse.reason()), Optional.of(first.opening()));
            }
            case TunnelOpening.Tls tls -> {
                timed.idle(Duration.ZERO); // a tunnel may idle as long as both ends like (a long download, say)
                long[] bytes = splice(first, in, counted, up);
                yield new Exchanged(bytes[0], bytes[1] - established, Optional.empty(), Optional.of(first.opening()));
            }
            case TunnelOpening.Http http -> {
                Exchanged x = tunnelledRequest(client, target, first, in, out, counted, timed, up);
                yield new Exchanged(x.up(), Math.max(0, x.down() - established), x.refusal(), x.refusal().isPresent() ? x.opening()
                        : Optional.of(first.opening()));
            }
        };
    }

    /** A plain HTTP request inside a tunnel, served as the proxy serves one sent to it: one request, its body judged. */
    private Exchanged tunnelledRequest(Client client, Target tunnel, Peek first, InputStream in, OutputStream out,
                                       CountingOutput counted, TimedInput timed, Socket up) throws IOException {
        InputStream replay = first.replay(in);
        timed.deadline(proxy.limits().headTimeout());
        HttpHead request;
        Target target;
        HttpHead.Framing body;
        try {
            request = HttpHead.read(replay, proxy.limits().maxHeadBytes());
            if (!request.third().equals("HTTP/1.1") && !request.third().equals("HTTP/1.0")) throw new Malformed(505, "HTTP/1.0 or HTTP/1.1 only");
            if (!HttpHead.isToken(request.first())) throw new Malformed("bad method");
            target = innerTarget(tunnel, request);
            body = request.requestFraming();
        } catch (Malformed e) {
            respond(out, e.status(), e.getMessage());
            closeBoth(up);
            return new Exchanged(0, counted.count(), Optional.of("tunnel carried malformed http: " + e.getMessage()),
                    Optional.of(first.opening()));
        }
        return forward(client, request, target, body, replay, out, counted, timed, up, true);
    }

    /** Where a request inside a tunnel goes: the tunnel's host and port, whatever form its target takes. */
    private static Target innerTarget(Target tunnel, HttpHead request) throws Malformed {
        String uri = request.second();
        if (uri.startsWith("/") || uri.equals("*")) {
            for (int i = 0; i < uri.length(); i++) {
                if (uri.charAt(i) <= 0x20 || uri.charAt(i) >= 0x7f) throw new Malformed("bad byte in request target");
            }
            String authority = request.field("Host").orElse(tunnel.hostPort());
            return new Target(tunnel.host(), tunnel.port(), uri, authority);
        }
        Target absolute = Target.ofAbsolute(uri);
        if (!absolute.host().equals(tunnel.host()) || absolute.port() != tunnel.port()) {
            throw new Malformed(403, "a request inside the tunnel to " + tunnel.hostPort() + " may not go to " + absolute.hostPort());
        }
        return absolute;
    }

    /**
     * Splices both ways until both directions end, {@code first} and what {@code in} holds
     * ahead of the rest; an end of input on one side is passed on as a half-close, an error on
     * either side closes both. Returns bytes {up, down}.
     */
    private long[] splice(Peek first, ClientInput in, CountingOutput clientCounted, Socket up) throws IOException {
        CountingOutput upCounted = new CountingOutput(up.getOutputStream());
        Optional<Relay> upward = Relay.between(socket, up, upCounted, proxy.buffers());
        Optional<Relay> downward = Relay.between(up, socket, clientCounted, proxy.buffers());
        Thread upwardTask = proxy.startTask(() -> {
            try {
                if (upward.isPresent()) {
                    upward.get().send(first.bytes(), 0, first.length());
                    byte[] ahead = in.takeBuffered();
                    upward.get().send(ahead, 0, ahead.length);
                    upward.get().untilEnd();
                } else {
                    Bodies.untilEnd(first.replay(in), upCounted);
                }
                up.shutdownOutput();
            } catch (IOException e) {
                closeBoth(up);
            }
        });
        try {
            if (downward.isPresent()) {
                downward.get().untilEnd();
            } else {
                Bodies.untilEnd(up.getInputStream(), clientCounted);
            }
            socket.shutdownOutput();
        } catch (IOException e) {
            closeBoth(up);
        }
        join(upwardTask);
        return new long[] {upCounted.count(), clientCounted.count()};
    }

    /**
     * Sends one request upstream in origin-form and streams its response back. With
     * {@code inspect}, the body's start is judged before the head goes up (a miner's login in a
     * POST is refused), and an upgrade to a websocket passes only where the passport allows one,
     * its first message judged before it is relayed.
     */
    private Exchanged forward(Client client, HttpHead request, Target target, HttpHead.Framing requestBody, InputStream clientIn,
                              OutputStream clientOut, CountingOutput clientCounted, TimedInput clientTimed, Socket up,
                              boolean inspect) throws IOException {
        boolean webSocket = inspect && asksForWebSocket(request);
        if (webSocket && !client.allowsWebsocket(target.host(), target.port())) {
            Opening head = headOpening(request, target, "websocket");
            respond(clientOut, 403, "a websocket to " + target.hostPort() + " is not allowlisted for phase " + client.phase().wire());
            return new Exchanged(0, clientCounted.count(), Optional.of("websocket upgrade not allowlisted"), Optional.of(head));
        }
        InputStream bodyIn = clientIn;
        boolean continued = false;
        if (inspect && !(requestBody instanceof HttpHead.Framing.None)) {
            // Nothing goes up until the body's start is judged; a client waiting for 100 Continue gets it from here.
            if (request.field("Expect").filter(v -> v.equalsIgnoreCase("100-continue")).isPresent()) {
                clientOut.write(CONTINUE);
                clientOut.flush();
                continued = true;
            }
            int max = requestBody instanceof HttpHead.Framing.Length length ? (int) Math.min(length.bytes(), FirstBytes.MAX_BYTES)
                    : FirstBytes.MAX_BYTES;
            Peek body = Peek.read(clientIn, clientTimed, Peek.body(requestBody instanceof HttpHead.Framing.Chunked), max,
                    proxy.limits().firstBytesTimeout());
            if (body.reading().classification().hostile()) {
                String protocol = body.opening().protocol();
                respond(clientOut, 403, "the request body is " + protocol + " (" + body.opening().detail() + "); refused");
                return new Exchanged(0, clientCounted.count(), Optional.of("request body carried " + protocol),
                        Optional.of(body.opening()));
            }
            bodyIn = body.replay(clientIn);
        }
        CountingOutput upCounted = new CountingOutput(up.getOutputStream());
        OutputStream upOut = new BufferedOutputStream(upCounted, Bodies.BUFFER);
        StringBuilder head = new StringBuilder();
        head.append(request.first()).append(' ').append(target.path()).append(" HTTP/1.1\r\n");
        head.append("Host: ").append(target.authority()).append("\r\n");
        for (HttpHead.Field f : request.endToEnd()) {
            if (continued && f.name().equalsIgnoreCase("Expect")) continue;
            head.append(f.name()).append(": ").append(f.value()).append("\r\n");
        }
        head.append(webSocket ? "Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n" : "Connection: close\r\n\r\n");
        upOut.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        upOut.flush();

        // The body goes up while the response comes down: a server may answer 100 Continue, or early.
        clientTimed.idle(proxy.limits().idleTimeout());
        AtomicReference<IOException> bodyFailure = new AtomicReference<>();
        InputStream bodySource = bodyIn;
        Thread body = proxy.startTask(() -> {
            try {
                Bodies.copy(requestBody, bodySource, upOut);
            } catch (IOException e) {
                bodyFailure.set(e);
            }
        });
        TimedInput upTimed = new TimedInput(up);
        upTimed.idle(proxy.limits().idleTimeout());
        InputStream upIn = new BufferedInputStream(upTimed, 16 * 1024);
        long headStart = clientCounted.count();
        Optional<String> refusal = Optional.empty();
        Optional<Opening> opening = Optional.empty();
        try {
            while (true) {
                HttpHead response;
                int status;
                try {
                    response = HttpHead.read(upIn, proxy.limits().maxResponseHeadBytes());
                    status = Integer.parseInt(response.second());
                    if (!response.first().startsWith("HTTP/1.") || status < 100 || status > 999) throw new NumberFormatException();
                } catch (NumberFormatException | Malformed | EOFException e) {
                    if (clientCounted.count() == headStart) respond(clientOut, 502, "the upstream server sent no valid response");
                    break;
                }
                boolean interim = status / 100 == 1 && status != 101;
                boolean switching = status == 101 && webSocket;
                StringBuilder back = new StringBuilder();
                back.append(response.first()).append(' ').append(status).append(' ').append(response.third()).append("\r\n");
                for (HttpHead.Field f : response.endToEnd()) back.append(f.name()).append(": ").append(f.value()).append("\r\n");
                if (switching) back.append("Connection: Upgrade\r\nUpgrade: websocket\r\n");
                else if (!interim) back.append("Connection: close\r\n");
                back.append("\r\n");
                clientOut.write(back.toString().getBytes(StandardCharsets.ISO_8859_1));
                clientOut.flush();
                if (interim) continue;
                if (switching) {
                    join(body);
                    Peek first = relayWebSocket(bodySource, clientTimed, clientCounted, upIn, upTimed, upOut, up);
                    opening = Optional.of(first.opening());
                    if (first.reading().classification().hostile()) refusal = Optional.of("websocket carried " + first.opening().protocol());
                    break;
                }
                Bodies.copy(response.responseFraming(request.first(), status == 101 ? 200 : status), upIn, clientOut);
                socket.shutdownOutput(); // the whole response is queued before the close below
                break;
            }
        } finally {
            // One request per connection: whatever the client still sends is not passed on.
            closeBoth(up);
            join(body);
        }
        return new Exchanged(upCounted.count(), clientCounted.count(), refusal, opening);
    }

    /**
     * After {@code 101 Switching Protocols}: the server's frames go down at once; the client's go
     * up only once its first message is judged, and not at all when it is a miner, a shell or a
     * tunnel. Returns that first message.
     */
    private Peek relayWebSocket(InputStream clientIn, TimedInput clientTimed, OutputStream clientOut, InputStream upIn,
                                TimedInput upTimed, OutputStream upOut, Socket up) throws IOException {
        clientTimed.idle(Duration.ZERO); // like a tunnel: a websocket may idle as long as both ends like
        upTimed.idle(Duration.ZERO);
        Thread down = proxy.startTask(() -> {
            try {
                Bodies.untilEnd(upIn, clientOut);
                socket.shutdownOutput();
            } catch (IOException e) {
                closeBoth(up);
            }
        });
        try {
            Peek first = Peek.read(clientIn, clientTimed, Peek.WEBSOCKET, FirstBytes.MAX_BYTES, Duration.ZERO);
            if (first.reading().classification().hostile()) {
                closeBoth(up);
                return first;
            }
            clientTimed.idle(Duration.ZERO);
            upOut.write(first.bytes(), 0, first.length());
            upOut.flush();
            Bodies.untilEnd(clientIn, upOut);
            up.shutdownOutput();
            return first;
        } finally {
            join(down);
        }
    }

    private static boolean asksForWebSocket(HttpHead request) {
        return request.all("Upgrade").stream().anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("websocket"));
    }

    /** A request head as an opening: what the monitor judges about a refused upgrade. */
    private static Opening headOpening(HttpHead request, Target target, String upgrade) {
        byte[] line = (request.first() + " " + request.second() + " " + request.third()).getBytes(StandardCharsets.ISO_8859_1);
        return ConnectionRecords.opening(new Classification.Http(request.first(), target.host(), target.path(), upgrade),
                FirstBytes.escaped(line, line.length));
    }

    private void closeBoth(Socket up) {
        HttpProxy.closeQuietly(up);
        HttpProxy.closeQuietly(socket);
    }

    private static void join(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** Answers with a short text page, then closes gently so the client reads it before any reset. */
    private void respond(OutputStream out, int status, String message) {
        byte[] body = ("ALE gateway: " + message + "\n").getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + reason(status) + "\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "Connection: close\r\n\r\n";
        try {
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            socket.shutdownOutput();
            // Drain briefly: closing with unread input would reset the connection and lose the answer.
            InputStream in = socket.getInputStream();
            byte[] sink = new byte[8192];
            long until = System.nanoTime() + 2_000_000_000L;
            long drained = 0;
            int read = 0;
            while (read >= 0 && drained < 256 * 1024) {
                long left = (until - System.nanoTime()) / 1_000_000;
                if (left <= 0) break;
                socket.setSoTimeout((int) left);
                read = in.read(sink);
                drained += Math.max(0, read);
            }
        } catch (IOException e) {
            // the client went away; nothing more to tell it
        }
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 408 -> "Request Timeout";
            case 431 -> "Request Header Fields Too Large";
            case 501 -> "Not Implemented";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Error";
        };
    }

    private void record(Client client, String method, Target target, Optional<String> refusal,
                        Optional<String> upstream, long up, long down) {
        record(client, method, target, refusal, upstream, up, down, Optional.empty());
    }

    private void record(Client client, String method, Target target, Optional<String> refusal,
                        Optional<String> upstream, long up, long down, Optional<Opening> opening) {
        proxy.emit(new ProxyRecord(client.sandboxId(), time, method, target.host(), target.port(), refusal, upstream, up, down, opening));
    }
}
