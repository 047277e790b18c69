package dev.ale.cli;

import dev.ale.cli.common.ShippedTasks;
import dev.ale.core.AleException;
import dev.ale.core.passport.signing.TaskSignatures;
import dev.ale.core.passport.signing.TrustedKeys;
import dev.ale.gateway.HostResolver;
import dev.ale.containment.GuardedBackend;
import dev.ale.server.AleServer;
import dev.ale.server.ClusterTls;
import dev.ale.server.ModelUpstream;
import dev.ale.server.NodeSettings;
import dev.ale.server.Tokens;
import dev.ale.tasks.TaskLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ale serve}: the HTTP API until SIGTERM or Ctrl-C, then every sandbox it made is destroyed.
 * It never runs open: without {@code --tokens} it makes one admin token, prints it, and keeps it
 * in a file only root can read.
 */
@Command(name = "serve",
        description = {"Serve sandboxes over HTTP (see docs/server.md) until SIGTERM or Ctrl-C.",
                "Every sandbox is made behind the gateway and under the monitor, as in `ale sandbox run`."},
        footer = {"", "Example: ale serve --tokens tokens.yaml --passports passports/ --tasks tasks/examples"})
final class ServeCommand implements Callable<Integer> {

    private final Cli cli;

    @Mixin
    private SignedPassportOptions signing = new SignedPassportOptions();

