package dev.ale.cluster;

/** A call the front answers itself, with the status and the JSON error a node would give: {@code {"error": {"code", "message"}}}. */
final class FrontError extends RuntimeException {

    private final int status;
    private final String code;

    FrontError(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    /** Retriable: the node holding the thing is gone or not answering; the caller retries the episode. */
    static FrontError nodeUnavailable(String message) {
        return new FrontError(503, "node_unavailable", message);
    }

    static FrontError notFound(String message) {
        return new FrontError(404, "not_found", message);
    }

    static FrontError unauthorized() {
        return new FrontError(401, "unauthorized", "a valid bearer token is required (Authorization: Bearer TOKEN)");
    }
}
