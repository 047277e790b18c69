package dev.ale.monitor.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.core.AleException.Fault;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.event.SafetyEventJson;
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

    /**
     * The detection a {@value #SAFETY_EVENT} record holds. Its payload is the event's wire form;
     * records written before that (payload version 1: severity, action, passportId, time, detail
     * and evidence, the rest in columns) are read too. A payload that is neither, or that
     * disagrees with the record's columns, is damage.
     */
    public SafetyEvent safetyEvent() {
        if (!kind.equals(SAFETY_EVENT)) {
            throw new IllegalStateException("audit record " + seq + " is a " + kind + " record, not a " + SAFETY_EVENT);
        }
        ObjectNode json;
        try {
            JsonNode tree = CanonicalJson.MAPPER.readTree(payload);
            if (!(tree instanceof ObjectNode o)) throw new AuditException(Fault.INPUT, "audit record " + seq + ": payload is not a JSON object");
            json = o.deepCopy();
        } catch (JsonProcessingException e) {
            throw new AuditException(Fault.INPUT, "audit record " + seq + ": payload is not JSON (" + e.getOriginalMessage() + ")", e);
        }
        if (json.has(V1_PASSPORT) && !json.has("passport")) {
            // Version 1 kept rule, category, sandbox, episode and step only in the columns.
            json.set("passport", json.remove(V1_PASSPORT));
            json.put("rule", rule.orElse(null));
            json.put("category", category.orElse(null));
            json.put("sandbox", sandbox);
            json.put("episode", episode.orElse(null));
            if (step.isPresent()) json.put("step", step.getAsInt());
            else json.putNull("step");
        }
        SafetyEvent e;
        try {
            e = SafetyEventJson.fromJson(json);
        } catch (IllegalArgumentException bad) {
            throw new AuditException(Fault.INPUT, "audit record " + seq + ": " + bad.getMessage(), bad);
        }
        if (!rule.equals(Optional.of(e.rule())) || !category.equals(Optional.of(e.category().wire())) || !sandbox.equals(e.sandbox())
                || !episode.equals(e.episode()) || !step.equals(e.step())) {
            throw new AuditException(Fault.INPUT, "audit record " + seq + ": the payload's rule, category, sandbox, episode or step"
                    + " differs from the record's columns");
        }
        return e;
    }

    /** The passport's field name in payload version 1, before the payload became the event's wire form. */
    private static final String V1_PASSPORT = "passportId";
}
