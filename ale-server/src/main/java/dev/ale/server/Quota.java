package dev.ale.server;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Each env token's {@code max_sandboxes}, counted over everything it holds: sandboxes and GEM
 * environments alike (an environment is a sandbox per episode), and the node's own slots over
 * all tokens together. A slot is taken before the thing is made, so parallel creates cannot
 * overshoot, and given back when it goes.
 */
final class Quota {

    private final Map<String, Integer> held = new HashMap<>();
    private final OptionalInt slots;
    private int total;

    Quota(OptionalInt slots) {
        this.slots = slots;
    }

    synchronized void acquire(Caller caller) {
        int now = held.getOrDefault(caller.name(), 0);
        if (caller.maxSandboxes().isPresent() && now >= caller.maxSandboxes().getAsInt()) {
            throw ApiError.tooMany("token '" + caller.name() + "' already has " + now + " of its " + caller.maxSandboxes().getAsInt()
                    + " sandboxes (environments count as sandboxes); delete or close one first");
        }
        if (slots.isPresent() && total >= slots.getAsInt()) {
            throw new ApiError(429, "node_full", "this node holds " + total + " of its " + slots.getAsInt()
                    + " slots (ale serve --slots); delete or close a sandbox or environment, or place it on another node");
        }
        held.put(caller.name(), now + 1);
        total++;
    }

    synchronized void release(String owner) {
        if (held.containsKey(owner)) total--;
        held.computeIfPresent(owner, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** Slots taken now, by token name: what a cluster's front adds up to keep a token's quota over the fleet. */
    synchronized Map<String, Integer> held() {
        return Map.copyOf(held);
    }

    synchronized int total() {
        return total;
    }

    OptionalInt slots() {
        return slots;
    }
}
