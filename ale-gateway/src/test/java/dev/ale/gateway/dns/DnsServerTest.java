package dev.ale.gateway.dns;

import dev.ale.core.net.DatagramRecord;
import dev.ale.core.net.DnsRecord;
import dev.ale.core.net.NetworkRecord;
import dev.ale.core.passport.EgressRule;
import dev.ale.core.passport.EgressRules;
import dev.ale.core.passport.Phase;
import dev.ale.gateway.HostResolver;
import dev.ale.gateway.SandboxClients;
import dev.ale.gateway.SandboxClients.Client;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import java.util.Arrays;
import java.util.Random;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real DNS server on 127.0.0.1 asked by a real UDP socket. Names resolve only through pinned
 * test resolvers: nothing here asks the host's resolver or sends a packet off loopback.
 */
class DnsServerTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int A = 1;
    private static final int AAAA = 28;
    private static final int TXT = 16;

    private final List<NetworkRecord> records = new CopyOnWriteArrayList<>();
    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.AGENT);
    private final EgressRules egress = new EgressRules(Map.of(
            Phase.SETUP, List.of(new EgressRule("pypi.org", List.of(443)), new EgressRule("*.githubusercontent.com", List.of(443))),
            Phase.AGENT, List.of(new EgressRule("api.example.com", List.of(443)), new EgressRule("internal.example.com", List.of(443)),
                    new EgressRule("metadata.example.com", List.of(80)), new EgressRule("mixed.example.com", List.of(443)),
                    new EgressRule("neighbour.example.com", List.of(443)))));
    private final SandboxClients clients = source -> source.isLoopbackAddress()
            ? Optional.of(new Client("sb-1", egress, phase.get())) : Optional.empty();
    private final HostResolver resolver = ((HostResolver) name -> switch (name) {
        case "api.example.com", "pypi.org" -> List.of(InetAddress.ofLiteral("93.184.216.34"), InetAddress.ofLiteral("2606:2800:220:1::1"));
        case "raw.githubusercontent.com" -> List.of(InetAddress.ofLiteral("185.199.108.133"));
        case "internal.example.com" -> List.of(InetAddress.ofLiteral("10.0.0.5"));
        case "metadata.example.com" -> List.of(InetAddress.ofLiteral("169.254.169.254"));
        case "neighbour.example.com" -> List.of(InetAddress.ofLiteral("198.18.0.5"));
        case "mixed.example.com" -> List.of(InetAddress.ofLiteral("10.0.0.6"), InetAddress.ofLiteral("93.184.216.35"));
        default -> throw new java.net.UnknownHostException(name);
    });

    private DnsServer server;
    private DatagramSocket client;

    @AfterEach
    void closeEverything() {
        if (client != null) client.close();
        if (server != null) server.close();
    }

    /** Where conntrack would say the test client's datagrams were sent: data, not a packet anywhere. */
    private static final dev.ale.gateway.sink.OriginalDestination OUTSIDE_RESOLVER =
            new dev.ale.gateway.sink.OriginalDestination(InetAddress.ofLiteral("8.8.8.8"), 53);

    private void start(HostResolver r) throws IOException {
        server = DnsServer.start(new InetSocketAddress(LOOPBACK, 0), clients, r, records::add, DnsServer.Limits.DEFAULT,
                source -> Optional.of(OUTSIDE_RESOLVER));
        client = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        client.setSoTimeout(10_000);
    }

    @Test
    void allowlistedNameIsAnsweredWithItsPublicAddressesAndRecorded() throws IOException {
        start(resolver);
        Reply reply = ask("api.example.com", A);
        assertThat(reply.rcode()).isEqualTo(0);
        assertThat(reply.addresses()).containsExactly("93.184.216.34");
        assertThat(reply.ttls()).containsOnly(30);
        assertThat(awaitRecord("api.example.com", "A")).isEqualTo(
                new DnsRecord("sb-1", recordFor("api.example.com").time(), "api.example.com", "A", true, List.of("93.184.216.34")));
    }

    @Test
    void aaaaQuestionIsAnsweredWithTheIpv6AddressesOnly() throws IOException {
        start(resolver);
        Reply reply = ask("API.Example.COM", AAAA);
        assertThat(reply.rcode()).isEqualTo(0);
        assertThat(reply.addresses()).containsExactly("2606:2800:220:1:0:0:0:1");
        assertThat(reply.questionName()).isEqualTo("API.Example.COM"); // case kept for 0x20 randomisation
        assertThat(awaitRecord("api.example.com", "AAAA").answered()).isTrue();
    }

    @Test
    void pinnedLoopbackNameIsAnswered() throws IOException {
        start(HostResolver.pinned(Map.of("api.example.com", List.of(InetAddress.ofLiteral("127.0.0.7")))));
        Reply reply = ask("api.example.com.", A);
        assertThat(reply.addresses()).containsExactly("127.0.0.7");
        assertThat(awaitRecord("api.example.com", "A").answers()).containsExactly("127.0.0.7");
    }

    @Test
    void nameNotAllowlistedGetsNxdomainAndIsRecordedUnanswered() throws IOException {
        start(resolver);
        Reply reply = ask("evil.example.net", A);
        assertThat(reply.rcode()).isEqualTo(3);
        assertThat(reply.addresses()).isEmpty();
        DnsRecord record = awaitRecord("evil.example.net", "A");
        assertThat(record.answered()).isFalse();
        assertThat(record.answers()).isEmpty();
    }

    @Test
    void wildcardRuleAllowsNamesBelowItButNotTheBareSuffix() throws IOException {
        phase.set(Phase.SETUP);
        start(resolver);
        assertThat(ask("raw.githubusercontent.com", A).addresses()).containsExactly("185.199.108.133");
        assertThat(ask("githubusercontent.com", A).rcode()).isEqualTo(3);
        assertThat(awaitRecord("githubusercontent.com", "A").answered()).isFalse();
    }

    @Test
    void phaseSwitchChangesTheAnswer() throws IOException {
        start(resolver);
        phase.set(Phase.AGENT);
        assertThat(ask("pypi.org", A).rcode()).isEqualTo(3);
        phase.set(Phase.SETUP);
        assertThat(ask("pypi.org", A).addresses()).containsExactly("93.184.216.34");
        assertThat(records).extracting(r -> ((DnsRecord) r).answered()).containsExactly(false, true);
    }

    @Test
    void nameResolvingOnlyToPrivateOrMetadataAddressesIsNotAnswered() throws IOException {
        start(resolver);
        assertThat(ask("internal.example.com", A).rcode()).isEqualTo(3);
        assertThat(ask("metadata.example.com", A).rcode()).isEqualTo(3);
        assertThat(awaitRecord("internal.example.com", "A").answered()).isFalse();
        assertThat(awaitRecord("metadata.example.com", "A").answered()).isFalse();
    }

    @Test
    void nameResolvingIntoAlesOwnLinkRangeIsNotAnswered() throws IOException {
        start(resolver);
        assertThat(ask("neighbour.example.com", A).rcode()).isEqualTo(3);
        assertThat(awaitRecord("neighbour.example.com", "A").answered()).isFalse();
    }

    @Test
    void internalAddressesAreDroppedFromAMixedAnswer() throws IOException {
        start(resolver);
        assertThat(ask("mixed.example.com", A).addresses()).containsExactly("93.184.216.35");
    }

    @Test
    void otherTypesOfAnAllowlistedNameGetAnEmptyAnswerAndNothingIsLookedUp() throws IOException {
        List<String> lookedUp = new CopyOnWriteArrayList<>();
        start(name -> {
            lookedUp.add(name);
            return resolver.resolve(name);
        });
        Reply reply = ask("api.example.com", TXT);
        assertThat(reply.rcode()).isEqualTo(0);
        assertThat(reply.answerCount()).isZero();
        assertThat(awaitRecord("api.example.com", "TXT").answered()).as("an allowed name, answered with no data").isTrue();
        assertThat(lookedUp).isEmpty();
    }

    @Test
    void unknownClientIsRefusedAndNotRecorded() throws IOException {
        server = DnsServer.start(new InetSocketAddress(LOOPBACK, 0), source -> Optional.empty(), resolver, records::add);
        client = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        client.setSoTimeout(10_000);
        assertThat(ask("api.example.com", A).rcode()).isEqualTo(5);
        assertThat(records).isEmpty();
    }

    @Test
    void malformedPacketsDoNotStopTheServer() throws IOException {
        start(resolver);
        List<byte[]> garbage = new ArrayList<>();
        garbage.add(new byte[0]);
        garbage.add(new byte[] {1, 2, 3});
        garbage.add(new byte[600]); // over 512 bytes
        garbage.add(concat(header(5, 1), new byte[] {(byte) 0xc0, 12, 0, 1, 0, 1})); // pointer to itself
        garbage.add(concat(header(6, 1), new byte[] {1, 'a', (byte) 0xc0, 12, 0, 1, 0, 1})); // pointer loop via a label
        garbage.add(concat(header(7, 1), new byte[] {(byte) 0xc0, (byte) 0xff})); // pointer past the end
        garbage.add(concat(header(8, 1), new byte[] {63, 'a', 'b'})); // label past the end
        garbage.add(concat(header(9, 2), encodeName("a.b"), new byte[] {0, 1, 0, 1})); // two questions
        garbage.add(concat(header(10, 1), encodeName("a.b"))); // no type and class
        for (int i = 0; i < 200; i++) {
            byte[] random = new byte[1 + (i * 37) % 300];
            new Random(i).nextBytes(random);
            garbage.add(random);
        }
        for (byte[] g : garbage) send(g);
        Reply reply = ask("api.example.com", A);
        assertThat(reply.addresses()).containsExactly("93.184.216.34");
    }

    @Test
    void rawDataSentToPort53IsRecordedAsWhatItIsWithWhereItWasGoing() throws IOException {
        start(resolver);
        byte[] tunnel = "\u0000\u0010iodine-raw-mode:c2VjcmV0".getBytes(StandardCharsets.ISO_8859_1);
        byte[] oversized = concat(header(11, 1), encodeName("a.example.com"), new byte[] {0, 1, 0, 1}, new byte[540]);
        byte[] response = concat(ByteBuffer.allocate(12).putShort((short) 12).putShort((short) 0x8180).putShort((short) 1).array(),
                encodeName("a.example.com"), new byte[] {0, 1, 0, 1});
        byte[] twoQuestions = concat(header(13, 2), encodeName("a.b"), new byte[] {0, 1, 0, 1});
        byte[] shortOne = {1, 2, 3};

        for (byte[] datagram : List.of(tunnel, oversized, response, twoQuestions, shortOne)) send(datagram);

        await().atMost(Duration.ofSeconds(30)).until(() -> records.stream().filter(DatagramRecord.class::isInstance).count() == 5);
        List<DatagramRecord> raw = records.stream().filter(DatagramRecord.class::isInstance).map(DatagramRecord.class::cast).toList();
        assertThat(raw).extracting(DatagramRecord::reason).containsExactlyInAnyOrder(
                "not a standard query (opcode 13)", "over 512 bytes", "a response, not a question", "malformed question",
                "not a DNS message");
        assertThat(raw).allSatisfy(r -> assertThat(r.sandbox()).isEqualTo("sb-1"));
        assertThat(raw).filteredOn(r -> r.reason().equals("over 512 bytes")).singleElement()
                .satisfies(r -> assertThat(r.length()).isEqualTo(oversized.length));
        assertThat(raw).filteredOn(r -> r.reason().startsWith("not a standard")).singleElement()
                .satisfies(r -> assertThat(r.firstBytes()).isEqualTo("\\x00\\x10iodine-raw-mode:c2VjcmV0"));
        assertThat(raw).filteredOn(r -> r.destinationAddress().equals("8.8.8.8") && r.destinationPort() == 53).isNotEmpty();
    }

    @Test
    void ordinaryQuestionsAreNeverRawEvenWithEdnsOrSentToAnotherResolver() throws IOException {
        start(resolver);
        byte[] opt = {0, 0, 41, 0x04, (byte) 0xd0, 0, 0, 0, 0, 0, 0};
        byte[] edns = concat(ByteBuffer.allocate(12).putShort((short) 21).putShort((short) 0x0100).putShort((short) 1)
                .putShort((short) 0).putShort((short) 0).putShort((short) 1).array(), encodeName("api.example.com"), new byte[] {0, 1, 0, 1}, opt);

        assertThat(exchange(edns).addresses()).containsExactly("93.184.216.34");
        assertThat(ask("evil.example.net", TXT).rcode()).isEqualTo(3);

        await().atMost(Duration.ofSeconds(30)).until(() -> records.size() == 2);
        assertThat(records).allMatch(DnsRecord.class::isInstance);
    }

    // --- a tiny DNS client, written apart from the server's codec ---

    record Reply(int id, int rcode, int answerCount, String questionName, List<String> addresses, List<Integer> ttls) {
    }

    private Reply ask(String name, int type) throws IOException {
        int id = (int) (Math.random() * 65535);
        return exchange(concat(header(id, 1), encodeName(name), new byte[] {0, (byte) type, 0, 1}));
    }

    private Reply exchange(byte[] query) throws IOException {
        send(query);
        int id = ((query[0] & 0xff) << 8) | (query[1] & 0xff);
        while (true) {
            byte[] buffer = new byte[1024];
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            client.receive(packet);
            ByteBuffer b = ByteBuffer.wrap(buffer, 0, packet.getLength());
            if ((b.getShort(0) & 0xffff) != id) continue; // an answer to an earlier garbage packet
            return parse(b);
        }
    }

    private static Reply parse(ByteBuffer b) {
        int id = b.getShort() & 0xffff;
        int flags = b.getShort() & 0xffff;
        int qd = b.getShort() & 0xffff;
        int an = b.getShort() & 0xffff;
        b.getShort();
        b.getShort();
        StringBuilder qname = new StringBuilder();
        if (qd == 1) {
            int length;
            while ((length = b.get() & 0xff) != 0) {
                byte[] label = new byte[length];
                b.get(label);
                if (!qname.isEmpty()) qname.append('.');
                qname.append(new String(label, StandardCharsets.US_ASCII));
            }
            b.getInt();
        }
        List<String> addresses = new ArrayList<>();
        List<Integer> ttls = new ArrayList<>();
        for (int i = 0; i < an; i++) {
            assertThat(b.getShort() & 0xffff).isEqualTo(0xc00c);
            b.getShort();
            b.getShort();
            ttls.add(b.getInt());
            byte[] rdata = new byte[b.getShort() & 0xffff];
            b.get(rdata);
            try {
                addresses.add(InetAddress.getByAddress(rdata).getHostAddress());
            } catch (java.net.UnknownHostException e) {
                throw new AssertionError(e);
            }
        }
        return new Reply(id, flags & 0xf, an, qname.toString(), addresses, ttls);
    }

    private void send(byte[] bytes) throws IOException {
        client.send(new DatagramPacket(bytes, bytes.length, server.address()));
    }

    private static byte[] header(int id, int questions) {
        return ByteBuffer.allocate(12).putShort((short) id).putShort((short) 0x0100).putShort((short) questions)
                .putShort((short) 0).putShort((short) 0).putShort((short) 0).array();
    }

    private static byte[] encodeName(String name) {
        ByteBuffer b = ByteBuffer.allocate(300);
        for (String label : name.split("\\.")) {
            if (label.isEmpty()) continue;
            b.put((byte) label.length()).put(label.getBytes(StandardCharsets.US_ASCII));
        }
        b.put((byte) 0);
        return Arrays.copyOf(b.array(), b.position());
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) length += p.length;
        ByteBuffer b = ByteBuffer.allocate(length);
        for (byte[] p : parts) b.put(p);
        return b.array();
    }

    private DnsRecord recordFor(String name) {
        return records.stream().filter(DnsRecord.class::isInstance).map(DnsRecord.class::cast).filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    private DnsRecord awaitRecord(String name, String type) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> records.stream().filter(DnsRecord.class::isInstance).map(DnsRecord.class::cast)
                .filter(r -> r.name().equals(name) && r.type().equals(type)).findFirst(), Optional::isPresent).orElseThrow();
    }
}
