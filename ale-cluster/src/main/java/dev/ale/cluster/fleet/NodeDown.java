package dev.ale.cluster.fleet;

/** A call to a node that died, left the fleet or stopped answering: the front answers 503 {@code node_unavailable}. */
public final class NodeDown extends RuntimeException {

    private final String node;

    public NodeDown(String node, String message) {
        super(message, null, false, false);
        this.node = node;
    }

    public String node() {
        return node;
    }
}
