package dev.ale.cli;

import dev.ale.core.AleException;
import dev.ale.core.passport.PassportException;
import dev.ale.core.passport.signing.PassportSignature;
import dev.ale.core.passport.signing.TrustedKeys;
import dev.ale.core.task.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * {@code --require-signed-passports --trusted-keys DIR} on {@code ale serve}, {@code ale run} and
 * {@code ale train}. A task's passport is signed in {@code TASK_DIR/passport.sig} (made by
 * {@code ale passport sign --key KEY TASK_DIR}), over the passport the task runs under.
 */
final class SignedPassportOptions {

    /** Where a task's signature lives: it covers the task's effective passport, wherever it was written. */
    static final String TASK_SIGNATURE = "passport.sig";

    @Option(names = "--require-signed-passports",
            description = "Refuse any passport not signed by a key in --trusted-keys (docs/passport.md, Signatures).")
    private boolean required;

    @Option(names = "--trusted-keys", paramLabel = "DIR", description = "Public keys (*.pub) whose passport signatures are accepted.")
    private Optional<Path> trustedKeys = Optional.empty();

    /** The trusted keys when signatures are required; both flags go together. */
    Optional<TrustedKeys> trusted() {
        if (required && trustedKeys.isEmpty()) {
            throw new AleException(AleException.Fault.INPUT, "--require-signed-passports needs --trusted-keys DIR (the operators' *.pub files)");
        }
        if (!required && trustedKeys.isPresent()) {
            throw new AleException(AleException.Fault.INPUT, "--trusted-keys: only with --require-signed-passports");
        }
        return trustedKeys.map(TrustedKeys::load);
    }

    /** Checks every task's passport against {@code keys}; the first unsigned, altered or untrusted one is refused. */
    static void check(List<Task> tasks, TrustedKeys keys) {
        for (Task t : tasks) checkTask(t, keys);
    }

    static void checkTask(Task t, TrustedKeys keys) {
        Path sig = signatureOf(t.directory());
        String source = "task " + t.id() + " (" + t.directory() + ")";
        if (!Files.exists(sig)) {
            throw new PassportException(source + ": its passport is not signed: no " + sig + ", and signed passports are required;"
                    + " sign it with `ale passport sign --key KEY " + t.directory() + "`");
        }
        PassportSignature.read(sig).check(t.passport(), source, sig, keys);
    }

    static Path signatureOf(Path taskDirectory) {
        return taskDirectory.resolve(TASK_SIGNATURE);
    }
}
