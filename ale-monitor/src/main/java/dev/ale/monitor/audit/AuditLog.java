package dev.ale.monitor.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.core.AleException.Fault;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.event.SafetyEventJson;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.sqlite.SQLiteConfig;

/**
 * The append-only, hash-chained audit log in one SQLite file: every record carries the
 * SHA-256 of its own content and of the record before it (see {@link ChainHash} for the
 * exact encoding), and a one-row head table holds the last seq and hash, written in the
 * same transaction as each record. {@link #verify()} walks the chain and names each record
 * that was changed, removed, inserted or moved.
 *
 * <p>What this can and cannot prove: it catches edits made with ordinary tools (sqlite3, a
 * JDBC UPDATE, a deleted row, a cut-off tail). Someone who can rewrite the whole file can
 * recompute every hash and the head, and forge a chain that verifies. To rule that out,
 * anchor {@link #headHash()} somewhere the writer of the file cannot reach — print it to the
 * operator, send it off-host — and compare later.
 *
 * <p>Appends are serialized: within a process by a lock, across processes by SQLite's
 * {@code BEGIN IMMEDIATE}, inside which the head is read, so any number of writers on one
 * file keep a single chain. Reads use their own connection and never wait for appends.
 */
public final class AuditLog implements AutoCloseable {

    /** Writers other than us hold the lock for one small transaction; longer is a stuck process. */
    private static final int BUSY_TIMEOUT_MILLIS = 10_000;
    /** SQLite's primary result code for a database locked by another connection. */
    private static final int SQLITE_BUSY = 5;

    /** Fixed-width ISO-8601 UTC, so that text order is time order and {@code since} is a range scan. */
    static final DateTimeFormatter TIME = DateTimeFormatter
            .ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    static final String COLUMNS = "seq, time, kind, sandbox, episode, step, rule, category, payload, prev_hash, hash";

    private final Path file;
    private final Clock clock;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ReentrantLock readLock = new ReentrantLock();
    private final Connection writer;
    private final Connection reader;
    private final PreparedStatement readHead;
    private final PreparedStatement maxSeq;
    private final PreparedStatement insert;
    private final PreparedStatement updateHead;
    private volatile boolean closed;

    private AuditLog(Path file, Clock clock, Connection writer, Connection reader) throws SQLException {
        this.file = file;
        this.clock = clock;
        this.writer = writer;
        this.reader = reader;
        this.readHead = writer.prepareStatement("SELECT seq, hash FROM head WHERE id = 1");
        this.maxSeq = writer.prepareStatement("SELECT max(seq) FROM audit");
        this.insert = writer.prepareStatement("INSERT INTO audit (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        this.updateHead = writer.prepareStatement("UPDATE head SET seq = ?, hash = ? WHERE id = 1");
    }

    /**
     * Opens the audit log in {@code sqliteFile}, making the file and its schema if they do not
     * exist yet; an existing file must be an ALE audit log.
     */
    public static AuditLog open(Path sqliteFile) {
        return open(sqliteFile, Clock.systemUTC());
    }

    /** {@link #open(Path)}, with every record stamped by {@code clock} instead of the system's: a test sets the time. */
    public static AuditLog open(Path sqliteFile, Clock clock) {
        Objects.requireNonNull(clock, "clock");
        Path file = sqliteFile.toAbsolutePath();
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
        } catch (IOException e) {
            throw new AuditException(Fault.ENVIRONMENT, "cannot make the directory of audit log " + sqliteFile
                    + ": " + e.getMessage(), e);
        }
        return connected(sqliteFile, file, clock, writer -> prepareWriter(writer, sqliteFile));
    }

