package dev.ale.cli;

import dev.ale.cli.common.Json;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxInfo;
import dev.ale.core.sandbox.SandboxRequest;
import dev.ale.sandbox.local.LocalSandboxBackend;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ale sandbox create}: a detached sandbox that outlives this process; prints its id. */
@Command(name = "create", description = {"Create a detached sandbox and print its id.",
                "It lives until 'ale sandbox rm' or the end of its wall time."})
final class SandboxCreateCommand implements Callable<Integer> {

    private final Cli cli;

    @Option(names = "--passport", paramLabel = "FILE", description = "Passport to run under (default: the built-in one).")
    private Optional<Path> passport;

    @Option(names = "--json", description = "Print the new sandbox as a JSON object.")
    private boolean json;

    SandboxCreateCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        SandboxRequest detached = new SandboxRequest(Cli.passport(passport), Map.of(), true);
        try (LocalSandboxBackend backend = cli.openBackend()) {
            Sandbox sandbox = backend.create(detached);
            SandboxInfo info = sandbox.info();
            if (json) {
                Json.print(cli.out(), Json.sandbox(info));
            } else {
                cli.out().println(info.id());
                if (cli.terminal()) {
                    cli.err().println("Detached sandbox " + info.id() + " (passport " + info.passportId() + "), expires "
                            + Tables.time(info.expiresAt()) + ".");
                    cli.err().println("Use it: ale sandbox exec " + info.id() + " -- CMD, ale sandbox shell " + info.id()
                            + "; remove it: ale sandbox rm " + info.id());
                }
            }
        }
        return Failures.OK;
    }
}
