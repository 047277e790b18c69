package dev.ale.monitor.audit;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** What an intruder with the sqlite3 shell can do to the file: plain SQL, no ALE code. */
final class Tamper {

    private Tamper() {
    }

    static int sql(Path file, String sql, Object... args) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
                PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                p.setObject(i + 1, args[i]);
            }
            return p.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** The stored hash of record {@code seq}, computed the same way ALE does, after its content changed. */
    static String rehash(Path file, long seq) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
                PreparedStatement p = c.prepareStatement("SELECT " + AuditLog.COLUMNS + " FROM audit WHERE seq = ?")) {
            p.setLong(1, seq);
            try (ResultSet r = p.executeQuery()) {
                if (!r.next()) {
                    throw new IllegalStateException("no record " + seq);
                }
                String hash = ChainHash.of(seq, r.getString("time"), r.getString("kind"), r.getString("sandbox"),
                        r.getString("episode"), r.getString("step"), r.getString("rule"), r.getString("category"),
                        r.getString("payload"), r.getString("prev_hash"));
                sql(file, "UPDATE audit SET hash = ? WHERE seq = ?", hash, seq);
                return hash;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("rehash " + seq, e);
        }
    }
}
