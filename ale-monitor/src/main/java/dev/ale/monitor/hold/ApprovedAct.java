package dev.ale.monitor.hold;

import java.util.Set;

/**
 * A held command an operator approved: the hold's id and the rules its pre-exec check held it
 * for. While that command runs, the processes it starts are the act the operator saw and
 * allowed, so a sweep that finds them breaking those same rules records an alert that names the
 * hold instead of holding (and freezing) the sandbox a second time. Any other rule they break is
 * judged as always.
 */
public record ApprovedAct(String holdId, Set<String> rules) {

    private static final ApprovedAct NONE = new ApprovedAct("", Set.of());

    public ApprovedAct {
        rules = Set.copyOf(rules);
    }

    /** No approval: every rule is judged as the passport says. */
    public static ApprovedAct none() {
        return NONE;
    }

    /** Whether this approval covers a finding of {@code rule}. */
    public boolean covers(String rule) {
        return rules.contains(rule);
    }

    public boolean isNone() {
        return rules.isEmpty();
    }
}
