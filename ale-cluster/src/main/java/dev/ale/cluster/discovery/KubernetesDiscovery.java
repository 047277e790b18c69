package dev.ale.cluster.discovery;

import dev.ale.cluster.fleet.Member;
import dev.ale.core.AleException;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The node pods of a namespace, found by label through the Kubernetes API and watched (an
 * informer: a list, then a watch that resumes where it broke off). A pod is a member once it
 * has an IP; it is ready when its Ready condition is true and it is not being deleted; it
 * leaves when it is deleted. Its name is the node's name, which every id it makes carries.
 * The front needs only get, list and watch on pods in its namespace.
 */
public final class KubernetesDiscovery implements Discovery {

    private static final System.Logger LOG = System.getLogger(KubernetesDiscovery.class.getName());

    private final KubernetesClient client;
    private final boolean ownsClient;
    private final String namespace;
    private final Map<String, String> labels;
    private final int port;
    private final String scheme;
    private SharedIndexInformer<Pod> informer;

    private KubernetesDiscovery(KubernetesClient client, boolean ownsClient, String namespace, Map<String, String> labels, int port, String scheme) {
        this.client = Objects.requireNonNull(client, "client");
        this.ownsClient = ownsClient;
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.labels = Map.copyOf(labels);
        this.port = port;
        this.scheme = scheme;
        if (!scheme.equals("http") && !scheme.equals("https")) throw new IllegalArgumentException("scheme must be http or https, not " + scheme);
        if (port < 1 || port > 65_535) throw new AleException(AleException.Fault.INPUT, "--node-port: must be 1-65535, not " + port);
        if (this.labels.isEmpty()) throw new AleException(AleException.Fault.INPUT, "--node-selector: name at least one label (KEY=VALUE)");
    }

    /**
     * Through the API server the pod's service account reaches (or ~/.kube/config outside a cluster);
     * each node is {@code scheme://POD_IP:port} ({@code https} under mutual TLS).
     */
    public static KubernetesDiscovery inCluster(String namespace, String selector, int port, String scheme) {
        return new KubernetesDiscovery(new KubernetesClientBuilder().build(), true, namespace, labels(selector), port, scheme);
    }

    /** Through a client the caller made and keeps (closing this leaves it open). */
    public static KubernetesDiscovery with(KubernetesClient client, String namespace, String selector, int port, String scheme) {
        return new KubernetesDiscovery(client, false, namespace, labels(selector), port, scheme);
    }

    /** {@code KEY=VALUE,KEY=VALUE}: an equality selector, as a DaemonSet's pod labels are matched. */
    static Map<String, String> labels(String selector) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String part : selector.split(",")) {
            String s = part.strip();
            if (s.isEmpty()) continue;
            int eq = s.indexOf('=');
            if (eq <= 0 || eq == s.length() - 1 || s.indexOf('=', eq + 1) >= 0 || s.contains("!")) {
                throw new AleException(AleException.Fault.INPUT, "--node-selector: '" + s + "' must be KEY=VALUE");
            }
            out.put(s.substring(0, eq).strip(), s.substring(eq + 1).strip());
        }
        return out;
    }

    @Override
    public synchronized void start(Consumer<List<Member>> members) {
        if (informer != null) throw new IllegalStateException("discovery already started");
        Runnable publish = () -> members.accept(members(informer.getStore().list()));
        informer = client.pods().inNamespace(namespace).withLabels(labels).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                publish.run();
            }

            @Override
            public void onUpdate(Pod before, Pod after) {
                publish.run();
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                publish.run();
            }
        });
        publish.run();
        LOG.log(System.Logger.Level.INFO, "watching " + describe());
    }

    List<Member> members(List<Pod> pods) {
        List<Member> out = new ArrayList<>();
        for (Pod p : pods.stream().sorted(Comparator.comparing(p -> p.getMetadata().getName())).toList()) {
            String ip = p.getStatus() == null ? null : p.getStatus().getPodIP();
            if (ip == null || ip.isBlank()) continue;
            String host = ip.contains(":") ? "[" + ip + "]" : ip;
            out.add(new Member(URI.create(scheme + "://" + host + ":" + port), Optional.of(p.getMetadata().getName()), ready(p)));
        }
        return List.copyOf(out);
    }

    private static boolean ready(Pod p) {
        if (p.getMetadata().getDeletionTimestamp() != null) return false;
        if (p.getStatus().getConditions() == null) return false;
        for (PodCondition c : p.getStatus().getConditions()) {
            if ("Ready".equals(c.getType())) return "True".equals(c.getStatus());
        }
        return false;
    }

    @Override
    public String describe() {
        StringBuilder s = new StringBuilder("pods in namespace " + namespace + " labelled ");
        labels.forEach((k, v) -> s.append(k).append('=').append(v).append(' '));
        return s.append("(port ").append(port).append(')').toString();
    }

    @Override
    public synchronized void close() {
        if (informer != null) informer.close();
        if (ownsClient) client.close();
    }
}
