package dev.ale.cli;

import dev.ale.core.AleException;
import dev.ale.core.AleException.Fault;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ale sandbox run}: one command in a fresh sandbox, in the {@code agent} phase, behind
 * the gateway and under the monitor; the sandbox is destroyed when the command ends.
 */
@Command(name = "run",
        customSynopsis = {"ale sandbox run [--passport=FILE] [--timeout=SECONDS] [--resolve=NAME=ADDRESS]... [--stdin] [--json] [--no-daemon]",
                "                       -- COMMAND [ARG...]"},
        description = {"Run one command in a fresh sandbox, then destroy the sandbox.",
                "Its network goes through ALE's gateway (the passport's egress allowlist for the agent phase);",
                "the monitor judges what it does, and acts as the passport says. Events go to the audit log.",
                "When a resident ALE answers (ale daemon start), this is a thin client of it: the daemon runs the command",
                "from its warm pool, guarded the same way, and streams its output back."},
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

    @Option(names = "--no-daemon", description = {"Run in this process even when a resident ALE (ale daemon) answers; also ALE_DAEMON=off.",
            "Runs with --resolve always do: the resident ALE's gateway resolves for every run alike."})
    private boolean noDaemon;

    @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "The command and its arguments.")
    private List<String> command;

    SandboxRunCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        Optional<Cli.Resident> resident = cli.resident();
        if (resident.isEmpty()) {
            try (GuardedBackend containment = cli.openGuardedBackend(Pins.resolver(pins))) {
                run(containment, guarded -> { }, status -> { });
            }
            return Failures.OK;
        }
        // the thin client keeps such runs in-process; a hand-made request that carries one is refused, not run unpinned
        if (!pins.isEmpty()) throw new AleException(Fault.INPUT, "--resolve is not carried to a resident ALE; run with --no-daemon");
        run(resident.get().containment(), resident.get()::running, resident.get()::ended);
        return Failures.OK;
    }

    /** The command in a fresh sandbox of {@code containment}; {@code ended} hears of the end before the sandbox is destroyed. */
    private void run(GuardedBackend containment, Consumer<GuardedSandbox> running, IntConsumer ended) {
        ExecOutput output = new ExecOutput(cli, json);
        SandboxRequest request = SandboxRequest.of(cli.passportOf(passport));
        // Closes on every way out; on Ctrl-C or SIGTERM the backend's shutdown hook destroys the sandbox.
        try (GuardedSandbox guarded = containment.create(request)) {
            running.accept(guarded);
            // live on stderr while the command runs; what comes after its summary is in the audit log. A resident
            // ALE's backend has other clients' sandboxes: only this one's events are shown here.
            AtomicBoolean finished = new AtomicBoolean();
            Consumer<SafetyEvent> shown = event -> {
                if (!finished.get() && event.sandbox().equals(guarded.id())) cli.err().println(describe(event));
            };
            if (!json) containment.listen(shown);
            try {
                ExecRequest exec = output.request(command, timeout);
                if (stdin) exec = exec.withStdin(readStdin());
                ExecResult result = guarded.exec(exec.withWorkload(Workload.CPU_HEAVY)); // the user's own command is the declared workload
                output.finish(guarded.id(), result);
                finished.set(true);
                ended.accept(Failures.OK);
            } finally {
                containment.unlisten(shown);
            }
        }
    }

    private byte[] readStdin() {
        try {
            byte[] bytes = cli.in().readNBytes(MAX_STDIN + 1);
            if (bytes.length > MAX_STDIN) {
                throw new AleException(Fault.INPUT, "--stdin: standard input is over 16 MiB; put it in a file instead");
            }
            return bytes;
        } catch (java.io.IOException e) {
            throw new AleException(Fault.ENVIRONMENT, "--stdin: cannot read standard input: " + e.getMessage(), e);
        }
    }

    static String describe(SafetyEvent e) {
        return "ale: [" + e.action().name().toLowerCase(Locale.ROOT) + "] " + e.category().wire() + " " + e.rule() + ": " + e.detail();
    }
}
