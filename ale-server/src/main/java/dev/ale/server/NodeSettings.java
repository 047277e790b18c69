package dev.ale.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a server is as one node of a cluster (docs/cluster.md): the name its ids are routed by,
 * how many sandboxes and environments it holds at most, and the secret the cluster's front
 * presents on every call. A server outside a cluster has no slot limit and no secret.
 *
 * @param slots         sandboxes and GEM environments held at once; one more create answers 429 {@code node_full}
 * @param clusterSecret when present, every call but {@code /healthz} and a sandbox's model-proxy call must carry it
 *                      in {@value #SECRET_HEADER}, so only the front reaches the node
 * @param tls           when present, the node API is served over TLS 1.3 only to a client whose certificate the
 *                      cluster CA signed for {@code clientAuth} (the front); a sandbox's model-proxy calls then come
 *                      in on a plain connector of its own on loopback, which serves nothing else
 */
public record NodeSettings(String name, OptionalInt slots, Optional<String> clusterSecret, Optional<ClusterTls> tls) {

    public static final String SECRET_HEADER = "X-Ale-Cluster-Secret";
    /** A node name goes into every id the front hands out ({@code NAME.ID}), so it has no dot. */
    public static final String NAME_PATTERN = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?";
    private static final int MIN_SECRET = 16;

    public NodeSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(slots, "slots");
        Objects.requireNonNull(clusterSecret, "clusterSecret");
        Objects.requireNonNull(tls, "tls");
        if (!name.matches(NAME_PATTERN)) {
            throw new IllegalArgumentException("node name '" + name + "' must be 1-63 of a-z 0-9 - (a Kubernetes pod name without dots)");
        }
        if (slots.isPresent() && slots.getAsInt() < 1) throw new IllegalArgumentException("slots must be at least 1: " + slots.getAsInt());
        if (clusterSecret.isPresent() && clusterSecret.get().strip().length() < MIN_SECRET) {
            throw new IllegalArgumentException("the cluster secret must be at least " + MIN_SECRET + " characters");
        }
        clusterSecret = clusterSecret.map(String::strip);
    }

    /** A node without TLS: its API in plain HTTP (a cluster that chose {@code --plain-http}, or a server on its own). */
    public NodeSettings(String name, OptionalInt slots, Optional<String> clusterSecret) {
        this(name, slots, clusterSecret, Optional.empty());
    }

    /** The same node, serving its API over mutual TLS. */
    public NodeSettings withTls(ClusterTls settings) {
        return new NodeSettings(name, slots, clusterSecret, Optional.of(settings));
    }

    /** A server on its own: named for its host, no slot limit, no secret. */
    public static NodeSettings standalone() {
        return new NodeSettings(hostName(), OptionalInt.empty(), Optional.empty());
    }

    /** This host's name made into a node name (lower case, dots and other characters as dashes). */
    public static String hostName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "node";
        }
        String name = host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("^-+|-+$", "");
        if (name.length() > 63) name = name.substring(0, 63).replaceAll("-+$", "");
        return name.isEmpty() ? "node" : name;
    }
}
