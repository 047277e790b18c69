package dev.ale.monitor.detect;

import dev.ale.core.event.Category;
import dev.ale.core.event.SafetyEvent;
import dev.ale.monitor.rules.RuleId;

import java.util.Map;
import java.util.Objects;

/**
 * What a detector saw in one command or process, before anyone decides what to do about it.
 * The rule is an entry of the {@link RuleId} catalogue, which fixes its id, category and severity;
 * {@code evidence} holds the raw facts as strings ({@code match}, {@code command}, and
 * {@code encoding}/{@code payload} when the act was found inside a decoded payload).
 */
public record Detection(RuleId rule, String detail, Map<String, String> evidence) {

    public Detection {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(detail, "detail");
        evidence = Map.copyOf(evidence);
    }

    /** The rule's stable dotted id ({@code tunnel.ssh.remote-forward}). */
    public String ruleId() {
        return rule.id();
    }

    public Category category() {
        return rule.category();
    }

    public SafetyEvent.Severity severity() {
        return rule.severity();
    }
}
