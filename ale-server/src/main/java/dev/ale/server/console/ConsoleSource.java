package dev.ale.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ale.containment.GuardedBackend;
import dev.ale.containment.GuardedSandbox;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * What the console reads of the server that hosts it. Every lookup is scoped: an admin reaches
 * every sandbox, an env token only those it made; another's sandbox is absent, as an unknown id is.
 */
public interface ConsoleSource {

    /** The holder of {@code token}, if it is one of the server's tokens (a sandbox's model-proxy token is not). */
    Optional<Principal> signIn(String token);

    /** Every sandbox and GEM environment {@code who} reaches, oldest first. */
    List<FleetRow> fleet(Principal who);

    /** The sandbox {@code id} with its fleet line, if {@code who} reaches it. */
    Optional<Served> sandbox(Principal who, String id);

    /** The model-proxy calls a sandbox made ({@code GET .../model-calls}'s JSON), if it made any. */
    Optional<JsonNode> modelCalls(String sandboxId);

    /** GEM episodes by task, as far as this server saw them; an env token sees its own. */
    List<TaskTally> tasks(Principal who);

    /** The containment under the server: its audit log, its events and its gateway's records. */
    GuardedBackend containment();

    /** Where this server's own API answers (loopback), for the optional holds and passport-history routes. */
    URI api();

    /** A sandbox as the console shows it. */
    record Served(FleetRow row, GuardedSandbox guarded) {
    }
}
