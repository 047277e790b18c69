package dev.ale.core.passport;


/**
 * The part of an episode a sandbox is in. Egress is allowed per phase: {@code setup} installs
 * what the task needs, the agent works in {@code agent}, the verifier scores in {@code verify}.
 */
public enum Phase {
    SETUP("setup"),
    AGENT("agent"),
    VERIFY("verify");

    private final String wire;

    Phase(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }
}
