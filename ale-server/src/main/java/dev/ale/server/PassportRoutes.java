package dev.ale.server;

import dev.ale.monitor.audit.AuditLog;
import dev.ale.monitor.audit.PassportHistory;
import io.javalin.http.Context;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** What the server tells about passports: a passport's history across runs, read from the audit log (admin only). */
final class PassportRoutes {

    private final Path auditFile;

    PassportRoutes(Path auditFile) {
        this.auditFile = auditFile;
    }

    void register(Routes routes) {
        routes.get("/passports/{passport}/history", this::history);
    }

    /** {@code GET /passports/{idOrFingerprint}/history?since=T&until=T}: the JSON `ale passport history --json` prints. */
    private void history(Context ctx) {
        if (!Auth.caller(ctx).admin()) throw ApiError.forbidden("a passport's history covers every sandbox under it: it needs an admin token");
        String passport = ctx.pathParam("passport");
        Optional<Instant> since = instant(ctx, "since");
        Optional<Instant> until = instant(ctx, "until");
        if (since.isPresent() && until.isPresent() && !since.get().isBefore(until.get())) {
            throw ApiError.invalidField("since", "must be before until (" + since.get() + " is not before " + until.get() + ")");
        }
        try (AuditLog log = AuditLog.openExisting(auditFile)) {
            if (!PassportHistory.named(log, passport)) {
                throw ApiError.notFound("no record in the audit log names a passport with id or fingerprint '" + passport + "'");
            }
            Routes.json(ctx, 200, PassportHistory.read(log, passport, since, until).toJson());
        }
    }

    private static Optional<Instant> instant(Context ctx, String name) {
        String text = ctx.queryParam(name);
        if (text == null) return Optional.empty();
        try {
            return Optional.of(Instant.parse(text));
        } catch (DateTimeParseException e) {
            throw ApiError.invalidField(name, "'" + text + "' is not an ISO-8601 instant such as 2026-03-01T10:00:00Z");
        }
    }
}
