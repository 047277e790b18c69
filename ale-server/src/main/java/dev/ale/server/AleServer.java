package dev.ale.server;

import dev.ale.core.AleException.Fault;
import dev.ale.core.passport.signing.TaskSignatures;
import dev.ale.core.passport.signing.TrustedKeys;
import dev.ale.core.task.Task;
import dev.ale.containment.GuardedBackend;
import dev.ale.server.console.Console;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import dev.ale.runs.RunSpec;
import dev.ale.runs.RunStore;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.OptionalLong;

/**
 * ALE as a service: an HTTP API over sandboxes made through {@link GuardedBackend}, so every
 * sandbox it serves has the gateway, the monitor, the kill switch and the audit log around it.
 * Closing the server destroys every sandbox it made; the containment stays the caller's.
 */
public final class AleServer implements AutoCloseable {

    /**
     * Where to listen and whom to let in. The host is loopback unless the operator says otherwise.
     *
     * @param model      the upstream model server of the model proxy; without it the proxy answers 503
     * @param runs       where the run directory of GEM episodes goes (its {@code episodes.jsonl}); none: not written
     * @param rockOpenAs the env token a call on ROCK's GEM paths without any Authorization acts as; none: such calls get 401
     * @param trustedKeys when present, signed passports are required (docs/passport.md, Signatures)
     * @param maxActionBytes the largest GEM step body taken as an action; a larger one is answered as a malformed action
     *                       naming the environment's files route (up to 16 MiB; beyond that the request is refused)
     * @param node       this server as a node of a cluster (its name, slots, the front's secret); standalone by default
     * @param taskImages how a task's image is made (built from its Dockerfile, or pulled) before an environment of it starts
     */
    public record Config(String host, int port, Tokens tokens, Optional<Path> passports, Duration idleTimeout, Duration reapPeriod,
                         List<Task> tasks, Optional<ModelUpstream> model, Optional<Path> runs, Optional<String> rockOpenAs,
                         int maxActionBytes, Optional<TrustedKeys> trustedKeys, NodeSettings node, TaskImages taskImages) {

        public static final String LOOPBACK = "127.0.0.1";
        public static final Duration DEFAULT_IDLE = Duration.ofMinutes(10);

        public Config {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(tokens, "tokens");
            Objects.requireNonNull(passports, "passports");
            tasks = List.copyOf(tasks);
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(runs, "runs");
            Objects.requireNonNull(rockOpenAs, "rockOpenAs");
            Objects.requireNonNull(trustedKeys, "trustedKeys");
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(taskImages, "taskImages");
            if (port < 0 || port > 65_535) throw new IllegalArgumentException("port must be 0-65535: " + port);
            if (idleTimeout.isNegative() || idleTimeout.isZero()) throw new IllegalArgumentException("idle timeout must be positive");
            if (maxActionBytes < 1024 || maxActionBytes > Bodies.FILE_LIMIT) {
                throw new IllegalArgumentException("max action bytes must be 1024-" + Bodies.FILE_LIMIT + ": " + maxActionBytes);
            }
        }

        public static Config of(String host, int port, Tokens tokens) {
            return new Config(host, port, tokens, Optional.empty(), DEFAULT_IDLE, Duration.ofSeconds(1), List.of(),
                    Optional.empty(), Optional.empty(), Optional.empty(), Bodies.JSON_LIMIT,
                    Optional.empty(), NodeSettings.standalone(), TaskImages.none());
        }

        public Config withPassports(Path dir) {
            return new Config(host, port, tokens, Optional.of(dir), idleTimeout, reapPeriod, tasks, model, runs, rockOpenAs, maxActionBytes,
                    trustedKeys, node, taskImages);
        }

        public Config withIdleTimeout(Duration idle) {
            return new Config(host, port, tokens, passports, idle, reapPeriod, tasks, model, runs, rockOpenAs, maxActionBytes, trustedKeys, node, taskImages);
        }

        /** The tasks GEM environments may be made of (see {@code ale serve --tasks}). */
        public Config withTasks(List<Task> newTasks) {
            return new Config(host, port, tokens, passports, idleTimeout, reapPeriod, newTasks, model, runs, rockOpenAs, maxActionBytes, trustedKeys,
                    node, taskImages);
        }

        public Config withReapPeriod(Duration period) {
            return new Config(host, port, tokens, passports, idleTimeout, period, tasks, model, runs, rockOpenAs, maxActionBytes, trustedKeys, node,
                    taskImages);
        }

        public Config withModel(ModelUpstream upstream) {
            return new Config(host, port, tokens, passports, idleTimeout, reapPeriod, tasks, Optional.of(upstream), runs, rockOpenAs, maxActionBytes,
                    trustedKeys, node, taskImages);
        }

        public Config withRuns(Path dir) {
            return new Config(host, port, tokens, passports, idleTimeout, reapPeriod, tasks, model, Optional.of(dir), rockOpenAs, maxActionBytes,
                    trustedKeys, node, taskImages);
        }

        /** The largest GEM step body taken as an action (default 1 MiB). */
        public Config withMaxActionBytes(int bytes) {
            return new Config(host, port, tokens, passports, idleTimeout, reapPeriod, tasks, model, runs, rockOpenAs, bytes, trustedKeys, node, taskImages);
        }

        /** Only passports signed by one of these keys are used: named ones need NAME.yaml.sig, inline and built-in ones are refused. */
        public Config withTrustedKeys(TrustedKeys keys) {
            return new Config(host, port, tokens, passports, idleTimeout, reapPeriod, tasks, model, runs, rockOpenAs, maxActionBytes,
                    Optional.of(keys), node, taskImages);
        }

        public Config withRockOpenAs(String tokenName) {
            return new Config(host, port, tokens, passports, idleTimeout, reapPeriod, tasks, model, runs, Optional.of(tokenName), maxActionBytes,
                    trustedKeys, node, taskImages);
        }

        /** How a task's image is made before a GEM environment of it starts (by default none is). */
        public Config withTaskImages(TaskImages images) {
            return new Config(host, port, tokens, passports, idleTimeout, reapPeriod, tasks, model, runs, rockOpenAs, maxActionBytes,
                    trustedKeys, node, images);
        }

        /** This server as one node of a cluster: its name, slots and the front's secret. */
        public Config withNode(NodeSettings settings) {
            return new Config(host, port, tokens, passports, idleTimeout, reapPeriod, tasks, model, runs, rockOpenAs, maxActionBytes,
                    trustedKeys, settings, taskImages);
        }
    }

