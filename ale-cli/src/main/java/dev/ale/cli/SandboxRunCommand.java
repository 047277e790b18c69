package dev.ale.cli;

import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxRequest;
import dev.ale.sandbox.local.LocalSandboxBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ale sandbox run}: one command in a fresh sandbox that is destroyed when it ends. */
@Command(name = "run",
        customSynopsis = {"ale sandbox run [--passport=FILE] [--timeout=SECONDS] [--json]",
                "                       -- COMMAND [ARG...]"},
        description = "Run one command in a fresh sandbox, then destroy the sandbox.",
        footer = {"", "Example: ale sandbox run -- sh -c 'id; hostname; ls /'"})
final class SandboxRunCommand implements Callable<Integer> {

    private final Cli cli;

    @Option(names = "--passport", paramLabel = "FILE", description = "Passport to run under (default: the built-in one).")
    private Optional<Path> passport;

    @Option(names = "--timeout", paramLabel = "SECONDS", converter = Seconds.class,
            description = "Kill the command after this many seconds (decimals allowed).")
    private Optional<Duration> timeout;

    @Option(names = "--json", description = "Print one JSON object with the result instead of live output.")
    private boolean json;

    @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "The command and its arguments.")
    private List<String> command;

    SandboxRunCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        ExecOutput output = new ExecOutput(cli, json);
        SandboxRequest request = SandboxRequest.of(Cli.passport(passport));
        // Both close on every way out; on Ctrl-C or SIGTERM the backend's shutdown hook destroys the sandbox.
        try (LocalSandboxBackend backend = cli.openBackend();
             Sandbox sandbox = backend.create(request)) {
            ExecResult result = sandbox.exec(output.request(command, timeout));
            output.finish(sandbox.id(), result);
        }
        return Failures.OK;
    }
}
