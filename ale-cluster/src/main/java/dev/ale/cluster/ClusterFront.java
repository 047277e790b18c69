package dev.ale.cluster;

import dev.ale.cluster.discovery.Discovery;
import dev.ale.cluster.fleet.Fleet;
import dev.ale.cluster.fleet.Node;
import dev.ale.core.AleException;
import dev.ale.server.ClusterTls;
import dev.ale.server.JettyThreads;
import dev.ale.server.Tokens;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code ale serve --cluster}: one HTTP API over many nodes. It holds no sandbox and no table of
 * ids (every id names its node), only the fleet: discovery's members and each node's last report,
 * polled every {@link Config#pollPeriod()}. Stopping it stops nothing on the nodes.
 */
public final class ClusterFront implements AutoCloseable {

    /**
     * Where the front listens, whom it lets in, what it tells the nodes, where it finds them.
     *
     * @param secret     the cluster secret every node wants on every call ({@code ale serve --cluster-secret-file})
     * @param pollPeriod how often each node is asked for its report; a dead node is found within about this long
     * @param tls        the front's certificate and the cluster CA for mutual TLS to every node; empty: plain HTTP
     */
    public record Config(String host, int port, Tokens tokens, String secret, Discovery discovery, Duration pollPeriod, Optional<ClusterTls> tls) {
        public Config {
            Objects.requireNonNull(tls, "tls");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(tokens, "tokens");
            Objects.requireNonNull(secret, "secret");
            Objects.requireNonNull(discovery, "discovery");
            if (port < 0 || port > 65_535) throw new AleException(AleException.Fault.INPUT, "--port: must be 0-65535, not " + port);
            if (pollPeriod.isNegative() || pollPeriod.isZero()) throw new IllegalArgumentException("poll period must be positive");
        }
    }

    private static final long IDLE_CONNECTION_MS = Duration.ofHours(2).toMillis();
    private static final Set<HandlerType> METHODS = Set.of(HandlerType.GET, HandlerType.POST, HandlerType.PUT, HandlerType.DELETE);
    private static final int MAX_BODY = (16 << 20) + (1 << 16);

    private final Javalin app;
    private final Fleet fleet;
    private final NodeCalls calls;
    private final ScheduledExecutorService poller;
    private final Discovery discovery;

    private final List<String> routes;

    private ClusterFront(Javalin app, Fleet fleet, NodeCalls calls, ScheduledExecutorService poller, Discovery discovery, List<String> routes) {
        this.app = app;
        this.routes = routes;
        this.fleet = fleet;
        this.calls = calls;
        this.poller = poller;
        this.discovery = discovery;
    }

    public static ClusterFront start(Config config) {
        Fleet fleet = new Fleet();
        NodeCalls calls = new NodeCalls(fleet, config.secret(), config.tls());
        List<String> routes = new CopyOnWriteArrayList<>();
        Javalin app = Javalin.create(c -> {
            c.events.handlerAdded(h -> {
                if (METHODS.contains(h.getHttpMethod())) routes.add(h.getHttpMethod().name() + " " + h.getPath());
            });
            c.showJavalinBanner = false;
            c.jetty.threadPool = JettyThreads.pool("ale-front"); // selector and acceptor on platform threads, each call virtual
            c.http.maxRequestSize = MAX_BODY;
            c.http.disableCompression(); // event streams must reach the client as written
            c.startupWatcherEnabled = false;
        });
        new FrontRoutes(fleet, calls, config.tokens()).register(app);
        ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("ale-front-poll").factory());
        try {
            app.start(config.host(), config.port());
        } catch (RuntimeException e) {
            app.stop();
            calls.close();
            poller.shutdownNow();
            throw new AleException(AleException.Fault.ENVIRONMENT, "cannot listen on " + config.host() + ":" + config.port()
                    + " (is another server on that port? choose one with --port)", e);
        }
        for (var connector : app.jettyServer().server().getConnectors()) {
            if (connector instanceof org.eclipse.jetty.server.AbstractConnector c) c.setIdleTimeout(IDLE_CONNECTION_MS);
        }
        ClusterFront front = new ClusterFront(app, fleet, calls, poller, config.discovery(), List.copyOf(routes));
        config.discovery().start(members -> {
            fleet.update(members);
            poller.execute(front::pollAll); // a new member is asked at once, not a period later
        });
        long period = config.pollPeriod().toMillis();
        poller.scheduleWithFixedDelay(front::pollAll, 0, period, TimeUnit.MILLISECONDS);
        return front;
    }

    private void pollAll() {
        for (Node n : fleet.nodes()) calls.poll(n);
    }

    /** Every route the front answers, as {@code "METHOD /path/{param}"}, in the order they are matched. */
    List<String> routes() {
        return routes;
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        try {
            app.stop();
        } finally {
            poller.shutdownNow();
            discovery.close();
            calls.close();
        }
    }
}
