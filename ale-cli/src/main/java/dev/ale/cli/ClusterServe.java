package dev.ale.cli;

import dev.ale.cluster.ClusterFront;
import dev.ale.cluster.discovery.Discovery;
import dev.ale.cluster.discovery.KubernetesDiscovery;
import dev.ale.cluster.discovery.StaticDiscovery;
import dev.ale.cluster.fleet.Member;
import dev.ale.core.AleException;
import dev.ale.server.ClusterTls;
import dev.ale.server.Tokens;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/** {@code ale serve --cluster}: the front until SIGTERM or Ctrl-C; the nodes' sandboxes live on without it. */
final class ClusterServe {

    private final Cli cli;

    ClusterServe(Cli cli) {
        this.cli = cli;
    }

    int run(String host, int port, Optional<Path> tokens, Optional<Path> secretFile, Optional<String> nodes, Optional<String> namespace,
            String selector, int nodePort, Optional<ClusterTls> tls) throws InterruptedException {
        if (tokens.isEmpty()) throw new AleException(AleException.Fault.INPUT, "--cluster: needs --tokens (the same file every node reads)");
        if (secretFile.isEmpty()) throw new AleException(AleException.Fault.INPUT, "--cluster: needs --cluster-secret-file (the nodes' secret)");
        if (nodes.isPresent() == namespace.isPresent()) {
            throw new AleException(AleException.Fault.INPUT, "--cluster: give exactly one of --nodes URL,URL and --kubernetes-namespace NS");
        }
        Tokens accepted = Tokens.load(tokens.get());
        String secret = secret(secretFile.get());
        String scheme = tls.isPresent() ? "https" : "http";
        Discovery discovery;
        if (nodes.isPresent()) {
            StaticDiscovery list = StaticDiscovery.parse(nodes.get());
            for (Member m : list.members()) {
                if (!m.url().getScheme().equals(scheme)) {
                    throw new AleException(AleException.Fault.INPUT, "--nodes: " + m.url() + " must be " + scheme + "://"
                            + (tls.isPresent() ? " (the nodes speak TLS under --tls-dir)" : " (--plain-http speaks plain HTTP)"));
                }
            }
            discovery = list;
        } else {
            discovery = KubernetesDiscovery.inCluster(namespace.get(), selector, nodePort, scheme);
        }
        ClusterFront front;
        try {
            front = ClusterFront.start(new ClusterFront.Config(host, port, accepted, secret, discovery, Duration.ofSeconds(1), tls));
        } catch (RuntimeException e) {
            discovery.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                front.close();
            } finally {
                stopped.countDown();
            }
        }, "ale-front-shutdown"));
        cli.out().println("ale: cluster front on http://" + host + ":" + front.port() + " over " + discovery.describe()
                + (tls.isPresent() ? ", mutual TLS to the nodes" : ", plain HTTP to the nodes"));
        cli.out().flush();
        stopped.await();
        return Failures.OK;
    }

    /** The cluster secret: the file's content, trimmed; at least 16 characters. */
    static String secret(Path file) {
        String s;
        try {
            s = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new AleException(AleException.Fault.INPUT, "--cluster-secret-file " + file + ": cannot read it: " + e.getMessage(), e);
        }
        if (s.length() < 16) throw new AleException(AleException.Fault.INPUT, "--cluster-secret-file " + file + ": the secret must be at least 16 characters");
        return s;
    }
}
