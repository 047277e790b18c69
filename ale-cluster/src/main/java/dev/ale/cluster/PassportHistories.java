package dev.ale.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A passport's history over the fleet, from each node's {@code GET /passports/{id}/history} (a
 * summary of its own audit chain), in the shape one node answers: the counts summed over the nodes,
 * a version seen on several nodes one version (its first and last over all of them, its records
 * summed), kills and holds in time order, and every node named: each act carries its {@code node}
 * and the cluster's sandbox id, each version its {@code nodes}, and {@code by_node} says which
 * node ran which sandboxes and episodes.
 */
final class PassportHistories {

    /** The fields of a node's answer that count something by key: summed over the nodes. */
    private static final List<String> COUNTS = List.of("hosts_reached", "hosts_refused", "protected_writes", "events_by_category");
    private static final List<String> ACTS = List.of("kills", "holds");

    private Optional<ObjectNode> head = Optional.empty();
    private final Map<String, ObjectNode> versions = new LinkedHashMap<>();
    private final List<String> sandboxes = new ArrayList<>();
    private final List<String> episodes = new ArrayList<>();
    private final Map<String, Map<String, Long>> counts = new LinkedHashMap<>();
    private final Map<String, List<ObjectNode>> acts = new LinkedHashMap<>();
    private final Map<String, ObjectNode> byNode = new LinkedHashMap<>();

    PassportHistories() {
        COUNTS.forEach(c -> counts.put(c, new TreeMap<>()));
        ACTS.forEach(a -> acts.put(a, new ArrayList<>()));
    }

    /** One node's answer, as it gave it (its own ids). */
    void add(String node, JsonNode history) {
        if (head.isEmpty()) {
            ObjectNode h = NodeCalls.JSON.createObjectNode();
            for (String f : List.of("passport", "since", "until")) h.set(f, history.path(f).deepCopy());
            head = Optional.of(h);
        }
        for (JsonNode v : history.path("versions")) version(node, v);
        ObjectNode mine = byNode.computeIfAbsent(node, n -> {
            ObjectNode o = NodeCalls.JSON.createObjectNode();
            o.putArray("sandboxes");
            o.putArray("episodes");
            return o;
        });
        for (JsonNode s : history.path("sandboxes")) {
            String id = Ids.outwardId(s.asText(), node);
            sandboxes.add(id);
            ((ArrayNode) mine.get("sandboxes")).add(id);
        }
        for (JsonNode e : history.path("episodes")) {
            episodes.add(e.asText());
            ((ArrayNode) mine.get("episodes")).add(e.asText());
        }
        for (String c : COUNTS) {
            history.path(c).properties().forEach(e -> counts.get(c).merge(e.getKey(), e.getValue().asLong(), Long::sum));
        }
        for (String a : ACTS) {
            for (JsonNode act : history.path(a)) {
                if (!(act instanceof ObjectNode o)) continue;
                ObjectNode copy = o.deepCopy();
                Ids.outward(copy, node);
                copy.put("node", node);
                acts.get(a).add(copy);
            }
        }
    }

    /** Whether any node's answer was added. */
    boolean any() {
        return head.isPresent();
    }

    /** The fleet's history; {@code unreachable_nodes} is the caller's to add. */
    ObjectNode merged() {
        ObjectNode out = head.orElseThrow().deepCopy();
        ArrayNode v = out.putArray("versions");
        versions.values().stream().sorted(Comparator.comparing((ObjectNode o) -> instant(o.path("first")))).forEach(v::add);
        ArrayNode s = out.putArray("sandboxes");
        sandboxes.forEach(s::add);
        ArrayNode e = out.putArray("episodes");
        episodes.forEach(e::add);
        for (String c : COUNTS) {
            ObjectNode o = out.putObject(c);
            counts.get(c).forEach(o::put);
        }
        for (String a : ACTS) {
            ArrayNode list = out.putArray(a);
            // by the instant, not its text (12:00:00.5Z sorts before 12:00:00Z as text); a node's seq keeps its order within a tick
            acts.get(a).stream().sorted(Comparator.comparing((ObjectNode o) -> instant(o.path("time")))
                    .thenComparing(o -> o.path("node").asText()).thenComparingLong(o -> o.path("seq").asLong())).forEach(list::add);
        }
        ObjectNode nodes = out.putObject("by_node");
        byNode.forEach(nodes::set);
        return out;
    }

    /** One version (an id and fingerprint pair): over several nodes, its first and last of all and its records summed. */
    private void version(String node, JsonNode v) {
        if (!(v instanceof ObjectNode given)) return;
        String key = v.path("id").asText() + " " + v.path("fingerprint").asText();
        ObjectNode seen = versions.get(key);
        if (seen == null) {
            ObjectNode o = given.deepCopy();
            o.putArray("nodes").add(node);
            versions.put(key, o);
            return;
        }
        if (instant(v.path("first")).isBefore(instant(seen.path("first")))) seen.set("first", v.path("first"));
        if (instant(v.path("last")).isAfter(instant(seen.path("last")))) seen.set("last", v.path("last"));
        seen.put("records", seen.path("records").asLong() + v.path("records").asLong());
        ((ArrayNode) seen.get("nodes")).add(node);
    }

    /** A node's time field; one it did not write as an instant sorts first (a node of this build always does). */
    static Instant instant(JsonNode time) {
        try {
            return Instant.parse(time.asText());
        } catch (DateTimeParseException e) {
            return Instant.MIN;
        }
    }
}
