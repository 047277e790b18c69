package dev.ale.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ale.cli.bench.LocalCluster;
import dev.ale.server.ClusterCerts;
import dev.ale.server.ClusterTls;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Cluster mode end to end on one host: three {@code ale serve} nodes, each a process in a network
 * namespace of its own with its own data directory and uid range, and the front as another
 * process. A GRPO group of GEM environments is spread over the nodes; one node is killed with
 * SIGKILL in the middle of a step; the front is restarted mid-run; and nothing is lost or leaked.
 */
@Tag("root")
@Timeout(600)
class ClusterEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;

    private record Reply(int status, JsonNode body, HttpResponse<String> raw) { }

    @Test
    void aGroupSpreadOverNodesSurvivesANodeKilledMidStepAndAFrontRestart() throws Exception {
        // the nodes' data directories are below: sandbox users must be able to pass through
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        Path tasks = TestTasks.greet(dir.resolve("tasks"));
        List<String> sandboxIds = new ArrayList<>();
        LocalCluster cluster = LocalCluster.start(Files.createDirectories(dir.resolve("cluster")), 3, 8, tasks, LocalCluster.Transport.TLS);
        try {
            String front = cluster.frontUrl();
            String token = cluster.envToken();
            await().atMost(Duration.ofSeconds(60)).until(() -> get(front + "/healthz", token).body().path("ready_nodes").asInt() == 3);

            // a GRPO group of six: four made on ALE's path, two on ROCK's
            List<String> envs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                if (i < 4) {
                    Reply made = post(front + "/v1/envs", token, "{\"task\": \"greet\", \"group\": \"g1\", \"sample\": " + i + "}");
                    assertThat(made.status()).as(made.raw().body()).isEqualTo(201);
                    envs.add(made.body().path("env_id").asText());
                } else {
                    Reply made = post(front + "/apis/v1/envs/gem/make", token, "{\"env_id\": \"greet\", \"group\": \"g1\", \"sample\": " + i + "}");
                    assertThat(made.status()).as(made.raw().body()).isEqualTo(200);
                    envs.add(made.body().path("sandbox_id").asText());
                }
            }
            Map<String, Integer> perNode = new HashMap<>();
            for (String id : envs) perNode.merge(node(id), 1, Integer::sum);
            assertThat(perNode).as("placed on the node with the most free slots each time").containsOnlyKeys("n1", "n2", "n3")
                    .containsValues(2, 2, 2);

            for (int i = 0; i < envs.size(); i++) {
                Reply reset = i < 4 ? post(front + "/v1/envs/" + envs.get(i) + "/reset", token, "{}")
                        : post(front + "/apis/v1/envs/gem/reset", token, "{\"sandbox_id\": \"" + envs.get(i) + "\"}");
                assertThat(reset.status()).as(reset.raw().body()).isEqualTo(200);
                assertThat(reset.body().path("observation").asText()).contains("note.txt");
                Reply step = step(front, token, envs.get(i), i >= 4, "cat note.txt");
                assertThat(step.body().path("observation").asText()).contains("the word is hello");
            }
            for (LocalCluster.NodeProcess n : cluster.nodes()) {
                List<String> held = sandboxesOf(n);
                sandboxIds.addAll(held);
                // each node keeps its sandboxes' cgroups in a subtree of its own, none in the shared ale/
                for (String id : held) {
                    assertThat(cgroups(n.cgroupParent() + "/" + id)).as(n.name()).isNotEmpty();
                    assertThat(cgroups("ale/" + id)).isEmpty();
                }
            }
            assertThat(cluster.nodes().stream().map(LocalCluster.NodeProcess::cgroupParent).distinct()).hasSize(3);
            assertThat(sandboxIds).hasSize(6);

            // node n2 dies in the middle of a step: that step, and every later call on its environments, is a retriable 503
            String victim = "n2";
            List<String> lost = envs.stream().filter(id -> node(id).equals(victim)).toList();
            List<String> kept = envs.stream().filter(id -> !node(id).equals(victim)).toList();
            CompletableFuture<Reply> inFlight = CompletableFuture.supplyAsync(() -> step(front, token, lost.getFirst(), false, "sleep 60"));
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(cluster.nodes().get(1).dataDir().resolve("sandboxes")));
            Thread.sleep(1500); // the sleep is running on the node
            cluster.killNode(1);
            Reply cut = inFlight.get();
            assertThat(cut.status()).as(cut.raw().body()).isEqualTo(503);
            assertThat(cut.body().path("error").path("code").asText()).isEqualTo("node_unavailable");
            assertThat(cut.raw().headers().firstValue("Retry-After")).isPresent();
            Reply later = step(front, token, lost.get(1), false, "true");
            assertThat(later.status()).isEqualTo(503);
            assertThat(later.body().path("error").path("message").asText()).contains("node n2").contains("retry the episode");

            // the front restarts mid-run: it holds no table, so every id still reaches its node
            cluster.stopFront();
            cluster.startFront();
            await().atMost(Duration.ofSeconds(60)).until(() -> get(front + "/healthz", token).body().path("ready_nodes").asInt() == 2);
            for (String id : kept) {
                boolean rock = envs.indexOf(id) >= 4;
                Reply write = step(front, token, id, rock, "echo hello > out.txt");
                assertThat(write.status()).as(write.raw().body()).isEqualTo(200);
                Reply finish = finish(front, token, id, rock);
                assertThat(finish.body().path("terminated").asBoolean()).isTrue();
                assertThat(finish.body().path("reward").asDouble()).isEqualTo(1.0);
            }
            assertThat(step(front, token, lost.getFirst(), false, "true").status()).isEqualTo(503);

            // the retried episode goes to a live node, never the dead one
            Reply retried = post(front + "/v1/envs", token, "{\"task\": \"greet\", \"group\": \"g1\", \"sample\": 1}");
            assertThat(retried.status()).as(retried.raw().body()).isEqualTo(201);
            assertThat(node(retried.body().path("env_id").asText())).isNotEqualTo(victim);

            // one list over the fleet, naming the node it could not ask
            Reply listed = get(front + "/v1/envs", token);
            assertThat(listed.status()).isEqualTo(200);
            assertThat(listed.raw().headers().firstValue("X-Ale-Unreachable-Nodes")).contains(victim);
            assertThat(listed.body().toString()).contains(kept.getFirst()).contains(retried.body().path("env_id").asText());

            // one view of the fleet's audit logs: each node's records, each naming its node; the dead node named as unasked
            String admin = cluster.adminToken();
            Reply audit = get(front + "/v1/audit/records", admin);
            assertThat(audit.status()).as(audit.raw().body()).isEqualTo(200);
            assertThat(audit.body().path("records")).isNotEmpty();
            Set<String> recordNodes = new HashSet<>();
            for (JsonNode r : audit.body().path("records")) {
                recordNodes.add(r.path("node").asText());
                if (r.path("sandbox").asText().startsWith("sb-") || r.path("sandbox").asText().startsWith("env-")) {
                    throw new AssertionError("a record's sandbox without its node: " + r);
                }
            }
            assertThat(recordNodes).containsExactlyInAnyOrder("n1", "n3");
            assertThat(audit.body().path("unreachable_nodes").toString()).contains(victim);
            String oneSandbox = "";
            for (JsonNode r : audit.body().path("records")) if (r.path("sandbox").asText().contains(".")) oneSandbox = r.path("sandbox").asText();
            assertThat(oneSandbox).as("a record about a sandbox, with its node").isNotEmpty();
            String narrowedTo = oneSandbox;
            Reply narrowed = get(front + "/v1/audit/records?sandbox=" + oneSandbox, admin);
            assertThat(narrowed.body().path("records")).isNotEmpty().allSatisfy(r -> assertThat(r.path("sandbox").asText()).isEqualTo(narrowedTo));
            assertThat(get(front + "/v1/audit/records", token).status()).as("an env token does not read the audit log").isEqualTo(403);
            Reply verified = get(front + "/v1/audit/verify", admin);
            assertThat(verified.body().path("nodes")).hasSize(2).allSatisfy(v -> {
                assertThat(v.path("ok").asBoolean()).as(v.toString()).isTrue();
                assertThat(v.path("checked").asLong()).isPositive();
            });
            assertThat(verified.body().path("ok").asBoolean()).as("not every node could be asked").isFalse();

            // the same through the CLI: verify per node, exit 3 for the node it could not ask; sandbox ls names each row's node
            Path adminFile = dir.resolve("admin-token");
            Files.writeString(adminFile, admin);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int verifyExit = Main.run(new String[] {"audit", "verify", "--server", front, "--token-file", adminFile.toString()},
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("n1: ok: ").contains("n3: ok: ").contains("n2: UNREACHABLE");
            assertThat(verifyExit).isEqualTo(3);
            Reply made = post(front + "/v1/sandboxes", admin, "{}");
            assertThat(made.status()).as(made.raw().body()).isEqualTo(201);
            out.reset();
            Main.run(new String[] {"sandbox", "ls", "--server", front, "--token-file", adminFile.toString()},
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            String madeId = made.body().path("id").asText();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("NODE").containsPattern(madeId.replace(".", "\\.") + "\\s+" + node(madeId) + "\\s");
            assertThat(get(front + "/v1/sandboxes/" + madeId, admin).status()).isEqualTo(200);
            HTTP.send(HttpRequest.newBuilder(URI.create(front + "/v1/sandboxes/" + madeId)).header("Authorization", "Bearer " + admin).DELETE().build(),
                    HttpResponse.BodyHandlers.discarding());

            // nodes take only the front, under mutual TLS: no client certificate, one from another CA, a node's own
            // (serverAuth only) and plain HTTP are refused before any HTTP; the front's certificate without the secret gets 401
            URI nodeUrl = URI.create(cluster.nodes().getFirst().url());
            assertThat(nodeUrl.getScheme()).isEqualTo("https");
            Path otherCa = dir.resolve("other-ca");
            ClusterCerts.make(otherCa, 1);
            SSLContext noCertificate = SSLContext.getInstance("TLSv1.3");
            noCertificate.init(null, trustOnly(cluster.tlsDir()), null);
            // each client trusts the cluster's CA, so a refusal is the node's: its alert, or (TLS 1.3 ends the client's
            // handshake before the server has judged its certificate) the connection it closed under the request
            String byTheNode = "^refused: .*(Received fatal alert|Broken pipe|Connection reset).*";
            assertThat(tlsGet(nodeUrl, noCertificate, token)).as("no client certificate").matches(byTheNode);
            assertThat(tlsGet(nodeUrl, keysOf(otherCa, "front.p12", cluster.tlsDir()), token)).as("a front certificate of another CA")
                    .matches(byTheNode);
            assertThat(tlsGet(nodeUrl, keysOf(cluster.tlsDir(), "node.p12", cluster.tlsDir()), token))
                    .as("the cluster's node certificate, not for clientAuth").matches(byTheNode);
            int plain;
            try {
                plain = get("http://" + nodeUrl.getRawAuthority() + "/v1/envs", token).status();
            } catch (IOException e) {
                plain = -1; // the TLS connector drops what is not a handshake
            }
            assertThat(plain).as("plain HTTP to the TLS port").isIn(-1, 400);
            assertThat(tlsGet(nodeUrl, ClusterTls.load(cluster.tlsDir(), ClusterTls.Role.FRONT).context(), token))
                    .as("the front's certificate without the cluster secret").startsWith("HTTP/1.1 401");

            for (String id : kept) assertThat(post(front + "/v1/envs/" + id.replace("\"", "") + "/close", token, "{}").status()).isIn(200, 404);
            post(front + "/v1/envs/" + retried.body().path("env_id").asText() + "/close", token, "{}");

            // nothing lost: every finished episode of the live nodes is in its node's episodes.jsonl
            long lines = 0;
            for (LocalCluster.NodeProcess n : cluster.nodes()) {
                if (n.name().equals(victim)) continue;
                lines += episodeLines(n.dataDir().resolve("runs"));
            }
            assertThat(lines).isEqualTo(kept.size());
        } finally {
            cluster.close();
        }
        // nothing leaked: the killed node's sandboxes too are gone (gc of its data dir), with their namespaces and cgroups
        for (LocalCluster.NodeProcess n : cluster.nodes()) assertThat(sandboxesOf(n)).as(n.name()).isEmpty();
        for (String id : sandboxIds) {
            assertThat(Path.of("/run/netns/ale-" + id)).doesNotExist();
            assertThat(cgroups("ale/" + id)).isEmpty();
        }
        assertThat(cgroups(cluster.cgroupTop())).as("the nodes' cgroup subtrees, removed with them").isEmpty();
        try (Stream<Path> ns = Files.list(Path.of("/run/netns"))) {
            assertThat(ns.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("alec-" + Long.toHexString(ProcessHandle.current().pid()) + "-"));
        }
    }

    /** The cluster CA of {@code tlsDir} as the only trust, no key: a client without a certificate. */
    private static TrustManager[] trustOnly(Path tlsDir) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(tlsDir.resolve("ca.crt"))) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        return tmf.getTrustManagers();
    }

    /** The key in {@code keysDir/file} (as `ale cluster certs` made it), trusting {@code trustDir}'s CA. */
    private static SSLContext keysOf(Path keysDir, String file, Path trustDir) throws Exception {
        char[] password = Files.readString(keysDir.resolve("password")).strip().toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keysDir.resolve(file))) {
            keys.load(in, password);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(kmf.getKeyManagers(), trustOnly(trustDir), null);
        return context;
    }

    /**
     * GET /v1/envs on a TLS node with {@code context}'s keys (the node's name checked, as the front does):
     * the status line, or {@code refused: ...} when the handshake or the first read failed.
     */
    private static String tlsGet(URI node, SSLContext context, String token) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(node.getHost(), node.getPort()), 10_000);
            s.setSoTimeout(30_000);
            try (SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(s, ClusterTls.NODE_NAME, node.getPort(), true)) {
                SSLParameters p = tls.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                tls.setSSLParameters(p);
                tls.startHandshake();
                tls.getOutputStream().write(("GET /v1/envs HTTP/1.1\r\nHost: ale-node\r\nAuthorization: Bearer " + token
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                tls.getOutputStream().flush();
                String status = new BufferedReader(new InputStreamReader(tls.getInputStream(), StandardCharsets.ISO_8859_1)).readLine();
                return status == null ? "refused: closed without an answer" : status;
            } catch (SSLException | SocketException e) {
                return "refused: " + e;
            }
        }
    }

    /** The cgroup directories at {@code relative} in the v2 tree or in any v1 hierarchy (this host may have either). */
    private static List<Path> cgroups(String relative) throws IOException {
        Path root = Path.of("/sys/fs/cgroup");
        List<Path> found = new ArrayList<>();
        if (Files.isDirectory(root.resolve(relative))) found.add(root.resolve(relative));
        try (Stream<Path> mounts = Files.list(root)) {
            for (Path m : mounts.toList()) if (Files.isDirectory(m.resolve(relative))) found.add(m.resolve(relative));
        }
        return found;
    }

    private static String node(String id) {
        return id.substring(0, id.indexOf('.'));
    }

    private static Reply step(String front, String token, String env, boolean rock, String command) {
        String action = "{\"name\": \"shell\", \"arguments\": {\"command\": " + JSON.valueToTree(command) + "}}";
        try {
            return rock ? post(front + "/apis/v1/envs/gem/step", token, "{\"sandbox_id\": \"" + env + "\", \"action\": " + action + "}")
                    : post(front + "/v1/envs/" + env + "/step", token, "{\"action\": " + action + "}");
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Reply finish(String front, String token, String env, boolean rock) throws IOException, InterruptedException {
        String action = "{\"name\": \"finish\", \"arguments\": {\"summary\": \"done\"}}";
        return rock ? post(front + "/apis/v1/envs/gem/step", token, "{\"sandbox_id\": \"" + env + "\", \"action\": " + action + "}")
                : post(front + "/v1/envs/" + env + "/step", token, "{\"action\": " + action + "}");
    }

    private static Reply post(String url, String token, String body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static Reply get(String url, String token) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).GET());
    }

    private static Reply send(HttpRequest.Builder b) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(b.timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body;
        try {
            body = JSON.readTree(r.body());
        } catch (IOException e) {
            body = JSON.missingNode();
        }
        return new Reply(r.statusCode(), body == null ? JSON.missingNode() : body, r);
    }

    /** The node's sandboxes, without its warm pool's blanks (their state says pooled: nobody's sandbox yet). */
    private static List<String> sandboxesOf(LocalCluster.NodeProcess n) throws IOException {
        Path dir = n.dataDir().resolve("sandboxes");
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !isBlank(p)).map(p -> p.getFileName().toString()).toList();
        }
    }

    private static boolean isBlank(Path sandboxDir) {
        try {
            return Files.readString(sandboxDir.resolve("state.json")).matches("(?s).*\"pooled\"\\s*:\\s*true.*");
        } catch (IOException e) {
            return false;
        }
    }

    private static long episodeLines(Path runs) throws IOException {
        if (!Files.isDirectory(runs)) return 0;
        try (Stream<Path> s = Files.walk(runs)) {
            long n = 0;
            for (Path p : s.filter(p -> p.getFileName().toString().equals("episodes.jsonl")).toList()) {
                n += Files.readAllLines(p).stream().filter(l -> !l.isBlank()).count();
            }
            return n;
        }
    }

}
