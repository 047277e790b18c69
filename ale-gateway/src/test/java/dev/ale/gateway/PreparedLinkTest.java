package dev.ale.gateway;

import dev.ale.core.net.NetworkRecord;
import dev.ale.core.passport.Passport;
import dev.ale.core.passport.Phase;
import dev.ale.core.sandbox.SandboxNetwork;
import dev.ale.core.sandbox.SandboxNetwork.NetworkAttachment;
import dev.ale.core.sandbox.SandboxNetwork.PreparedLink;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A link the gateway makes ahead for a warm pool's blank: the namespace is linked and ruled like
 * any sandbox's, it is nobody's client until attached, and it goes whole when closed untaken.
 * In the test JVM's own network namespace (scripts/java-in-netns), with namespaces this test makes.
 */
@Tag("root")
class PreparedLinkTest {

    private final List<NetworkRecord> records = new CopyOnWriteArrayList<>();

    @Test
    void aPreparedLinkIsNobodysUntilAttachedAndTheAttachmentOwnsIt() {
        Assumptions.assumeTrue(Host.isRoot(), "the gateway needs root");
        String netns = newNetns();
        try (Gateway gateway = Gateway.start(Gateway.Config.defaults(), records::add)) {
            List<String> veths = hostVeths();
            Optional<PreparedLink> prepared = gateway.prepare(netns);

            assertThat(prepared).isPresent();
            assertThat(hostVeths()).as("the host side of the link exists").hasSize(veths.size() + 1);
            assertThat(Host.run("ip", "-n", netns, "-o", "addr", "show", "dev", "eth0")).as("the sandbox side has its address").contains("inet ");
            String id = "sb-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
            assertThat(gateway.link(id)).as("not registered before the claim").isEmpty();

            NetworkAttachment a = gateway.attach(new SandboxNetwork.NetworkTarget(id, netns, Passport.defaults(), Phase.AGENT), prepared);

            assertThat(gateway.link(id)).as("registered by the attach").isPresent();
            assertThat(gateway.link(id).orElseThrow().netnsName()).isEqualTo(netns);
            assertThat(hostVeths()).as("the prepared link was used, not a second one made").hasSize(veths.size() + 1);
            prepared.get().close(); // the attachment owns it now: closing the prepared handle does nothing
            assertThat(gateway.link(id)).isPresent();
            a.close();
            assertThat(gateway.link(id)).isEmpty();
            assertThat(hostVeths()).containsExactlyInAnyOrderElementsOf(veths);
        } finally {
            Host.tryRun("ip", "netns", "del", netns);
        }
    }

    @Test
    void aPreparedLinkNeverAttachedGoesWhenClosedOrWithTheGateway() {
        Assumptions.assumeTrue(Host.isRoot(), "the gateway needs root");
        String closedOne = newNetns();
        String leftOne = newNetns();
        try {
            List<String> veths = hostVeths();
            try (Gateway gateway = Gateway.start(Gateway.Config.defaults(), records::add)) {
                assertThat(Host.run("nft", "list", "table", "inet", "ale")).doesNotContain("ale_sb_");
                PreparedLink closed = gateway.prepare(closedOne).orElseThrow();
                gateway.prepare(leftOne).orElseThrow();
                assertThat(hostVeths()).hasSize(veths.size() + 2);
                assertThat(Host.run("nft", "list", "table", "inet", "ale")).as("each link has its chains").contains("ale_sb_");

                closed.close();
                closed.close();

                assertThat(hostVeths()).hasSize(veths.size() + 1);
                assertThat(Host.run("ip", "-n", closedOne, "-o", "link")).doesNotContain("eth0");
            }
            assertThat(hostVeths()).as("the gateway's close removed the link it had made ahead").containsExactlyInAnyOrderElementsOf(veths);
            assertThat(Host.tryRun("nft", "list", "table", "inet", "ale").output()).as("no sandbox chain left").doesNotContain("ale_sb_");
        } finally {
            Host.tryRun("ip", "netns", "del", closedOne);
            Host.tryRun("ip", "netns", "del", leftOne);
        }
    }

    private static String newNetns() {
        String name = "ale-t-pl-" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
        Host.run("ip", "netns", "add", name);
        return name;
    }

    /** Names of the veth interfaces in the test JVM's namespace. */
    private static List<String> hostVeths() {
        // only link lines ("7: name@peer: ..."): ip also prints "Peer netns reference is invalid." for a veth whose peer's
        // namespace is being deleted meanwhile (a full run of the module made one)
        return Host.run("ip", "-o", "link", "show", "type", "veth").lines().filter(l -> l.matches("\\d+: .*"))
                .map(l -> l.split(":")[1].strip().split("@")[0]).toList();
    }
}
