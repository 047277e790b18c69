package dev.ale.cluster.fleet;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One node as the front knows it: where it answers, what it last reported, what the front has
 * placed there since, and the calls in flight to it (failed at once when it dies, so no caller
 * hangs on a dead node). Mutable state is guarded by the {@link Fleet} that holds it.
 */
public final class Node {

    /** A create the front saw succeed, not yet in a report: counted so a stale report cannot overcommit the node. */
    private record Recent(long nanos, Optional<String> owner) { }

    private final URI url;
    private final Set<CompletableFuture<?>> inflight = ConcurrentHashMap.newKeySet();
    private Optional<String> discoveredName;
    private boolean ready;
    private boolean gone;
    private Optional<Capacity> report = Optional.empty();
    private boolean alive;
    private boolean dead;
    private int failures;
    private boolean fullUntilReport;
    private int pendingCreates;
    private final Map<String, Integer> pendingOwners = new HashMap<>();
    private final List<Recent> recent = new ArrayList<>();
    /** When a call to this node last got its answer (System.nanoTime), if ever. */
    private OptionalLong lastAnswer = OptionalLong.empty();
    /**
     * A node that answered a call this recently is busy, not dead: a poll it was too slow for does
     * not count towards declaring it dead (on a loaded host, 64 steps at once made a node miss three
     * 3 s polls, and every episode on it was cut off).
     */
    private static final long BUSY_GRACE_NANOS = java.time.Duration.ofSeconds(10).toNanos();

    Node(Member member) {
        this.url = member.url();
        this.discoveredName = member.name();
        this.ready = member.ready();
    }

    public URI url() {
        return url;
    }

    /** The name ids carry: the node's own report, else discovery's. */
    public synchronized Optional<String> name() {
        return report.map(Capacity::name).or(() -> discoveredName);
    }

    public synchronized Optional<Capacity> report() {
        return report;
    }

    /** Whether new sandboxes may go here: discovered ready, reporting, not full by its own word. */
    public synchronized boolean placeable() {
        return ready && alive && !gone && report.isPresent();
    }

    /** Short words for the fleet view: ready, not-ready, unreachable, gone. */
    public synchronized String state() {
        if (gone) return "gone";
        if (dead || !alive && failures > 0) return "unreachable";
        if (!ready) return "not-ready";
        return report.isPresent() ? "ready" : "starting";
    }

    /**
     * Watches {@code call} as one in flight to this node: when the node is declared dead, the
     * call fails with {@link NodeDown} instead of waiting for a socket that will never answer.
     */
    public <T> CompletableFuture<T> track(CompletableFuture<T> call) {
        synchronized (this) {
            if (dead || gone) {
                call.cancel(true);
                return CompletableFuture.failedFuture(down());
            }
        }
        inflight.add(call);
        call.whenComplete((r, e) -> inflight.remove(call));
        return call;
    }

    synchronized NodeDown down() {
        String n = name().orElse(url.toString());
        return new NodeDown("node " + n + " is " + (gone ? "gone from the fleet" : "not answering")
                + "; its sandboxes and environments are lost with it: retry the episode (a new one is placed on a live node)");
    }

    synchronized void member(Member m) {
        if (m.name().isPresent()) discoveredName = m.name();
        ready = m.ready();
        gone = false;
    }

    /** Left the fleet (its pod deleted): every call in flight to it fails now. */
    void leave() {
        synchronized (this) {
            gone = true;
            alive = false;
        }
        failInflight();
    }

    synchronized boolean reported(Capacity c, long sentNanos) {
        if (discoveredName.isPresent() && !discoveredName.get().equals(c.name())) return false;
        report = Optional.of(c);
        alive = true;
        dead = false;
        failures = 0;
        fullUntilReport = false;
        recent.removeIf(r -> r.nanos() < sentNanos);
        return true;
    }

    /** A call to this node got its answer: it lives, whatever a slow poll says. */
    public synchronized void answered() {
        lastAnswer = OptionalLong.of(System.nanoTime());
    }

    /**
     * A poll or a call failed. Certain (connection refused, reset) or repeated: dead, and its calls
     * fail now. Nothing more is placed here until it reports again either way.
     */
    void unreachable(boolean certain) {
        boolean nowDead;
        synchronized (this) {
            alive = false;
            boolean busy = lastAnswer.isPresent() && System.nanoTime() - lastAnswer.getAsLong() < BUSY_GRACE_NANOS;
            if (certain || !busy) failures++;
            nowDead = certain || failures >= 3;
            if (nowDead) dead = true;
        }
        if (nowDead) failInflight();
    }

    private void failInflight() {
        NodeDown down = down();
        for (CompletableFuture<?> f : List.copyOf(inflight)) f.completeExceptionally(down);
    }

    // placement arithmetic, under the fleet's lock

    synchronized int free() {
        if (report.isEmpty() || fullUntilReport) return 0;
        return report.get().effectiveSlots() - report.get().used() - pendingCreates - recent.size();
    }

    synchronized int held(String owner) {
        int n = report.map(c -> c.owners().getOrDefault(owner, 0)).orElse(0) + pendingOwners.getOrDefault(owner, 0);
        for (Recent r : recent) if (r.owner().equals(Optional.of(owner))) n++;
        return n;
    }

    synchronized int pendingCreates() {
        return pendingCreates;
    }

    /**
     * Creates one node is given at once, so a start storm queues at the front, not on the node:
     * four per CPU (at least four). A sandbox's start waits on the kernel (namespaces, mounts,
     * cgroups) as much as it computes, so one per CPU left the CPUs idle (ale bench cluster:
     * 300 creates over three nodes took 79 s at two per node, where one node alone, unthrottled, took 23 s).
     */
    synchronized int createPermits() {
        return Math.max(4, 4 * report.map(Capacity::cpus).orElse(1));
    }

    synchronized long memoryAvailable() {
        return report.map(Capacity::memoryAvailableBytes).orElse(0L);
    }

    synchronized void begin(Optional<String> owner) {
        pendingCreates++;
        owner.ifPresent(o -> pendingOwners.merge(o, 1, Integer::sum));
    }

    synchronized void end(Optional<String> owner, boolean created, long nanos) {
        pendingCreates--;
        owner.ifPresent(o -> pendingOwners.computeIfPresent(o, (k, n) -> n <= 1 ? null : n - 1));
        if (created) recent.add(new Recent(nanos, owner));
    }

    synchronized void full() {
        fullUntilReport = true;
    }
}
