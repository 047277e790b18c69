package dev.ale.gateway.net;

import dev.ale.core.host.HostTools;
import java.nio.file.Files;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
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

    private void assertLeftNothing(SandboxLink link) {
        assertThat(GatewayNetwork.interfaceExists(link.hostInterface())).as("host link").isFalse();
        assertThat(network.sandboxIdsInTable()).doesNotContain(link.id());
        assertThat(NetTools.run(List.of("nft", "list", "table", "inet", "ale"))).doesNotContain(link.id());
        assertThat(Files.exists(network.stateDir().resolve("links").resolve(link.id()))).as("slot").isFalse();
    }
}
