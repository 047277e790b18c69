package dev.ale.cli;

import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.OutputListener;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.ShellSession;
import dev.ale.sandbox.local.LocalSandboxBackend;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code ale sandbox shell}: reads command lines from stdin and runs each in one shell session,
 * so {@code cd} and {@code export} hold from one line to the next.
 */
@Command(name = "shell", description = {"Run lines from stdin in one shell session in a detached sandbox.",
                "cd and export in one line hold for the next."})
final class SandboxShellCommand implements Callable<Integer> {

    private final Cli cli;

    @Parameters(paramLabel = "ID", description = "The sandbox, as listed by: ale sandbox ls")
    private String id;

    SandboxShellCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        PrintStream out = cli.out();
        PrintStream err = cli.err();
        OutputListener live = (stream, bytes, length) -> {
            PrintStream target = stream == OutputListener.Stream.STDOUT ? out : err;
            target.write(bytes, 0, length);
            target.flush();
        };
        BufferedReader lines = new BufferedReader(new InputStreamReader(cli.in(), StandardCharsets.UTF_8));
        try (LocalSandboxBackend backend = cli.openBackend()) {
            Sandbox sandbox = DetachedSandboxes.find(backend, id);
            try (ShellSession session = sandbox.openSession()) {
                prompt();
                String line;
                while ((line = lines.readLine()) != null) {
                    if (!line.isBlank()) {
                        ExecResult result = session.run(line, Optional.empty(), live);
                        if (result.killed()) err.println("[" + id + "] killed (" + result.reason().orElse("unknown") + ")");
                        if (!session.isOpen()) return Failures.OK; // `exit`, or the sandbox was killed
                    }
                    prompt();
                }
                if (cli.terminal()) out.println(); // Ctrl-D leaves the cursor after the prompt
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read stdin", e);
        }
        return Failures.OK;
    }

    private void prompt() {
        if (cli.terminal()) {
            cli.out().print("agent@" + id + ":~$ ");
            cli.out().flush();
        }
    }
}
