package dev.ale.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.cluster.fleet.Fleet;
import dev.ale.cluster.fleet.Node;
import dev.ale.cluster.fleet.NodeDown;
import dev.ale.cluster.fleet.Refusal;
import dev.ale.server.Tokens;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The front's routes: the node API, each call sent to the node its id names. A create goes to
 * the node placement picks; a list asks every node; everything else carries an id whose prefix
 * is its node. The front checks the caller's token (and its quota over the fleet) before it
 * places anything; the node checks it again, with its scoping, for everything it holds.
 */
final class FrontRoutes {

    private static final String ROCK_GEM = "/apis/v1/envs/gem";
    private static final String ROCK_SANDBOX = "/apis/envs/sandbox/v1";
    private static final Set<String> OPEN = Set.of("/healthz", "/openapi.yaml");
    /** ROCK's header for a bare token, taken on ROCK's paths only (as a node takes it). */
    private static final String API_KEY = "X-API-Key";
    /** The node API's spec, in ale-server: the front answers the same API. */
    private static final String SPEC = "/dev/ale/server/openapi.yaml";
    private static final Set<String> MODEL_PROXY = Set.of("/v1/chat/completions", "/v1/models");
    /** Tries a create makes before it gives up: each node that refuses (full, or dead) is passed over once. */
    private static final int CREATE_TRIES = 4;
    private static final String CALLER = "ale.front.caller";

    /**
     * What a node answers and the front does not, with why: each answers {@code 501 not_routed} saying so.
     * Everything else of the node's API (its openapi.yaml) the front routes.
     */
    static final Map<String, String> NOT_ROUTED = Map.of(
            "GET /v1/node", "a node's report to its front; the fleet's is GET /v1/nodes (admin)",
            "GET /ui", "the console shows one server's sandboxes and holds; a cluster has no console yet: decide holds with GET /holds and"
                    + " POST /holds/{id}/approve or /deny on the front (ale hold), and read each sandbox's events at /v1/sandboxes/{id}/events",
            "GET /ui/<page>", "the console shows one server's sandboxes and holds; a cluster has no console yet: decide holds with GET /holds"
                    + " and POST /holds/{id}/approve or /deny on the front (ale hold), and read each sandbox's events at /v1/sandboxes/{id}/events");

    private final Fleet fleet;
    private final NodeCalls calls;
    private final Tokens tokens;
    private final AtomicLong unavailable = new AtomicLong();
    private final Map<String, AtomicLong> forwarded = new ConcurrentHashMap<>();
    private final RockFront rock;

    FrontRoutes(Fleet fleet, NodeCalls calls, Tokens tokens) {
        this.fleet = fleet;
        this.calls = calls;
        this.tokens = tokens;
        this.rock = new RockFront(fleet, calls, this);
    }

