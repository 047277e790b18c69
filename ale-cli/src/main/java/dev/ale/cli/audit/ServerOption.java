package dev.ale.cli.audit;

import dev.ale.cli.common.ServerClient;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --server URL}: ask a running ale serve (a node, or a cluster's front for every node's log) instead of reading a file. */
final class ServerOption {

    /** The exit status when a node of the fleet could not be asked: an environment failure, as the CLI's others. */
    static final int UNREACHABLE = 3;

    @Option(names = "--server", paramLabel = "URL",
            description = "Ask this ale serve over HTTP instead of reading a local file; a cluster's front answers for every node.")
    Optional<String> url = Optional.empty();

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "With --server: a file holding an admin token (default: $ALE_TOKEN, else the one ale serve wrote in the data directory).")
    Optional<Path> tokenFile = Optional.empty();

    ServerClient.Reply get(AuditFile files, String pathAndQuery) {
        ServerClient.Reply r = ServerClient.call(url.orElseThrow(), ServerClient.token(tokenFile, files.dataDir()), "GET", pathAndQuery);
        if (r.status() / 100 != 2) throw ServerClient.failure(r);
        return r;
    }
}
