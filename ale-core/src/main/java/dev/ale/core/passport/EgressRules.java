package dev.ale.core.passport;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The egress allowlist of each phase. A phase with no rules allows nothing; by default only
 * {@code setup} may have rules, and has none.
 */
public record EgressRules(Map<Phase, List<EgressRule>> byPhase) {

    public EgressRules {
        EnumMap<Phase, List<EgressRule>> copy = new EnumMap<>(Phase.class);
        for (Phase p : Phase.values()) copy.put(p, List.copyOf(byPhase.getOrDefault(p, List.of())));
        byPhase = Map.copyOf(copy);
    }

    /** Nothing allowed in any phase. */
    public static EgressRules none() {
        return new EgressRules(Map.of());
    }

    public List<EgressRule> rules(Phase phase) {
        return byPhase.get(phase);
    }

    /** Whether a connection to {@code host:port} is allowed in {@code phase}. */
    public boolean allows(Phase phase, String host, int port) {
        return rules(phase).stream().anyMatch(r -> r.allows(host, port));
    }

    /** Whether a plain-HTTP request to {@code host:port} may upgrade to a websocket in {@code phase}. */
    public boolean allowsWebsocket(Phase phase, String host, int port) {
        return rules(phase).stream().anyMatch(r -> r.allowsWebsocket(host, port));
    }

    /** Whether the name may be resolved in {@code phase} (some rule names it, whatever the port). */
    public boolean allowsName(Phase phase, String host) {
        return rules(phase).stream().anyMatch(r -> r.matchesHost(host));
    }
}
