package dev.ale.cli;

import dev.ale.core.passport.Passport;
import dev.ale.core.passport.PassportLoader;
import dev.ale.core.passport.PassportWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ale passport check}: validates a passport and prints it as ALE will apply it. */
@Command(name = "check", description = "Check a passport and print it with every default written out.")
final class PassportCheckCommand implements Callable<Integer> {

    private final Cli cli;

    @Parameters(paramLabel = "FILE", description = "The passport (YAML).")
    private Path file;

    PassportCheckCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        Passport passport = PassportLoader.load(file);
        // A control character in the name (a newline) would end the comment and break the YAML below it.
        String name = file.toString().replaceAll("\\p{Cntrl}", "?");
        cli.out().println("# " + name + ": valid. The effective passport, every default written out:");
        cli.out().println("# fingerprint: " + passport.fingerprint());
        cli.out().print(PassportWriter.toYaml(passport));
        return Failures.OK;
    }
}
