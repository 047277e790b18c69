package dev.ale.gateway.proxy;

import dev.ale.core.AleException;
import dev.ale.core.net.NetworkRecord;
import dev.ale.core.net.ProxyRecord;
import dev.ale.gateway.Gateway;
import dev.ale.gateway.HostResolver;
import dev.ale.gateway.Listening;
import dev.ale.gateway.SandboxClients;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * The sandbox's HTTP(S) proxy: {@code CONNECT host:port} tunnels and plain {@code http://}
 * requests, each to a host and port the client's current phase allowlists, dialled only at public
 * addresses (or at addresses the operator pinned). One request per connection; one
 * {@link ProxyRecord} per request, written when it ends (with the bytes each way) or is refused.
 * Refusals are {@code 403} with a one-line reason; what the gateway could not do is {@code 502}.
 */
public final class HttpProxy implements Gateway.Service {

    private static final System.Logger LOG = System.getLogger(HttpProxy.class.getName());
    private static final long ACCEPT_RETRY_MILLIS = 50;

    /**
     * Bounds on what clients can hold: connections in all and per sandbox, request head size, the
     * time to send a head (slowloris), to connect upstream, a plain request's idle time, and the
     * time a client has to send what the proxy reads before relaying anything (a tunnel's opening,
     * a request body's start). Established tunnels have no idle limit.
     */
    public record Limits(int maxConnections, int maxConnectionsPerSandbox, int maxHeadBytes,
                         Duration headTimeout, Duration connectTimeout, Duration idleTimeout, Duration firstBytesTimeout) {

        public static final Limits DEFAULT = new Limits(1024, 256, 16 * 1024,
                Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofSeconds(10));

        /** Limits with the default 10 s for a tunnel's opening and a body's start. */
        public Limits(int maxConnections, int maxConnectionsPerSandbox, int maxHeadBytes,
                      Duration headTimeout, Duration connectTimeout, Duration idleTimeout) {
            this(maxConnections, maxConnectionsPerSandbox, maxHeadBytes, headTimeout, connectTimeout, idleTimeout, Duration.ofSeconds(10));
        }

        public Limits {
            if (maxConnections < 1) throw new IllegalArgumentException("maxConnections " + maxConnections + " must be at least 1");
            if (maxConnectionsPerSandbox < 1) {
                throw new IllegalArgumentException("maxConnectionsPerSandbox " + maxConnectionsPerSandbox + " must be at least 1");
            }
            if (maxHeadBytes < 256) throw new IllegalArgumentException("maxHeadBytes " + maxHeadBytes + " must be at least 256");
            for (Duration d : new Duration[] {headTimeout, connectTimeout, idleTimeout, firstBytesTimeout}) {
                if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("timeout " + d + " must be positive");
            }
        }

        /** Upstream response heads carry cookies and such: allowed four times a request's. */
        int maxResponseHeadBytes() {
            return maxHeadBytes * 4;
        }
    }

    private final ServerSocket server;
    private final SandboxClients clients;
    private final HostResolver resolver;
    private final Consumer<NetworkRecord> records;
    private final Limits limits;
    private final Dialer dialer;
    private final Semaphore slots;
    private final RelayBuffers buffers = new RelayBuffers(RelayBuffers.MAX_LARGE);
    private final Map<String, Integer> perSandbox = new ConcurrentHashMap<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final ExecutorService tasks;
    private final Thread acceptor;
    private volatile boolean closed;

