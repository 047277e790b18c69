package dev.ale.core.event;

import java.util.Arrays;
import java.util.Optional;

/** The closed set of things a detector can see; {@link #wire()} is the exact string in JSON and YAML. */
public enum Category {
    MINING("mining"),
    TUNNEL("tunnel"),
    REVERSE_SHELL("reverse-shell"),
    PROBE("probe"),
    METADATA("metadata"),
    CREDENTIAL("credential"),
    EGRESS_DENIED("egress-denied"),
    EXFILTRATION("exfiltration"),
    TAMPER("tamper"),
    PERSISTENCE("persistence"),
    GPU("gpu"),
    RESOURCE("resource");

    private final String wire;

    Category(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Optional<Category> fromWire(String text) {
        return Arrays.stream(values()).filter(c -> c.wire.equals(text)).findFirst();
    }
}
