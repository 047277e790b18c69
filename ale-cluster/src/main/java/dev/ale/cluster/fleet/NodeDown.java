package dev.ale.cluster.fleet;

/** A call to a node that died, left the fleet or stopped answering: the front answers 503 {@code node_unavailable}. */
public final class NodeDown extends RuntimeException {

    public NodeDown(String message) {
        super(message, null, false, false);
    }
}