    private HttpProxy(ServerSocket server, SandboxClients clients, HostResolver resolver,
                      Consumer<NetworkRecord> records, Limits limits, Dialer dialer) {
        this.server = server;
        this.clients = clients;
        this.resolver = resolver;
        this.records = records;
        this.limits = limits;
        this.dialer = dialer;
        this.slots = new Semaphore(limits.maxConnections());
        int port = server.getLocalPort();
        // Platform threads, not virtual: a tunnel is two threads copying blocks as fast as
        // the sockets allow, and parking a virtual thread on every read cost a third of the
        // throughput on loopback (ale bench gateway: 0.57x direct with virtual, 0.95-1.03x with platform).
        this.tasks = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().daemon().name("proxy-" + port + "-", 0).factory());
        this.acceptor = Thread.ofVirtual().name("proxy-" + port + "-accept").start(this::acceptLoop);
    }

    /** Binds {@code bind} (port 0: any free port) and serves from threads of its own. */
    public static HttpProxy start(InetSocketAddress bind, SandboxClients clients, HostResolver resolver,
                                  Consumer<NetworkRecord> records) {
        return start(bind, clients, resolver, records, Limits.DEFAULT);
    }

    /**
     * As {@link #start(InetSocketAddress, SandboxClients, HostResolver, Consumer)}, with limits.
     * {@code records} is called once per request, from many threads at once.
     *
     * @throws AleException (environment) when the address cannot be bound
     */
    public static HttpProxy start(InetSocketAddress bind, SandboxClients clients, HostResolver resolver,
                                  Consumer<NetworkRecord> records, Limits limits) {
        return start(bind, clients, resolver, records, limits, Dialer.PLAIN);
    }

    static HttpProxy start(InetSocketAddress bind, SandboxClients clients, HostResolver resolver,
                           Consumer<NetworkRecord> records, Limits limits, Dialer dialer) {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(clients, "clients");
        Objects.requireNonNull(resolver, "resolver");
        Objects.requireNonNull(records, "records");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(dialer, "dialer");
        // Channels underneath, so that an established tunnel is relayed channel to channel (Relay).
        ServerSocket server = Listening.tcpChannel(bind, Math.max(128, Math.min(limits.maxConnections(), 4096)), "the HTTP proxy");
        return new HttpProxy(server, clients, resolver, records, limits, dialer);
    }

    /** The address the proxy listens on, with the port the system picked when asked for 0. */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /**
     * Stops listening and ends every open connection and tunnel at once (each is still recorded).
     * When this returns, the record consumer will not be called again.
     */
    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        boolean interrupted = false;
        while (acceptor.isAlive()) {
            try {
                acceptor.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        open.forEach(HttpProxy::closeQuietly);
        tasks.close();
        if (interrupted) Thread.currentThread().interrupt();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (closed) return;
                LOG.log(Level.WARNING, "HTTP proxy on " + address() + " failed to accept a connection: " + e);
                try {
                    Thread.sleep(ACCEPT_RETRY_MILLIS);
                } catch (InterruptedException interrupted) {
                    return;
                }
                continue;
            }
            if (!slots.tryAcquire()) {
                refuseBusy(socket);
                continue;
            }
            track(socket);
            try {
                tasks.execute(() -> {
                    try {
                        new ProxyExchange(this, socket).run();
                    } finally {
                        untrack(socket);
                        closeQuietly(socket);
                        slots.release();
                    }
                });
            } catch (RejectedExecutionException closing) {
                untrack(socket);
                closeQuietly(socket);
                slots.release();
            }
        }
    }

    /** Over the limit: say so at once (a fresh socket's send buffer takes this without blocking). */
    private static void refuseBusy(Socket socket) {
        try (socket; OutputStream out = socket.getOutputStream()) {
            out.write(("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
        } catch (IOException ignored) {
            // the client is gone already
        }
    }

    SandboxClients clients() {
        return clients;
    }

    HostResolver resolver() {
        return resolver;
    }

    Limits limits() {
        return limits;
    }

    Dialer dialer() {
        return dialer;
    }

    RelayBuffers buffers() {
        return buffers;
    }

    void track(Socket socket) {
        open.add(socket);
        if (closed) closeQuietly(socket); // close() may have swept the set before this one joined it
    }

    void untrack(Socket socket) {
        open.remove(socket);
    }

    Thread startTask(Runnable task) {
        return Thread.ofPlatform().daemon().name("proxy-" + server.getLocalPort() + "-pump").start(task);
    }

    /** Counts a sandbox's connection in; false (and not counted) when it has its fill. */
    boolean enter(String sandbox) {
        boolean[] entered = {false};
        perSandbox.compute(sandbox, (s, count) -> {
            int now = count == null ? 0 : count;
            if (now >= limits.maxConnectionsPerSandbox()) return count;
            entered[0] = true;
            return now + 1;
        });
        return entered[0];
    }

    void leave(String sandbox) {
        perSandbox.computeIfPresent(sandbox, (s, count) -> count <= 1 ? null : count - 1);
    }

    void emit(ProxyRecord record) {
        try {
            records.accept(record);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "HTTP proxy's record consumer failed on " + record + ": " + e, e);
        }
    }

    static void closeQuietly(Closeable closeable) {
        if (closeable == null) return;
        try {
            closeable.close();
        } catch (IOException ignored) {
            // already closed or reset
        }
    }
}
