package dev.ale.core.passport.signing;

import dev.ale.core.passport.PassportException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** PEM blocks of Ed25519 keys, read and written with the JDK alone, and the key id. */
final class Pem {

    static final String ALGORITHM = "Ed25519";
    /** Key files are a few hundred bytes; a larger one is the wrong file. */
    private static final long MAX_BYTES = 64 * 1024;

    private Pem() {
    }

    static String encode(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    static String readText(Path file, String what) {
        try {
            if (!Files.isRegularFile(file)) throw new PassportException("no " + what + " file at " + file);
            if (Files.size(file) > MAX_BYTES) throw new PassportException(what + " " + file + " is over 64 KiB: not a key file");
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new PassportException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
        }
    }

    /** The DER bytes of the one block of {@code type}; none, two, or bad base64 is refused. */
    static byte[] block(Path file, String text, String type, String needed) {
        Matcher m = Pattern.compile("-----BEGIN " + type + "-----([A-Za-z0-9+/=\\s]*?)-----END " + type + "-----").matcher(text);
        if (!m.find()) {
            throw new PassportException("key " + file + ": no PEM block '-----BEGIN " + type + "-----' in it; it needs its " + needed);
        }
        String body = m.group(1);
        if (m.find()) throw new PassportException("key " + file + ": more than one " + type + " block");
        try {
            return Base64.getMimeDecoder().decode(body.replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw new PassportException("key " + file + ": the " + type + " block is not base64: " + e.getMessage(), e);
        }
    }

    static PrivateKey privateKey(Path file, byte[] der) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new PassportException("key " + file + ": the PRIVATE KEY block is not an Ed25519 key (" + e.getMessage()
                    + "); make one with `ale passport keygen`", e);
        }
    }

    static PublicKey publicKey(Path file, byte[] der) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new PassportException("key " + file + ": the PUBLIC KEY block is not an Ed25519 key (" + e.getMessage()
                    + "); make one with `ale passport keygen`", e);
        }
    }

    static String keyId(PublicKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return "ed25519:" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    static boolean verify(PublicKey key, byte[] message, byte[] signature) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(message);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