    /**
     * Opens an audit log that must already exist, for commands that only read: a missing
     * file, an empty one or another program's database is refused, and nothing is created.
     */
    public static AuditLog openExisting(Path sqliteFile) {
        Path file = sqliteFile.toAbsolutePath();
        if (!Files.exists(file)) {
            throw new AuditException(Fault.INPUT, "no audit log at " + sqliteFile
                    + " (ALE writes one when a sandbox runs with the monitor)");
        }
        if (!Files.isRegularFile(file)) {
            throw new AuditException(Fault.INPUT, sqliteFile + " is not an ALE audit log: it is not a file;"
                    + " give the path of an audit log");
        }
        return connected(sqliteFile, file, Clock.systemUTC(), writer -> AuditSchema.checkExisting(writer, sqliteFile));
    }

    /** What is done to the writer before the log is handed out (its schema made, or checked). */
    @FunctionalInterface
    private interface WriterStep {
        void apply(Connection writer) throws SQLException;
    }

    /** A writer with {@code step} applied and a read-only reader on {@code file}; both closed if either fails. */
    private static AuditLog connected(Path sqliteFile, Path file, Clock clock, WriterStep step) {
        Connection writer = null;
        Connection reader = null;
        try {
            writer = connect(file);
            step.apply(writer);
            reader = connect(file);
            try (Statement s = reader.createStatement()) {
                s.execute("PRAGMA query_only = 1");
            }
            return new AuditLog(sqliteFile, clock, writer, reader);
        } catch (SQLException | RuntimeException e) {
            closeQuietly(reader);
            closeQuietly(writer);
            throw e instanceof SQLException sql ? failure(sqliteFile, "open", sql) : (RuntimeException) e;
        }
    }

