package dev.ale.monitor.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ale.core.AleException.Fault;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One row of the audit log, every column as stored. {@code payload} is the canonical JSON
 * text that was hashed; {@link #payloadMap()} parses it. {@code time} is when the log wrote
 * the record (UTC), not when its subject happened.
 */
public record AuditRecord(
        long seq,
        Instant time,
        String kind,
        String sandbox,
        Optional<String> episode,
        OptionalInt step,
        Optional<String> rule,
        Optional<String> category,
        String payload,
        String prevHash,
        String hash) {

    /** The kind written by {@link AuditLog#append(dev.ale.core.event.SafetyEvent)}. */
    public static final String SAFETY_EVENT = "safety-event";

    public AuditRecord {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(sandbox, "sandbox");
        Objects.requireNonNull(episode, "episode");
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(prevHash, "prevHash");
        Objects.requireNonNull(hash, "hash");
    }

    /** The payload as an unmodifiable map; a payload that is not a JSON object is damage. */
    public Map<String, Object> payloadMap() {
        try {
            return CanonicalJson.read(payload);
        } catch (JsonProcessingException e) {
            throw new AuditException(Fault.INPUT, "audit record " + seq + ": payload is not a JSON object ("
                    + e.getOriginalMessage() + "); run `ale audit verify` on the file", e);
        }
    }
}
