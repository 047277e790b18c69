package dev.ale.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.ale.server.LiveServer.ALICE;
import static dev.ale.server.LiveServer.BOB;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * ROCK's stock GEM client sends no Authorization header. With {@code --rock-open-as bob}, such
 * calls on ROCK's paths act as bob's env token (his scope, his quota); nothing else opens.
 */
@Tag("root")
@Timeout(300)
class RockStockClientTest {

    @RegisterExtension
    static final LiveServer live = LiveServer.withModel();

    @Test
    void callsWithoutATokenOnRocksPathsActAsTheNamedEnvToken() {
        LiveServer.Reply made = live.call("POST", "/apis/v1/envs/gem/make", null, "{\"env_id\": \"greet\"}");
        assertThat(made.status()).as(made.body()).isEqualTo(200);
        String id = made.json().get("sandbox_id").asText();

        JsonNode reset = live.call("POST", "/apis/v1/envs/gem/reset", null, "{\"sandbox_id\": \"" + id + "\", \"seed\": 1}").json();
        assertThat(reset.get("observation").asText()).contains("note.txt");
        JsonNode step = live.call("POST", "/apis/v1/envs/gem/step", null, "{\"sandbox_id\": \"" + id + "\", \"action\":"
                + " {\"name\": \"shell\", \"arguments\": {\"command\": \"cat note.txt\"}}}").json();
        assertThat(step.get("observation").asText()).contains("the word is hello");

        assertThat(live.call("GET", "/v1/envs/" + id, BOB, null).status()).as("it is bob's").isEqualTo(200);
        assertThat(live.call("GET", "/v1/envs/" + id, ALICE, null).status()).as("and not alice's").isEqualTo(404);
        assertThat(live.call("POST", "/apis/v1/envs/gem/close", null, "{\"sandbox_id\": \"" + id + "\"}").status()).isEqualTo(200);
    }

    @Test
    void aWrongTokenOnRocksPathsAndNoTokenElsewhereAreStillRefused() {
        assertThat(live.call("POST", "/apis/v1/envs/gem/make", "not-a-token-at-all-x", "{\"env_id\": \"greet\"}").status()).isEqualTo(401);
        assertThat(live.call("POST", "/v1/envs", null, "{\"task\": \"greet\"}").status()).isEqualTo(401);
        assertThat(live.call("GET", "/v1/sandboxes", null, null).status()).isEqualTo(401);
        assertThat(live.call("POST", "/v1/chat/completions", null, "{}").status()).isEqualTo(401);
    }
}
