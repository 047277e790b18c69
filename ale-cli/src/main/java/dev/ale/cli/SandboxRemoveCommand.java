package dev.ale.cli;

import dev.ale.core.AleException;
import dev.ale.sandbox.local.LocalSandboxBackend;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ale sandbox rm}: destroys sandboxes by id; goes on past one that fails and reports each. */
@Command(name = "rm", description = "Destroy sandboxes and every trace of them on the host.")
final class SandboxRemoveCommand implements Callable<Integer> {

    private final Cli cli;

    @Parameters(arity = "1..*", paramLabel = "ID", description = "Sandboxes to remove, as listed by: ale sandbox ls")
    private List<String> ids;

    SandboxRemoveCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        int status = Failures.OK;
        try (LocalSandboxBackend backend = cli.openBackend()) {
            for (String id : ids) {
                try {
                    DetachedSandboxes.checkId(id);
                    backend.remove(id);
                    cli.out().println("removed " + id);
                } catch (AleException e) {
                    cli.err().println("ale: " + Failures.oneLine(e.getMessage()));
                    status = Math.max(status, Failures.exitCode(e));
                }
            }
        }
        return status;
    }
}
