package dev.ale.monitor.audit;

import dev.ale.monitor.audit.VerifyReport.Kind;
import dev.ale.monitor.audit.VerifyReport.Problem;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Walks an audit chain in seq order and says what happened to it. Each record is checked
 * against its own hash (content changed), against its predecessor's seq (records missing)
 * and hash (records moved, inserted or rewritten), and the end of the chain against the head
 * (records cut off the end or added behind its back). The walk streams; only the rare broken
 * links are kept, and resolved in a second pass to the record they actually point at.
 */
final class ChainVerifier {

    private ChainVerifier() {
    }

    private record Row(long seq, String prevHash, String hash) {
    }

    private record Head(long seq, String hash) {
    }

    /** A record whose prev_hash is not its predecessor's hash; predecessor null for the first row. */
    private record Break(Row row, Row predecessor) {
    }

    /** Must run inside one read transaction, so that the head and the rows are one snapshot. */
    static VerifyReport verify(Connection c, Path file) throws SQLException {
        Head head = readHead(c);
        List<Problem> problems = new ArrayList<>();
        List<Break> breaks = new ArrayList<>();
        Row predecessor = null;
        long checked = 0;
        try (PreparedStatement p = c.prepareStatement("SELECT " + AuditLog.COLUMNS + " FROM audit ORDER BY seq");
                ResultSet r = p.executeQuery()) {
            while (r.next()) {
                checked++;
                // Columns are NOT NULL, but a hand-edited file may not keep that promise.
                Row row = new Row(r.getLong("seq"), Objects.toString(r.getString("prev_hash"), ""),
                        Objects.toString(r.getString("hash"), ""));
                String recomputed = ChainHash.of(row.seq, r.getString("time"), r.getString("kind"),
                        r.getString("sandbox"), r.getString("episode"), r.getString("step"), r.getString("rule"),
                        r.getString("category"), r.getString("payload"), row.prevHash);
                boolean intact = recomputed.equals(row.hash);
                if (row.seq < 1) {
                    problems.add(new Problem(row.seq, Kind.INSERTED, "record " + row.seq
                            + " was not appended by ALE: sequence numbers start at 1" + validity(intact)));
                    continue;
                }
                if (head != null && row.seq > head.seq) {
                    problems.add(new Problem(row.seq, Kind.INSERTED, "record " + row.seq
                            + " was not appended by ALE: it lies past the head, which says the chain ends at "
                            + head.seq + validity(intact)));
                    continue;
                }
                if (!intact) {
                    problems.add(new Problem(row.seq, Kind.CHANGED, "record " + row.seq
                            + " was changed: its content (or seq) no longer matches its hash"));
                }
                long expectedSeq = predecessor == null ? 1 : predecessor.seq + 1;
                String expectedPrev = predecessor == null ? ChainHash.GENESIS : predecessor.hash;
                if (row.seq > expectedSeq) {
                    problems.add(new Problem(expectedSeq, Kind.MISSING, missing(expectedSeq, row.seq - 1)
                            + (predecessor == null ? " before " + row.seq : " between " + predecessor.seq + " and " + row.seq)));
                } else if (!row.prevHash.equals(expectedPrev)) {
                    breaks.add(new Break(row, predecessor));
                }
                if (head != null && row.seq == head.seq && !row.hash.equals(head.hash)) {
                    problems.add(new Problem(row.seq, Kind.HEAD, "record " + row.seq
                            + "'s hash is not the hash the head holds for it: the record was rewritten (hash"
                            + " recomputed) or the head was changed"));
                }
                predecessor = row;
            }
        }
        long last = predecessor == null ? 0 : predecessor.seq;
        if (head == null) {
            problems.add(new Problem(last, Kind.HEAD, file + " has no head record: it was altered outside ALE,"
                    + " and records cut off the end would not show"));
        } else if (last < head.seq) {
            problems.add(new Problem(last + 1, Kind.TRUNCATED, "chain ends at " + last + " but the head says "
                    + head.seq + ": " + missing(last + 1, head.seq) + " from the end"));
        }
        problems.addAll(explain(c, breaks));
        problems.sort(Comparator.comparingLong(Problem::seq));
        return new VerifyReport(checked, problems);
    }

    private static String validity(boolean intact) {
        return intact ? " (its own hash is consistent, so it was forged with care)"
                : "; its hash does not match its content either";
    }

    private static String missing(long first, long last) {
        return first == last
                ? "record " + first + " is missing or was removed"
                : "records " + first + " to " + last + " are missing or were removed";
    }

    /** Says for each broken link which record its prev_hash names, if any. */
    private static List<Problem> explain(Connection c, List<Break> breaks) throws SQLException {
        if (breaks.isEmpty()) {
            return List.of();
        }
        Map<String, Long> wanted = new HashMap<>();
        for (Break b : breaks) {
            wanted.put(b.row.prevHash, null);
        }
        try (PreparedStatement p = c.prepareStatement("SELECT seq, hash FROM audit ORDER BY seq");
                ResultSet r = p.executeQuery()) {
            while (r.next()) {
                String hash = r.getString(2);
                if (wanted.containsKey(hash) && wanted.get(hash) == null) {
                    wanted.put(hash, r.getLong(1));
                }
            }
        }
        List<Problem> problems = new ArrayList<>();
        for (Break b : breaks) {
            long seq = b.row.seq;
            Long target = wanted.get(b.row.prevHash);
            if (b.predecessor == null) {
                problems.add(new Problem(seq, Kind.BROKEN_LINK, "record " + seq + " is first but its prev_hash is not"
                        + " the genesis hash" + (target == null ? "" : " (it is the hash of record " + target + ")")
                        + ": the start of the chain was rewritten or records were moved"));
                continue;
            }
            long before = b.predecessor.seq;
            if (b.row.prevHash.equals(ChainHash.GENESIS)) {
                problems.add(new Problem(seq, Kind.REORDERED, "record " + seq + "'s prev_hash is the genesis hash, so"
                        + " it belongs at the start of the chain, yet it follows record " + before
                        + ": records were reordered or inserted before it"));
            } else if (target == null) {
                problems.add(new Problem(before, Kind.BROKEN_LINK, "chain breaks between record " + before
                        + " and record " + seq + ": record " + seq + "'s prev_hash matches no record, so record " + before
                        + " was changed and its hash recomputed, or records were removed and the rest renumbered"));
            } else if (target > seq) {
                problems.add(new Problem(seq, Kind.REORDERED, "record " + seq + "'s prev_hash is the hash of record "
                        + target + ", which comes after it, not of record " + before + ": records were reordered"));
            } else {
                problems.add(new Problem(seq, Kind.REORDERED, "record " + seq + "'s prev_hash is the hash of record "
                        + target + ", not of record " + before + " before it: records were reordered, or "
                        + (target + 1 == before ? "record " + before + " was" : "records " + (target + 1) + " to "
                                + before + " were")
                        + " inserted"));
            }
        }
        return problems;
    }

    private static Head readHead(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT seq, hash FROM head WHERE id = 1");
                ResultSet r = p.executeQuery()) {
            return r.next() ? new Head(r.getLong(1), r.getString(2)) : null;
        }
    }
}