    void register(Javalin app) {
        app.beforeMatched(this::authenticate);
        app.get("/healthz", this::health);
        app.get("/metrics", this::metrics);
        app.get("/v1/nodes", this::nodes);
        app.get("/v1/audit/records", this::auditRecords);
        app.get("/v1/audit/verify", this::auditVerify);
        app.get("/passports/{passport}/history", this::passportHistory);
        app.get("/openapi.yaml", this::spec);
        for (Map.Entry<String, String> e : NOT_ROUTED.entrySet()) {
            String path = e.getKey().substring(e.getKey().indexOf(' ') + 1);
            app.get(path, ctx -> error(ctx, 501, "not_routed", "not served through the cluster's front: " + e.getValue()));
            if (path.startsWith("/ui")) app.post(path, ctx -> error(ctx, 501, "not_routed", "not served through the cluster's front: " + e.getValue()));
        }
        app.get("/holds", this::fanOut);
        app.post("/holds/{id}/approve", this::byHold);
        app.post("/holds/{id}/deny", this::byHold);
        app.post("/v1/sandboxes", this::place);
        app.post("/v1/envs", this::place);
        app.post(ROCK_GEM + "/make", this::place);
        app.post(ROCK_SANDBOX + "/start", this::place);
        app.post(ROCK_SANDBOX + "/start_async", this::place);
        app.get("/v1/sandboxes", this::fanOut);
        app.get("/v1/envs", this::fanOut);
        app.post(ROCK_GEM + "/list", this::fanOut);
        for (String base : List.of("/v1/sandboxes/{id}", "/v1/sandboxes/{id}/<rest>", "/v1/envs/{id}", "/v1/envs/{id}/<rest>")) {
            app.get(base, this::byPath);
            app.post(base, this::byPath);
            app.put(base, this::byPath);
            app.delete(base, this::byPath);
        }
        for (String op : List.of("reset", "step", "close")) app.post(ROCK_GEM + "/" + op, this::byBody);
        // before ROCK's routes by body below, which would take these paths too
        app.get(ROCK_SANDBOX + "/sandboxes", rock::list);
        app.post(ROCK_SANDBOX + "/sandboxes/batch", rock::batch);
        app.post(ROCK_SANDBOX + "/upload", rock::upload);
        app.get(ROCK_SANDBOX + "/<op>", this::byBody);
        app.post(ROCK_SANDBOX + "/<op>", this::byBody);
        app.post("/v1/chat/completions", this::modelProxy);
        app.get("/v1/models", this::modelProxy);
        app.exception(FrontError.class, (e, ctx) -> error(ctx, e.status(), e.code(), e.getMessage()));
        app.exception(NodeDown.class, (e, ctx) -> {
            unavailable.incrementAndGet();
            error(ctx, 503, "node_unavailable", e.getMessage());
        });
        app.exception(Refusal.class, (e, ctx) -> error(ctx, e.kind().status(), e.kind().code(), e.getMessage()));
    }

