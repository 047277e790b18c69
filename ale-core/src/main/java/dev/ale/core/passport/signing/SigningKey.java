package dev.ale.core.passport.signing;

import dev.ale.core.passport.PassportException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Objects;
import java.util.Set;

/**
 * An operator's Ed25519 key pair, for signing passports. Its file is PEM: a {@code PRIVATE KEY}
 * block (PKCS#8) then a {@code PUBLIC KEY} block (X.509), mode 0600; the public half alone, in a
 * {@code .pub} file, is what a server or run trusts. The JDK cannot derive an Ed25519 public key
 * from the private one, so the key file carries both and they are checked to belong together.
 */
public record SigningKey(PrivateKey privateKey, PublicKey publicKey) {

    public SigningKey {
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(publicKey, "publicKey");
    }

    /** A fresh key pair from the JDK's own Ed25519 generator. */
    public static SigningKey generate() {
        try {
            KeyPair pair = KeyPairGenerator.getInstance(Pem.ALGORITHM).generateKeyPair();
            return new SigningKey(pair.getPrivate(), pair.getPublic());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK since 15 has Ed25519", e);
        }
    }

    /** The key id every signature names: {@code ed25519:} and the first 16 hex digits of the SHA-256 of the public key. */
    public String id() {
        return Pem.keyId(publicKey);
    }

    /**
     * Writes the key pair to {@code file} (mode 0600, made so before any byte is written) and the
     * public key to {@code file.pub}; an existing file at either path is left alone and refused.
     */
    public void write(Path file) {
        Path pub = Path.of(file + ".pub");
        for (Path p : new Path[] {file, pub}) {
            if (Files.exists(p)) throw new PassportException(p + " exists; choose another name, or move it away first");
        }
        String pem = Pem.encode("PRIVATE KEY", privateKey.getEncoded()) + Pem.encode("PUBLIC KEY", publicKey.getEncoded());
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(Set.of(PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE)));
            Files.writeString(file, pem, StandardCharsets.US_ASCII);
            Files.writeString(pub, Pem.encode("PUBLIC KEY", publicKey.getEncoded()), StandardCharsets.US_ASCII);
        } catch (FileAlreadyExistsException e) {
            throw new PassportException(e.getFile() + " exists; choose another name, or move it away first", e);
        } catch (IOException e) {
            throw new PassportException("cannot write key " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a key file written by {@link #write} (or by {@code openssl genpkey -algorithm ed25519}
     * with {@code openssl pkey -pubout} appended). A file others may read, one that is not PEM, not
     * Ed25519, or whose halves do not belong together is refused, naming the file and the fault.
     */
    public static SigningKey read(Path file) {
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
            if (mode.stream().anyMatch(p -> p.name().startsWith("GROUP_") || p.name().startsWith("OTHERS_"))) {
                throw new PassportException("key " + file + " may be read by others (mode " + PosixFilePermissions.toString(mode)
                        + "); a signing key must be private: chmod 600 " + file);
            }
        } catch (UnsupportedOperationException | IOException e) {
            // no POSIX modes (or unreadable): reading the file below says what is wrong
        }
        String text = Pem.readText(file, "key");
        PrivateKey priv = Pem.privateKey(file, Pem.block(file, text, "PRIVATE KEY", "private key"));
        PublicKey pub = Pem.publicKey(file, Pem.block(file, text, "PUBLIC KEY",
                "public key (append it: openssl pkey -in " + file + " -pubout >> " + file + ")"));
        SigningKey key = new SigningKey(priv, pub);
        byte[] probe = "ale key check".getBytes(StandardCharsets.US_ASCII);
        if (!Pem.verify(pub, probe, key.sign(probe))) {
            throw new PassportException("key " + file + ": its PUBLIC KEY block is not the public half of its PRIVATE KEY block");
        }
        return key;
    }

    byte[] sign(byte[] message) {
        try {
            Signature s = Signature.getInstance(Pem.ALGORITHM);
            s.initSign(privateKey);
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new PassportException("cannot sign with key " + id() + ": " + e.getMessage(), e);
        }
    }
}
