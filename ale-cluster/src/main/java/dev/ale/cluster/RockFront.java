package dev.ale.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.cluster.fleet.Fleet;
import dev.ale.cluster.fleet.Node;
import dev.ale.cluster.fleet.NodeDown;
import dev.ale.server.rock.RockEnvelope;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * ROCK's sandbox routes that name no one sandbox by its JSON body, over the fleet: the list
 * ({@code GET sandboxes}) and the batch status ({@code POST sandboxes/batch}) ask every node
 * concerned and join the answers in ROCK's envelope; the multipart {@code upload} is streamed to
 * the node its {@code sandbox_id} names. A node that cannot be asked leaves its sandboxes out of
 * a list, and is named in {@code result.unreachable_nodes} and {@code X-Ale-Unreachable-Nodes}.
 */
final class RockFront {

    static final String PREFIX = "/apis/envs/sandbox/v1";
    /** ROCK's largest page and batch, as the node's. */
    private static final int MAX_PAGE = 1000;
    private static final int DEFAULT_PAGE_SIZE = 100;
    /** A node's list is read page by page; past this many pages it is cut off (a million sandboxes on one node). */
    private static final int MAX_NODE_PAGES = 1000;
    /** The node's own limits on an upload: 16 MiB of file, 64 KiB more for the rest of the form. */
    static final long UPLOAD_LIMIT = (16L << 20) + (1 << 16);

    private final Fleet fleet;
    private final NodeCalls calls;
    private final FrontRoutes front;

    RockFront(Fleet fleet, NodeCalls calls, FrontRoutes front) {
        this.fleet = fleet;
        this.calls = calls;
        this.front = front;
    }

    /** ROCK's list: every node's matching sandboxes (each node's oldest first, node after node), cut into the caller's page. */
    void list(Context ctx) {
        int page;
        int size;
        try {
            page = positive(ctx, "page", 1);
            size = Math.min(positive(ctx, "page_size", DEFAULT_PAGE_SIZE), MAX_PAGE);
        } catch (IllegalArgumentException e) {
            envelope(ctx, RockEnvelope.failed("list sandboxes failed", e.getMessage()));
            return;
        }
        StringBuilder filters = new StringBuilder();
        for (Map.Entry<String, List<String>> q : ctx.queryParamMap().entrySet()) {
            if (q.getKey().equals("page") || q.getKey().equals("page_size")) continue;
            for (String v : q.getValue()) filters.append(encoded(q.getKey())).append('=').append(encoded(v)).append('&');
        }
        List<JsonNode> items = new ArrayList<>();
        List<String> missed = new ArrayList<>();
        Optional<ObjectNode> template = Optional.empty();
        for (Node n : fleet.nodes()) {
            if (!FrontRoutes.asks(n, missed)) continue;
            String name = n.name().get();
            List<JsonNode> mine = new ArrayList<>();
            boolean asked = true;
            for (int p = 1; p <= MAX_NODE_PAGES; p++) {
                Answer answer = ask(ctx, n, "GET", PREFIX + "/sandboxes?" + filters + "page=" + p + "&page_size=" + MAX_PAGE, new byte[0]);
                if (answer instanceof Answer.Refused) return;
                if (!(answer instanceof Answer.Result(ObjectNode result))) {
                    missed.add(name);
                    asked = false;
                    break;
                }
                if (template.isEmpty()) template = Optional.of(result.deepCopy());
                for (JsonNode item : result.path("items")) {
                    if (item instanceof ObjectNode o) {
                        Ids.outward(o, name);
                        o.put("node", name);
                    }
                    mine.add(item);
                }
                if (!result.path("has_more").asBoolean(false)) break;
            }
            if (asked) items.addAll(mine);
        }
        ObjectNode result = template.orElseGet(RockFront::withoutCode);
        long from = (long) (page - 1) * size;
        ArrayNode pageItems = result.putArray("items");
        items.stream().skip(from).limit(size).forEach(pageItems::add);
        result.put("total", items.size());
        result.put("has_more", from + size < items.size());
        answer(ctx, result, missed);
    }