    /** The caller: a token of the tokens file; ROCK's GEM paths may come without one (the node decides, as alone). */
    private void authenticate(Context ctx) {
        if (OPEN.contains(ctx.path()) || ctx.path().equals("/ui") || ctx.path().startsWith("/ui/")) return; // the console's refusal says why
        String header = Optional.ofNullable(ctx.header("Authorization")).or(() -> Optional.ofNullable(ctx.header("XRL-Authorization")))
                .or(() -> apiKey(ctx)).orElse(null);
        if (header == null && ctx.path().startsWith(ROCK_GEM + "/")) return;
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) throw FrontError.unauthorized();
        String presented = header.substring(7).strip();
        Optional<Tokens.Token> token = tokens.find(presented);
        if (token.isPresent()) {
            if (MODEL_PROXY.contains(ctx.path())) {
                throw new FrontError(403, "forbidden", "a server token does not reach the model proxy; a sandbox's model_token does");
            }
            ctx.attribute(CALLER, token.get());
            return;
        }
        // a sandbox's model token, as the front handed it out (NODE.TOKEN): good for the model proxy only
        if (MODEL_PROXY.contains(ctx.path()) && Ids.split(presented).isPresent()) return;
        throw FrontError.unauthorized();
    }

    /** ROCK's {@code X-API-Key: TOKEN}, as a bearer header, on ROCK's paths only. */
    private static Optional<String> apiKey(Context ctx) {
        boolean rockPath = ctx.path().startsWith(ROCK_GEM + "/") || ctx.path().startsWith(ROCK_SANDBOX + "/");
        if (!rockPath) return Optional.empty();
        return Optional.ofNullable(ctx.header(API_KEY)).map(k -> "Bearer " + k.strip());
    }

    private static Optional<Tokens.Token> caller(Context ctx) {
        return Optional.ofNullable(ctx.attribute(CALLER));
    }

    private void health(Context ctx) {
        ObjectNode json = NodeCalls.JSON.createObjectNode();
        List<Node> nodes = fleet.nodes();
        json.put("status", "ok");
        json.put("nodes", nodes.size());
        json.put("ready_nodes", nodes.stream().filter(Node::placeable).count());
        json(ctx, 200, json);
    }

    private void nodes(Context ctx) {
        if (caller(ctx).map(t -> !t.admin()).orElse(true)) throw new FrontError(403, "forbidden", "the fleet view is for admin tokens");
        ArrayNode list = NodeCalls.JSON.createArrayNode();
        for (Node n : fleet.nodes()) {
            ObjectNode o = list.addObject();
            o.put("name", n.name().orElse(null));
            o.put("url", n.url().toString());
            o.put("state", n.state());
            n.report().ifPresent(r -> {
                if (r.slots().isPresent()) o.put("slots", r.slots().getAsInt());
                else o.putNull("slots");
                o.put("used", r.used());
                o.put("cpus", r.cpus());
                o.put("memory_available_bytes", r.memoryAvailableBytes());
            });
        }
        ObjectNode json = NodeCalls.JSON.createObjectNode();
        json.set("nodes", list);
        json(ctx, 200, json);
    }

    private void metrics(Context ctx) {
        Metrics merged = new Metrics();
        List<Node> nodes = fleet.nodes();
        Map<String, Integer> states = new HashMap<>();
        for (Node n : nodes) states.merge(n.state(), 1, Integer::sum);
        merged.gauge("ale_cluster_nodes", "nodes the front knows, by state", "state", states);
        merged.counter("ale_cluster_node_unavailable_total", "calls answered node_unavailable (the node was dead, gone or silent)",
                unavailable.get());
        for (Node n : nodes) {
            if (!n.placeable() || n.name().isEmpty()) continue;
            try {
                NodeHttp.Reply r = calls.send(n, "GET", "/metrics", headers(ctx), new byte[0]);
                try (InputStream in = r.body()) {
                    if (r.status() == 200) merged.node(n.name().get(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            } catch (NodeDown | IOException e) {
                // a node that cannot be scraped now is missing from this scrape; ale_cluster_nodes says so
            }
        }
        ctx.status(200).contentType("text/plain; version=0.0.4; charset=utf-8").result(merged.text());
    }

    /** A create: the node placement picks; one that turns out full or dead is passed over for the next. */
    private void place(Context ctx) throws InterruptedException {
        Optional<Tokens.Token> who = caller(ctx);
        Optional<String> owner = who.map(Tokens.Token::name);
        OptionalInt max = who.map(Tokens.Token::maxSandboxes).orElse(OptionalInt.empty());
        byte[] body = ctx.bodyAsBytes();
        Set<Node> excluded = new HashSet<>();
        NodeDown last = null;
        for (int i = 0; i < CREATE_TRIES; i++) {
            Fleet.Reservation r = fleet.reserve(owner, max, excluded);
            Node node = r.node();
            String name = node.name().orElseThrow();
            NodeHttp.Reply reply;
            try {
                reply = calls.send(node, ctx.method().name(), pathAndQuery(ctx), headers(ctx), body);
            } catch (NodeDown e) {
                r.failed();
                excluded.add(node);
                last = e;
                continue;
            }
            byte[] bytes = read(reply);
            Optional<JsonNode> json = json(reply, bytes);
            if (full(reply.status(), json)) {
                r.nodeFull();
                excluded.add(node);
                continue;
            }
            if (created(reply.status(), json)) r.created();
            else r.failed();
            count(name);
            answer(ctx, reply, bytes, json, name);
            return;
        }
        if (last != null) throw last;
        throw new FrontError(429, "fleet_full", "every node tried was full (creates raced for the last slots); retry shortly");
    }

    /** A node's own "I am full", in its JSON error or (ROCK's sandbox API) its envelope. */
    private static boolean full(int status, Optional<JsonNode> json) {
        if (json.isEmpty()) return false;
        if (status == 429 && json.get().path("error").path("code").asText().equals("node_full")) return true;
        // ROCK's envelope carries the reason in words only; the node's slot refusal names its option
        return json.get().path("status").asText().equals("Failed") && json.get().path("error").asText().contains("ale serve --slots");
    }

    private static boolean created(int status, Optional<JsonNode> json) {
        if (status / 100 != 2) return false;
        return json.map(j -> !j.path("status").asText().equals("Failed")).orElse(true);
    }

    /**
     * Whether a fan-out asks this node: not one that is gone; one with no name yet (a static member
     * that never answered) cannot be asked by name, and is named among the unreachable by its address,
     * so a list that may miss its sandboxes says so.
     */
    static boolean asks(Node n, List<String> missed) {
        if (n.state().equals("gone")) return false;
        if (n.name().isEmpty()) {
            missed.add(n.url().toString());
            return false;
        }
        return true;
    }

    /** A list: every node's answer for this caller, joined, with each id carrying its node. */
    private void fanOut(Context ctx) {
        byte[] body = ctx.bodyAsBytes();
        JsonNode merged = null;
        List<String> missed = new ArrayList<>();
        for (Node n : fleet.nodes()) {
            if (!asks(n, missed)) continue;
            String name = n.name().get();
            NodeHttp.Reply reply;
            try {
                reply = calls.send(n, ctx.method().name(), pathAndQuery(ctx), headers(ctx), body);
            } catch (NodeDown e) {
                missed.add(name);
                continue;
            }
            byte[] bytes = read(reply);
            Optional<JsonNode> json = json(reply, bytes);
            if (reply.status() != 200 || json.isEmpty()) {
                answer(ctx, reply, bytes, json, name); // a refusal (a bad token, say) is the same from every node
                return;
            }
            JsonNode part = tagged(Ids.outward(json.get(), name), name);
            merged = merged == null ? part : merge(merged, part);
        }
        if (merged == null) merged = NodeCalls.JSON.createArrayNode();
        if (!missed.isEmpty()) ctx.header("X-Ale-Unreachable-Nodes", String.join(",", missed));
        if (merged instanceof ObjectNode o && !missed.isEmpty()) {
            ArrayNode m = o.putArray("unreachable_nodes");
            missed.forEach(m::add);
        }
        json(ctx, 200, merged);
    }

    /**
     * Audit records of many nodes, oldest first: by the instant, not its text (12:00:00.5Z sorts
     * before 12:00:00Z as text), then by node, and within a node by its chain's sequence.
     */
    static final Comparator<ObjectNode> RECORD_ORDER = Comparator.comparing((ObjectNode o) -> PassportHistories.instant(o.path("time")))
            .thenComparing(o -> o.path("node").asText()).thenComparingLong(o -> o.path("seq").asLong());

    /**
     * Every node's audit records (each node keeps its own log and chain), each with a {@code node}
     * field and the cluster's ids, oldest first; a {@code sandbox} filter with its node asks that node alone.
     */
    private void auditRecords(Context ctx) {
        Optional<String> sandbox = Optional.ofNullable(ctx.queryParam("sandbox"));
        Optional<Ids.Routed> routed = sandbox.flatMap(Ids::split);
        String query = query(ctx);
        if (routed.isPresent()) {
            query = query.replace("sandbox=" + encoded(sandbox.get()), "sandbox=" + encoded(routed.get().local()));
        }
        List<ObjectNode> all = new ArrayList<>();
        List<String> missed = new ArrayList<>();
        for (Node n : fleet.nodes()) {
            if (routed.isPresent() && !routed.get().node().equals(n.name().orElse(""))) continue;
            if (!asks(n, missed)) continue;
            String name = n.name().get();
            Asked asked = askNode(ctx, n, "/v1/audit/records" + query, missed);
            if (asked.refused()) return;
            Optional<JsonNode> json = asked.json();
            if (json.isEmpty()) continue;
            for (JsonNode r : json.get().path("records")) {
                if (r instanceof ObjectNode o) {
                    Ids.outward(o, name);
                    o.put("node", name);
                    all.add(o);
                }
            }
        }
        all.sort(RECORD_ORDER);
        String limit = ctx.queryParam("limit");
        if (limit != null && limit.matches("[0-9]{1,9}") && Integer.parseInt(limit) < all.size()) all = all.subList(0, Integer.parseInt(limit));
        ObjectNode out = NodeCalls.JSON.createObjectNode();
        ArrayNode records = out.putArray("records");
        all.forEach(records::add);
        unreachable(ctx, out, missed);
        json(ctx, 200, out);
    }

    /**
     * A passport's history over the fleet: each node summarizes its own audit chain, the front merges
     * the summaries ({@link PassportHistories}). A node whose log never names the passport (its 404) adds
     * nothing; only when no node's does is the answer that 404. A refusal (not an admin token, bounds that
     * are not instants) is the first node's, as a node gives it.
     */
    private void passportHistory(Context ctx) {
        PassportHistories merged = new PassportHistories();
        List<String> missed = new ArrayList<>();
        int asked = 0;
        for (Node n : fleet.nodes()) {
            if (n.state().equals("gone")) continue;
            asked++;
            if (!asks(n, missed)) continue;
            String name = n.name().get();
            Asked answer = askNode(ctx, n, pathAndQuery(ctx), missed, OptionalInt.of(404));
            if (answer.refused()) return;
            answer.json().ifPresent(h -> merged.add(name, h));
        }
        if (!missed.isEmpty()) ctx.header("X-Ale-Unreachable-Nodes", String.join(",", missed));
        if (!merged.any()) {
            String passport = ctx.pathParam("passport");
            if (asked == missed.size()) {
                throw FrontError.nodeUnavailable("no node could be asked for the history of passport '" + passport + "'"
                        + (missed.isEmpty() ? " (the cluster has no node)" : " (" + String.join(", ", missed) + " not answering)") + "; retry shortly");
            }
            throw FrontError.notFound("no record in the audit log of any node names a passport with id or fingerprint '" + passport + "'"
                    + (missed.isEmpty() ? "" : "; " + String.join(", ", missed) + " could not be asked, and its log may"));
        }
        ObjectNode out = merged.merged();
        unreachable(ctx, out, missed);
        json(ctx, 200, out);
    }

    /** Each node's chain walked by the node itself; the fleet is ok only when every node was asked and every chain is intact. */
    private void auditVerify(Context ctx) {
        List<String> missed = new ArrayList<>();
        ObjectNode out = NodeCalls.JSON.createObjectNode();
        ArrayNode nodes = NodeCalls.JSON.createArrayNode();
        boolean ok = true;
        for (Node n : fleet.nodes()) {
            if (!asks(n, missed)) continue;
            String name = n.name().get();
            Asked asked = askNode(ctx, n, "/v1/audit/verify", missed);
            if (asked.refused()) return;
            Optional<JsonNode> json = asked.json();
            if (json.isEmpty()) continue;
            ObjectNode o = NodeCalls.JSON.createObjectNode();
            o.put("node", name);
            json.get().properties().forEach(e -> o.set(e.getKey(), e.getValue()));
            ok &= json.get().path("ok").asBoolean(false);
            nodes.add(o);
        }
        out.put("ok", ok && missed.isEmpty());
        out.set("nodes", nodes);
        unreachable(ctx, out, missed);
        json(ctx, 200, out);
    }

    /** A node's JSON answer, or none (it could not be asked), or its refusal (already answered to the caller). */
    private record Asked(Optional<JsonNode> json, boolean refused) { }

    /** One node's JSON answer; a node that cannot be asked is added to {@code missed}; a refusal is answered to the caller. */
    private Asked askNode(Context ctx, Node n, String pathAndQuery, List<String> missed) {
        return askNode(ctx, n, pathAndQuery, missed, OptionalInt.empty());
    }

    /** {@link #askNode(Context, Node, String, List)}, where the status {@code nothingHere} is no refusal but an empty answer of this node. */
    private Asked askNode(Context ctx, Node n, String pathAndQuery, List<String> missed, OptionalInt nothingHere) {
        String name = n.name().orElseThrow();
        NodeHttp.Reply reply;
        try {
            reply = calls.send(n, "GET", pathAndQuery, headers(ctx), new byte[0]);
        } catch (NodeDown e) {
            missed.add(name);
            return new Asked(Optional.empty(), false);
        }
        byte[] bytes = read(reply);
        Optional<JsonNode> json = json(reply, bytes);
        if (nothingHere.isPresent() && reply.status() == nothingHere.getAsInt()) return new Asked(Optional.empty(), false);
        if (reply.status() != 200 || json.isEmpty()) {
            answer(ctx, reply, bytes, json, name); // a refusal (not an admin token, a bad filter) is the same from every node
            if (reply.status() == 200) ctx.status(502);
            return new Asked(Optional.empty(), true);
        }
        return new Asked(json, false);
    }

    private static void unreachable(Context ctx, ObjectNode out, List<String> missed) {
        ArrayNode m = out.putArray("unreachable_nodes");
        missed.forEach(m::add);
        if (!missed.isEmpty()) ctx.header("X-Ale-Unreachable-Nodes", String.join(",", missed));
    }

    /** Each object of a list (top level, or an array field of the answer) names its node: {@code "node": "n1"}. */
    private static JsonNode tagged(JsonNode part, String node) {
        List<JsonNode> lists = new ArrayList<>();
        if (part instanceof ArrayNode) lists.add(part);
        else part.properties().forEach(e -> lists.add(e.getValue()));
        for (JsonNode list : lists) {
            if (!(list instanceof ArrayNode a)) continue;
            for (JsonNode v : a) if (v instanceof ObjectNode o && !o.has("node")) o.put("node", node);
        }
        return part;
    }

    /** Arrays are joined (lists of plain words, like ROCK's task ids, without repeats); other fields are the first node's. */
    private static JsonNode merge(JsonNode into, JsonNode more) {
        if (into instanceof ArrayNode a && more instanceof ArrayNode b) return join(a, b);
        if (into instanceof ObjectNode a && more instanceof ObjectNode b) {
            for (Map.Entry<String, JsonNode> e : b.properties()) {
                if (a.get(e.getKey()) instanceof ArrayNode x && e.getValue() instanceof ArrayNode y) a.set(e.getKey(), join(x, y));
                else if (!a.has(e.getKey())) a.set(e.getKey(), e.getValue());
            }
        }
        return into;
    }

    private static ArrayNode join(ArrayNode a, ArrayNode b) {
        boolean words = true;
        for (JsonNode v : a) words &= v.isTextual();
        for (JsonNode v : b) words &= v.isTextual();
        if (!words) {
            a.addAll(b);
            return a;
        }
        Set<String> all = new LinkedHashSet<>();
        a.forEach(v -> all.add(v.asText()));
        b.forEach(v -> all.add(v.asText()));
        ArrayNode out = NodeCalls.JSON.createArrayNode();
        all.forEach(out::add);
        return out;
    }

    /** {@code /v1/sandboxes/NODE.ID/...} and {@code /v1/envs/NODE.ID/...}. */
    private void byPath(Context ctx) {
        String id = ctx.pathParam("id");
        Ids.Routed routed = route(id);
        Node node = node(routed);
        String uri = ctx.req().getRequestURI();
        String prefix = ctx.path().startsWith("/v1/envs/") ? "/v1/envs/" : "/v1/sandboxes/";
        String rest = uri.substring(prefix.length());
        int slash = rest.indexOf('/');
        String path = prefix + routed.local() + (slash < 0 ? "" : rest.substring(slash));
        forward(ctx, node, path + query(ctx), ctx.bodyAsBytes());
    }

    /** {@code /holds/NODE.HOLD/approve} and {@code /deny}: the hold's node decides it. */
    private void byHold(Context ctx) {
        Ids.Routed routed = Ids.split(ctx.pathParam("id")).orElseThrow(() -> FrontError.notFound("no hold " + ctx.pathParam("id")
                + " (the cluster's hold ids are NODE.ID, as GET /holds on the front lists them)"));
        String decision = ctx.path().substring(ctx.path().lastIndexOf('/'));
        forward(ctx, node(routed), "/holds/" + encoded(routed.local()) + decision, ctx.bodyAsBytes());
    }

    /** The node API's spec: the front answers the same API (docs/cluster.md says what it does not route). */
    private void spec(Context ctx) throws IOException {
        try (InputStream in = FrontRoutes.class.getResourceAsStream(SPEC)) {
            if (in == null) throw new FrontError(404, "not_found", "the API spec is not in this build");
            ctx.status(200).contentType("application/yaml").result(in.readAllBytes());
        }
    }

    /** ROCK's paths: the id is {@code sandbox_id} in the JSON body or the query. */
    private void byBody(Context ctx) {
        Optional<String> fromQuery = Optional.ofNullable(ctx.queryParam("sandbox_id"));
        byte[] body = ctx.bodyAsBytes();
        if (fromQuery.isPresent()) {
            Ids.Routed routed = route(fromQuery.get());
            String query = ctx.queryString().replace("sandbox_id=" + encoded(fromQuery.get()), "sandbox_id=" + encoded(routed.local()));
            forward(ctx, node(routed), ctx.path() + "?" + query, body);
            return;
        }
        JsonNode json;
        try {
            json = NodeCalls.JSON.readTree(body);
        } catch (IOException e) {
            throw new FrontError(400, "bad_request", "body is not JSON: the front routes ROCK's calls by their sandbox_id"
                    + " (a multipart upload goes to upload, with sandbox_id before the file part)");
        }
        if (!(json instanceof ObjectNode o) || !o.path("sandbox_id").isTextual()) {
            throw new FrontError(400, "invalid_field", "sandbox_id: is required (a string)");
        }
        Ids.Routed routed = route(o.get("sandbox_id").asText());
        o.put("sandbox_id", routed.local());
        try {
            forward(ctx, node(routed), ctx.path() + query(ctx), NodeCalls.JSON.writeValueAsBytes(o));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be written", e);
        }
    }

    /** The model proxy with a sandbox's token as the front gave it ({@code NODE.TOKEN}): to its node, with the node's token. */
    private void modelProxy(Context ctx) {
        String token = ctx.header("Authorization").substring(7).strip();
        Ids.Routed routed = Ids.split(token).orElseThrow(FrontError::unauthorized);
        Node node = fleet.byName(routed.node()).orElseThrow(FrontError::unauthorized);
        Map<String, String> headers = headers(ctx);
        headers.put("Authorization", "Bearer " + routed.local());
        NodeHttp.Reply reply = calls.send(node, ctx.method().name(), pathAndQuery(ctx), headers, ctx.bodyAsBytes());
        relay(ctx, reply, routed.node());
    }

    Ids.Routed route(String id) {
        return Ids.split(id).orElseThrow(() -> FrontError.notFound("no sandbox or environment " + id
                + " (the cluster's ids are NODE.ID, as the front handed them out)"));
    }

    Node node(Ids.Routed routed) {
        Optional<Node> node = fleet.byName(routed.node());
        if (node.isPresent()) return node.get();
        if (fleet.seen(routed.node())) {
            throw FrontError.nodeUnavailable("node " + routed.node() + " has left the cluster; its sandboxes and environments are lost"
                    + " with it: retry the episode (a new one is placed on a live node)");
        }
        if (fleet.anyNameless()) {
            throw FrontError.nodeUnavailable("node " + routed.node() + " is not answering (a node of the list has not reported since the"
                    + " front started); if it is gone, its sandboxes and environments are lost with it: retry the episode");
        }
        throw FrontError.notFound("no node " + routed.node() + " in the cluster, so no " + Ids.join(routed.node(), routed.local()));
    }

    private void forward(Context ctx, Node node, String pathAndQuery, byte[] body) {
        String name = node.name().orElseThrow();
        NodeHttp.Reply reply = calls.send(node, ctx.method().name(), pathAndQuery, headers(ctx), body);
        count(name);
        relay(ctx, reply, name);
    }

    /** {@link #relay}, counted as a call forwarded to {@code node}. */
    void relayCounted(Context ctx, NodeHttp.Reply reply, String node) {
        count(node);
        relay(ctx, reply, node);
    }

    /** A node's reply to the caller: JSON with ids made the cluster's, event streams line by line as they come, bytes as bytes. */
    private void relay(Context ctx, NodeHttp.Reply reply, String node) {
        String type = reply.header("Content-Type").orElse("");
        if (type.startsWith("text/event-stream")) {
            stream(ctx, reply, node);
            return;
        }
        byte[] bytes = read(reply);
        ctx.status(reply.status());
        copyHeaders(ctx, reply);
        // a routed call's reply is never a tree here: the node's ids get their prefix in the bytes, the rest goes as it came
        boolean json = reply.header("Content-Type").orElse("").startsWith("application/json");
        ctx.result(json ? Ids.outward(bytes, node) : bytes);
    }

    private void answer(Context ctx, NodeHttp.Reply reply, byte[] bytes, Optional<JsonNode> json, String node) {
        ctx.status(reply.status());
        copyHeaders(ctx, reply);
        if (json.isPresent()) {
            try {
                ctx.result(NodeCalls.JSON.writeValueAsBytes(Ids.outward(json.get(), node)));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("a JSON tree could not be written", e);
            }
        } else {
            ctx.result(bytes);
        }
    }

    private static void copyHeaders(Context ctx, NodeHttp.Reply reply) {
        for (String h : List.of("Content-Type", "Retry-After", "WWW-Authenticate", "Content-Disposition")) {
            reply.header(h).ifPresent(v -> ctx.header(h, v));
        }
    }

    private void stream(Context ctx, NodeHttp.Reply reply, String node) {
        ctx.status(reply.status());
        copyHeaders(ctx, reply);
        ctx.header("Cache-Control", "no-cache");
        try (InputStream in = reply.body();
             BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            OutputStream out = ctx.res().getOutputStream();
            for (String line; (line = lines.readLine()) != null; ) {
                out.write((rewriteData(line, node) + "\n").getBytes(StandardCharsets.UTF_8));
                if (line.isEmpty() || line.startsWith(":")) out.flush();
            }
            out.flush();
        } catch (IOException e) {
            // the caller went away, or the node did: the stream ends here, as it would on the node
        }
    }

    private static String rewriteData(String line, String node) {
        if (!line.startsWith("data:")) return line;
        String data = line.substring(5).strip();
        if (!data.startsWith("{")) return line;
        try {
            return "data: " + NodeCalls.JSON.writeValueAsString(Ids.outward(NodeCalls.JSON.readTree(data), node));
        } catch (IOException e) {
            return line;
        }
    }

    static byte[] read(NodeHttp.Reply reply) {
        try (InputStream in = reply.body()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new NodeDown("the node's reply broke off (" + e.getMessage() + "): retry the episode");
        }
    }

    static Optional<JsonNode> json(NodeHttp.Reply reply, byte[] bytes) {
        if (!reply.header("Content-Type").orElse("").startsWith("application/json") || bytes.length == 0) return Optional.empty();
        try {
            return Optional.of(NodeCalls.JSON.readTree(bytes));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The caller's headers a node wants; ROCK's X-API-Key goes on as the bearer header the node takes everywhere. */
    static Map<String, String> headers(Context ctx) {
        Map<String, String> out = new HashMap<>();
        for (String h : List.of("Authorization", "XRL-Authorization", "Content-Type", "Accept")) {
            String v = ctx.header(h);
            if (v != null) out.put(h, v);
        }
        if (!out.containsKey("Authorization") && !out.containsKey("XRL-Authorization")) apiKey(ctx).ifPresent(v -> out.put("Authorization", v));
        return out;
    }

    private static String pathAndQuery(Context ctx) {
        return ctx.req().getRequestURI() + query(ctx);
    }

    private static String query(Context ctx) {
        String q = ctx.queryString();
        return q == null || q.isEmpty() ? "" : "?" + q;
    }

    private static String encoded(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private void count(String node) {
        forwarded.computeIfAbsent(node, k -> new AtomicLong()).incrementAndGet();
    }

    private static void error(Context ctx, int status, String code, String message) {
        if (status == 503) ctx.header("Retry-After", "1");
        if (status == 401) ctx.header("WWW-Authenticate", "Bearer realm=\"ale\"");
        ObjectNode json = NodeCalls.JSON.createObjectNode();
        if (ctx.path().startsWith(ROCK_SANDBOX + "/")) {
            // ROCK's SDK reads its envelope, not the status; only a missing or wrong token is an HTTP 401, as on a node
            json.put("status", "Failed");
            json.put("message", code.replace('_', ' '));
            json.put("error", message);
            json.putNull("result");
            json(ctx, status == 401 ? 401 : 200, json);
            return;
        }
        ObjectNode e = json.putObject("error");
        e.put("code", code);
        e.put("message", message);
        json(ctx, status, json);
    }

    private static void json(Context ctx, int status, JsonNode body) {
        try {
            ctx.status(status).contentType("application/json").result(NodeCalls.JSON.writeValueAsBytes(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
