package dev.ale.core.sandbox;

import dev.ale.core.passport.Passport;
import dev.ale.core.passport.PassportFingerprint;
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
 * {@code declaredFingerprint}, when present, is what the sandbox's records name as its passport's
 * fingerprint: that of the passport as its author wrote it, where the sandbox runs under ALE's own
 * derivative of it (an episode hides its task's directory); see {@link #passportFingerprint()}.
 */
public record SandboxRequest(Passport passport, Map<String, String> labels, boolean detached, Phase phase,
                             Optional<String> declaredFingerprint) {

    /** The label that names a sandbox's episode. */
    public static final String EPISODE = "episode";

    public SandboxRequest {
        Objects.requireNonNull(passport, "passport");
        labels = Map.copyOf(labels);
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(declaredFingerprint, "declaredFingerprint");
        declaredFingerprint.filter(f -> !PassportFingerprint.isFingerprint(f)).ifPresent(f -> {
            throw new IllegalArgumentException("declared fingerprint '" + f + "' is not sha256: and 64 lower-case hex digits");
        });
    }

    public SandboxRequest(Passport passport, Map<String, String> labels, boolean detached, Phase phase) {
        this(passport, labels, detached, phase, Optional.empty());
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
        return new SandboxRequest(passport, l, detached, phase, declaredFingerprint);
    }

    /** The same request for a sandbox that starts in {@code start}. */
    public SandboxRequest startingIn(Phase start) {
        return new SandboxRequest(passport, labels, detached, start, declaredFingerprint);
    }

    /**
     * The same request, whose records name {@code declared} (the fingerprint of the passport this
     * one was derived from by ALE, such as a task's) rather than the fingerprint of {@code passport}.
     */
    public SandboxRequest declaredAs(String declared) {
        return new SandboxRequest(passport, labels, detached, phase, Optional.of(declared));
    }

    /** The fingerprint this sandbox's events and audit records carry. */
    public String passportFingerprint() {
        return declaredFingerprint.orElseGet(passport::fingerprint);
    }

    public Optional<String> episode() {
        return Optional.ofNullable(labels.get(EPISODE));
    }
}
