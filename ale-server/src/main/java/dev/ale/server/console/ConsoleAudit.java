package dev.ale.server.console;

import dev.ale.monitor.audit.AuditLog;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Every action taken in the console as an audit record of kind {@value #KIND}, naming the token
 * (its name, never its secret) that took it, on the same hash chain as the sandboxes' events.
 */
final class ConsoleAudit implements AutoCloseable {

    static final String KIND = "console";

    private final AuditLog log;

    ConsoleAudit(AuditLog log) {
        this.log = log;
    }

    AuditLog log() {
        return log;
    }

    void record(Principal who, String action, Optional<String> sandbox, String outcome) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("action", action);
        payload.put("token", who.name());
        payload.put("admin", who.admin());
        payload.put("outcome", outcome);
        log.append(KIND, sandbox.orElse(""), Optional.empty(), OptionalInt.empty(), Optional.of("console." + action), Optional.empty(), payload);
    }

    @Override
    public void close() {
        log.close();
    }
}