    /** Long calls (a test suite, a build) write nothing for minutes; the connection must outlive them. */
    private static final long IDLE_CONNECTION_MS = Duration.ofHours(2).toMillis();
    private static final Set<HandlerType> METHODS = Set.of(HandlerType.GET, HandlerType.POST, HandlerType.PUT, HandlerType.DELETE, HandlerType.PATCH);

    private final Javalin app;
    private final Sandboxes sandboxes;
    private final Envs envs;
    private final List<String> routes;
    private final Optional<RunStore> episodes;
    private final Console console;

    private AleServer(Javalin app, Sandboxes sandboxes, Envs envs, Optional<RunStore> episodes, List<String> routes, Console console) {
        this.app = app;
        this.console = console;
        this.episodes = episodes;
        this.sandboxes = sandboxes;
        this.envs = envs;
        this.routes = routes;
    }

    public static AleServer start(Config config, GuardedBackend containment) {
        return start(config, containment, Console.Settings.defaults());
    }

    /** {@link #start(Config, GuardedBackend)} with the console's sessions set by {@code console} (a test sets their clock). */
    public static AleServer start(Config config, GuardedBackend containment, Console.Settings consoleSettings) {
        if (config.passports().isPresent() && !Files.isDirectory(config.passports().get())) {
            throw new ServerException(Fault.INPUT, config.passports().get() + ": the passports directory does not exist");
        }
        // what a GEM environment runs under when its make names no passport: its task's, signed like any other
        config.trustedKeys().ifPresent(keys -> TaskSignatures.check(config.tasks(), keys));
        Optional<Tokens.Token> rockOpenAs = rockOpenAs(config);
        InetSocketAddress modelRoute = modelRoute(config);
        Optional<RunStore> episodes = episodes(config);
        Metrics metrics = new Metrics();
        Quota quota = new Quota(config.node().slots());
        ModelLedgers ledgers = new ModelLedgers();
        Sandboxes sandboxes = new Sandboxes(containment, quota, metrics, config.reapPeriod(), ledgers);
        Envs envs = new Envs(containment, quota, metrics, config.reapPeriod(), ledgers, episodes);
        metrics.sandboxesActive(() -> sandboxes.count() + envs.sandboxCount());
        metrics.envsActive(envs::count);
        Passports passports = new Passports(config.passports(), config.trustedKeys());
        List<String> routes = new CopyOnWriteArrayList<>();
        Javalin app = Javalin.create(c -> {
            c.showJavalinBanner = false;
            c.useVirtualThreads = true; // calls block for as long as their command runs (Javalin's own executors too)
            if (JettyThreads.nodeOwnsPool()) c.jetty.threadPool = JettyThreads.pool("ale-node"); // Jetty's selector and acceptor on platform threads
            c.http.prefer405over404 = true;
            c.http.maxRequestSize = Bodies.FILE_LIMIT; // Bodies enforces each route's own limit
            // ROCK's multipart upload: parts over the limit are refused before they are held
            c.jetty.multipartConfig.maxFileSize(Bodies.FILE_LIMIT, io.javalin.config.SizeUnit.BYTES);
            c.jetty.multipartConfig.maxTotalRequestSize(Bodies.FILE_LIMIT + (1 << 16), io.javalin.config.SizeUnit.BYTES);
            c.http.disableCompression(); // event streams must reach the client as written
            // Jetty reuses a connection's earlier header field when a new one matches it ignoring case: an
            // upper-cased session cookie or bearer token would be read as the real one on that connection
            c.jetty.modifyHttpConfiguration(http -> http.setHeaderCacheCaseSensitive(true));
            c.startupWatcherEnabled = false;
            config.node().tls().ifPresent(tls -> TlsConnectors.add(c, config.host(), config.port(), tls));
            c.events.handlerAdded(h -> {
                // the console's pages are HTML for people, not the API the spec describes
                if (METHODS.contains(h.getHttpMethod()) && !Console.owns(h.getPath())) routes.add(h.getHttpMethod().name() + " " + h.getPath());
            });
        });
        AtomicInteger modelProxyPort = new AtomicInteger(-1);
        if (config.node().tls().isPresent()) TlsConnectors.guard(app, modelProxyPort);
        Routes wiring = new Routes(app, new Auth(config.tokens(), containment::modelTokenHolder, rockOpenAs, config.node().clusterSecret()));
        new PassportRoutes(containment.auditFile()).register(wiring);
        new AuditRoutes(containment.auditFile()).register(wiring);
        Routes.wire(wiring,
                new SystemRoutes(metrics, sandboxes, envs, new NodeReport(config.node(), quota)),
                new SandboxRoutes(sandboxes, passports, metrics, config.idleTimeout()),
                new RockSandboxRoutes(sandboxes, passports, metrics, config.idleTimeout()),
                new EnvRoutes(envs, config.tasks(), config.taskImages(), passports, metrics, config.idleTimeout(), config.maxActionBytes()),
                new ModelProxyRoutes(config.model(), sandboxes, envs, ledgers, metrics));
        new HoldRoutes(containment.holds(), sandboxes, envs).register(wiring);
        Console console = Console.mount(app, new ConsoleBridge(config.tokens(), sandboxes, envs, ledgers, containment,
                () -> URI.create("http://" + selfHost(config.host()) + ":" + app.port())), consoleSettings);
        try {
            app.start(config.host(), config.port());
        } catch (RuntimeException e) {
            console.close();
            envs.close();
            sandboxes.close();
            episodes.ifPresent(RunStore::close);
            app.stop();
            if (causedBy(e, BindException.class)) {
                throw new ServerException(Fault.ENVIRONMENT, "cannot listen on " + config.host() + ":" + config.port()
                        + ": " + rootMessage(e) + " (is another server on that port? choose one with --port)", e);
            }
            throw new ServerException(Fault.ENVIRONMENT, "cannot start the server on " + config.host() + ":" + config.port() + ": " + rootMessage(e), e);
        }
        for (var connector : app.jettyServer().server().getConnectors()) {
            if (connector instanceof org.eclipse.jetty.server.AbstractConnector c) c.setIdleTimeout(IDLE_CONNECTION_MS);
        }
        // sandboxes made from now on reach the model proxy through the gateway, at this server's own port (its plain one, under TLS)
        if (config.node().tls().isPresent()) modelProxyPort.set(TlsConnectors.modelProxyPort(app));
        int proxyPort = config.node().tls().isPresent() ? modelProxyPort.get() : app.port();
        if (config.model().isPresent()) containment.routeModelTo(new InetSocketAddress(modelRoute.getAddress(), proxyPort));
        return new AleServer(app, sandboxes, envs, episodes, List.copyOf(routes), console);
    }

