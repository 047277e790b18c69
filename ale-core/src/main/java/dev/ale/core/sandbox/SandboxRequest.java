package dev.ale.core.sandbox;

import dev.ale.core.passport.Passport;
import java.util.Map;
import java.util.Objects;

/**
 * What to make. {@code labels} travel with the sandbox (episode, task, owner) and appear in
 * listings and events. A {@code detached} sandbox outlives the ALE process that made it, until
 * it is removed or its wall time runs out; others die with their process.
 */
public record SandboxRequest(Passport passport, Map<String, String> labels, boolean detached) {

    public SandboxRequest {
        Objects.requireNonNull(passport, "passport");
        labels = Map.copyOf(labels);
    }

    public static SandboxRequest of(Passport passport) {
        return new SandboxRequest(passport, Map.of(), false);
    }
}
