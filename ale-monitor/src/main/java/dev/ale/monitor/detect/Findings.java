package dev.ale.monitor.detect;

import dev.ale.core.event.Category;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The detections of one inspection: at most one per rule (the first seen), and none for a rule that a
 * more specific one already explains, so one act gives one event rather than three.
 */
final class Findings {

    /** A rule on the left hides the rules on the right when both fire on the same command line. */
    private static final Map<Rule, Set<Rule>> HIDES = Map.of(
            Rule.INTERACTIVE_DEV_TCP, Set.of(Rule.DEV_TCP),
            Rule.DEV_TCP_SWEEP, Set.of(Rule.DEV_TCP),
            Rule.FIFO_NETCAT, Set.of(Rule.SHELL_PIPE),
            Rule.METADATA_ENDPOINT, Set.of(Rule.METADATA_API_PATH),
            Rule.MINING_STRATUM_URL, Set.of(Rule.MINING_POOL_DOMAIN, Rule.MINING_POOL_OPTION));

    private final Map<Rule, Detection> byRule = new LinkedHashMap<>();

    void add(Rule rule, Detection detection) {
        byRule.putIfAbsent(rule, detection);
    }

    List<Detection> result() {
        List<Detection> out = new ArrayList<>();
        boolean otherTunnel = byRule.keySet().stream()
                .anyMatch(r -> r.category() == Category.TUNNEL && r != Rule.FORWARD_SPEC);
        for (Map.Entry<Rule, Detection> e : byRule.entrySet()) {
            Rule rule = e.getKey();
            if (rule == Rule.FORWARD_SPEC && otherTunnel) continue;
            boolean hidden = HIDES.entrySet().stream()
                    .anyMatch(h -> byRule.containsKey(h.getKey()) && h.getValue().contains(rule));
            if (!hidden) out.add(e.getValue());
        }
        return List.copyOf(out);
    }
}
