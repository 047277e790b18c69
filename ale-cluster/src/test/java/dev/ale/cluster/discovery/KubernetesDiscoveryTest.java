package dev.ale.cluster.discovery;

import dev.ale.cluster.fleet.Fleet;
import dev.ale.cluster.fleet.Member;
import dev.ale.cluster.fleet.NodeDown;
import dev.ale.core.AleException;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Discovery against a Kubernetes API that speaks the real protocol over a real socket (fabric8's
 * mock server in CRUD mode): node pods appear, become ready, and go away, and the front's list
 * follows through the watch.
 */
class KubernetesDiscoveryTest {

    private static final String NS = "ale";
    private static final String SELECTOR = "app.kubernetes.io/name=ale-node";

    private KubernetesMockServer server;
    private KubernetesClient client;
    private final AtomicReference<List<Member>> seen = new AtomicReference<>(List.of());

    @BeforeEach
    void startApi() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        server.init();
        client = server.createClient();
    }

    @AfterEach
    void stopApi() {
        client.close();
        server.destroy();
    }

    @Test
    void podsAppearBecomeReadyAndGoAwayThroughTheWatchEachAtTheSchemeTheFrontSpeaks() {
        try (KubernetesDiscovery discovery = KubernetesDiscovery.with(client, NS, SELECTOR, 8080, "https")) {
            discovery.start(seen::set);
            // a pod of the DaemonSet, scheduled but without an IP yet: nothing to call
            client.pods().inNamespace(NS).resource(pod("ale-node-a", "ale-node")).create();
            client.pods().inNamespace(NS).resource(pod("other-app", "something-else")).create();
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(10)).until(() -> seen.get().isEmpty());

            setStatus("ale-node-a", "192.0.2.10", "False");
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.get().size() == 1);
            Member a = seen.get().getFirst();
            assertThat(a.url()).isEqualTo(URI.create("https://192.0.2.10:8080"));
            assertThat(a.name()).contains("ale-node-a");
            assertThat(a.ready()).isFalse();

            setStatus("ale-node-a", "192.0.2.10", "True");
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.get().size() == 1 && seen.get().getFirst().ready());

            client.pods().inNamespace(NS).resource(pod("ale-node-b", "ale-node")).create();
            setStatus("ale-node-b", "192.0.2.11", "True");
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.get().size() == 2);
            assertThat(seen.get()).extracting(m -> m.name().orElseThrow()).containsExactly("ale-node-a", "ale-node-b");

            client.pods().inNamespace(NS).withName("ale-node-a").delete();
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.get().size() == 1);
            assertThat(seen.get().getFirst().name()).contains("ale-node-b");
        }
    }

    @Test
    void aPodDeletedWhileACallRunsFailsTheCallAndLeavesTheFleet() throws Exception {
        Fleet fleet = new Fleet();
        try (KubernetesDiscovery discovery = KubernetesDiscovery.with(client, NS, SELECTOR, 8080, "http")) {
            discovery.start(fleet::update);
            client.pods().inNamespace(NS).resource(pod("ale-node-a", "ale-node")).create();
            setStatus("ale-node-a", "192.0.2.10", "True");
            await().atMost(Duration.ofSeconds(10)).until(() -> fleet.byName("ale-node-a").isPresent());
            CompletableFuture<String> call = fleet.byName("ale-node-a").orElseThrow().track(new CompletableFuture<>());

            client.pods().inNamespace(NS).withName("ale-node-a").delete();
            await().atMost(Duration.ofSeconds(10)).until(call::isDone);
            assertThatThrownBy(call::get).isInstanceOf(ExecutionException.class).cause().isInstanceOf(NodeDown.class)
                    .hasMessageContaining("ale-node-a is gone from the fleet");
            assertThat(fleet.byName("ale-node-a")).isEmpty();
            assertThat(fleet.seen("ale-node-a")).isTrue();
        }
    }

    @Test
    void aSelectorThatIsNotKeyEqualsValueIsRefusedNamingIt() {
        assertThatThrownBy(() -> KubernetesDiscovery.with(client, NS, "app!=x", 8080, "http")).isInstanceOf(AleException.class)
                .hasMessageContaining("'app!=x' must be KEY=VALUE");
        assertThatThrownBy(() -> KubernetesDiscovery.with(client, NS, SELECTOR, 0, "http")).isInstanceOf(AleException.class)
                .hasMessageContaining("--node-port");
    }

    private static Pod pod(String name, String app) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(NS).addToLabels("app.kubernetes.io/name", app).endMetadata()
                .withNewSpec().addNewContainer().withName("ale").withImage("ale:test").endContainer().endSpec().build();
    }

    private void setStatus(String name, String ip, String ready) {
        Pod p = client.pods().inNamespace(NS).withName(name).get();
        Pod changed = new PodBuilder(p).withNewStatus().withPodIP(ip).withPhase("Running")
                .addNewCondition().withType("Ready").withStatus(ready).endCondition().endStatus().build();
        client.pods().inNamespace(NS).resource(changed).updateStatus();
    }

}
