package dev.ale.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ale.cluster.fleet.Capacity;
import dev.ale.cluster.fleet.Fleet;
import dev.ale.cluster.fleet.Node;
import dev.ale.cluster.fleet.NodeDown;
import dev.ale.server.ClusterTls;
import dev.ale.server.NodeSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * The front's HTTP to its nodes: every call carries the cluster secret; a call to a node that
 * cannot be reached, or that dies while the call runs, becomes {@link NodeDown} (never a hang:
 * the node's in-flight calls fail as soon as it is declared dead), and the fleet stops placing
 * there at once.
 */
final class NodeCalls implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(NodeCalls.class.getName());
    /** Headers a caller's request keeps on its way to the node. */
    private static final List<String> PASSED = List.of("Authorization", "XRL-Authorization", "Content-Type", "Accept");
    private static final Duration POLL_TIMEOUT = Duration.ofSeconds(3);
    /** A node that took the connection is up; its handshake may wait for a CPU (NodeHttp's constructor says when that happened). */
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(15);

    private final NodeHttp nodes;
    private final Fleet fleet;
    private final String secret;

    /** {@code tls}: the front's certificate and the cluster CA, or none for plain HTTP ({@code --plain-http}). */
    NodeCalls(Fleet fleet, String secret, Optional<ClusterTls> tls) {
        this.fleet = fleet;
        this.secret = secret;
        this.nodes = new NodeHttp(POLL_TIMEOUT, HANDSHAKE_TIMEOUT, tls.map(t -> t.context().getSocketFactory()));
    }

    /**
     * One request to {@code node} on a pooled connection; {@code headers} are the caller's, filtered
     * to {@link #PASSED}. The reply's body must be closed (that gives the connection back).
     */
    NodeHttp.Reply send(Node node, String method, String pathAndQuery, Map<String, String> headers, byte[] body) {
        Map<String, String> out = toNode(headers);
        // the call is watched as one in flight: a node declared dead fails it at once by closing its socket
        CompletableFuture<Void> watch = node.track(new CompletableFuture<>());
        if (watch.isCompletedExceptionally()) throw downOf(node, watch);
        // one more try, on a fresh connection, only for a request a stale kept-alive connection never delivered
        for (int attempt = 1; ; attempt++) {
            NodeHttp.Connection c = watched(node, watch, nodes::connect);
            try {
                NodeHttp.Reply reply = nodes.exchange(c, method, pathAndQuery, out, body);
                node.answered();
                return new NodeHttp.Reply(reply.status(), reply.headers(), new Watched(reply.body(), watch));
            } catch (NodeHttp.NotSent e) {
                c.abort();
                if (watch.isCompletedExceptionally()) throw downOf(node, watch);
                if (attempt == 2) {
                    watch.complete(null);
                    throw lost(node, e, false);
                }
            } catch (IOException e) {
                c.abort();
                if (watch.isCompletedExceptionally()) throw downOf(node, watch);
                watch.complete(null);
                throw lost(node, e, false);
            } catch (RuntimeException e) {
                c.abort();
                watch.complete(null);
                throw e;
            }
        }
    }

    /** How a call gets its connection: a pooled one ({@link NodeHttp#connect}) or a new one ({@link NodeHttp#open}). */
    private interface Opener {
        NodeHttp.Connection open(URI node) throws IOException;
    }

    /** A connection to {@code node} for a call in flight as {@code watch}: a node declared dead aborts it. */
    private NodeHttp.Connection watched(Node node, CompletableFuture<Void> watch, Opener opener) {
        NodeHttp.Connection c;
        try {
            c = opener.open(node.url());
        } catch (IOException e) {
            watch.complete(null);
            throw lost(node, e, e instanceof ConnectException);
        }
        watch.whenComplete((r, e) -> {
            if (e != null) c.abort();
        });
        return c;
    }

    /** The headers a call to a node carries: the cluster secret, then the caller's that are {@link #PASSED}. */
    private Map<String, String> toNode(Map<String, String> headers) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put(NodeSettings.SECRET_HEADER, secret);
        for (String h : PASSED) {
            String v = headers.get(h);
            if (v != null) out.put(h, v);
        }
        return out;
    }

    /**
     * {@link #send} with a body streamed from {@code body} (ROCK's upload: a file the front must not hold
     * whole), on a new connection and never sent twice. A failure of {@code body} itself is the caller's
     * and must come as an unchecked exception of its own: it ends the call without marking the node.
     */
    NodeHttp.Reply sendStreamed(Node node, String method, String pathAndQuery, Map<String, String> headers, InputStream body) {
        Map<String, String> out = toNode(headers);
        CompletableFuture<Void> watch = node.track(new CompletableFuture<>());
        if (watch.isCompletedExceptionally()) throw downOf(node, watch);
        NodeHttp.Connection c = watched(node, watch, nodes::open);
        try {
            NodeHttp.Reply reply = nodes.exchangeStreamed(c, method, pathAndQuery, out, body);
            node.answered();
            return new NodeHttp.Reply(reply.status(), reply.headers(), new Watched(reply.body(), watch));
        } catch (IOException e) {
            c.abort();
            if (watch.isCompletedExceptionally()) throw downOf(node, watch);
            watch.complete(null);
            throw lost(node, e, false);
        } catch (RuntimeException e) {
            c.abort();
            watch.complete(null);
            throw e;
        }
    }

    private NodeDown lost(Node node, IOException e, boolean certain) {
        LOG.log(System.Logger.Level.WARNING, "a call to node " + name(node) + " at " + node.url() + " failed: " + describe(e));
        fleet.unreachable(node, certain);
        nodes.forget(node.url());
        return new NodeDown("node " + name(node) + " did not answer (" + describe(e)
                + "); its sandboxes and environments may be lost: retry the episode (a new one is placed on a live node)");
    }

    private static NodeDown downOf(Node node, CompletableFuture<Void> watch) {
        try {
            watch.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof NodeDown down) return down;
        } catch (CancellationException e) {
            // cancelled by track(): the node was already dead
        }
        return new NodeDown("the call to node " + name(node) + " was cut off: the node is not answering; retry the episode");
    }

    /** A reply's body whose close also ends the call's watch (a read that fails because the node died says so). */
    private static final class Watched extends InputStream {
        private final InputStream body;
        private final CompletableFuture<Void> watch;

        Watched(InputStream body, CompletableFuture<Void> watch) {
            this.body = body;
            this.watch = watch;
        }

        @Override
        public int read() throws IOException {
            return body.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return body.read(b, off, len);
        }

        @Override
        public void close() throws IOException {
            watch.complete(null); // before the connection goes back to the pool, so a late abort cannot close it there
            body.close();
        }
    }

    /** Asks one node for its report (on a virtual thread of its own) and hands it to the fleet; a node that does not answer is marked so. */
    void poll(Node node) {
        Thread.ofVirtual().name("ale-front-poll-" + name(node)).start(() -> pollNow(node));
    }

    private void pollNow(Node node) {
        long sent = System.nanoTime();
        NodeHttp.Connection c;
        try {
            c = nodes.connect(node.url());
        } catch (IOException e) {
            unanswered(node, describe(e));
            fleet.unreachable(node, e instanceof ConnectException);
            return;
        }
        try {
            c.timeout(POLL_TIMEOUT);
            NodeHttp.Reply r = nodes.exchange(c, "GET", "/v1/node", Map.of(NodeSettings.SECRET_HEADER, secret), new byte[0]);
            byte[] body;
            try (InputStream in = r.body()) {
                body = in.readAllBytes();
            }
            if (r.status() != 200) {
                String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
                unanswered(node, "HTTP " + r.status() + " " + (text.length() > 200 ? text.substring(0, 200) + "…" : text));
                fleet.unreachable(node, false);
                return;
            }
            fleet.reported(node, capacity(JSON.readTree(body)), sent);
        } catch (IOException | RuntimeException bad) {
            c.abort();
            unanswered(node, bad.toString());
            fleet.unreachable(node, false);
        }
    }

    /** Logged once per change of heart: a node that was answering stops. */
    private static void unanswered(Node node, String why) {
        LOG.log(System.Logger.Level.WARNING, "node " + name(node) + " at " + node.url() + " did not report: " + why);
    }

    static Capacity capacity(JsonNode j) {
        Map<String, Integer> owners = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : j.path("owners").properties()) {
            owners.put(e.getKey(), e.getValue().asInt());
        }
        JsonNode slots = j.path("slots");
        String name = j.path("name").asText("");
        if (!name.matches(NodeSettings.NAME_PATTERN)) throw new IllegalArgumentException("a node reported the bad name '" + name + "'");
        return new Capacity(name, slots.isIntegralNumber() ? OptionalInt.of(slots.asInt()) : OptionalInt.empty(),
                j.path("used").asInt(), owners, j.path("cpus").asInt(1), j.path("memory_available_bytes").asLong(0));
    }

    private static String name(Node node) {
        return node.name().orElse(node.url().toString());
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }

    @Override
    public void close() {
        nodes.close();
    }
}
