package dev.ale.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What this node tells a cluster's front at {@code GET /v1/node}: its name, its slots and how
 * many are taken (by token), and the host's CPUs, load and memory, so the front can place each
 * new sandbox on the node with the most room without ever overcommitting one.
 */
final class NodeReport {

    private static final Path MEMINFO = Path.of("/proc/meminfo");
    private static final Path LOADAVG = Path.of("/proc/loadavg");

    private final NodeSettings settings;
    private final Quota quota;

    NodeReport(NodeSettings settings, Quota quota) {
        this.settings = settings;
        this.quota = quota;
    }

    ObjectNode json() {
        ObjectNode json = Views.object();
        json.put("name", settings.name());
        if (settings.slots().isPresent()) json.put("slots", settings.slots().getAsInt());
        else json.putNull("slots");
        json.put("used", quota.total());
        ObjectNode owners = json.putObject("owners");
        for (Map.Entry<String, Integer> e : quota.held().entrySet()) owners.put(e.getKey(), e.getValue());
        json.put("cpus", Runtime.getRuntime().availableProcessors());
        json.put("load1", load1());
        json.put("memory_total_bytes", meminfo("MemTotal:"));
        json.put("memory_available_bytes", meminfo("MemAvailable:"));
        return json;
    }

    private static double load1() {
        try {
            return Double.parseDouble(Files.readString(LOADAVG).strip().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** A /proc/meminfo line in bytes; -1 where the file cannot be read (not Linux). */
    private static long meminfo(String key) {
        try {
            for (String line : Files.readAllLines(MEMINFO)) {
                if (line.startsWith(key)) return Long.parseLong(line.substring(key.length()).strip().split("\\s+")[0]) * 1024;
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