    /**
     * Schema, WAL and sync settings on the writer. Switching a new file to WAL while another
     * process does the same answers SQLITE_BUSY at once, without SQLite's busy handler, so this
     * step waits and tries again itself, for as long as the busy timeout.
     */
    private static void prepareWriter(Connection writer, Path sqliteFile) throws SQLException {
        long deadline = System.nanoTime() + BUSY_TIMEOUT_MILLIS * 1_000_000L;
        while (true) {
            try {
                AuditSchema.createOrCheck(writer, sqliteFile);
                try (Statement s = writer.createStatement()) {
                    s.execute("PRAGMA journal_mode = WAL");
                    // In WAL mode NORMAL loses no committed record when the process dies, only
                    // when the machine does; FULL would add an fsync to every append.
                    s.execute("PRAGMA synchronous = NORMAL");
                }
                return;
            } catch (SQLException e) {
                if ((e.getErrorCode() & 0xff) != SQLITE_BUSY || System.nanoTime() > deadline) throw e;
                try {
                    Thread.sleep(20);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static Connection connect(Path file) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        return config.createConnection("jdbc:sqlite:" + file);
    }

    /** The file this log was opened on, as given. */
    public Path file() {
        return file;
    }

    /**
     * Appends one record and returns it as stored. {@code kind} says what it is about
     * ({@code safety-event}, {@code sandbox}, {@code step}); the payload must hold only JSON
     * values (String, Boolean, finite Number, List, Map with String keys).
     */
    public AuditRecord append(String kind, String sandbox, Optional<String> episode, OptionalInt step,
            Optional<String> rule, Optional<String> category, Map<String, ?> payload) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(sandbox, "sandbox");
        Objects.requireNonNull(episode, "episode");
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(payload, "payload");
        if (kind.isBlank()) {
            throw new IllegalArgumentException("kind must not be blank");
        }
        String json = CanonicalJson.write(payload);
        writeLock.lock();
        try {
            ensureOpen();
            return appendInTransaction(kind, sandbox, episode, step, rule, category, json);
        } catch (SQLException e) {
            throw failure(file, "append to", e);
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Appends a detection as kind {@value AuditRecord#SAFETY_EVENT}; the payload is the event's
     * one wire form ({@link SafetyEventJson}), read back by {@link AuditRecord#safetyEvent()}.
     */
    public AuditRecord append(SafetyEvent e) {
        Map<String, Object> payload = CanonicalJson.MAPPER.convertValue(SafetyEventJson.toJson(e), new TypeReference<>() {});
        return append(AuditRecord.SAFETY_EVENT, e.sandbox(), e.episode(), e.step(), Optional.of(e.rule()),
                Optional.of(e.category().wire()), payload);
    }

    private AuditRecord appendInTransaction(String kind, String sandbox, Optional<String> episode, OptionalInt step,
            Optional<String> rule, Optional<String> category, String json) throws SQLException {
        try (Statement s = writer.createStatement()) {
            // IMMEDIATE takes the write lock before the head is read, so two processes cannot
            // both chain onto the same record.
            s.execute("BEGIN IMMEDIATE");
            boolean committed = false;
            try {
                long headSeq;
                String headHash;
                try (ResultSet r = readHead.executeQuery()) {
                    if (!r.next()) {
                        throw new AuditException(Fault.INPUT, file + " has lost its head record, so it was altered"
                                + " outside ALE; run `ale audit verify " + file + "` and start a new log");
                    }
                    headSeq = r.getLong(1);
                    headHash = r.getString(2);
                }
                long lastSeq;
                try (ResultSet r = maxSeq.executeQuery()) {
                    lastSeq = r.next() ? r.getLong(1) : 0;
                }
                // Chain onto the head, not onto the last row: if rows were cut off the end, the
                // next record then points at a hash that is gone, and verify still shows the cut.
                // Past any row inserted behind the head's back, so the seq is free.
                long seq = Math.max(headSeq, lastSeq) + 1;
                String time = TIME.format(clock.instant());
                String stepText = step.isPresent() ? Integer.toString(step.getAsInt()) : null;
                String hash = ChainHash.of(seq, time, kind, sandbox, episode.orElse(null), stepText,
                        rule.orElse(null), category.orElse(null), json, headHash);
                insert.setLong(1, seq);
                insert.setString(2, time);
                insert.setString(3, kind);
                insert.setString(4, sandbox);
                setOptional(insert, 5, episode);
                if (step.isPresent()) {
                    insert.setInt(6, step.getAsInt());
                } else {
                    insert.setNull(6, Types.INTEGER);
                }
                setOptional(insert, 7, rule);
                setOptional(insert, 8, category);
                insert.setString(9, json);
                insert.setString(10, headHash);
                insert.setString(11, hash);
                insert.executeUpdate();
                updateHead.setLong(1, seq);
                updateHead.setString(2, hash);
                updateHead.executeUpdate();
                s.execute("COMMIT");
                committed = true;
                return new AuditRecord(seq, parseTime(seq, time), kind, sandbox, episode, step, rule, category, json,
                        headHash, hash);
            } finally {
                if (!committed) {
                    rollbackQuietly(s);
                }
            }
        }
    }

    private static void setOptional(PreparedStatement p, int index, Optional<String> value) throws SQLException {
        if (value.isPresent()) {
            p.setString(index, value.get());
        } else {
            p.setNull(index, Types.VARCHAR);
        }
    }

    /**
     * The hash of the last appended record as the head records it (64 zeros for an empty
     * log). Anchor it outside this file to make rewriting the whole file detectable.
     */
    public String headHash() {
        readLock.lock();
        try {
            ensureOpen();
            try (Statement s = reader.createStatement(); ResultSet r = s.executeQuery("SELECT hash FROM head WHERE id = 1")) {
                if (!r.next()) {
                    throw new AuditException(Fault.INPUT, file + " has lost its head record, so it was altered"
                            + " outside ALE; run `ale audit verify " + file + "`");
                }
                return r.getString(1);
            }
        } catch (SQLException e) {
            throw failure(file, "read the head of", e);
        } finally {
            readLock.unlock();
        }
    }

    /** The highest seq in the log, 0 when it is empty: where to start following it with {@link #after}. */
    public long lastSeq() {
        readLock.lock();
        try {
            ensureOpen();
            try (Statement s = reader.createStatement(); ResultSet r = s.executeQuery("SELECT max(seq) FROM audit")) {
                return r.next() ? r.getLong(1) : 0;
            }
        } catch (SQLException e) {
            throw failure(file, "read", e);
        } finally {
            readLock.unlock();
        }
    }

    /** Walks the whole chain, in one consistent snapshot, and reports every problem found. */
    public VerifyReport verify() {
        readLock.lock();
        try {
            ensureOpen();
            try (Statement s = reader.createStatement()) {
                s.execute("BEGIN");
                try {
                    return ChainVerifier.verify(reader, file);
                } finally {
                    rollbackQuietly(s);
                }
            }
        } catch (SQLException e) {
            throw failure(file, "verify", e);
        } finally {
            readLock.unlock();
        }
    }

    /** The records that match {@code q}, in seq order. */
    public List<AuditRecord> query(AuditQuery q) {
        List<AuditRecord> records = new ArrayList<>();
        forEach(q, records::add);
        return List.copyOf(records);
    }

    /**
     * Up to {@code max} records with seq greater than {@code seq}, in seq order: poll with
     * the last seq seen to follow the log as it grows.
     */
    public List<AuditRecord> after(long seq, int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, not " + max);
        }
        List<AuditRecord> records = new ArrayList<>();
        select("SELECT " + COLUMNS + " FROM audit WHERE seq > ? ORDER BY seq LIMIT ?", List.of(seq, max),
                records::add);
        return List.copyOf(records);
    }

    /**
     * Writes the records that match {@code q} as JSON Lines: one object per record with every
     * column ({@code prev_hash} and {@code hash} included), the payload as a JSON object and
     * absent columns as null. {@code out} is flushed, not closed.
     */
    public void exportJsonl(AuditQuery q, Writer out) {
        Objects.requireNonNull(out, "out");
        try {
            forEach(q, record -> {
                try {
                    out.write(jsonLine(record));
                    out.write('\n');
                } catch (IOException e) {
                    throw new AuditException(Fault.ENVIRONMENT, "cannot write the export of " + file + ": "
                            + e.getMessage(), e);
                }
            });
            out.flush();
        } catch (IOException e) {
            throw new AuditException(Fault.ENVIRONMENT, "cannot write the export of " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * One record as one line of JSON (no newline), exactly as {@link #exportJsonl} writes it:
     * for a follower that prints records one at a time.
     */
    public String jsonLine(AuditRecord r) {
        try {
            return CanonicalJson.MAPPER.writeValueAsString(toJson(r));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be written", e);
        }
    }

    private ObjectNode toJson(AuditRecord r) {
        ObjectNode node = CanonicalJson.MAPPER.createObjectNode();
        node.put("seq", r.seq());
        node.put("time", TIME.format(r.time()));
        node.put("kind", r.kind());
        node.put("sandbox", r.sandbox());
        node.put("episode", r.episode().orElse(null));
        if (r.step().isPresent()) {
            node.put("step", r.step().getAsInt());
        } else {
            node.putNull("step");
        }
        node.put("rule", r.rule().orElse(null));
        node.put("category", r.category().orElse(null));
        try {
            node.set("payload", CanonicalJson.MAPPER.readTree(r.payload()));
        } catch (JsonProcessingException e) {
            throw new AuditException(Fault.INPUT, file + ": record " + r.seq() + " has a payload that is not JSON ("
                    + e.getOriginalMessage() + "); run `ale audit verify " + file + "`", e);
        }
        node.put("prev_hash", r.prevHash());
        node.put("hash", r.hash());
        return node;
    }

    private void forEach(AuditQuery q, Consumer<AuditRecord> sink) {
        Objects.requireNonNull(q, "q");
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM audit WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        where(sql, args, "sandbox", q.sandbox());
        where(sql, args, "episode", q.episode());
        where(sql, args, "rule", q.rule());
        where(sql, args, "category", q.category());
        where(sql, args, "kind", q.kind());
        q.since().ifPresent(since -> {
            sql.append(" AND time >= ?");
            args.add(TIME.format(since));
        });
        q.until().ifPresent(until -> {
            sql.append(" AND time < ?");
            args.add(TIME.format(until));
        });
        sql.append(" ORDER BY seq");
        q.limit().ifPresent(limit -> {
            sql.append(" LIMIT ?");
            args.add(limit);
        });
        select(sql.toString(), args, sink);
    }

    private static void where(StringBuilder sql, List<Object> args, String column, Optional<String> value) {
        value.ifPresent(v -> {
            sql.append(" AND ").append(column).append(" = ?");
            args.add(v);
        });
    }

    private void select(String sql, List<Object> args, Consumer<AuditRecord> sink) {
        readLock.lock();
        try {
            ensureOpen();
            try (PreparedStatement p = reader.prepareStatement(sql)) {
                for (int i = 0; i < args.size(); i++) {
                    p.setObject(i + 1, args.get(i));
                }
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        sink.accept(toRecord(r));
                    }
                }
            }
        } catch (SQLException e) {
            throw failure(file, "read", e);
        } finally {
            readLock.unlock();
        }
    }

    private AuditRecord toRecord(ResultSet r) throws SQLException {
        long seq = r.getLong("seq");
        int step = r.getInt("step");
        OptionalInt stepValue = r.wasNull() ? OptionalInt.empty() : OptionalInt.of(step);
        return new AuditRecord(seq, parseTime(seq, r.getString("time")), r.getString("kind"), r.getString("sandbox"),
                Optional.ofNullable(r.getString("episode")), stepValue, Optional.ofNullable(r.getString("rule")),
                Optional.ofNullable(r.getString("category")), r.getString("payload"), r.getString("prev_hash"),
                r.getString("hash"));
    }

    private Instant parseTime(long seq, String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new AuditException(Fault.INPUT, file + ": record " + seq + " has time '" + text
                    + "', which is not an ISO-8601 instant; run `ale audit verify " + file + "`", e);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("audit log " + file + " is closed");
        }
    }

    @Override
    public void close() {
        writeLock.lock();
        readLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            closeQuietly(readHead);
            closeQuietly(maxSeq);
            closeQuietly(insert);
            closeQuietly(updateHead);
            closeQuietly(reader);
            closeQuietly(writer);
        } finally {
            readLock.unlock();
            writeLock.unlock();
        }
    }

    /** SQLite's result code says whose problem it is: a damaged or foreign file is the user's. */
    static AuditException failure(Path file, String doing, SQLException e) {
        int code = e.getErrorCode() & 0xff;
        return switch (code) {
            case 26 -> new AuditException(Fault.INPUT, file + " is not an ALE audit log: it is not a SQLite database"
                    + " (" + e.getMessage() + "); give the path of an audit log or of a new file", e);
            case 11 -> new AuditException(Fault.INPUT, file + " is a damaged SQLite database (" + e.getMessage()
                    + "); restore it from a copy", e);
            case 5, 6 -> new AuditException(Fault.ENVIRONMENT, "cannot " + doing + " " + file + ": it stayed locked by"
                    + " another writer (waited up to " + BUSY_TIMEOUT_MILLIS / 1000 + " s); find the process that holds it ("
                    + e.getMessage() + ")", e);
            default -> new AuditException(Fault.ENVIRONMENT, "cannot " + doing + " " + file + ": " + e.getMessage(), e);
        };
    }

    private static void rollbackQuietly(Statement s) {
        try {
            s.execute("ROLLBACK");
        } catch (SQLException ignored) {
            // No transaction left to roll back (SQLite ends some on error by itself).
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // Closing is best effort; the data is already committed or rolled back.
        }
    }
}
