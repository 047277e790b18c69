package dev.ale.gateway.net;

import dev.ale.core.host.HostTools;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The host-side plumbing alone, on namespaces this test makes (inside the test JVM's own
 * namespace: see scripts/java-in-netns). No packet is sent.
 */
@Tag("root")
class GatewayNetworkTest {

    private static final ListenerPorts PORTS = new ListenerPorts(40001, 40002, 40003);

    private GatewayNetwork network;
    private String netns;

    @BeforeEach
    void open() {
        assumeTrue(HostTools.isRoot(), "the gateway needs root");
        network = GatewayNetwork.open();
        netns = "ale-t-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        NetTools.run(List.of("ip", "netns", "add", netns));
    }

    @AfterEach
    void close() {
        if (network == null) return;
        try {
            NetTools.tryRun(List.of("ip", "netns", "del", netns));
            network.collectGarbage();
        } finally {
            network.close();
        }
    }

    @Test
    void linkGivesTheSandboxOneAddressAndADefaultRouteThroughTheHostEnd() {
        SandboxLink link = network.link(netns, PORTS);

        String inside = NetTools.run(List.of("ip", "-n", netns, "-o", "addr", "show", "dev", "eth0"));
        String route = NetTools.run(List.of("ip", "-n", netns, "route", "show", "default"));
        String ipv6 = NetTools.run(List.of("ip", "netns", "exec", netns, "sysctl", "-n", "net.ipv6.conf.eth0.disable_ipv6"));
        String host = NetTools.run(List.of("ip", "-o", "addr", "show", "dev", link.hostInterface()));
        String table = NetTools.run(List.of("nft", "list", "table", "inet", "ale"));
        System.out.println("attached ruleset:\n" + table);

        assertThat(inside).contains("inet " + link.sandboxAddress().getHostAddress() + "/31").doesNotContain("inet6");
        assertThat(route.strip()).isEqualTo("default via " + link.hostAddress().getHostAddress() + " dev eth0");
        assertThat(ipv6.strip()).isEqualTo("1");
        assertThat(host).contains("inet " + link.hostAddress().getHostAddress() + "/31").doesNotContain("inet6");
        assertThat(network.sandboxIdsInTable()).contains(link.id());
        assertThat(table).contains("dnat ip to 198.18.0.1:40003", "udp dport 53 dnat ip to 198.18.0.1:40002",
                "tcp dport 3128 dnat ip to 198.18.0.1:40001");
        assertThat(network.stateDir().resolve("links").resolve(link.id())).content().isEqualTo(netns);
        assertThat(network.drops(link)).isEqualTo(Drops.NONE);
    }

    @Test
    void unlinkLeavesNoLinkRuleOrSlot() {
        SandboxLink link = network.link(netns, PORTS);

        assertThat(network.unlink(link)).isEmpty();

        assertLeftNothing(link);
        assertThat(NetTools.run(List.of("ip", "-n", netns, "-o", "link"))).doesNotContain("eth0");
        assertThat(network.unlink(link)).as("a second unlink").isEmpty();
    }

    @Test
    void garbageCollectionRemovesWhatASandboxWhoseNamespaceIsGoneLeft() {
        SandboxLink link = network.link(netns, PORTS);
        NetTools.run(List.of("ip", "netns", "del", netns)); // as if its ALE process had crashed

        assertThat(network.collectGarbage()).isEmpty();

        assertLeftNothing(link);
    }

    @Test
    void twoLinksGetDistinctSlotsAndAddresses() {
        String other = netns + "b";
        NetTools.run(List.of("ip", "netns", "add", other));
        try {
            SandboxLink a = network.link(netns, PORTS);
            SandboxLink b = network.link(other, PORTS);

            assertThat(a.id()).isNotEqualTo(b.id());
            assertThat(a.sandboxAddress()).isNotEqualTo(b.sandboxAddress());
            assertThat(network.bySandboxAddress(b.sandboxAddress())).contains(b);
            assertThat(network.unlink(b)).isEmpty();
            assertLeftNothing(b);
            assertThat(network.sandboxIdsInTable()).contains(a.id());
        } finally {
            NetTools.tryRun(List.of("ip", "netns", "del", other));
        }
    }

    @Test
    void sixteenLinksMadeAndRemovedAtOnceEachGetTheirOwnRulesAndLeaveNothing() throws Exception {
        List<String> names = IntStream.range(0, 16).mapToObj(i -> netns + "-" + i).toList();
        names.forEach(n -> NetTools.run(List.of("ip", "netns", "add", n)));
        try {
            List<SandboxLink> links;
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<SandboxLink>> made = names.stream().map(n -> threads.submit(() -> network.link(n, PORTS))).toList();
                links = new ArrayList<>();
                for (Future<SandboxLink> f : made) links.add(f.get());
            }

            String table = NetTools.run(List.of("nft", "list", "table", "inet", "ale"));
            for (SandboxLink l : links) {
                assertThat(network.sandboxIdsInTable()).contains(l.id());
                assertThat(table).contains("ip saddr != " + l.sandboxAddress().getHostAddress() + " return",
                        "\"" + l.hostInterface() + "\" : jump ale_sb_" + l.id() + "_pre");
            }

            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<List<String>>> removed = links.stream().map(l -> threads.submit(() -> network.unlink(l))).toList();
                for (Future<List<String>> f : removed) assertThat(f.get()).isEmpty();
            }
            links.forEach(this::assertLeftNothing);
        } finally {
            names.forEach(n -> NetTools.tryRun(List.of("ip", "netns", "del", n)));
        }
    }

    @Test
    void aScriptThatFailsInAJointTransactionFailsAloneAndTheOthersAreApplied() throws Exception {
        MachineLock lock = new MachineLock(network.stateDir().resolve("net.lock"));
        NftBatch batch = new NftBatch(lock);
        String good = "add chain inet ale ale_t_batch_%d\n";
        List<Future<HostTools.Result>> results = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            // held here, so that all four queue up and the first to get the lock runs them as one
            lock.holding(() -> {
                for (int i = 0; i < 3; i++) {
                    int n = i;
                    results.add(threads.submit(() -> batch.apply(good.formatted(n))));
                }
                results.add(threads.submit(() -> batch.apply("add chain inet no_such_table x\n")));
                await().atMost(Duration.ofSeconds(30)).until(() -> batch.waiting() == 4);
            });
            for (int i = 0; i < 3; i++) assertThat(results.get(i).get().ok()).as("good script " + i).isTrue();
            assertThat(results.get(3).get().ok()).as("the bad script").isFalse();
        } finally {
            for (int i = 0; i < 3; i++) NetTools.tryRun(List.of("nft", "delete", "chain", "inet", "ale", "ale_t_batch_" + i));
        }
        String table = NetTools.run(List.of("nft", "list", "table", "inet", "ale"));
        assertThat(table).doesNotContain("ale_t_batch_");
    }

    private void assertLeftNothing(SandboxLink link) {
        assertThat(GatewayNetwork.interfaceExists(link.hostInterface())).as("host link").isFalse();
        assertThat(network.sandboxIdsInTable()).doesNotContain(link.id());
        assertThat(NetTools.run(List.of("nft", "list", "table", "inet", "ale"))).doesNotContain(link.id());
        assertThat(Files.exists(network.stateDir().resolve("links").resolve(link.id()))).as("slot").isFalse();
    }
}
