package dev.ale.core.sandbox;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** What a listing shows of one sandbox. */
public record SandboxInfo(
        String id,
        String backend,
        String passportId,
        Instant createdAt,
        Instant expiresAt,
        boolean detached,
        State state,
        Optional<String> killReason,
        Map<String, String> labels) {

    public SandboxInfo {
        killReason = killReason == null ? Optional.empty() : killReason;
        labels = Map.copyOf(labels);
    }

    /** {@code FROZEN}: every process stopped by a hold until an operator decides. */
    public enum State { RUNNING, FROZEN, KILLED, DESTROYED }
}
