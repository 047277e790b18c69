package dev.ale.server.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console's client of the holds routes, against a server on loopback that speaks their
 * contract ({@code GET /holds}, {@code POST /holds/{id}/approve|deny}: 200, 409 decided, 404):
 * the routes themselves are another part of the server, and this server may not have them.
 */
class HoldsClientTest {

    private HttpServer server;
    private final Map<String, String> states = new ConcurrentHashMap<>();
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private volatile boolean holdsRoute = true;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::answer);
        server.start();
        states.put("h1", "pending");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void answer(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getRawPath();
        seen.add(x.getRequestMethod() + " " + path + " " + x.getRequestHeaders().getFirst("Authorization"));
        if (!holdsRoute) {
            reply(x, 404, "{\"error\": {\"code\": \"not_found\"}}");
            return;
        }
        if (path.equals("/holds")) {
            reply(x, 200, "[{\"id\": \"h1\", \"sandboxId\": \"sb-1\", \"episodeId\": null, \"step\": 3, \"category\": \"tunnel\","
                    + " \"ruleId\": \"tunnel.ssh.remote-forward\", \"detail\": \"ssh -R <b>x</b>\", \"kind\": \"pre-exec\","
                    + " \"createdAt\": \"2026-12-05T04:00:00Z\", \"deadline\": \"2026-12-05T04:05:00Z\", \"state\": \"" + states.get("h1") + "\"}]");
            return;
        }
        String[] parts = path.split("/");
        if (parts.length == 4 && parts[1].equals("holds") && x.getRequestMethod().equals("POST")) {
            String state = states.get(parts[2]);
            if (state == null) reply(x, 404, "{}");
            else if (!state.equals("pending")) reply(x, 409, "{}");
            else {
                states.put(parts[2], parts[3].equals("approve") ? "approved" : "denied");
                reply(x, 200, "{}");
            }
            return;
        }
        reply(x, 404, "{}");
    }

    private static void reply(HttpExchange x, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(status, bytes.length);
        x.getResponseBody().write(bytes);
        x.close();
    }

    private Holds holds() {
        return new Holds(() -> URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
    }

    private static final Principal OPS = new Principal("ops", true, "ops-token-0123456789");

    @Test
    void holdsAreListedAsTheContractNamesThemAsTheSignedInToken() {
        List<Holds.Hold> list = holds().list(OPS).orElseThrow();

        assertThat(list).singleElement().satisfies(h -> {
            assertThat(h.id()).isEqualTo("h1");
            assertThat(h.sandboxId()).isEqualTo("sb-1");
            assertThat(h.episodeId()).isEmpty();
            assertThat(h.step()).contains(3);
            assertThat(h.ruleId()).isEqualTo("tunnel.ssh.remote-forward");
            assertThat(h.detail()).isEqualTo("ssh -R <b>x</b>");
            assertThat(h.pending()).isTrue();
        });
        assertThat(seen).containsExactly("GET /holds Bearer ops-token-0123456789");
    }

    @Test
    void theFirstDecisionWinsAndTheSecondIsToldItWasAlreadyDecided() {
        assertThat(holds().decide(OPS, "h1", true)).isEqualTo(Holds.Outcome.DECIDED);
        assertThat(holds().decide(OPS, "h1", false)).isEqualTo(Holds.Outcome.ALREADY_DECIDED);
        assertThat(holds().list(OPS).orElseThrow().getFirst().pending()).isFalse();
        assertThat(holds().decide(OPS, "nosuch", true)).isEqualTo(Holds.Outcome.NOT_FOUND);
    }

    @Test
    void aHoldIdIsOnePathSegmentWhateverItHolds() {
        assertThat(holds().decide(OPS, "../sandboxes/x", true)).isEqualTo(Holds.Outcome.NOT_FOUND);
        assertThat(seen).containsExactly("POST /holds/..%2Fsandboxes%2Fx/approve Bearer ops-token-0123456789");
    }

    @Test
    void aServerWithoutTheHoldsRouteHasNoHoldsRatherThanAnError() {
        holdsRoute = false;
        assertThat(holds().list(OPS)).isEmpty();
        assertThat(holds().history(OPS, "default", Optional.empty(), Optional.empty())).isInstanceOf(Holds.History.Unavailable.class);
    }
}
