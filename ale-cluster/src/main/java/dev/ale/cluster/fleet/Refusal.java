package dev.ale.cluster.fleet;

/**
 * Why no node could take a new sandbox: the fleet is full, the caller's token has its quota, or
 * no node is ready at all (a fault of the infrastructure, worth retrying).
 */
public final class Refusal extends RuntimeException {

    /** The three reasons, each with the status and code the front answers. */
    public enum Kind {
        FLEET_FULL(429, "fleet_full"), QUOTA(429, "quota_exceeded"), NO_NODES(503, "no_nodes");

        private final int status;
        private final String code;

        Kind(int status, String code) {
            this.status = status;
            this.code = code;
        }

        public int status() {
            return status;
        }

        public String code() {
            return code;
        }
    }

    private final Kind kind;

    Refusal(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
