package dev.ale.core.passport.signing;

import dev.ale.core.passport.Passport;
import dev.ale.core.passport.PassportException;
import dev.ale.core.passport.PassportFingerprint;
import dev.ale.core.passport.PassportLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A passport's signature, kept in a file of its own beside it ({@code coder.yaml.sig}): which
 * passport and fingerprint it is for, the key that made it, and the Ed25519 signature over
 * {@value #FORMAT}, a newline and the fingerprint. Because it signs the fingerprint, comments and
 * layout may change after signing; any rule change breaks it.
 */
public record PassportSignature(String passportId, String fingerprint, String keyId, byte[] signature) {

    /** The first line of a signature file, and the prefix of what is signed. */
    public static final String FORMAT = "ale-passport-signature/1";
    private static final List<String> FIELDS = List.of("format", "passport", "fingerprint", "key", "signature");

    public PassportSignature {
        Objects.requireNonNull(passportId, "passportId");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(keyId, "keyId");
        signature = signature.clone();
    }

    /** Where the signature of the passport in {@code passportFile} lives. */
    public static Path fileFor(Path passportFile) {
        return Path.of(passportFile + ".sig");
    }

    /** Signs {@code passport} with {@code key}. */
    public static PassportSignature sign(Passport passport, SigningKey key) {
        String fingerprint = passport.fingerprint();
        return new PassportSignature(passport.id(), fingerprint, key.id(), key.sign(message(fingerprint)));
    }

    private static byte[] message(String fingerprint) {
        return (FORMAT + "\n" + fingerprint).getBytes(StandardCharsets.US_ASCII);
    }

    /** The signature file's text: one {@code field: value} a line, in a fixed order. */
    public String text() {
        return "# ALE passport signature: docs/passport.md, \"Signatures\"\n"
                + "format: " + FORMAT + "\n"
                + "passport: " + passportId + "\n"
                + "fingerprint: " + fingerprint + "\n"
                + "key: " + keyId + "\n"
                + "signature: " + Base64.getEncoder().encodeToString(signature) + "\n";
    }

    /** Reads a signature file; a missing, malformed or foreign one is refused naming the file and the line. */
    public static PassportSignature read(Path sigFile) {
        if (!Files.isRegularFile(sigFile)) {
            throw new PassportException(sigFile + ": no such signature file");
        }
        List<String> lines;
        try {
            if (Files.size(sigFile) > 4096) throw new PassportException(sigFile + " is over 4 KiB: not a passport signature");
            lines = Files.readAllLines(sigFile, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new PassportException("cannot read signature " + sigFile + ": " + e.getMessage(), e);
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            int colon = line.indexOf(':');
            String key = colon < 0 ? line : line.substring(0, colon).strip();
            if (colon < 0 || !FIELDS.contains(key)) {
                throw new PassportException(sigFile + ": line " + (i + 1) + ": expected one of " + FIELDS + " followed by ':'");
            }
            if (fields.put(key, line.substring(colon + 1).strip()) != null) {
                throw new PassportException(sigFile + ": line " + (i + 1) + ": " + key + " is given twice");
            }
        }
        for (String f : FIELDS) {
            if (!fields.containsKey(f)) throw new PassportException(sigFile + ": no '" + f + ":' line; sign the passport again");
        }
        if (!fields.get("format").equals(FORMAT)) {
            throw new PassportException(sigFile + ": format '" + fields.get("format") + "' is not " + FORMAT);
        }
        if (!PassportFingerprint.isFingerprint(fields.get("fingerprint"))) {
            throw new PassportException(sigFile + ": fingerprint '" + fields.get("fingerprint") + "' is not sha256: and 64 hex digits");
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(fields.get("signature"));
        } catch (IllegalArgumentException e) {
            throw new PassportException(sigFile + ": signature is not base64: " + e.getMessage(), e);
        }
        return new PassportSignature(fields.get("passport"), fields.get("fingerprint"), fields.get("key"), signature);
    }

    /** Writes {@link #text()} to {@code sigFile}, replacing an older signature there. */
    public void write(Path sigFile) {
        try {
            Files.writeString(sigFile, text(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new PassportException("cannot write signature " + sigFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Loads the passport in {@code passportFile} and checks its signature ({@code passportFile.sig})
     * against {@code trusted}. Refused, each with the file and what failed: no signature; a passport
     * altered since it was signed (its fingerprint is not the signed one); a key not trusted; a
     * signature that does not verify.
     */
    public static Passport loadVerified(Path passportFile, TrustedKeys trusted) {
        Passport passport = PassportLoader.load(passportFile);
        Path sigFile = fileFor(passportFile);
        if (!Files.exists(sigFile)) {
            throw new PassportException(passportFile + ": not signed: no " + sigFile + " beside it, and signed passports are required;"
                    + " sign it with `ale passport sign --key KEY " + passportFile + "`");
        }
        read(sigFile).check(passport, passportFile.toString(), sigFile, trusted);
        return passport;
    }

    /**
     * Checks this signature, read from {@code sigFile}, for {@code passport} (from {@code source}, a
     * file or task that error messages name) against {@code trusted}.
     */
    public void check(Passport passport, String source, Path sigFile, TrustedKeys trusted) {
        String now = passport.fingerprint();
        if (!fingerprint.equals(now)) {
            throw new PassportException(source + ": altered since it was signed: " + sigFile + " is for "
                    + fingerprint + " (passport " + passportId + "), the passport is now " + now + "; review the change and sign it again");
        }
        var key = trusted.find(keyId).orElseThrow(() -> new PassportException(sigFile + ": signed with key " + keyId
                + ", which is not trusted (no such key among the *.pub in " + trusted.directory() + ")"));
        if (!Pem.verify(key, message(fingerprint), signature)) {
            throw new PassportException(sigFile + ": the signature does not verify under key " + keyId
                    + ": it was not made by that key for " + fingerprint + "; sign the passport again");
        }
    }
}
