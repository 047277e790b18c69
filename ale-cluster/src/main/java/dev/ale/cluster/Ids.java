package dev.ale.cluster;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Ids the front hands out carry their node: {@code NODE.ID} (a node name has no dot). A restarted
 * front needs no table to route them, only the fleet. Nodes never see the prefix: the front takes
 * it off requests and puts it on replies, on the sandbox and environment ids and model tokens
 * they carry, and nothing else (a task id stays a task id).
 */
final class Ids {

    /**
     * What a node's own ids look like: sandboxes {@code sb-…}, environments {@code env-…}, ROCK's
     * start_async ids {@code rock-…} and holds {@code hold-…}.
     */
    private static final Pattern NODE_ID = Pattern.compile("(sb|env|rock|hold)-[0-9a-f]{8,32}");
    /** Fields that hold one: ALE's, ROCK's ({@code ale_sandbox_id} in a status) and a hold's {@code sandboxId}. */
    private static final Set<String> ID_KEYS = Set.of("id", "env_id", "sandbox_id", "sandbox", "ale_sandbox_id", "sandboxId");
    private static final String TOKEN_KEY = "model_token";
    private static final JsonFactory FACTORY = new JsonFactory();

    private Ids() {
    }

    /** A routed id, split: the node it names and the node's own id. */
    record Routed(String node, String local) { }

    static String join(String node, String local) {
        return node + "." + local;
    }

    static Optional<Routed> split(String id) {
        int dot = id.indexOf('.');
        if (dot <= 0 || dot == id.length() - 1) return Optional.empty();
        return Optional.of(new Routed(id.substring(0, dot), id.substring(dot + 1)));
    }

    /**
     * Whether a node's reply may hold an id or a model token to rewrite: false only when none of
     * their shapes ({@code sb-}, {@code env-}, {@code rock-}, {@code hold-}, {@code model_token}) occurs in its bytes at all.
     */
    static boolean mayName(byte[] reply) {
        for (int i = 0; i + 3 <= reply.length; i++) {
            byte b = reply[i];
            if (b == 's' && reply[i + 1] == 'b' && reply[i + 2] == '-') return true;
            if (b == 'e' && i + 4 <= reply.length && reply[i + 1] == 'n' && reply[i + 2] == 'v' && reply[i + 3] == '-') return true;
            if ((b == 'r' || b == 'h') && i + 5 <= reply.length && reply[i + 4] == '-' && fourLetters(reply, i)) return true;
            if (b == 'm' && i + 11 <= reply.length && new String(reply, i, 11, java.nio.charset.StandardCharsets.ISO_8859_1).equals(TOKEN_KEY)) {
                return true;
            }
        }
        return false;
    }

    /** {@code rock} or {@code hold} at {@code i}. */
    private static boolean fourLetters(byte[] b, int i) {
        return b[i] == 'r' && b[i + 1] == 'o' && b[i + 2] == 'c' && b[i + 3] == 'k' || b[i] == 'h' && b[i + 1] == 'o' && b[i + 2] == 'l' && b[i + 3] == 'd';
    }

    /**
     * {@link #outward} on a reply's bytes, without a tree: Jackson's streaming parser finds each string
     * to rewrite, and {@code node.} is put in right after its opening quote; every other byte goes out as
     * the node wrote it. A reply that is not JSON comes back as it was. A GEM step's reply (its
     * {@code env_id}) costs a scan instead of a parse into a tree and a write of it.
     */
    static byte[] outward(byte[] json, String node) {
        if (!mayName(json)) return json;
        int[] at = new int[8];
        int found = 0;
        try (JsonParser p = FACTORY.createParser(json)) {
            for (JsonToken t; (t = p.nextToken()) != null; ) {
                if (t != JsonToken.VALUE_STRING || !p.getParsingContext().inObject()) continue;
                String key = p.currentName();
                boolean id = ID_KEYS.contains(key) && NODE_ID.matcher(p.getText()).matches();
                if (!id && !TOKEN_KEY.equals(key)) continue;
                if (found == at.length) at = Arrays.copyOf(at, found * 2);
                at[found++] = (int) p.currentTokenLocation().getByteOffset() + 1; // just past the opening quote
            }
        } catch (java.io.IOException e) {
            return json; // not JSON: nothing of ours to rewrite in it
        }
        if (found == 0) return json;
        byte[] prefix = (node + ".").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] out = new byte[json.length + found * prefix.length];
        int from = 0;
        int to = 0;
        for (int i = 0; i < found; i++) {
            int n = at[i] - from;
            System.arraycopy(json, from, out, to, n);
            to += n;
            System.arraycopy(prefix, 0, out, to, prefix.length);
            to += prefix.length;
            from = at[i];
        }
        System.arraycopy(json, from, out, to, json.length - from);
        return out;
    }

    /** A node's own id as the cluster names it ({@code NODE.ID}); any other string as it is. */
    static String outwardId(String id, String node) {
        return NODE_ID.matcher(id).matches() ? join(node, id) : id;
    }

    /** Puts {@code node}'s prefix on every id and model token in a node's reply, in place. */
    static JsonNode outward(JsonNode json, String node) {
        if (json instanceof ObjectNode o) {
            for (Map.Entry<String, JsonNode> e : o.properties()) {
                JsonNode v = e.getValue();
                if (v.isTextual() && ID_KEYS.contains(e.getKey()) && NODE_ID.matcher(v.asText()).matches()) {
                    e.setValue(o.textNode(join(node, v.asText())));
                } else if (v.isTextual() && e.getKey().equals(TOKEN_KEY)) {
                    e.setValue(o.textNode(join(node, v.asText())));
                } else if (v.isContainerNode()) {
                    outward(v, node);
                }
            }
        } else if (json instanceof ArrayNode a) {
            for (JsonNode v : a) outward(v, node);
        }
        return json;
    }
}
