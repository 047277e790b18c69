package dev.ale.monitor.audit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The hash of one audit record: SHA-256, lower-case hex, over an encoding in which every
 * field is written as a presence byte (0 absent, 1 present), then for a present field a
 * 4-byte big-endian length and its UTF-8 bytes. The fields are, in order: the tag
 * {@code ale-audit-v1}, seq (decimal), time, kind, sandbox, episode, step (decimal), rule,
 * category, payload, prev_hash — each exactly as stored. Because every field carries its
 * own length and presence, no two different records encode alike ("ab"+"c" is not
 * "a"+"bc", and an absent episode is not an empty one), so a verifier in any language can
 * recompute it from the columns alone.
 */
final class ChainHash {

    /** The prev_hash of the first record. */
    static final String GENESIS = "0".repeat(64);

    private static final String TAG = "ale-audit-v1";

    private ChainHash() {
    }

    /** Nulls here stand for absent optional columns; this stays inside the package. */
    static String of(long seq, String time, String kind, String sandbox, String episode, String step,
            String rule, String category, String payload, String prevHash) {
        MessageDigest sha = sha256();
        ByteBuffer length = ByteBuffer.allocate(4);
        for (String field : new String[] {TAG, Long.toString(seq), time, kind, sandbox, episode, step, rule, category,
                payload, prevHash}) {
            if (field == null) {
                sha.update((byte) 0);
                continue;
            }
            byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
            sha.update((byte) 1);
            sha.update(length.clear().putInt(bytes.length).array());
            sha.update(bytes);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
