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
        cli.out().println("# " + file + ": valid. The effective passport:");
        cli.out().print(PassportWriter.toYaml(passport));
        return Failures.OK;
    }
}
