package dev.ale.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** A server as one node of a cluster: it reports its capacity, holds its slots, and answers only calls with its front's secret. */
@Tag("root")
class ClusterNodeTest {

    private static final String SECRET = "front-secret-0123456789";

    @RegisterExtension
    static final LiveServer SERVER = LiveServer.asNode(new NodeSettings("node-a", OptionalInt.of(2), Optional.of(SECRET)));

    @Test
    void theFrontReadsTheReportWithItsSecretAloneAndItCountsEachTokensSlots() throws Exception {
        SERVER.create(LiveServer.ALICE);
        HttpResponse<String> r = raw("/v1/node", Optional.empty(), Optional.of(SECRET));
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode report = Bodies.JSON.readTree(r.body());
        assertThat(report.path("name").asText()).isEqualTo("node-a");
        assertThat(report.path("slots").asInt()).isEqualTo(2);
        assertThat(report.path("used").asInt()).isEqualTo(1);
        assertThat(report.path("owners").path("alice").asInt()).isEqualTo(1);
        assertThat(report.path("cpus").asInt()).isPositive();
        assertThat(report.path("memory_available_bytes").asLong()).isPositive();
    }

    @Test
    void aValidTokenWithoutTheSecretIsRefusedAndSoIsAWrongSecret() throws Exception {
        for (Optional<String> secret : List.of(Optional.<String>empty(), Optional.of("front-secret-012345678X"), Optional.of(SECRET + "0"))) {
            HttpResponse<String> r = raw("/v1/sandboxes", Optional.of(LiveServer.ADMIN), secret);
            assertThat(r.statusCode()).as(secret.toString()).isEqualTo(401);
            assertThat(r.body()).contains("X-Ale-Cluster-Secret");
            assertThat(raw("/v1/node", Optional.empty(), secret).statusCode()).isEqualTo(401);
        }
        // the secret is not a token: it alone reaches the report, nothing else
        assertThat(raw("/v1/sandboxes", Optional.empty(), Optional.of(SECRET)).statusCode()).isEqualTo(401);
        assertThat(raw("/healthz", Optional.empty(), Optional.empty()).statusCode()).isEqualTo(200);
        assertThat(raw("/v1/sandboxes", Optional.of(LiveServer.ADMIN), Optional.of(SECRET)).statusCode()).isEqualTo(200);
    }

    @Test
    void oneSandboxPastTheNodesSlotsIsNodeFull() {
        SERVER.create(LiveServer.BOB);
        SERVER.create(LiveServer.BOB);
        LiveServer.Reply third = SERVER.call("POST", "/v1/sandboxes", LiveServer.BOB, "{}");
        assertThat(third.status()).isEqualTo(429);
        assertThat(third.errorCode()).isEqualTo("node_full");
        assertThat(third.json().path("error").path("message").asText()).contains("2 of its 2 slots");
        LiveServer.Reply env = SERVER.call("POST", "/v1/envs", LiveServer.BOB, "{\"task\": \"greet\"}");
        assertThat(env.errorCode()).as("an environment takes a slot too").isEqualTo("node_full");
    }

    private static HttpResponse<String> raw(String path, Optional<String> token, Optional<String> secret) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(SERVER.uri(path)).GET();
        token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
        secret.ifPresent(s -> b.header(NodeSettings.SECRET_HEADER, s));
        return SERVER.http().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