    /** ROCK's batch status: each id asked of its own node, in the order asked; ids of no node, or another token's, are left out. */
    void batch(Context ctx) {
        JsonNode body;
        try {
            body = NodeCalls.JSON.readTree(ctx.bodyAsBytes());
        } catch (IOException e) {
            envelope(ctx, RockEnvelope.failed("batch get sandbox status failed", "the body is not JSON: " + e.getMessage()));
            return;
        }
        JsonNode ids = body == null ? null : body.get("sandbox_ids");
        if (ids == null || !ids.isArray() || !allText(ids)) {
            envelope(ctx, RockEnvelope.failed("batch get sandbox status failed", "sandbox_ids: is required (a list of strings)"));
            return;
        }
        if (ids.size() > MAX_PAGE) {
            envelope(ctx, RockEnvelope.failed("batch get sandbox status failed", "sandbox_ids: at most " + MAX_PAGE + " ids in one batch, not " + ids.size()));
            return;
        }
        Set<String> asked = new LinkedHashSet<>();
        ids.forEach(v -> asked.add(v.asText()));
        Map<String, List<String>> byNode = new LinkedHashMap<>();
        for (String id : asked) {
            Ids.split(id).ifPresent(r -> byNode.computeIfAbsent(r.node(), k -> new ArrayList<>()).add(r.local()));
        }
        Map<String, JsonNode> statuses = new HashMap<>();
        List<String> missed = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : byNode.entrySet()) {
            Optional<Node> node = fleet.byName(e.getKey());
            if (node.isEmpty()) {
                if (fleet.seen(e.getKey())) missed.add(e.getKey()); // it left: its sandboxes are lost, and the caller is told which node
                continue; // no such node: as an unknown id, left out
            }
            ObjectNode one = NodeCalls.JSON.createObjectNode();
            ArrayNode list = one.putArray("sandbox_ids");
            e.getValue().forEach(list::add);
            Answer answer = ask(ctx, node.get(), "POST", PREFIX + "/sandboxes/batch", bytes(one));
            if (answer instanceof Answer.Refused) return;
            if (!(answer instanceof Answer.Result(ObjectNode result))) {
                missed.add(e.getKey());
                continue;
            }
            for (JsonNode s : result.path("statuses")) {
                Ids.outward(s, e.getKey());
                if (s instanceof ObjectNode o) o.put("node", e.getKey());
                statuses.put(s.path("sandbox_id").asText(), s);
            }
        }
        ObjectNode result = withoutCode();
        ArrayNode out = result.putArray("statuses");
        for (String id : asked) if (statuses.containsKey(id)) out.add(statuses.get(id));
        answer(ctx, result, missed);
    }

    /**
     * ROCK's multipart upload, streamed to the node its {@code sandbox_id} names (a form field before
     * the file part, as ROCK's SDK sends it); the file is never held whole here.
     */
    void upload(Context ctx) {
        Optional<String> boundary = UploadForm.boundary(Optional.ofNullable(ctx.header("Content-Type")));
        if (boundary.isEmpty()) {
            envelope(ctx, RockEnvelope.failed("upload file failed", "upload takes multipart/form-data with the parts file, target_path and sandbox_id"));
            return;
        }
        long declared = ctx.req().getContentLengthLong();
        if (declared > UPLOAD_LIMIT) {
            envelope(ctx, RockEnvelope.failed("upload file failed", "file: over the limit of " + UPLOAD_LIMIT + " bytes for the whole form (the node's own)"));
            return;
        }
        try {
            UploadForm form = UploadForm.read(ctx.req().getInputStream(), boundary.get(), UPLOAD_LIMIT);
            String id = form.sandboxId().filter(s -> !s.isBlank()).orElseThrow(() -> new UploadForm.Broken("sandbox_id: is required;"
                    + " through the cluster's front it must come before the file part of the form (ROCK's SDK sends it so)"));
            Ids.Routed routed = front.route(id);
            Node node = front.node(routed);
            NodeHttp.Reply reply = calls.sendStreamed(node, "POST", PREFIX + "/upload", FrontRoutes.headers(ctx), form.body(routed.local()));
            front.relayCounted(ctx, reply, node.name().orElseThrow());
        } catch (UploadForm.Broken e) {
            envelope(ctx, RockEnvelope.failed("upload file failed", e.getMessage()));
        } catch (IOException e) {
            envelope(ctx, RockEnvelope.failed("upload file failed", "the upload broke off: " + e.getMessage()));
        }
    }

    /** What one node said: its result, nothing (it could not be asked), or a refusal already answered to the caller. */
    private sealed interface Answer {
        record Result(ObjectNode result) implements Answer { }

        record Unreachable() implements Answer { }

        record Refused() implements Answer { }
    }

    /** One node's result; a refusal (a bad token, say: the same from every node) is answered to the caller as the node gave it. */
    private Answer ask(Context ctx, Node n, String method, String pathAndQuery, byte[] body) {
        String name = n.name().orElseThrow();
        NodeHttp.Reply reply;
        try {
            reply = calls.send(n, method, pathAndQuery, FrontRoutes.headers(ctx), body);
        } catch (NodeDown e) {
            return new Answer.Unreachable();
        }
        byte[] bytes = FrontRoutes.read(reply);
        Optional<JsonNode> json = FrontRoutes.json(reply, bytes);
        boolean success = json.isPresent() && json.get().path("status").asText().equals(RockEnvelope.SUCCESS)
                && json.get().path("result") instanceof ObjectNode;
        if (reply.status() != 200 || !success) {
            ctx.status(reply.status());
            reply.header("Content-Type").ifPresent(ctx::contentType);
            reply.header("WWW-Authenticate").ifPresent(v -> ctx.header("WWW-Authenticate", v));
            ctx.result(Ids.outward(bytes, name));
            return new Answer.Refused();
        }
        return new Answer.Result((ObjectNode) json.get().get("result"));
    }

    private static void answer(Context ctx, ObjectNode result, List<String> missed) {
        if (!missed.isEmpty()) {
            ArrayNode m = result.putArray("unreachable_nodes");
            missed.forEach(m::add);
            ctx.header("X-Ale-Unreachable-Nodes", String.join(",", missed));
        }
        envelope(ctx, RockEnvelope.success(result));
    }

    private static void envelope(Context ctx, ObjectNode json) {
        ctx.status(200).contentType("application/json").result(bytes(json));
    }

    private static byte[] bytes(JsonNode json) {
        try {
            return NodeCalls.JSON.writeValueAsBytes(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode withoutCode() {
        ObjectNode result = RockEnvelope.object();
        result.putNull("code");
        result.putNull("exit_code");
        result.putNull("failure_reason");
        return result;
    }

    private static boolean allText(JsonNode array) {
        for (JsonNode v : array) if (!v.isTextual()) return false;
        return true;
    }

    private static int positive(Context ctx, String name, int fallback) {
        String text = ctx.queryParam(name);
        if (text == null || text.isBlank()) return fallback;
        try {
            int n = Integer.parseInt(text.strip());
            if (n >= 1) return n;
        } catch (NumberFormatException e) {
            // refused below, with the value
        }
        throw new IllegalArgumentException(name + ": must be a whole number from 1, not '" + text + "'");
    }

    private static String encoded(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
