package dev.ale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ale.core.passport.PassportLoader;
import dev.ale.tasks.TaskLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ale passport keygen|sign|verify} and {@code --require-signed-passports} on run, train and
 * serve: each refusal exits 2 naming the file and what failed, before any sandbox is made. Root: the
 * check that no sandbox was made lists the local backend's sandboxes.
 */
@Tag("root")
class PassportSigningCommandTest {

    @TempDir
    Path dir;

    Path key;
    Path trusted;
    Path passport;

    @BeforeEach
    void keyAndPassport() throws IOException {
        key = dir.resolve("ops");
        Ale.Result keygen = Ale.runWithoutDataDir("passport", "keygen", key.toString());
        assertThat(keygen.exit()).as(keygen.err()).isZero();
        trusted = Files.createDirectories(dir.resolve("trusted"));
        Files.copy(Path.of(key + ".pub"), trusted.resolve("ops.pub"));
        passport = dir.resolve("coder.yaml");
        Files.writeString(passport, "id: coder-1\nprotected: [/workspace/tests]\n");
    }

    /** A task whose passport is its passport.yaml. */
    private Path task(String name) throws IOException {
        Path task = Files.createDirectories(dir.resolve("tasks").resolve(name));
        Files.writeString(task.resolve("verify.sh"), "true\n");
        Files.writeString(task.resolve("passport.yaml"), "id: " + name + "-passport\n");
        Files.writeString(task.resolve("task.yaml"), """
                id: %s
                instruction: Do nothing.
                verifier:
                  script: verify.sh
                passport: passport.yaml
                """.formatted(name));
        return task;
    }

    @Test
    void keygenSignAndVerifyRoundTripNamingTheFingerprintAndKey() throws IOException {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        String fingerprint = PassportLoader.load(passport).fingerprint();

        Ale.Result sign = Ale.runWithoutDataDir("passport", "sign", "--key", key.toString(), passport.toString());
        Ale.Result verify = Ale.runWithoutDataDir("passport", "verify", "--trusted-keys", trusted.toString(), passport.toString());
        Ale.Result check = Ale.runWithoutDataDir("passport", "check", passport.toString());

        assertThat(sign.exit()).as(sign.err()).isZero();
        assertThat(sign.out()).contains(fingerprint).contains(passport + ".sig");
        assertThat(Files.readString(Path.of(passport + ".sig"))).contains("fingerprint: " + fingerprint);
        assertThat(verify.exit()).as(verify.err()).isZero();
        assertThat(verify.out()).contains("verified").contains(fingerprint).contains("ed25519:");
        assertThat(check.out()).contains("# fingerprint: " + fingerprint + "\n");
    }

    @Test
    void verifyRefusesAnAlteredPassportAnUntrustedKeyAndAMalformedKeyWithExitTwo() throws IOException {
        Ale.runWithoutDataDir("passport", "sign", "--key", key.toString(), passport.toString());
        Files.writeString(passport, "id: coder-1\nprotected: []\n");
        Ale.Result altered = Ale.runWithoutDataDir("passport", "verify", "--trusted-keys", trusted.toString(), passport.toString());

        Path stranger = dir.resolve("stranger");
        Ale.runWithoutDataDir("passport", "keygen", stranger.toString());
        Ale.runWithoutDataDir("passport", "sign", "--key", stranger.toString(), passport.toString());
        Ale.Result untrusted = Ale.runWithoutDataDir("passport", "verify", "--trusted-keys", trusted.toString(), passport.toString());

        Path junk = dir.resolve("junk.key");
        Files.writeString(junk, "not a key\n");
        Files.setPosixFilePermissions(junk, PosixFilePermissions.fromString("rw-------"));
        Ale.Result malformed = Ale.runWithoutDataDir("passport", "sign", "--key", junk.toString(), passport.toString());
        Ale.Result overwrite = Ale.runWithoutDataDir("passport", "keygen", key.toString());

        assertThat(altered.exit()).isEqualTo(2);
        assertThat(altered.err()).contains(passport.toString()).contains("altered since it was signed");
        assertThat(untrusted.exit()).isEqualTo(2);
        assertThat(untrusted.err()).contains("not trusted");
        assertThat(malformed.exit()).isEqualTo(2);
        assertThat(malformed.err()).contains(junk.toString()).contains("no PEM block");
        assertThat(overwrite.exit()).isEqualTo(2);
        assertThat(overwrite.err()).contains("exists");
    }

    @Test
    void aTaskIsSignedOverThePassportItRunsUnderAndAChangeToItIsCaught() throws IOException {
        Path task = task("t1");

        Ale.Result sign = Ale.runWithoutDataDir("passport", "sign", "--key", key.toString(), task.toString());
        Ale.Result verify = Ale.runWithoutDataDir("passport", "verify", "--trusted-keys", trusted.toString(), task.toString());
        Files.writeString(task.resolve("passport.yaml"), "id: t1-passport\ndevices: {gpu: true}\n");
        Ale.Result changed = Ale.runWithoutDataDir("passport", "verify", "--trusted-keys", trusted.toString(), task.toString());

        assertThat(sign.exit()).as(sign.err()).isZero();
        assertThat(Files.readString(task.resolve("passport.sig"))).contains(TaskLoader.load(task).passport().id());
        assertThat(verify.exit()).as(verify.err()).isZero();
        assertThat(changed.exit()).isEqualTo(2);
        assertThat(changed.err()).contains("task t1").contains("altered since it was signed");
    }

    @Test
    void runTrainAndServeRefuseAnUnsignedTaskBeforeMakingAnySandbox() throws IOException {
        Path signed = task("signed");
        Ale.runWithoutDataDir("passport", "sign", "--key", key.toString(), signed.toString());
        Path unsigned = task("unsigned");
        String keys = trusted.toString();

        try (Ale ale = Ale.withFreshDataDir()) {
            Ale.Result run = ale.run("run", "--require-signed-passports", "--trusted-keys", keys, "--out", dir.resolve("runs").toString(),
                    signed.toString(), unsigned.toString());
            Ale.Result train = ale.run("train", "--iterations", "1", "--require-signed-passports", "--trusted-keys", keys,
                    unsigned.toString());
            Ale.Result serve = ale.run("serve", "--port", "0", "--require-signed-passports", "--trusted-keys", keys,
                    "--tasks", dir.resolve("tasks").toString());

            for (Ale.Result r : new Ale.Result[] {run, train, serve}) {
                assertThat(r.exit()).as(r.err()).isEqualTo(2);
                assertThat(r.err()).contains("task unsigned").contains("not signed").contains("ale passport sign");
            }
            assertThat(Files.exists(dir.resolve("runs"))).as("nothing was run").isFalse();
        }
    }

    @Test
    void theTwoFlagsGoTogether() throws IOException {
        Path signed = task("signed");
        try (Ale ale = Ale.withFreshDataDir()) {
            Ale.Result noKeys = ale.run("run", "--require-signed-passports", signed.toString());
            Ale.Result keysOnly = ale.run("run", "--trusted-keys", trusted.toString(), signed.toString());
            Ale.Result noDir = ale.run("run", "--require-signed-passports", "--trusted-keys", dir.resolve("nowhere").toString(),
                    signed.toString());

            assertThat(noKeys.exit()).isEqualTo(2);
            assertThat(noKeys.err()).contains("needs --trusted-keys");
            assertThat(keysOnly.exit()).isEqualTo(2);
            assertThat(keysOnly.err()).contains("only with --require-signed-passports");
            assertThat(noDir.exit()).isEqualTo(2);
            assertThat(noDir.err()).contains("nowhere").contains("not a directory");
        }
    }
}
