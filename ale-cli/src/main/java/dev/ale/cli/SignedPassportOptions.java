package dev.ale.cli;

import dev.ale.core.AleException;
import dev.ale.core.passport.signing.TrustedKeys;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * {@code --require-signed-passports --trusted-keys DIR} on {@code ale serve}, {@code ale run} and
 * {@code ale train}; the checks themselves live in core's passport.signing package.
 */
final class SignedPassportOptions {

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
}
