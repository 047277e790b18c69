package dev.ale.image.registry;

import dev.ale.core.AleException.Fault;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** A content digest, {@code sha256:<64 hex>}; the only algorithm ALE accepts (and the one every registry uses). */
public record Digest(String hex) {

    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    public Digest {
        if (hex == null || !HEX.matcher(hex).matches()) {
            throw new RegistryException(Fault.INPUT, "\"" + hex + "\" is not a sha256 digest (64 lower-case hex digits)");
        }
    }

    public static Digest parse(String text) {
        if (text == null || !text.startsWith("sha256:")) {
            throw new RegistryException(Fault.INPUT, "\"" + text + "\" is not a digest (they look like sha256:<64 hex digits>)");
        }
        return new Digest(text.substring("sha256:".length()));
    }

    public static Digest of(byte[] bytes) {
        return new Digest(HexFormat.of().formatHex(sha256().digest(bytes)));
    }

    public static Digest of(MessageDigest finished) {
        return new Digest(HexFormat.of().formatHex(finished.digest()));
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first 12 hex digits, as listings show an id. */
    public String shortId() {
        return hex.substring(0, 12);
    }

    @Override
    public String toString() {
        return "sha256:" + hex;
    }
}
