package dev.ale.core.passport.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ale.core.passport.Passport;
import dev.ale.core.passport.PassportException;
import dev.ale.core.passport.PassportLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.util.Base64;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signing a passport, verifying it against trusted keys, and every way a signature or key can be wrong. */
class PassportSignatureTest {

    private static final String CODER = """
            id: coder-1
            egress:
              agent:
                - {domain: "pypi.org", ports: [443]}
            """;

    @TempDir
    Path dir;

    Path passport;
    Path key;
    Path trusted;

    @BeforeEach
    void keysAndPassport() throws Exception {
        passport = dir.resolve("coder.yaml");
        Files.writeString(passport, CODER);
        key = dir.resolve("ops");
        SigningKey.generate().write(key);
        trusted = Files.createDirectories(dir.resolve("trusted"));
        Files.copy(Path.of(key + ".pub"), trusted.resolve("ops.pub"));
    }

    private void sign(Path file, Path keyFile) {
        PassportSignature.sign(PassportLoader.load(file), SigningKey.read(keyFile)).write(PassportSignature.fileFor(file));
    }

    private Passport verify(Path file) {
        return PassportSignature.loadVerified(file, TrustedKeys.load(trusted));
    }

    @Test
    void aSignedPassportVerifiesAndStillDoesAfterItsCommentsAndLayoutChange() throws Exception {
        sign(passport, key);

        assertThat(verify(passport).id()).isEqualTo("coder-1");
        Files.writeString(passport, "# reviewed by ops\nid: coder-1\negress: {agent: [{ports: [443], domain: pypi.org}]}\n");
        assertThat(verify(passport).id()).isEqualTo("coder-1");
        String sig = Files.readString(PassportSignature.fileFor(passport));
        assertThat(sig).contains("fingerprint: " + PassportLoader.load(passport).fingerprint())
                .contains("key: " + SigningKey.read(key).id()).contains("passport: coder-1");
    }

    @Test
    void aPassportChangedAfterSigningIsRefusedAsAlteredNamingBothFingerprints() throws Exception {
        sign(passport, key);
        String signed = PassportLoader.load(passport).fingerprint();
        Files.writeString(passport, CODER.replace("443", "22"));

        assertThatThrownBy(() -> verify(passport)).isInstanceOf(PassportException.class)
                .hasMessageContaining(passport.toString()).hasMessageContaining("altered since it was signed")
                .hasMessageContaining(signed).hasMessageContaining(PassportLoader.load(passport).fingerprint());
    }

    @Test
    void aSignatureMadeForAnotherPassportIsRefused() throws Exception {
        Path other = dir.resolve("other.yaml");
        Files.writeString(other, "id: other-1\n");
        sign(other, key);
        Files.copy(PassportSignature.fileFor(other), PassportSignature.fileFor(passport));

        assertThatThrownBy(() -> verify(passport)).hasMessageContaining("altered since it was signed").hasMessageContaining("other-1");
    }

    @Test
    void aSignatureFileEditedToNameThisFingerprintDoesNotVerify() throws Exception {
        Path other = dir.resolve("other.yaml");
        Files.writeString(other, "id: other-1\n");
        sign(other, key);
        String forged = Files.readString(PassportSignature.fileFor(other))
                .replace(PassportLoader.load(other).fingerprint(), PassportLoader.load(passport).fingerprint());
        Files.writeString(PassportSignature.fileFor(passport), forged);

        assertThatThrownBy(() -> verify(passport)).hasMessageContaining(".sig").hasMessageContaining("does not verify");
    }

    @Test
    void aSignatureByAKeyThatIsNotTrustedIsRefusedNamingTheKey() {
        Path stranger = dir.resolve("stranger");
        SigningKey.generate().write(stranger);
        sign(passport, stranger);

        assertThatThrownBy(() -> verify(passport)).hasMessageContaining("not trusted")
                .hasMessageContaining(SigningKey.read(stranger).id()).hasMessageContaining(trusted.toString());
    }

