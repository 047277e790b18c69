package dev.ale.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** The node's audit log over HTTP, for a cluster's one view: its records as the export writes them, its chain walked; admin only. */
@Tag("root")
class AuditRoutesTest {

    @RegisterExtension
    static final LiveServer SERVER = new LiveServer();

    @Test
    void anAdminReadsTheRecordsAboutOneSandboxAndTheChainIsIntact() {
        String id = SERVER.create(LiveServer.ALICE);
        SERVER.call("POST", "/v1/sandboxes/" + id + "/exec", LiveServer.ALICE, "{\"command\": \"true\"}");
        LiveServer.Reply records = SERVER.call("GET", "/v1/audit/records?sandbox=" + id, LiveServer.ADMIN, null);
        assertThat(records.status()).isEqualTo(200);
        JsonNode list = records.json().path("records");
        assertThat(list).isNotEmpty().allSatisfy(r -> {
            assertThat(r.path("sandbox").asText()).isEqualTo(id);
            assertThat(r.path("hash").asText()).isNotEmpty();
            assertThat(r.has("prev_hash")).isTrue();
        });
        LiveServer.Reply one = SERVER.call("GET", "/v1/audit/records?sandbox=" + id + "&limit=1", LiveServer.ADMIN, null);
        assertThat(one.json().path("records")).hasSize(1);
        assertThat(one.json().path("records").get(0).path("seq").asLong()).isEqualTo(list.get(0).path("seq").asLong());

        LiveServer.Reply verified = SERVER.call("GET", "/v1/audit/verify", LiveServer.ADMIN, null);
        assertThat(verified.status()).isEqualTo(200);
        assertThat(verified.json().path("ok").asBoolean()).isTrue();
        assertThat(verified.json().path("checked").asLong()).isGreaterThanOrEqualTo(list.size());
        assertThat(verified.json().path("head").asText()).isNotEmpty();
        assertThat(verified.json().path("problems")).isEmpty();
    }

    @Test
    void anEnvTokenReadsNeitherAndABadFilterIsNamed() {
        assertThat(SERVER.call("GET", "/v1/audit/records", LiveServer.ALICE, null).status()).isEqualTo(403);
        assertThat(SERVER.call("GET", "/v1/audit/verify", LiveServer.BOB, null).status()).isEqualTo(403);
        for (String bad : new String[] {"limit=0", "limit=ten", "since=yesterday"}) {
            LiveServer.Reply r = SERVER.call("GET", "/v1/audit/records?" + bad, LiveServer.ADMIN, null);
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.json().path("error").path("message").asText()).as(bad).contains(bad.substring(0, bad.indexOf('=')));
        }
        // a benign look-alike: a well-formed instant and limit are fine
        assertThat(SERVER.call("GET", "/v1/audit/records?since=2026-01-01T00:00:00Z&limit=5", LiveServer.ADMIN, null).status()).isEqualTo(200);
    }
}
