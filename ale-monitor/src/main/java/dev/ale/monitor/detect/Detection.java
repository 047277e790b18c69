package dev.ale.monitor.detect;

import dev.ale.core.event.Category;
import dev.ale.core.event.SafetyEvent;

import java.util.Map;
import java.util.Objects;

/**
 * What a detector saw in one command or process, before anyone decides what to do about it.
 * {@code ruleId} is stable and dotted ({@code tunnel.ssh.remote-forward}); {@code evidence} holds the
 * raw facts as strings ({@code match}, {@code command}, and {@code encoding}/{@code payload} when the
 * act was found inside a decoded payload).
 */
public record Detection(String ruleId, Category category, SafetyEvent.Severity severity, String detail,
                        Map<String, String> evidence) {

    public Detection {
        Objects.requireNonNull(ruleId, "ruleId");
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(detail, "detail");
        evidence = Map.copyOf(evidence);
    }
}