    @Option(names = "--registry-mirror", paramLabel = "REGISTRY=URL",
            description = "Fetch REGISTRY's images from URL (e.g. docker.io=http://127.0.0.1:5000); repeatable; also ALE_REGISTRY_MIRRORS.")
    void registryMirror(List<String> mirrors) {
        cli.registryMirrors(mirrors);
    }

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = AleServer.Config.LOOPBACK,
            description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only).")
    private String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080", description = "Port to listen on (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    private int port;

    @Option(names = "--tokens", paramLabel = "FILE",
            description = "Bearer tokens (YAML: tokens: [{token, role: admin|env, name, max_sandboxes}]). Without it, one admin token is made and printed.")
    private Optional<Path> tokens;

    @Option(names = "--passports", paramLabel = "DIR", description = "Passports clients may name: DIR/NAME.yaml is the passport NAME.")
    private Optional<Path> passports;

    @Option(names = "--tasks", paramLabel = "DIR",
            description = "Tasks GEM environments may be made of: a directory of task directories (default: tasks/examples, if it exists).")
    private Optional<Path> tasks;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", converter = Seconds.class,
            description = "Destroy a sandbox left untouched this long, unless its request says otherwise (default: 600).")
    private Optional<Duration> idleTimeout;

    @Option(names = "--model", paramLabel = "URL",
            description = "Upstream of the model proxy: base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1."
                    + " Sandboxes then get OPENAI_BASE_URL and a token of their own. Without it the proxy answers 503.")
    private Optional<String> model;

    @Option(names = "--api-key-env", paramLabel = "VAR",
            description = "Environment variable holding the upstream's API key (never printed or written; sandboxes never see it).")
    private Optional<String> apiKeyEnv;

    @Option(names = "--model-timeout", paramLabel = "SECONDS", converter = Seconds.class,
            description = "Longest one proxied completion may take (default: 600).")
    private Optional<Duration> modelTimeout;

    @Option(names = "--max-action-bytes", paramLabel = "BYTES",
            description = "Largest GEM step body taken as an action (default: 1 MiB); a larger one is answered with an observation naming the files API.")
    private Optional<Integer> maxActionBytes;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs",
            description = "Where the run directory of GEM episodes goes (episodes.jsonl, as ale run writes). Default: ./runs.")
    private Path out;

    @Option(names = "--rock-open-as", paramLabel = "NAME",
            description = "Let calls on ROCK's GEM paths that carry no Authorization act as the env token NAME (ROCK's stock client sends none)."
                    + " Calls with a wrong token still get 401.")
    private Optional<String> rockOpenAs;

    @Option(names = "--hold-webhook", paramLabel = "URL",
            description = "POST each hold for approval, as it opens, to URL (JSON, as GET /holds lists it); each POST on its own thread.")
    private Optional<URI> holdWebhook;

    @Option(names = "--hold-webhook-timeout", paramLabel = "SECONDS", converter = Seconds.class,
            description = "Give up one webhook POST after this long (default: 5); a hanging webhook delays nothing.")
    private Optional<Duration> holdWebhookTimeout;

    @Option(names = "--cluster", description = "Run the cluster's front (docs/cluster.md): the same API, each sandbox placed on a node"
            + " and every later call routed to it. Needs --tokens, --cluster-secret-file and --nodes or --kubernetes-namespace.")
    private boolean cluster;

    @Option(names = "--nodes", paramLabel = "URL,URL",
            description = "With --cluster: the nodes, as base URLs (http://HOST:PORT,...), each may be NAME=URL (its --node-name).")
    private Optional<String> nodes;

    @Option(names = "--kubernetes-namespace", paramLabel = "NS",
            description = "With --cluster: find the nodes as pods of this namespace through the Kubernetes API, watched.")
    private Optional<String> kubernetesNamespace;

    @Option(names = "--node-selector", paramLabel = "KEY=VALUE", defaultValue = "app.kubernetes.io/name=ale-node",
            description = "With --kubernetes-namespace: the node pods' labels (default: ${DEFAULT-VALUE}).")
    private String nodeSelector;

    @Option(names = "--node-port", paramLabel = "PORT", defaultValue = "8080",
            description = "With --kubernetes-namespace: the port the node pods serve on (default: ${DEFAULT-VALUE}).")
    private int nodePort;

    @Option(names = "--cluster-secret-file", paramLabel = "FILE",
            description = "The secret the front shows every node (a Kubernetes Secret's file). On a node it makes the node answer its front only.")
    private Optional<Path> clusterSecretFile;

    @Option(names = "--tls-dir", paramLabel = "DIR",
            description = "A cluster's node or front: mutual TLS between them with the keys `ale cluster certs DIR` made (node.p12 or front.p12,"
                    + " and password); also ALE_TLS_DIR. A node or front needs this or --plain-http.")
    private Optional<Path> tlsDir;

    @Option(names = "--plain-http", description = "A cluster's node or front: speak plain HTTP between them, the shared secret the only"
            + " credential (a private network you trust, or a test).")
    private boolean plainHttp;

    @Option(names = "--node-name", paramLabel = "NAME", description = "This node's name in a cluster: every id it makes carries it (default: the host name).")
    private Optional<String> nodeName;

    @Option(names = "--slots", paramLabel = "N", description = "Sandboxes and environments this node holds at most; one more answers 429 node_full.")
    private Optional<Integer> slots;

    @Option(names = "--uid-base", paramLabel = "UID",
            description = "First host uid for sandboxes (default 1000000000); nodes sharing a host need ranges of their own.")
    private Optional<Integer> uidBase;

    @Option(names = "--uid-count", paramLabel = "N", defaultValue = "16777216",
            description = "How many host uids from --uid-base (default: ${DEFAULT-VALUE}); a sandbox that is root inside takes 65536 of them.")
    private int uidCount;

    @Option(names = "--cgroup-parent", paramLabel = "PATH",
            description = "The cgroup subtree for this node's sandboxes, relative to the cgroup root (default ale); nodes sharing a host need their own.")
    private Optional<String> cgroupParent;

    ServeCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65_535) throw new AleException(AleException.Fault.INPUT, "--port: must be 0-65535, not " + port);
        if (cluster) {
            Optional<ClusterTls> tls = transport(ClusterTls.Role.FRONT);
            return new ClusterServe(cli).run(host, port, tokens, clusterSecretFile, nodes, kubernetesNamespace, nodeSelector, nodePort, tls);
        }
        if (nodes.isPresent() || kubernetesNamespace.isPresent()) {
            throw new AleException(AleException.Fault.INPUT, "--nodes and --kubernetes-namespace are for the front: add --cluster");
        }
        Optional<ClusterTls> nodeTls = Optional.empty();
        if (clusterSecretFile.isPresent()) nodeTls = transport(ClusterTls.Role.NODE);
        else if (tlsDir.isPresent() || plainHttp) {
            throw new AleException(AleException.Fault.INPUT, (plainHttp ? "--plain-http" : "--tls-dir")
                    + ": only for a cluster's node (with --cluster-secret-file) or its front (--cluster)");
        }
        NodeSettings plain = node();
        NodeSettings node = nodeTls.map(plain::withTls).orElse(plain);
        Tokens accepted = tokens.map(Tokens::load).orElseGet(this::generated);
        AleServer.Config config = AleServer.Config.of(host, port, accepted)
                .withIdleTimeout(idleTimeout.orElse(AleServer.Config.DEFAULT_IDLE))
                .withNode(node);
        if (uidBase.isPresent()) cli.uids(uidBase.get(), uidCount);
        cgroupParent.ifPresent(cli::cgroupParent);
        if (passports.isPresent()) config = config.withPassports(passports.get());
        if (model.isPresent()) config = config.withModel(ModelUpstream.of(model.get(), apiKey(), modelTimeout.orElse(ModelUpstream.DEFAULT_TIMEOUT)));
        else if (apiKeyEnv.isPresent()) throw new AleException(AleException.Fault.INPUT, "--api-key-env: only with --model (the upstream it is for)");
        if (rockOpenAs.isPresent()) config = config.withRockOpenAs(rockOpenAs.get());
        if (maxActionBytes.isPresent()) {
            int bytes = maxActionBytes.get();
            if (bytes < 1024 || bytes > 16 << 20) {
                throw new AleException(AleException.Fault.INPUT, "--max-action-bytes: must be 1024-" + (16 << 20) + ", not " + bytes);
            }
            config = config.withMaxActionBytes(bytes);
        }
        config = config.withRuns(out);
        Optional<Path> taskDir = tasks.or(() -> Optional.of(ShippedTasks.dir("examples")).filter(Files::isDirectory));
        if (taskDir.isPresent()) {
            if (!Files.isDirectory(taskDir.get())) throw new AleException(AleException.Fault.INPUT, "--tasks: " + taskDir.get() + " is not a directory");
            config = config.withTasks(TaskLoader.loadAll(List.of(taskDir.get())));
        }
        Optional<TrustedKeys> trusted = signing.trusted();
        if (trusted.isPresent()) {
            TaskSignatures.check(config.tasks(), trusted.get());
            config = config.withTrustedKeys(trusted.get());
        }

        if (holdWebhookTimeout.isPresent() && holdWebhook.isEmpty()) {
            throw new AleException(AleException.Fault.INPUT, "--hold-webhook-timeout: only with --hold-webhook");
        }
        GuardedBackend containment = cli.openGuardedBackend(HostResolver.system(), config.tasks());
        AleServer server;
        try {
            if (holdWebhook.isPresent()) {
                try {
                    containment.notifyHoldsTo(holdWebhook.get(), holdWebhookTimeout.orElse(RunCommand.HOLD_WEBHOOK_TIMEOUT));
                } catch (IllegalArgumentException e) {
                    throw new AleException(AleException.Fault.INPUT, "--hold-webhook: " + e.getMessage(), e);
                }
            }
            // a task whose Dockerfile builds its image gets it (built, or from the cache) when its first env starts, as ale run does
            server = AleServer.start(config.withTaskImages(new ServedTaskImages(cli.images(), containment, cli.err())), containment);
        } catch (RuntimeException e) {
            containment.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            try {
                server.close();
                containment.close();
            } finally {
                stopped.countDown();
            }
        }, "ale-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        cli.out().println("ale: serving on " + (nodeTls.isPresent() ? "https" : "http") + "://" + host + ":" + server.port()
                + (nodeTls.isPresent() ? " (mutual TLS: the cluster's front only)" : "") + " (SIGTERM or Ctrl-C stops it and destroys its sandboxes)");
        // under mutual TLS only the front's certificate gets in: no browser reaches a node's console
        if (nodeTls.isEmpty()) cli.out().println("ale: console at http://" + host + ":" + server.port() + "/ui (sign in with a token)");
        server.runDirectory().ifPresent(dir -> cli.out().println("ale: GEM episodes go to " + dir.resolve("episodes.jsonl")));
        model.ifPresent(url -> cli.out().println("ale: model proxy: /v1/chat/completions -> " + url));
        rockOpenAs.ifPresent(name -> cli.out().println("ale: ROCK GEM calls without a token act as '" + name + "'"));
        cli.out().flush();
        stopped.await(); // until the shutdown hook has run
        return Failures.OK;
    }

    /**
     * How a node or front speaks to the other: mutual TLS from {@code --tls-dir} (or ALE_TLS_DIR), or
     * plain HTTP when {@code --plain-http} says so. Neither is refused: a cluster is not left in plain
     * text by default, and TLS cannot be on by default without keys to use.
     */
    private Optional<ClusterTls> transport(ClusterTls.Role role) {
        Optional<Path> dir = tlsDir.or(() -> Optional.ofNullable(System.getenv("ALE_TLS_DIR")).filter(s -> !s.isBlank()).map(Path::of));
        String what = role == ClusterTls.Role.FRONT ? "--cluster" : "a cluster's node (--cluster-secret-file)";
        if (dir.isPresent() && plainHttp) throw new AleException(AleException.Fault.INPUT, what + ": give --tls-dir or --plain-http, not both");
        if (plainHttp) return Optional.empty();
        if (dir.isEmpty()) {
            throw new AleException(AleException.Fault.INPUT, what + ": choose --tls-dir DIR (mutual TLS between front and nodes; make DIR with"
                    + " `ale cluster certs DIR`) or --plain-http (the shared secret alone, in plain text)");
        }
        return Optional.of(ClusterTls.load(dir.get(), role));
    }

    private NodeSettings node() {
        Optional<String> secret = clusterSecretFile.map(ClusterServe::secret);
        String name = nodeName.orElseGet(NodeSettings::hostName);
        if (!name.matches(NodeSettings.NAME_PATTERN)) {
            throw new AleException(AleException.Fault.INPUT, "--node-name " + name + ": must be 1-63 of a-z 0-9 - (no dots: ids are NAME.ID)");
        }
        if (slots.isPresent() && slots.get() < 1) throw new AleException(AleException.Fault.INPUT, "--slots: must be at least 1, not " + slots.get());
        return new NodeSettings(name, slots.map(OptionalInt::of).orElse(OptionalInt.empty()), secret);
    }

    private Optional<String> apiKey() {
        if (apiKeyEnv.isEmpty()) return Optional.empty();
        String name = apiKeyEnv.get();
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) throw new AleException(AleException.Fault.INPUT, "--api-key-env: '" + name + "' is not a variable name");
        String value = System.getenv(name);
        if (value == null || value.isBlank()) throw new AleException(AleException.Fault.INPUT, "--api-key-env: $" + name + " is not set");
        return Optional.of(value);
    }

    /** One admin token for this run, printed and kept where only root can read it. */
    private Tokens generated() {
        Tokens made = Tokens.generatedAdmin();
        String token = made.all().getFirst().token();
        Path file = cli.dataDir().resolve("server-admin-token");
        try {
            Files.createDirectories(cli.dataDir());
            Path tmp = Files.createTempFile(cli.dataDir(), ".server-admin-token", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, token + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new AleException(AleException.Fault.ENVIRONMENT, "cannot write the admin token to " + file + ": " + e.getMessage(), e);
        }
        cli.out().println("ale: no --tokens given; admin token (also in " + file + "): " + token);
        return made;
    }
}
