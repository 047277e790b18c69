package dev.ale.cli;

import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.sandbox.local.LocalSandboxBackend;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ale sandbox exec}: one command in a detached sandbox made by {@code ale sandbox create}. */
@Command(name = "exec",
        customSynopsis = "ale sandbox exec ID [--timeout=SECONDS] [--json] -- COMMAND [ARG...]",
        description = "Run one command in a detached sandbox.",
        footer = {"", "Example: ale sandbox exec sb-1a2b3c4d -- ls -la /workspace"})
final class SandboxExecCommand implements Callable<Integer> {

    private final Cli cli;

    @Option(names = "--timeout", paramLabel = "SECONDS", converter = Seconds.class,
            description = "Kill the command after this many seconds (decimals allowed).")
    private Optional<Duration> timeout;

    @Option(names = "--json", description = "Print one JSON object with the result instead of live output.")
    private boolean json;

    @Parameters(index = "0", paramLabel = "ID", description = "The sandbox, as listed by: ale sandbox ls")
    private String id;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "COMMAND", description = "The command and its arguments, after --.")
    private List<String> command;

    SandboxExecCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        ExecOutput output = new ExecOutput(cli, json);
        try (LocalSandboxBackend backend = cli.openBackend()) {
            Sandbox sandbox = DetachedSandboxes.find(backend, id);
            ExecResult result = sandbox.exec(output.request(command, timeout));
            output.finish(sandbox.id(), result);
        }
        return Failures.OK;
    }
}
