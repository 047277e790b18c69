package dev.ale.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ale.cli.common.ServerClient;
import dev.ale.core.AleException;
import dev.ale.core.AleException.Fault;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ale hold ls|approve|deny}: the holds of a running {@code ale serve}, through its HTTP API
 * ({@code GET /holds}, {@code POST /holds/ID/approve|deny}) with a bearer token: {@code $ALE_TOKEN},
 * or the file {@code --token-file} (by default the admin token {@code ale serve} wrote).
 */
final class HoldCommands {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HoldCommands() {
    }

    @Command(name = "hold", description = "List, approve and deny the holds of a running ale serve (acts held for an operator).")
    static final class Group extends GroupCommand {
    }

    /** Where the server is and which token to show it. */
    static final class Server {

        @Option(names = "--server", paramLabel = "URL", defaultValue = "http://127.0.0.1:8080",
                description = "The ale serve to ask (default: ${DEFAULT-VALUE}).")
        String url;

        @Option(names = "--token-file", paramLabel = "FILE",
                description = "A file holding the bearer token (default: $ALE_TOKEN if set, else the admin token ale serve wrote in its data directory).")
        Optional<Path> tokenFile;

        private Cli cli;

        String token() {
            return ServerClient.token(tokenFile, cli.dataDir());
        }

        /** One call; answers the status and the JSON body. */
        Reply call(String method, String path) {
            ServerClient.Reply r = ServerClient.call(url, token(), method, path);
            return new Reply(r.status(), r.body());
        }

        /** The server's own error message, or a line for a status it did not explain. */
        static String message(Reply r) {
            return ServerClient.message(new ServerClient.Reply(r.status(), r.body()));
        }
    }

    record Reply(int status, JsonNode body) {
    }

    @Command(name = "ls", description = "List holds: pending first, then settled, with who decided and when.")
    static final class Ls implements Callable<Integer> {

        private final Cli cli;

        @Mixin
        private Server server = new Server();

        @Option(names = "--json", description = "Print the server's JSON list as it is.")
        private boolean json;

        Ls(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            server.cli = cli;
            Reply r = server.call("GET", "/holds");
            if (r.status() != 200) throw new AleException(r.status() == 401 ? Fault.INPUT : Fault.ENVIRONMENT, Server.message(r));
            if (json) {
                cli.out().println(r.body().toString());
                return Failures.OK;
            }
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("ID", "STATE", "KIND", "SANDBOX", "STEP", "RULE", "DEADLINE", "DECIDED BY", "DETAIL"));
            List<JsonNode> holds = new ArrayList<>();
            r.body().forEach(holds::add);
            holds.sort((a, b) -> Boolean.compare(!a.path("state").asText().equals("pending"), !b.path("state").asText().equals("pending")));
            for (JsonNode h : holds) {
                rows.add(List.of(h.path("id").asText(), h.path("state").asText(), h.path("kind").asText(), h.path("sandboxId").asText(),
                        h.has("step") ? h.path("step").asText() : "-", h.path("ruleId").asText(),
                        Tables.time(Instant.parse(h.path("deadline").asText())), h.path("decidedBy").asText("-"), h.path("detail").asText()));
            }
            Tables.print(cli.out(), rows);
            return Failures.OK;
        }
    }

    /** {@code approve} or {@code deny}: one decision, refused (exit 2) when the hold was settled before. */
    abstract static class Decide implements Callable<Integer> {

        private final Cli cli;
        private final String verb;

        @Mixin
        private Server server = new Server();

        @Parameters(paramLabel = "ID", description = "The hold, as listed by: ale hold ls")
        private String id;

        Decide(Cli cli, String verb) {
            this.cli = cli;
            this.verb = verb;
        }

        @Override
        public Integer call() {
            server.cli = cli;
            if (!id.matches("[A-Za-z0-9-]{1,64}")) throw new AleException(Fault.INPUT, "\"" + id + "\" is not a hold id (they look like hold-0123456789ab)");
            Reply r = server.call("POST", "/holds/" + id + "/" + verb);
            return switch (r.status()) {
                case 200 -> {
                    cli.out().println(id + " " + r.body().path("state").asText() + " by " + r.body().path("decidedBy").asText());
                    yield Failures.OK;
                }
                case 409, 404, 401 -> throw new AleException(Fault.INPUT, Server.message(r));
                default -> throw new AleException(Fault.ENVIRONMENT, Server.message(r));
            };
        }
    }

    @Command(name = "approve", description = "Approve a pending hold: the held command runs, a frozen sandbox thaws.")
    static final class Approve extends Decide {
        Approve(Cli cli) {
            super(cli, "approve");
        }
    }

    @Command(name = "deny", description = "Deny a pending hold: the held command is blocked, a frozen sandbox is killed.")
    static final class Deny extends Decide {
        Deny(Cli cli) {
            super(cli, "deny");
        }
    }
}
