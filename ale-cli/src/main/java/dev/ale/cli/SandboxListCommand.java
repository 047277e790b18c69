package dev.ale.cli;

import dev.ale.cli.common.Json;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.core.sandbox.SandboxInfo;
import dev.ale.sandbox.local.LocalSandboxBackend;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ale.cli.common.ServerClient;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ale sandbox ls}: every sandbox in the data directory, whichever process made it. */
@Command(name = "ls", description = "List sandboxes.")
final class SandboxListCommand implements Callable<Integer> {

    private final Cli cli;

    @Option(names = "--json", description = "Print {\"sandboxes\": [...]} as JSON.")
    private boolean json;

    @Option(names = "--server", paramLabel = "URL",
            description = "List what this ale serve holds instead of the data directory; a cluster's front lists the fleet, each row naming its node.")
    private Optional<String> server = Optional.empty();

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "With --server: a file holding the token (default: $ALE_TOKEN, else the admin token ale serve wrote in the data directory).")
    private Optional<Path> tokenFile = Optional.empty();

    SandboxListCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        if (server.isPresent()) return fromServer(server.get());
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

    /** {@code GET /v1/sandboxes} of a server; through a front, every node's, with the node each is on. */
    private int fromServer(String url) {
        ServerClient.Reply r = ServerClient.call(url, ServerClient.token(tokenFile, cli.dataDir()), "GET", "/v1/sandboxes");
        if (r.status() != 200) throw ServerClient.failure(r);
        JsonNode list = r.body().path("sandboxes");
        if (json) {
            Json.print(cli.out(), (ObjectNode) r.body());
        } else if (list.isEmpty()) {
            cli.out().println("No sandboxes at " + url + ".");
        } else {
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("ID", "NODE", "PASSPORT", "STATE", "OWNER", "CREATED", "EXPIRES"));
            for (JsonNode s : list) {
                rows.add(List.of(s.path("id").asText(), s.path("node").asText("-"), s.path("passport").asText(), s.path("state").asText(),
                        s.path("owner").asText(), Tables.time(Instant.parse(s.path("created_at").asText())),
                        Tables.time(Instant.parse(s.path("expires_at").asText()))));
            }
            Tables.print(cli.out(), rows);
        }
        JsonNode missed = r.body().path("unreachable_nodes");
        for (JsonNode n : missed) cli.out().println("node " + n.asText() + " could not be asked: its sandboxes are missing here");
        return missed.isEmpty() ? Failures.OK : Failures.ENVIRONMENT;
    }
}
