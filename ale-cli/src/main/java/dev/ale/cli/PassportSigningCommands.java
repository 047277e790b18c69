package dev.ale.cli;

import dev.ale.core.passport.Passport;
import dev.ale.core.passport.PassportLoader;
import dev.ale.core.passport.signing.PassportSignature;
import dev.ale.core.passport.signing.SigningKey;
import dev.ale.core.passport.signing.TaskSignatures;
import dev.ale.core.passport.signing.TrustedKeys;
import dev.ale.core.task.Task;
import dev.ale.tasks.TaskLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ale passport keygen|sign|verify}: an operator's Ed25519 key, and the signature kept beside a passport. */
final class PassportSigningCommands {

    private PassportSigningCommands() {
    }

    @Command(name = "keygen", description = "Make an Ed25519 key pair: KEY (private, mode 0600) and KEY.pub (to trust).")
    static final class Keygen implements Callable<Integer> {
        private final Cli cli;

        @Parameters(paramLabel = "KEY", description = "Where to write the private key; the public key goes to KEY.pub.")
        private Path key;

        Keygen(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            SigningKey k = SigningKey.generate();
            k.write(key);
            cli.out().println("Wrote " + key + " (private, mode 0600) and " + key + ".pub; key id " + k.id());
            cli.out().println("Trust it by copying " + key + ".pub into the directory given as --trusted-keys.");
            return Failures.OK;
        }
    }

    @Command(name = "sign", description = {"Sign a passport: writes FILE.sig naming its fingerprint and the key.",
            "Given a task directory, signs the passport the task runs under into TASK_DIR/passport.sig."})
    static final class Sign implements Callable<Integer> {
        private final Cli cli;

        @Option(names = "--key", paramLabel = "KEY", required = true, description = "The private key file (from `ale passport keygen`).")
        private Path key;

        @Parameters(paramLabel = "FILE|TASK_DIR", description = "The passport (YAML), or a task directory.")
        private Path file;

        Sign(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            SigningKey k = SigningKey.read(key);
            boolean task = Files.isDirectory(file);
            Passport passport = task ? TaskLoader.load(file).passport() : PassportLoader.load(file);
            PassportSignature sig = PassportSignature.sign(passport, k);
            Path sigFile = task ? TaskSignatures.fileOf(file) : PassportSignature.fileFor(file);
            sig.write(sigFile);
            cli.out().println("Signed " + file + " (" + passport.id() + ", " + sig.fingerprint() + ") with key " + k.id() + ": " + sigFile);
            return Failures.OK;
        }
    }

    @Command(name = "verify", description = "Check a passport's signature (FILE.sig) against the trusted public keys.")
    static final class Verify implements Callable<Integer> {
        private final Cli cli;

        @Option(names = "--trusted-keys", paramLabel = "DIR", required = true, description = "The directory of trusted public keys (*.pub).")
        private Path trusted;

        @Parameters(paramLabel = "FILE|TASK_DIR", description = "The passport (YAML), or a task directory.")
        private Path file;

        Verify(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            TrustedKeys keys = TrustedKeys.load(trusted);
            Passport passport;
            Path sigFile;
            if (Files.isDirectory(file)) {
                Task task = TaskLoader.load(file);
                TaskSignatures.check(task, keys);
                passport = task.passport();
                sigFile = TaskSignatures.fileOf(file);
            } else {
                passport = PassportSignature.loadVerified(file, keys);
                sigFile = PassportSignature.fileFor(file);
            }
            PassportSignature sig = PassportSignature.read(sigFile);
            cli.out().println(file + ": signed, verified: " + passport.id() + " " + passport.fingerprint() + " by key " + sig.keyId());
            return Failures.OK;
        }
    }
}
