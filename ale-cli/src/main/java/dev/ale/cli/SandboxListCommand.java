package dev.ale.cli;

import dev.ale.cli.common.Json;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.core.sandbox.SandboxInfo;
import dev.ale.sandbox.local.LocalSandboxBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ale sandbox ls}: every sandbox in the data directory, whichever process made it. */
@Command(name = "ls", description = "List sandboxes.")
final class SandboxListCommand implements Callable<Integer> {

    private final Cli cli;

    @Option(names = "--json", description = "Print {\"sandboxes\": [...]} as JSON.")
    private boolean json;

    SandboxListCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        List<SandboxInfo> sandboxes;
        try (LocalSandboxBackend backend = cli.openBackend()) {
            sandboxes = backend.list();
        }
        if (json) {
            ObjectNode root = Json.object();
            ArrayNode list = root.putArray("sandboxes");
            sandboxes.forEach(s -> list.add(Json.sandbox(s)));
            Json.print(cli.out(), root);
        } else if (sandboxes.isEmpty()) {
            cli.out().println("No sandboxes. Make one with: ale sandbox create");
        } else {
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("ID", "PASSPORT", "STATE", "CREATED", "EXPIRES", "DETACHED"));
            for (SandboxInfo s : sandboxes) {
                String state = s.state().name().toLowerCase(Locale.ROOT) + s.killReason().map(r -> " (" + r + ")").orElse("");
                rows.add(List.of(s.id(), s.passportId(), state, Tables.time(s.createdAt()), Tables.time(s.expiresAt()),
                        s.detached() ? "yes" : "no"));
            }
            Tables.print(cli.out(), rows);
        }
        return Failures.OK;
    }
}