    private static Optional<Tokens.Token> rockOpenAs(Config config) {
        if (config.rockOpenAs().isEmpty()) return Optional.empty();
        String name = config.rockOpenAs().get();
        Tokens.Token token = config.tokens().all().stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new ServerException(Fault.INPUT, "--rock-open-as " + name + ": no token of that name in the tokens file"));
        if (token.admin()) {
            throw new ServerException(Fault.INPUT, "--rock-open-as " + name + ": that is an admin token; name an env token,"
                    + " whose quota and scope then bound what unauthenticated ROCK calls can do");
        }
        return Optional.of(token);
    }

    /**
     * Where the gateway sends a sandbox's model-proxy requests: this server on loopback. A server
     * bound to one outside address only cannot be reached there, so the proxy needs loopback or
     * the wildcard address.
     */
    private static InetSocketAddress modelRoute(Config config) {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        if (config.model().isEmpty()) return new InetSocketAddress(loopback, 0);
        if (config.node().tls().isPresent()) return new InetSocketAddress(loopback, 0); // its plain connector is on loopback always
        InetAddress bound;
        try {
            bound = InetAddress.getByName(config.host());
        } catch (java.net.UnknownHostException e) {
            throw new ServerException(Fault.INPUT, "--host " + config.host() + ": " + e.getMessage());
        }
        if (bound.isLoopbackAddress()) return new InetSocketAddress(bound, 0);
        if (bound.isAnyLocalAddress()) return new InetSocketAddress(loopback, 0);
        throw new ServerException(Fault.INPUT, "--model-upstream needs the server on loopback or 0.0.0.0 (the gateway reaches it there),"
                + " not only on " + config.host());
    }

    /** Where the console reaches this server's own API (holds, passport history): loopback when it listens there or everywhere. */
    private static String selfHost(String host) {
        try {
            InetAddress bound = InetAddress.getByName(host);
            if (bound.isAnyLocalAddress()) return "127.0.0.1";
            return bound instanceof java.net.Inet6Address ? "[" + bound.getHostAddress() + "]" : bound.getHostAddress();
        } catch (java.net.UnknownHostException e) {
            return "127.0.0.1"; // the server cannot listen there either, and says so when it starts
        }
    }

    private static Optional<RunStore> episodes(Config config) {
        if (config.runs().isEmpty() || config.tasks().isEmpty()) return Optional.empty();
        RunSpec spec = new RunSpec(RunStore.newRunId(), config.tasks(), 1, 1, OptionalLong.empty());
        return Optional.of(RunStore.create(config.runs().get(), spec, "remote"));
    }

    /** The port it listens on (the one the system chose, when asked for 0). */
    public int port() {
        return app.port();
    }

    /** Every route, as {@code "METHOD /path/{param}"}: what the OpenAPI spec must describe. */
    public List<String> routes() {
        return routes;
    }

    /** Sandboxes alive now: those made through the API and those GEM episodes hold. */
    public int sandboxCount() {
        return sandboxes.count() + envs.sandboxCount();
    }

    /** The run directory GEM episodes are written to, if any. */
    public Optional<Path> runDirectory() {
        return episodes.map(RunStore::directory);
    }

    /** GEM environments alive now. */
    public int envCount() {
        return envs.count();
    }

    /** Stops taking requests, then closes every environment and destroys every sandbox this server made. */
    @Override
    public void close() {
        try {
            app.stop();
        } finally {
            try {
                envs.close();
            } finally {
                try {
                    sandboxes.close();
                } finally {
                    try {
                        episodes.ifPresent(RunStore::close);
                    } finally {
                        console.close();
                    }
                }
            }
        }
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) if (type.isInstance(t)) return true;
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) t = t.getCause();
        return Optional.ofNullable(t.getMessage()).orElse(t.getClass().getSimpleName()).toLowerCase(Locale.ROOT);
    }

}
