package dev.ale.server;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.ale.server.LiveServer.BOB;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random and mutated JSON at every POST route: wrong types, missing and unknown fields, huge
 * numbers, deep nesting, invalid UTF-8. Whatever the body, the answer is never a 5xx.
 */
@Tag("root")
@Timeout(600)
class FuzzedBodiesTest {

    @RegisterExtension
    static final LiveServer live = new LiveServer();

    private static final String[] SEEDS = {
            "{\"argv\": [\"true\"], \"env\": {\"A\": \"b\"}, \"cwd\": \"/tmp\", \"stdin\": \"x\", \"timeout_seconds\": 5, \"heavy_cpu\": false}",
            "{\"command\": \"true\", \"timeout_seconds\": 5}",
            "{\"passport\": {\"id\": \"f\", \"resources\": {\"cpus\": 1}}, \"labels\": {\"a\": \"b\"}, \"idle_timeout_seconds\": 30}",
            "{\"passport\": \"id: f\\nresources:\\n  cpus: 1\\n\"}",
    };
    private static final String[] VALUES = {
            "null", "true", "0", "-1", "1e400", "-1e400", "1e-400", "123456789012345678901234567890", "0.0000001", "\"\"", "\"\\u0000\"",
            "[]", "[null]", "[1, \"a\"]", "{}", "{\"a\": 1}", "\"" + "y".repeat(5000) + "\"", "[\"true\"]", "\"default\"", "\"../../etc\"",
            "{\"resources\": {\"cpus\": 1e400}}", "{\"egress\": {\"agent\": [{\"domain\": 7}]}}",
    };
    private static final String[] FIELDS = {"argv", "command", "env", "cwd", "stdin", "timeout_seconds", "heavy_cpu", "passport", "labels",
            "idle_timeout_seconds", "", "\u0000", "a.b"};

    @Test
    void noBodyMakesTheServerFail() {
        Random random = new Random(20250101);
        String id = live.create(BOB);
        String sid = live.call("POST", "/v1/sandboxes/" + id + "/sessions", BOB, null).json().get("session_id").asText();
        List<String> routes = List.of("/v1/sandboxes", "/v1/sandboxes/" + id + "/exec", "/v1/sandboxes/" + id + "/sessions/" + sid + "/run",
                "/v1/sandboxes/" + id + "/sessions");
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String route = routes.get(random.nextInt(routes.size()));
            byte[] body = body(random);
            LiveServer.Reply r = live.send("POST", route, BOB, body, "application/json");
            if (r.status() >= 500) failures.add(route + " <- " + new String(body, StandardCharsets.UTF_8) + " -> " + r.status() + " " + r.body());
            if (r.status() == 201 && route.equals("/v1/sandboxes")) live.call("DELETE", "/v1/sandboxes/" + r.json().get("id").asText(), BOB, null);
            // a fuzzed command may have killed the sandbox: make a fresh one to keep fuzzing a live one
            if (live.call("GET", "/v1/sandboxes/" + id, BOB, null).json().path("state").asText().equals("killed")) {
                live.call("DELETE", "/v1/sandboxes/" + id, BOB, null);
                id = live.create(BOB);
                sid = live.call("POST", "/v1/sandboxes/" + id + "/sessions", BOB, null).json().get("session_id").asText();
                routes = List.of("/v1/sandboxes", "/v1/sandboxes/" + id + "/exec", "/v1/sandboxes/" + id + "/sessions/" + sid + "/run",
                        "/v1/sandboxes/" + id + "/sessions");
            }
        }
        assertThat(failures).isEmpty();
    }

    private static byte[] body(Random random) {
        return switch (random.nextInt(7)) {
            case 0 -> deep(random.nextInt(2000));
            case 1 -> invalidUtf8(random);
            case 2 -> randomBytes(random);
            case 3 -> truncated(random);
            default -> mutated(random).getBytes(StandardCharsets.UTF_8);
        };
    }

    /** A seed with one field given a wrong value, dropped, or added. */
    private static String mutated(Random random) {
        String seed = SEEDS[random.nextInt(SEEDS.length)];
        String field = FIELDS[random.nextInt(FIELDS.length)];
        String value = VALUES[random.nextInt(VALUES.length)];
        var json = (com.fasterxml.jackson.databind.node.ObjectNode) read(seed);
        switch (random.nextInt(3)) {
            case 0 -> json.remove(field);
            default -> json.set(field, read(value));
        }
        return json.toString();
    }

    private static com.fasterxml.jackson.databind.JsonNode read(String text) {
        try {
            return Bodies.JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError(text, e);
        }
    }

    private static byte[] deep(int depth) {
        return ("{\"argv\": " + "[".repeat(depth) + "]".repeat(depth) + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] invalidUtf8(Random random) {
        byte[] prefix = "{\"command\": \"echo ".getBytes(StandardCharsets.UTF_8);
        byte[] bad = {(byte) 0xc3, (byte) 0x28, (byte) 0xff, (byte) 0xfe, (byte) 0xed, (byte) 0xa0, (byte) 0x80};
        byte[] suffix = "\"}".getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[prefix.length + 1 + suffix.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        out[prefix.length] = bad[random.nextInt(bad.length)];
        System.arraycopy(suffix, 0, out, prefix.length + 1, suffix.length);
        return out;
    }

    private static byte[] randomBytes(Random random) {
        byte[] b = new byte[random.nextInt(64)];
        random.nextBytes(b);
        return b;
    }

    private static byte[] truncated(Random random) {
        String seed = SEEDS[random.nextInt(SEEDS.length)];
        return seed.substring(0, random.nextInt(seed.length())).getBytes(StandardCharsets.UTF_8);
    }
}
