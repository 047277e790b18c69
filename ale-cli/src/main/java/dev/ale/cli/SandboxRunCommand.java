package dev.ale.cli;

import dev.ale.core.event.SafetyEvent;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.SandboxRequest;
import dev.ale.containment.GuardedBackend;
import dev.ale.core.sandbox.ExecRequest.Workload;
import dev.ale.containment.GuardedSandbox;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ale sandbox run}: one command in a fresh sandbox, in the {@code agent} phase, behind
 * the gateway and under the monitor; the sandbox is destroyed when the command ends.
 */
@Command(name = "run",
        customSynopsis = {"ale sandbox run [--passport=FILE] [--timeout=SECONDS] [--resolve=NAME=ADDRESS]... [--stdin] [--json]",
                "                       -- COMMAND [ARG...]"},
        description = {"Run one command in a fresh sandbox, then destroy the sandbox.",
                "Its network goes through ALE's gateway (the passport's egress allowlist for the agent phase);",
                "the monitor judges what it does, and acts as the passport says. Events go to the audit log."},
        footer = {"", "Example: ale sandbox run -- sh -c 'id; hostname; ls /'"})
final class SandboxRunCommand implements Callable<Integer> {

    private static final int MAX_STDIN = 16 << 20;

    private final Cli cli;

    @Option(names = "--passport", paramLabel = "FILE", description = "Passport to run under (default: the built-in one).")
    private Optional<Path> passport;

    @Option(names = "--timeout", paramLabel = "SECONDS", converter = Seconds.class,
            description = "Kill the command after this many seconds (decimals allowed).")
    private Optional<Duration> timeout;

    @Option(names = "--resolve", paramLabel = "NAME=ADDRESS", converter = Pins.Converter.class,
            description = "Answer NAME with ADDRESS instead of the host's resolver (repeatable). The name must still be allowlisted.")
    private List<Pins.Pin> pins = List.of();

    @Option(names = "--stdin", description = "Read this command's standard input to its end and give it to the command (at most 16 MiB).")
    private boolean stdin;

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
        try (GuardedBackend containment = cli.openGuardedBackend(Pins.resolver(pins));
             GuardedSandbox guarded = containment.create(request)) {
            // live on stderr while the command runs; what comes after its summary is in the audit log
            java.util.concurrent.atomic.AtomicBoolean finished = new java.util.concurrent.atomic.AtomicBoolean();
            if (!json) containment.listen(event -> {
                if (!finished.get()) cli.err().println(describe(event));
            });
            ExecRequest exec = output.request(command, timeout);
            if (stdin) exec = exec.withStdin(readStdin());
            ExecResult result = guarded.exec((exec).withWorkload(Workload.CPU_HEAVY)); // the user's own command is the declared workload
            output.finish(guarded.id(), result);
        }
        return Failures.OK;
    }

    private byte[] readStdin() {
        try {
            byte[] bytes = cli.in().readNBytes(MAX_STDIN + 1);
            if (bytes.length > MAX_STDIN) {
                throw new dev.ale.core.AleException(dev.ale.core.AleException.Fault.INPUT, "--stdin: standard input is over 16 MiB; put it in a file instead");
            }
            return bytes;
        } catch (java.io.IOException e) {
            throw new dev.ale.core.AleException(dev.ale.core.AleException.Fault.ENVIRONMENT, "--stdin: cannot read standard input: " + e.getMessage(), e);
        }
    }

    static String describe(SafetyEvent e) {
        return "ale: [" + e.action().name().toLowerCase(Locale.ROOT) + "] " + e.category().wire() + " " + e.rule() + ": " + e.detail();
    }
}
