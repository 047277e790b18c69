package dev.ale.cli;

import dev.ale.cli.common.Version;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The top of the command tree: global options, version, and help when no command is given. */
@Command(name = "ale",
        // INHERIT gives every subcommand -h/--help, -V/--version and this footer.
        scope = ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        usageHelpAutoWidth = true,
        description = {
                "ALE runs tool-using AI agents in sandboxes that keep them in.",
                "Start with: ale demo"},
        footer = {"", "Exit status: 0 ok, 2 bad usage or input, 3 environment or runtime failure.",
                "Set ALE_DEBUG=1 to see stack traces."})
final class AleCommand implements Runnable {

    private final Cli cli;

    @Spec
    private CommandSpec spec;

    AleCommand(Cli cli) {
        this.cli = cli;
    }

    @Option(names = "--data-dir", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "Where sandboxes keep their state (default: $ALE_HOME, else /var/lib/ale).")
    void dataDir(Path dir) {
        cli.dataDir(dir);
    }

    @Override
    public void run() {
        spec.commandLine().usage(cli.out());
    }
}
