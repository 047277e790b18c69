package dev.ale.cluster;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/kubernetes renders with {@code kubectl kustomize} (Debian's kubernetes-client), every
 * object loads as its own fabric8 type (a misspelt kind or field would not), and the objects
 * agree with each other and with ALE: the front finds the pods the DaemonSet makes, reads only
 * pods, and the nodes are reachable from the front alone.
 */
class KubernetesManifestsTest {

    private static final Path DEPLOY = Path.of("..", "deploy", "kubernetes").toAbsolutePath().normalize();
    private static final String NODE_LABEL = "app.kubernetes.io/name";

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/production", "overlays/runtimeclass"})
    void everyOverlayRendersAndItsObjectsAgree(String overlay) throws Exception {
        List<HasMetadata> objects = render(overlay);
        assertThat(objects).noneMatch(o -> o instanceof GenericKubernetesResource);
        assertThat(objects).filteredOn(o -> !(o instanceof Namespace) && !(o instanceof RuntimeClass))
                .allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).as(o.getKind() + " " + o.getMetadata().getName()).isEqualTo("ale"));

        DaemonSet nodes = one(objects, DaemonSet.class);
        Map<String, String> podLabels = nodes.getSpec().getTemplate().getMetadata().getLabels();
        var node = nodes.getSpec().getTemplate().getSpec().getContainers().getFirst();
        assertThat(node.getSecurityContext().getPrivileged()).isTrue();
        assertThat(nodes.getSpec().getTemplate().getSpec().getHostNetwork()).as("sandboxes leave through the pod's own network").isNotEqualTo(Boolean.TRUE);
        assertThat(node.getArgs()).contains("serve", "--node-name=$(POD_NAME)", "--cluster-secret-file=/etc/ale/cluster-secret")
                .noneMatch(a -> a.equals("--cluster"));
        assertThat(node.getArgs()).anyMatch(a -> a.startsWith("--slots="));
        assertThat(nodes.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()).isFalse();

        Deployment fronts = one(objects, Deployment.class);
        var front = fronts.getSpec().getTemplate().getSpec().getContainers().getFirst();
        String selector = front.getArgs().stream().filter(a -> a.startsWith("--node-selector=")).findFirst().orElseThrow().substring(16);
        String[] kv = selector.split("=", 2);
        assertThat(podLabels).as("the front's selector finds the DaemonSet's pods").containsEntry(kv[0], kv[1]);
        assertThat(front.getArgs()).contains("--cluster", "--kubernetes-namespace=$(POD_NAMESPACE)", "--node-port=8080");
        assertThat(node.getArgs()).contains("--port=8080");
        assertThat(front.getSecurityContext().getPrivileged()).isNotEqualTo(Boolean.TRUE);

        // mutual TLS between them: each mounts its own key from the Secret ale-tls, never the other's or the CA's
        assertThat(node.getArgs()).contains("--tls-dir=/etc/ale/tls").doesNotContain("--plain-http");
        assertThat(front.getArgs()).contains("--tls-dir=/etc/ale/tls").doesNotContain("--plain-http");
        assertThat(tlsItems(nodes.getSpec().getTemplate().getSpec())).containsExactlyInAnyOrder("node.p12", "password");
        assertThat(tlsItems(fronts.getSpec().getTemplate().getSpec())).containsExactlyInAnyOrder("front.p12", "password");
        assertThat(node.getVolumeMounts()).anyMatch(m -> m.getMountPath().equals("/etc/ale/tls"));
        assertThat(front.getVolumeMounts()).anyMatch(m -> m.getMountPath().equals("/etc/ale/tls"));
        // the kubelet has no client certificate: an HTTP probe of the node's TLS port could never pass
        assertThat(node.getReadinessProbe().getHttpGet()).isNull();
        assertThat(node.getLivenessProbe().getHttpGet()).isNull();
        assertThat(fronts.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry("prometheus.io/scrape", "true");

        // least rights: the front's service account reads pods of its namespace, nothing else
        Role role = one(objects, Role.class);
        assertThat(role.getRules()).hasSize(1);
        PolicyRule rule = role.getRules().getFirst();
        assertThat(rule.getResources()).containsExactly("pods");
        assertThat(rule.getVerbs()).containsExactlyInAnyOrder("get", "list", "watch");
        RoleBinding binding = one(objects, RoleBinding.class);
        assertThat(binding.getSubjects()).singleElement().extracting(s -> s.getName()).isEqualTo(fronts.getSpec().getTemplate().getSpec().getServiceAccountName());
        assertThat(objects).filteredOn(o -> o instanceof ServiceAccount).hasSize(2);

        Service service = one(objects, Service.class);
        assertThat(fronts.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(service.getSpec().getSelector());

        NetworkPolicy nodePolicy = objects.stream().filter(o -> o instanceof NetworkPolicy p && p.getMetadata().getName().equals("ale-node"))
                .map(NetworkPolicy.class::cast).findFirst().orElseThrow();
        assertThat(podLabels).containsAllEntriesOf(nodePolicy.getSpec().getPodSelector().getMatchLabels());
        assertThat(nodePolicy.getSpec().getPolicyTypes()).contains("Ingress", "Egress");
        assertThat(nodePolicy.getSpec().getIngress()).singleElement().satisfies(in -> assertThat(in.getFrom()).singleElement()
                .satisfies(from -> assertThat(fronts.getSpec().getTemplate().getMetadata().getLabels())
                        .containsAllEntriesOf(from.getPodSelector().getMatchLabels())));

        assertThat(objects).filteredOn(o -> o instanceof PodDisruptionBudget).extracting(o -> o.getMetadata().getName())
                .containsExactlyInAnyOrder("ale-node", "ale-front");
        if (overlay.endsWith("runtimeclass")) {
            RuntimeClass rc = one(objects, RuntimeClass.class);
            assertThat(nodes.getSpec().getTemplate().getSpec().getRuntimeClassName()).isEqualTo(rc.getMetadata().getName());
        }
    }

    private static List<String> tlsItems(PodSpec pod) {
        return pod.getVolumes().stream().filter(v -> v.getSecret() != null && "ale-tls".equals(v.getSecret().getSecretName()))
                .findFirst().orElseThrow().getSecret().getItems().stream().map(i -> i.getKey()).toList();
    }

    private static List<HasMetadata> render(String overlay) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kubectl", "kustomize", DEPLOY.resolve(overlay).toString()).redirectErrorStream(false).start();
        String yaml = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("kubectl kustomize " + overlay + ": " + err).isZero();
        Object loaded = new KubernetesSerialization().unmarshal(yaml);
        @SuppressWarnings("unchecked")
        List<HasMetadata> objects = loaded instanceof List<?> l ? (List<HasMetadata>) l : List.of((HasMetadata) loaded);
        return objects;
    }

    private static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type) {
        List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(found).as(type.getSimpleName()).hasSize(1);
        return found.getFirst();
    }
}
