package dev.ale.core.sandbox;

import dev.ale.core.passport.Passport;
import dev.ale.core.passport.Phase;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Objects;

/**
 * What to make. {@code labels} travel with the sandbox (episode, task, owner) and appear in
 * listings and events; the label {@value #EPISODE} names the episode its events belong to. A
 * {@code detached} sandbox outlives the ALE process that made it, until it is removed or its wall
 * time runs out; others die with their process. {@code phase} is the phase it starts in: an
 * episode starts in {@link Phase#SETUP}, a sandbox for one command in {@link Phase#AGENT}.
 */
public record SandboxRequest(Passport passport, Map<String, String> labels, boolean detached, Phase phase) {

    /** The label that names a sandbox's episode. */
    public static final String EPISODE = "episode";

    public SandboxRequest {
        Objects.requireNonNull(passport, "passport");
        labels = Map.copyOf(labels);
        Objects.requireNonNull(phase, "phase");
    }

    public SandboxRequest(Passport passport, Map<String, String> labels, boolean detached) {
        this(passport, labels, detached, Phase.AGENT);
    }

    public static SandboxRequest of(Passport passport) {
        return new SandboxRequest(passport, Map.of(), false);
    }

    /** The same request for a sandbox whose events belong to {@code episode}. */
    public SandboxRequest forEpisode(String episode) {
        Map<String, String> l = new HashMap<>(labels);
        l.put(EPISODE, episode);
        return new SandboxRequest(passport, l, detached, phase);
    }

    /** The same request for a sandbox that starts in {@code start}. */
    public SandboxRequest startingIn(Phase start) {
        return new SandboxRequest(passport, labels, detached, start);
    }

    public Optional<String> episode() {
        return Optional.ofNullable(labels.get(EPISODE));
    }
}
