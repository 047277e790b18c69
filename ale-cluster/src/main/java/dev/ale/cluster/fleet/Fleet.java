package dev.ale.cluster.fleet;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Every node the front knows, and placement: a new sandbox goes to the placeable node with the
 * most free slots (then the most free memory), never past a node's slots. A node takes only so
 * many creates at once; callers beyond that wait their turn here (a start storm is admitted at
 * the rate nodes take it), while a fleet with no free slot answers at once.
 */
public final class Fleet {

    private static final System.Logger LOG = System.getLogger(Fleet.class.getName());

    private final Map<URI, Node> byUrl = new LinkedHashMap<>();
    private final Set<String> seen = new HashSet<>();

    /** Discovery's whole current list: new members join, missing ones leave (their calls fail now). */
    public void update(List<Member> members) {
        List<Node> left = new ArrayList<>();
        synchronized (this) {
            Set<URI> now = new HashSet<>();
            for (Member m : members) {
                now.add(m.url());
                byUrl.computeIfAbsent(m.url(), u -> new Node(m)).member(m);
                m.name().ifPresent(seen::add);
            }
            for (var it = byUrl.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                if (!now.contains(e.getKey())) {
                    left.add(e.getValue());
                    it.remove();
                }
            }
            notifyAll();
        }
        for (Node n : left) {
            LOG.log(System.Logger.Level.INFO, "node " + n.name().orElse(n.url().toString()) + " left the fleet");
            n.leave();
        }
    }

    public synchronized List<Node> nodes() {
        return List.copyOf(byUrl.values());
    }

    /** The node named {@code name} now in the fleet, placeable or not. */
    public synchronized Optional<Node> byName(String name) {
        for (Node n : byUrl.values()) if (n.name().equals(Optional.of(name))) return Optional.of(n);
        return Optional.empty();
    }

    /** Whether a node of this name was ever in the fleet since the front started (its ids are then a node's, now gone). */
    public synchronized boolean seen(String name) {
        return seen.contains(name);
    }

    /** Whether some node has no name yet (a static member that has never answered): an unknown name may be its. */
    public synchronized boolean anyNameless() {
        return byUrl.values().stream().anyMatch(n -> n.name().isEmpty());
    }

    /** A node's report arrived; {@code sentNanos} is when the poll was sent (creates after it may not be counted in it). */
    public void reported(Node node, Capacity capacity, long sentNanos) {
        if (!node.reported(capacity, sentNanos)) {
            LOG.log(System.Logger.Level.WARNING, "node at " + node.url() + " reports the name '" + capacity.name()
                    + "' but discovery names it '" + node.name().orElse("") + "'; nothing is placed there");
            node.unreachable(false);
            return;
        }
        synchronized (this) {
            seen.add(capacity.name());
            notifyAll();
        }
    }

    /** A poll or call to {@code node} failed; see {@link Node#unreachable(boolean)}. */
    public void unreachable(Node node, boolean certain) {
        node.unreachable(certain);
    }

    /**
     * Picks the node for one new sandbox or environment and holds a slot on it until the create
     * ends. Waits while every node with a free slot already has its creates in flight.
     *
     * @param owner    the token name the thing will belong to (none: a call the node itself authorises)
     * @param max      that token's max_sandboxes, kept over the whole fleet
     * @param excluded nodes this create already failed on
     */
    public Reservation reserve(Optional<String> owner, OptionalInt max, Set<Node> excluded) throws InterruptedException {
        synchronized (this) {
            while (true) {
                List<Node> live = byUrl.values().stream().filter(Node::placeable).filter(n -> !excluded.contains(n)).toList();
                if (live.isEmpty()) {
                    throw new Refusal(Refusal.Kind.NO_NODES, "no node of the cluster is ready to take a sandbox ("
                            + byUrl.size() + " known); retry shortly");
                }
                if (owner.isPresent() && max.isPresent()) {
                    int held = 0;
                    for (Node n : byUrl.values()) held += n.held(owner.get());
                    if (held >= max.getAsInt()) {
                        throw new Refusal(Refusal.Kind.QUOTA, "token '" + owner.get() + "' already has " + held + " of its " + max.getAsInt()
                                + " sandboxes over the cluster (environments count as sandboxes); delete or close one first");
                    }
                }
                List<Node> roomy = live.stream().filter(n -> n.free() > 0).toList();
                if (roomy.isEmpty()) {
                    int slots = live.stream().mapToInt(n -> n.report().map(Capacity::effectiveSlots).orElse(0)).sum();
                    throw new Refusal(Refusal.Kind.FLEET_FULL, "every slot of the cluster is taken (" + slots + " slots over " + live.size()
                            + " ready nodes); close or delete a sandbox or environment, or add nodes");
                }
                Node best = null;
                for (Node n : roomy) {
                    if (n.pendingCreates() >= n.createPermits()) continue;
                    if (best == null || n.free() > best.free() || n.free() == best.free() && n.memoryAvailable() > best.memoryAvailable()) best = n;
                }
                if (best != null) {
                    best.begin(owner);
                    return new Reservation(this, best, owner);
                }
                wait(1000); // a create ending or a report arriving wakes it sooner
            }
        }
    }

    synchronized void ended() {
        notifyAll();
    }

    /** A slot held on one node while its create runs. */
    public static final class Reservation {
        private final Fleet fleet;
        private final Node node;
        private final Optional<String> owner;
        private boolean ended;

        Reservation(Fleet fleet, Node node, Optional<String> owner) {
            this.fleet = fleet;
            this.node = node;
            this.owner = owner;
        }

        public Node node() {
            return node;
        }

        /** The node made it: counted as taken until a report sent after now includes it. */
        public void created() {
            end(true);
        }

        /** The node refused or failed: the slot is free again. */
        public void failed() {
            end(false);
        }

        /** The node said it is full (another front, or a stale report): nothing more goes there until it reports again. */
        public void nodeFull() {
            node.full();
            end(false);
        }

        private void end(boolean created) {
            if (ended) return;
            ended = true;
            node.end(owner, created, System.nanoTime());
            fleet.ended();
        }
    }
}
