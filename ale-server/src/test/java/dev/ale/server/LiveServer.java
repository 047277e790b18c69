package dev.ale.server;

import dev.ale.core.host.OwnTree;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ale.agent.testing.ScriptedModelServer;
import dev.ale.gateway.HostResolver;
import dev.ale.containment.GuardedBackend;
import dev.ale.server.console.Console;
import dev.ale.tasks.TaskLoader;
import dev.ale.sandbox.local.LocalSandboxBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real server on 127.0.0.1 (an ephemeral port) over real containment, for one test class, with
 * three tokens: {@link #ADMIN}, {@link #ALICE} (env, at most two sandboxes) and {@link #BOB} (env),
 * and the small tasks of {@link GemTasks} for GEM environments.
 * Every sandbox is removed after each test and the server after the class, failures or not.
 */
final class LiveServer implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {

    static final String ADMIN = "admin-token-0123456789";
    static final String ALICE = "alice-token-0123456789";
    static final String BOB = "bob-token-0123456789abc";
    /** How long the model proxy of {@link #withModel()} waits on its upstream. */
    static final Duration MODEL_TIMEOUT = Duration.ofSeconds(3);

    private final Duration idle;
    private final boolean withModel;
    private final Console.Settings console;
    private final Customizer customizer;
    private Optional<NodeSettings> node = Optional.empty();
    private ScriptedModelServer model;
    private Path runs;
    private GuardedBackend containment;
    private AleServer server;
    private Path dataDir;
    private Path passports;
    private Path tasks;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    LiveServer() {
        this(AleServer.Config.DEFAULT_IDLE);
    }

    LiveServer(Duration idle) {
        this(idle, false);
    }

    private LiveServer(Duration idle, boolean withModel) {
        this(idle, withModel, Console.Settings.defaults(), (config, passports) -> config);
    }

    private LiveServer(Duration idle, boolean withModel, Console.Settings console, Customizer customizer) {
        this.idle = idle;
        this.withModel = withModel;
        this.console = console;
        this.customizer = customizer;
    }

    /** A server whose console sessions last {@code lifetime} by {@code clock}: a test moves the clock past it. */
    static LiveServer withConsole(Duration lifetime, Clock clock) {
        return withConsole(new Console.Settings(lifetime, clock));
    }

    static LiveServer withConsole(Console.Settings settings) {
        return new LiveServer(AleServer.Config.DEFAULT_IDLE, false, settings, (config, passports) -> config);
    }

    /** What a test class changes in the server's config before it starts; it may write passports into the server's directory. */
    @FunctionalInterface
    interface Customizer {
        AleServer.Config apply(AleServer.Config config, Path passports) throws IOException;
    }

    /** A server whose config {@code customizer} changes first. */
    static LiveServer configured(Customizer customizer) {
        return new LiveServer(AleServer.Config.DEFAULT_IDLE, false, Console.Settings.defaults(), customizer);
    }

    /**
     * A server whose model proxy forwards to a {@link ScriptedModelServer} on loopback, and which
     * writes its GEM episodes to a run directory; ROCK calls without a token act as {@link #BOB}
     * ({@code --rock-open-as bob}).
     */
    static LiveServer withModel() {
        return new LiveServer(AleServer.Config.DEFAULT_IDLE, true);
    }

    /** A server as one node of a cluster; every call this helper sends carries the node's cluster secret, if it has one. */
    static LiveServer asNode(NodeSettings settings) {
        LiveServer s = new LiveServer();
        s.node = Optional.of(settings);
        return s;
    }

    ScriptedModelServer model() {
        return model;
    }

    /** Where the server writes GEM episodes: its one run directory. */
    Path runDirectory() {
        return server.runDirectory().orElseThrow();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "sandboxes need root");
        dataDir = Files.createTempDirectory(Path.of("/tmp"), "ale-server-test");
        passports = Files.createTempDirectory(Path.of("/tmp"), "ale-server-passports");
        Files.writeString(passports.resolve("small.yaml"), """
                id: small
                resources:
                  cpus: 1
                  memory: 256MiB
                """);
        LocalSandboxBackend.Config local = LocalSandboxBackend.Config.defaults().withDataDir(dataDir);
        containment = GuardedBackend.open(dataDir.resolve("audit.db"), HostResolver.system(),
                network -> new LocalSandboxBackend(local.withNetwork(network)));
        Tokens tokens = Tokens.of(List.of(
                new Tokens.Token(ADMIN, Tokens.Role.ADMIN, "root", OptionalInt.empty()),
                new Tokens.Token(ALICE, Tokens.Role.ENV, "alice", OptionalInt.of(2)),
                new Tokens.Token(BOB, Tokens.Role.ENV, "bob", OptionalInt.empty())));
        Files.writeString(passports.resolve("noproxy.yaml"), "id: noproxy\nmodel:\n  proxy: false\n");
        Files.writeString(passports.resolve("budget.yaml"), "id: budget\nmodel:\n  tokens: 100\n");
        // names an image: on this server (no image store) every sandbox of it fails as it is made
        Files.writeString(passports.resolve("imaged.yaml"), "id: imaged\nfilesystem:\n  image: alpine:3.20\n");
        Files.writeString(passports.resolve("hold.yaml"), "id: hold\ndetectors:\n  tunnel: {action: hold}\nhold: {deadline: 60s}\n");
        Files.writeString(passports.resolve("hold-short.yaml"), "id: hold-short\ndetectors:\n  tunnel: {action: hold}\nhold: {deadline: 1s}\n");
        tasks = GemTasks.write(Files.createTempDirectory(Path.of("/tmp"), "ale-server-tasks"));
        AleServer.Config config = AleServer.Config.of("127.0.0.1", 0, tokens).withPassports(passports)
                .withIdleTimeout(idle).withReapPeriod(Duration.ofMillis(100)).withTasks(TaskLoader.loadAll(List.of(tasks)));
        if (withModel) {
            model = ScriptedModelServer.start();
            runs = Files.createTempDirectory(Path.of("/tmp"), "ale-server-runs");
            config = config.withModel(ModelUpstream.of(model.baseUrl().toString(), Optional.empty(), MODEL_TIMEOUT)).withRuns(runs)
                    .withRockOpenAs("bob");
        }
        AleServer.Config customized = customizer.apply(config, passports);
        if (node.isPresent()) customized = customized.withNode(node.get());
        server = AleServer.start(customized, containment, console);
    }

    AleServer server() {
        return server;
    }

    /** The audit log under the server, where the console's actions are recorded. */
    Path auditFile() {
        return containment.auditFile();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    HttpClient http() {
        return http;
    }

    record Reply(int status, String body, HttpResponse<String> raw) {
        JsonNode json() {
            try {
                return Bodies.JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }

        String errorCode() {
            return json().path("error").path("code").asText();
        }
    }

    Reply call(String method, String path, String token, String json) {
        return send(method, path, token, json == null ? null : json.getBytes(StandardCharsets.UTF_8), "application/json");
    }

    Reply send(String method, String path, String token, byte[] body, String contentType) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofMinutes(2))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        if (body != null) b.header("Content-Type", contentType);
        node.flatMap(NodeSettings::clusterSecret).ifPresent(secret -> b.header(NodeSettings.SECRET_HEADER, secret));
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body(), r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A fresh sandbox for {@code token}; its id. */
    String create(String token) {
        Reply r = call("POST", "/v1/sandboxes", token, "{}");
        if (r.status() != 201) throw new AssertionError("create failed: " + r.status() + " " + r.body());
        return r.json().get("id").asText();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (server == null) return;
        for (JsonNode e : call("GET", "/v1/envs", ADMIN, null).json().path("envs")) {
            call("POST", "/v1/envs/" + e.get("env_id").asText() + "/close", ADMIN, null);
        }
        for (JsonNode s : call("GET", "/v1/sandboxes", ADMIN, null).json().path("sandboxes")) {
            call("DELETE", "/v1/sandboxes/" + s.get("id").asText(), ADMIN, null);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (containment == null) return;
        try {
            if (server != null) server.close();
            if (model != null) model.close();
        } finally {
            try {
                containment.close();
            } finally {
                GemTasks.delete(passports);
                GemTasks.delete(tasks);
                GemTasks.delete(runs);
                OwnTree.delete(dataDir);
            }
        }
    }
}
