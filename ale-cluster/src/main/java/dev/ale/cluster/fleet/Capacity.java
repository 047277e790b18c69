package dev.ale.cluster.fleet;

import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A node's own report ({@code GET /v1/node}): its name, its slots and how many are taken (by
 * token name), and its host's CPUs and available memory.
 *
 * @param slots none when the node runs without {@code --slots}; the front then counts four per CPU
 */
public record Capacity(String name, OptionalInt slots, int used, Map<String, Integer> owners, int cpus, long memoryAvailableBytes) {

    /** Sandboxes a node without {@code --slots} is given per CPU when the front places work on it. */
    static final int SLOTS_PER_CPU = 4;

    public Capacity {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(slots, "slots");
        owners = Map.copyOf(owners);
    }

    int effectiveSlots() {
        return slots.orElse(Math.max(1, cpus) * SLOTS_PER_CPU);
    }
}
