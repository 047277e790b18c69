package dev.ale.server.console;

import dev.ale.core.net.NetworkRecord;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest gateway records of each sandbox, for its page: what it tried to reach and what the
 * gateway answered. Bounded per sandbox, and a sandbox's records go when the sandbox does.
 */
final class NetworkLog {

    static final int PER_SANDBOX = 200;
    /** More sandboxes than a server hosts at once; past it the log forgets the one it saw first. */
    private static final int SANDBOXES = 4096;

    private final Map<String, Deque<NetworkRecord>> bySandbox = new ConcurrentHashMap<>();

    void add(NetworkRecord record) {
        if (bySandbox.size() >= SANDBOXES && !bySandbox.containsKey(record.sandbox())) {
            bySandbox.keySet().stream().findFirst().ifPresent(bySandbox::remove);
        }
        Deque<NetworkRecord> records = bySandbox.computeIfAbsent(record.sandbox(), id -> new ArrayDeque<>());
        synchronized (records) {
            records.addLast(record);
            while (records.size() > PER_SANDBOX) records.removeFirst();
        }
    }

    List<NetworkRecord> of(String sandboxId) {
        Deque<NetworkRecord> records = bySandbox.get(sandboxId);
        if (records == null) return List.of();
        synchronized (records) {
            return List.copyOf(records);
        }
    }
}
