package dev.ale.cli;

import dev.ale.server.ClusterCerts;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ale cluster certs DIR}: a cluster CA and the front's and nodes' keys for mutual TLS, made with the JDK's keytool. */
@Command(name = "certs",
        description = {"Make a cluster CA and key pairs for mutual TLS between the front and its nodes (PKCS12, with the JDK's keytool).",
                "DIR gets ca.p12 (keep it off the cluster), ca.crt, node.p12 (every node), front.p12 (the front) and password.",
                "Then: ale serve --cluster-secret-file F --tls-dir DIR (node), ale serve --cluster --tls-dir DIR ... (front)."},
        footer = {"", "Example: ale cluster certs ./ale-tls && kubectl -n ale create secret generic ale-tls"
                + " --from-file=ale-tls/node.p12 --from-file=ale-tls/front.p12 --from-file=ale-tls/password"})
final class ClusterCertsCommand implements Callable<Integer> {

    private final Cli cli;

    @Parameters(index = "0", paramLabel = "DIR", description = "Where to write them (made if missing; refused if it holds a CA already).")
    private Path dir;

    @Option(names = "--days", paramLabel = "N", defaultValue = "825", description = "How long the certificates are valid (default: ${DEFAULT-VALUE} days).")
    private int days;

    ClusterCertsCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        ClusterCerts.Made made = ClusterCerts.make(dir, days);
        cli.out().println("ale: cluster CA " + made.ca() + " (keep it off the cluster: it issues certificates)");
        cli.out().println("ale: node key " + made.node() + " (DNS name ale-node, serverAuth), front key " + made.front() + " (clientAuth)");
        cli.out().println("ale: their password is in " + made.password() + "; a node or front reads DIR with --tls-dir DIR");
        cli.out().flush();
        return Failures.OK;
    }
}