    @Test
    void anUnsignedPassportIsRefusedWithHowToSignIt() {
        assertThatThrownBy(() -> verify(passport)).hasMessageContaining("not signed").hasMessageContaining("ale passport sign");
    }

    @Test
    void aMalformedSignatureFileIsRefusedNamingTheLine() throws Exception {
        sign(passport, key);
        Path sig = PassportSignature.fileFor(passport);
        String good = Files.readString(sig);

        Files.writeString(sig, good.replace("signature: ", "signatur: "));
        assertThatThrownBy(() -> verify(passport)).hasMessageContaining(sig.toString()).hasMessageContaining("line 6");
        Files.writeString(sig, good.replaceAll("signature: .*", "signature: !!notbase64!!"));
        assertThatThrownBy(() -> verify(passport)).hasMessageContaining("not base64");
        Files.writeString(sig, good.replace("format: ale-passport-signature/1", "format: pgp"));
        assertThatThrownBy(() -> verify(passport)).hasMessageContaining("format 'pgp'");
    }

    @Test
    void keygenWritesAPrivateFileOnlyItsOwnerMayReadAndRefusesToOverwrite() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(Files.readString(key)).contains("-----BEGIN PRIVATE KEY-----").contains("-----BEGIN PUBLIC KEY-----");
        assertThat(Files.readString(Path.of(key + ".pub"))).doesNotContain("PRIVATE");
        String before = Files.readString(key);

        assertThatThrownBy(() -> SigningKey.generate().write(key)).hasMessageContaining("exists");
        assertThat(Files.readString(key)).isEqualTo(before);
    }

    @Test
    void malformedKeyFilesAreRefusedSayingWhatIsWrong() throws Exception {
        Path k = dir.resolve("bad.key");
        Files.createFile(k, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        String pair = Files.readString(key);
        String privateOnly = pair.substring(0, pair.indexOf("-----BEGIN PUBLIC KEY-----"));
        Path otherKey = dir.resolve("other");
        SigningKey.generate().write(otherKey);
        String otherPublic = Files.readString(Path.of(otherKey + ".pub"));
        var rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        String rsaPem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(rsa.generateKeyPair().getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n" + otherPublic;

        record Bad(String content, String says) {}
        for (Bad bad : new Bad[] {
                new Bad("hello\n", "no PEM block"),
                new Bad(privateOnly, "public key"),
                new Bad(privateOnly + otherPublic, "not the public half"),
                new Bad(rsaPem, "not an Ed25519 key"),
                new Bad(pair.replaceFirst("MC4CAQAw", "MC4C!!Aw"), "PEM block")}) {
            Files.writeString(k, bad.content());
            assertThatThrownBy(() -> SigningKey.read(k)).as(bad.says()).isInstanceOf(PassportException.class)
                    .hasMessageContaining(k.toString()).hasMessageContaining(bad.says());
        }
        Files.setPosixFilePermissions(k, PosixFilePermissions.fromString("rw-r--r--"));
        Files.writeString(k, pair);
        assertThatThrownBy(() -> SigningKey.read(k)).hasMessageContaining("chmod 600");
        assertThatThrownBy(() -> SigningKey.read(dir.resolve("missing"))).hasMessageContaining("no key file");
    }

    @Test
    void trustedKeysMustBeADirectoryOfWellFormedPublicKeys() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() -> TrustedKeys.load(empty)).hasMessageContaining("no public key");
        assertThatThrownBy(() -> TrustedKeys.load(dir.resolve("nowhere"))).hasMessageContaining("not a directory");
        Files.writeString(trusted.resolve("broken.pub"), "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
        assertThatThrownBy(() -> TrustedKeys.load(trusted)).hasMessageContaining("broken.pub").hasMessageContaining("not an Ed25519 key");
    }
}
