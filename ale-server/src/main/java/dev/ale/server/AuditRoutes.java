package dev.ale.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.monitor.audit.AuditLog;
import dev.ale.monitor.audit.AuditQuery;
import dev.ale.monitor.audit.AuditRecord;
import dev.ale.monitor.audit.VerifyReport;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * The node's audit log over HTTP (admin only), so a cluster's front can show every node's log in
 * one view: {@code GET /v1/audit/records} (the records {@code ale audit query} finds, each as the
 * export writes it) and {@code GET /v1/audit/verify} (the hash chain walked, as {@code ale audit verify --json}).
 */
final class AuditRoutes {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path auditFile;

    AuditRoutes(Path auditFile) {
        this.auditFile = auditFile;
    }

    void register(Routes routes) {
        routes.get("/v1/audit/records", this::records);
        routes.get("/v1/audit/verify", this::verify);
    }

    private void records(Context ctx) {
        admin(ctx);
        AuditQuery q = query(ctx);
        try (AuditLog log = AuditLog.openExisting(auditFile)) {
            ObjectNode root = JSON.createObjectNode();
            ArrayNode list = root.putArray("records");
            for (AuditRecord r : log.query(q)) list.add(line(log, r));
            Routes.json(ctx, 200, root);
        }
    }

    private void verify(Context ctx) {
        admin(ctx);
        try (AuditLog log = AuditLog.openExisting(auditFile)) {
            VerifyReport report = log.verify();
            ObjectNode root = JSON.createObjectNode();
            root.put("ok", report.ok());
            root.put("checked", report.checked());
            // an intact chain has a head; a damaged one may have lost it
            if (report.ok()) root.put("head", log.headHash());
            else root.putNull("head");
            ArrayNode problems = root.putArray("problems");
            for (VerifyReport.Problem p : report.problems()) {
                ObjectNode o = problems.addObject();
                o.put("seq", p.seq());
                o.put("kind", p.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'));
                o.put("message", p.message());
            }
            Routes.json(ctx, 200, root);
        }
    }

    private static void admin(Context ctx) {
        if (!Auth.caller(ctx).admin()) throw ApiError.forbidden("the audit log covers every sandbox: it needs an admin token");
    }

    private static JsonNode line(AuditLog log, AuditRecord r) {
        try {
            return JSON.readTree(log.jsonLine(r));
        } catch (IOException e) {
            throw new IllegalStateException("the audit log wrote a line that is not JSON", e);
        }
    }

    /** {@code ?sandbox=&episode=&rule=&category=&since=&limit=}, as {@code ale audit query}'s filters. */
    private static AuditQuery query(Context ctx) {
        AuditQuery q = AuditQuery.all();
        String v;
        if ((v = ctx.queryParam("sandbox")) != null) q = q.withSandbox(v);
        if ((v = ctx.queryParam("episode")) != null) q = q.withEpisode(v);
        if ((v = ctx.queryParam("rule")) != null) q = q.withRule(v);
        if ((v = ctx.queryParam("category")) != null) {
            try {
                q = q.withCategory(v);
            } catch (IllegalArgumentException e) {
                throw ApiError.invalidField("category", e.getMessage());
            }
        }
        if ((v = ctx.queryParam("since")) != null) {
            try {
                q = q.withSince(Instant.parse(v));
            } catch (DateTimeParseException e) {
                throw ApiError.invalidField("since", "'" + v + "' is not an ISO-8601 instant such as 2026-03-01T10:00:00Z");
            }
        }
        if ((v = ctx.queryParam("limit")) != null) {
            int n;
            try {
                n = Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw ApiError.invalidField("limit", "'" + v + "' is not a whole number");
            }
            if (n < 1) throw ApiError.invalidField("limit", "must be at least 1, not " + n);
            q = q.withLimit(n);
        }
        return q;
    }
}
