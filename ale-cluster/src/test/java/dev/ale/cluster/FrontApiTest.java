package dev.ale.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ale.cluster.discovery.StaticDiscovery;
import dev.ale.server.Tokens;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The front's API against the node's spec, over a real socket, with its one node not answering
 * (a closed loopback port): every route of the node's openapi.yaml reaches the front's routing
 * (a refusal of its own, a 503 for the node, never "no such endpoint"), or is one the front names
 * as not routed, with why. The front checks ROCK's X-API-Key as a node does: on ROCK's paths only.
 */
class FrontApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String ADMIN = "admin-token-0123456789abcdef";
    private static final String ENV = "env-token-0123456789abcdef";
    private static final Pattern PATH = Pattern.compile("^  (/\\S+):\\s*$");
    private static final Pattern METHOD = Pattern.compile("^    (get|post|put|delete|patch):\\s*$");

    private static ClusterFront front;

    @BeforeAll
    static void start() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Tokens tokens = Tokens.of(List.of(new Tokens.Token(ADMIN, Tokens.Role.ADMIN, "ops", OptionalInt.empty()),
                new Tokens.Token(ENV, Tokens.Role.ENV, "trainer", OptionalInt.empty())));
        front = ClusterFront.start(new ClusterFront.Config("127.0.0.1", 0, tokens, "secret-0123456789abcdef",
                StaticDiscovery.parse("n1=http://127.0.0.1:" + closed), Duration.ofSeconds(1), Optional.empty()));
    }

    @AfterAll
    static void stop() {
        if (front != null) front.close();
    }

    private record Reply(int status, String body, HttpResponse<String> raw) { }

    private static Reply call(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + front.port() + path)).timeout(Duration.ofSeconds(60));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        boolean bodied = method.equals("POST") || method.equals("PUT");
        b.method(method, bodied ? HttpRequest.BodyPublishers.ofString("{\"sandbox_id\": \"n1.sb-0123456789abcdef\"}") : HttpRequest.BodyPublishers.noBody());
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body(), r);
    }

    /** Every METHOD /path of the node's spec. */
    private static List<String> specRoutes() throws IOException {
        List<String> out = new ArrayList<>();
        try (InputStream in = FrontApiTest.class.getResourceAsStream("/dev/ale/server/openapi.yaml")) {
            assertThat(in).as("the node's spec on the classpath").isNotNull();
            String path = null;
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList()) {
                Matcher p = PATH.matcher(line);
                if (p.matches()) path = p.group(1);
                Matcher m = METHOD.matcher(line);
                if (m.matches() && path != null) out.add(m.group(1).toUpperCase(Locale.ROOT) + " " + path);
            }
        }
        return out;
    }

    private static String concrete(String path) {
        return path.replace("{id}", "n1.sb-0123456789abcdef").replace("{sandbox_id}", "n1.sb-0123456789abcdef").replace("{sid}", "s1")
                .replace("{passport}", "default").replace("<path>", "x").replace("<page>", "sandboxes");
    }

    @Test
    void everyRouteOfTheNodesSpecIsRoutedByTheFrontOrNamedAsNotRoutedWithWhy() throws Exception {
        List<String> spec = specRoutes();
        assertThat(spec).hasSizeGreaterThan(50).contains("GET /holds", "POST /apis/envs/sandbox/v1/upload", "GET /apis/envs/sandbox/v1/sandboxes");
        List<String> unrouted = new ArrayList<>();
        for (String route : spec) {
            String method = route.substring(0, route.indexOf(' '));
            String path = concrete(route.substring(route.indexOf(' ') + 1));
            Reply r = call(method, path, "Authorization", "Bearer " + ADMIN, "Content-Type", "application/json");
            if (r.body().contains("Endpoint " + method + " " + path + " not found") || r.status() == 405) unrouted.add(route);
            if (FrontRoutes.NOT_ROUTED.containsKey(route)) {
                assertThat(r.status()).as(route).isEqualTo(501);
                assertThat(JSON.readTree(r.body()).path("error").path("message").asText()).as(route).contains(FrontRoutes.NOT_ROUTED.get(route));
            }
        }
        assertThat(unrouted).as("routes of the node the front answers as unknown").isEmpty();
        Reply unknown = call("GET", "/v1/no-such-route", "Authorization", "Bearer " + ADMIN);
        assertThat(unknown.body()).as("what an unrouted path looks like, so the check above can fail").contains("Endpoint GET /v1/no-such-route not found");
        for (String named : FrontRoutes.NOT_ROUTED.keySet()) {
            String path = named.substring(named.indexOf(' ') + 1);
            if (!path.startsWith("/ui")) assertThat(spec).as("a not-routed route is one of the node's").contains(named);
        }
        Reply console = call("GET", "/ui/sandboxes");
        assertThat(console.status()).as("the console, without a token too, says why it is not here").isEqualTo(501);
        assertThat(console.body()).contains("a cluster has no console yet");
        assertThat(call("POST", "/ui/login").status()).as("the console's sign-in form too").isEqualTo(501);
        Reply spec2 = call("GET", "/openapi.yaml");
        assertThat(spec2.status()).isEqualTo(200);
        assertThat(spec2.body()).contains("/apis/envs/sandbox/v1/sandboxes/batch:");
    }

    @Test
    void aListThroughAFrontWhoseNodeNeverAnsweredNamesItsAddressAsUnreachableRatherThanLeavingItOut() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Tokens tokens = Tokens.of(List.of(new Tokens.Token(ADMIN, Tokens.Role.ADMIN, "ops", OptionalInt.empty())));
        // an unnamed static member is known by its address until it first answers, which this one never does
        try (ClusterFront nameless = ClusterFront.start(new ClusterFront.Config("127.0.0.1", 0, tokens, "secret-0123456789abcdef",
                StaticDiscovery.parse("http://127.0.0.1:" + closed), Duration.ofSeconds(1), Optional.empty()))) {
            for (String path : List.of("/v1/sandboxes", "/v1/audit/records", "/holds")) {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nameless.port() + path))
                        .header("Authorization", "Bearer " + ADMIN).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
                assertThat(r.headers().firstValue("X-Ale-Unreachable-Nodes")).as(path).hasValue("http://127.0.0.1:" + closed);
            }
        }
    }

    @Test
    void aPassportsHistoryWithNoNodeToAskIs503NamingTheNodeNotA404() throws Exception {
        Reply r = call("GET", "/passports/coder-1/history?since=2026-03-01T00:00:00Z", "Authorization", "Bearer " + ADMIN);
        assertThat(r.status()).as(r.body()).isEqualTo(503);
        assertThat(JSON.readTree(r.body()).path("error").path("code").asText()).isEqualTo("node_unavailable");
        assertThat(JSON.readTree(r.body()).path("error").path("message").asText()).contains("n1 not answering");
        assertThat(r.raw().headers().firstValue("X-Ale-Unreachable-Nodes")).contains("n1");
        assertThat(r.raw().headers().firstValue("Retry-After")).contains("1");
    }

    @Test
    void rocksApiKeyIsTakenOnRocksPathsOnlyAndAWrongOneIs401InRocksEnvelope() throws Exception {
        // a good key passes the front's check: the call goes on to the node, which is not answering (ROCK's Failed, over 200)
        Reply good = call("GET", "/apis/envs/sandbox/v1/get_status?sandbox_id=n1.sb-0123456789abcdef", "X-API-Key", ENV);
        assertThat(good.status()).as(good.body()).isEqualTo(200);
        JsonNode g = JSON.readTree(good.body());
        assertThat(g.path("status").asText()).isEqualTo("Failed");
        assertThat(g.path("message").asText()).isEqualTo("node unavailable");
        Reply gem = call("POST", "/apis/v1/envs/gem/step", "X-API-Key", ENV, "Content-Type", "application/json");
        assertThat(gem.status()).as("ROCK's GEM path takes it too").isEqualTo(503);

        for (String wrong : List.of("not-a-token-at-all-xx", ENV + "x", ENV.toUpperCase(Locale.ROOT), "Bearer " + ENV, " ")) {
            Reply r = call("GET", "/apis/envs/sandbox/v1/get_status?sandbox_id=n1.sb-0123456789abcdef", "X-API-Key", wrong);
            assertThat(r.status()).as("'" + wrong + "'").isEqualTo(401);
            assertThat(JSON.readTree(r.body()).path("status").asText()).as("ROCK's envelope").isEqualTo("Failed");
        }
        // ALE's own routes and the model proxy take no X-API-Key, as on a node
        for (String path : List.of("/v1/sandboxes", "/v1/envs", "/metrics", "/holds", "/v1/sandboxes/n1.sb-0123456789abcdef/apis/envs/sandbox/v1/x")) {
            Reply r = call("GET", path, "X-API-Key", ENV);
            assertThat(r.status()).as(path).isEqualTo(401);
        }
        Reply model = call("POST", "/v1/chat/completions", "X-API-Key", "n1.ale-sbx-0123456789", "Content-Type", "application/json");
        assertThat(model.status()).isEqualTo(401);
    }
}
