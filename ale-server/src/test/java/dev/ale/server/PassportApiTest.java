package dev.ale.server;

import static dev.ale.server.LiveServer.ADMIN;
import static dev.ale.server.LiveServer.BOB;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ale.core.passport.PassportLoader;
import dev.ale.core.passport.signing.PassportSignature;
import dev.ale.core.passport.signing.SigningKey;
import dev.ale.core.passport.signing.TaskSignatures;
import dev.ale.core.passport.signing.TrustedKeys;
import dev.ale.core.task.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A server that requires signed passports, and a passport's history over the API. */
@Tag("root")
@Timeout(180)
class PassportApiTest {

    private static Path keys;

    @RegisterExtension
    static final LiveServer live = LiveServer.configured(PassportApiTest::signedOnly);

    /** Passports signed by a trusted key, one unsigned, one changed after signing, one signed by a stranger. */
    private static AleServer.Config signedOnly(AleServer.Config config, Path passports) throws IOException {
        keys = Files.createTempDirectory(Path.of("/tmp"), "ale-passport-keys");
        Path trusted = Files.createDirectories(keys.resolve("trusted"));
        SigningKey ops = SigningKey.generate();
        ops.write(keys.resolve("ops"));
        Files.copy(keys.resolve("ops.pub"), trusted.resolve("ops.pub"));
        SigningKey stranger = SigningKey.generate();
        write(passports, "signed", "id: signed\n", ops);
        write(passports, "altered", "id: altered\n", ops);
        Files.writeString(passports.resolve("altered.yaml"), "id: altered\ndetectors: {tunnel: {action: alert}}\n");
        Files.writeString(passports.resolve("unsigned.yaml"), "id: unsigned\n");
        write(passports, "stranger", "id: stranger\n", stranger);
        // the GEM tasks are signed too: the server refuses to start with an unsigned one
        for (Task t : config.tasks()) PassportSignature.sign(t.passport(), ops).write(TaskSignatures.fileOf(t.directory()));
        return config.withTrustedKeys(TrustedKeys.load(trusted));
    }

    private static void write(Path dir, String name, String yaml, SigningKey key) throws IOException {
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, yaml);
        PassportSignature.sign(PassportLoader.load(file), key).write(PassportSignature.fileFor(file));
    }

    @AfterAll
    static void removeKeys() throws IOException {
        GemTasks.delete(keys);
    }

    private static void refused(String body, String says) {
        LiveServer.Reply r = live.call("POST", "/v1/sandboxes", ADMIN, body);
        assertThat(r.status()).as(r.body()).isEqualTo(403);
        assertThat(r.json().path("error").path("message").asText()).contains(says);
    }

    @Test
    void onlyASignedUnalteredPassportByATrustedKeyMakesASandbox() {
        LiveServer.Reply ok = live.call("POST", "/v1/sandboxes", BOB, "{\"passport\": \"signed\"}");
        assertThat(ok.status()).as(ok.body()).isEqualTo(201);

        refused("{\"passport\": \"unsigned\"}", "not signed");
        refused("{\"passport\": \"altered\"}", "altered since it was signed");
        refused("{\"passport\": \"stranger\"}", "not trusted");
        refused("{\"passport\": \"id: inline\\n\"}", "requires signed passports");
        refused("{\"passport\": \"default\"}", "requires signed passports");
        refused("{}", "requires signed passports");
    }

    @Test
    void aGemEnvironmentRunsUnderItsSignedTaskPassportButNotAnUnsignedOneItNames() {
        LiveServer.Reply env = live.call("POST", "/v1/envs", BOB, "{\"task\": \"greet\"}");
        assertThat(env.status()).as(env.body()).isEqualTo(201);
        live.call("POST", "/v1/envs/" + env.json().get("env_id").asText() + "/close", BOB, null);

        LiveServer.Reply unsigned = live.call("POST", "/v1/envs", BOB, "{\"task\": \"greet\", \"passport\": \"unsigned\"}");
        assertThat(unsigned.status()).as(unsigned.body()).isEqualTo(403);
        assertThat(unsigned.json().path("error").path("message").asText()).contains("not signed");
    }

    @Test
    void aPassportsHistoryShowsItsSandboxesAndKillsToAdminsOnly() throws IOException {
        String fingerprint = PassportLoader.parse("id: signed\n", "signed.yaml").fingerprint();
        LiveServer.Reply created = live.call("POST", "/v1/sandboxes", BOB, "{\"passport\": \"signed\"}");
        String id = created.json().get("id").asText();
        live.call("POST", "/v1/sandboxes/" + id + "/exec", BOB, "{\"argv\": [\"ssh\", \"-N\", \"-R\", \"2222:localhost:22\", \"x@203.0.113.9\"]}");

        LiveServer.Reply byId = live.call("GET", "/passports/signed/history", ADMIN, null);
        assertThat(byId.status()).as(byId.body()).isEqualTo(200);
        JsonNode h = byId.json();
        assertThat(h.get("sandboxes")).extracting(JsonNode::asText).contains(id);
        assertThat(h.get("versions").get(0).get("fingerprint").asText()).isEqualTo(fingerprint);
        assertThat(h.get("kills")).anySatisfy(k -> {
            assertThat(k.get("sandbox").asText()).isEqualTo(id);
            assertThat(k.get("rule").asText()).startsWith("tunnel.");
        });
        assertThat(h.get("events_by_category").get("tunnel").asInt()).isPositive();

        LiveServer.Reply byFingerprint = live.call("GET", "/passports/" + fingerprint + "/history", ADMIN, null);
        assertThat(byFingerprint.status()).isEqualTo(200);
        assertThat(byFingerprint.json().get("sandboxes")).extracting(JsonNode::asText).contains(id);

        assertThat(live.call("GET", "/passports/signed/history", BOB, null).status()).isEqualTo(403);
        assertThat(live.call("GET", "/passports/nobody/history", ADMIN, null).status()).isEqualTo(404);
        LiveServer.Reply badTime = live.call("GET", "/passports/signed/history?since=yesterday", ADMIN, null);
        assertThat(badTime.status()).isEqualTo(400);
        assertThat(badTime.json().path("error").path("message").asText()).contains("since").contains("yesterday");
        LiveServer.Reply backwards = live.call("GET",
                "/passports/signed/history?since=2026-03-02T00:00:00Z&until=2026-03-01T00:00:00Z", ADMIN, null);
        assertThat(backwards.status()).isEqualTo(400);
    }
}
