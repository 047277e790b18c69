package dev.ale.gateway.sink;

import dev.ale.core.AleException;
import dev.ale.core.AleException.Fault;
import dev.ale.gateway.sink.ConntrackTable.Entry;
import dev.ale.gateway.sink.ConntrackTable.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Lines in the format of /proc/net/nf_conntrack, as in notes/netns-sink.md: the sandbox client
 * 100.127.0.0 dialled 203.0.113.77:22 and was DNATed to the sink at 100.127.0.1:7999. The
 * kernel prints IPv6 addresses in full (%pI6), as the ipv6 lines here do.
 */
class ConntrackTableTest {

    private static final String REDIRECTED_SSH = "ipv4     2 tcp      6 431999 ESTABLISHED src=100.127.0.0 dst=203.0.113.77"
            + " sport=38992 dport=22 src=100.127.0.1 dst=100.127.0.0 sport=7999 dport=38992 [ASSURED] mark=0 zone=0 use=2";
    private static final InetSocketAddress SSH_CLIENT = client("100.127.0.0", 38992);

    @TempDir
    Path dir;

    @Test
    void redirectedConnectionIsFoundByItsReplyTuple() throws IOException {
        ConntrackTable table = table(REDIRECTED_SSH);

        assertThat(table.lookup(SSH_CLIENT)).contains(destination("203.0.113.77", 22));
    }

    @Test
    void theRightEntryIsFoundAmongEntriesThatMatchOnlyInPart() throws IOException {
        ConntrackTable table = table(
                // same client address, another port
                "ipv4     2 tcp      6 431999 ESTABLISHED src=100.127.0.0 dst=198.51.100.1 sport=38993 dport=443"
                        + " src=100.127.0.1 dst=100.127.0.0 sport=7999 dport=38993 [ASSURED] mark=0 zone=0 use=2",
                // same port, another client address
                "ipv4     2 tcp      6 431999 ESTABLISHED src=100.127.0.2 dst=198.51.100.2 sport=38992 dport=443"
                        + " src=100.127.0.3 dst=100.127.0.2 sport=7999 dport=38992 [ASSURED] mark=0 zone=0 use=2",
                // the client's address and port in the original tuple's destination only
                "ipv4     2 tcp      6 431999 ESTABLISHED src=198.51.100.3 dst=100.127.0.0 sport=5555 dport=38992"
                        + " src=100.127.0.0 dst=198.51.100.3 sport=38992 dport=5555 [ASSURED] mark=0 zone=0 use=2",
                REDIRECTED_SSH,
                "ipv4     2 tcp      6 431999 ESTABLISHED src=100.127.0.4 dst=198.51.100.4 sport=1 dport=2"
                        + " src=100.127.0.5 dst=100.127.0.4 sport=7999 dport=1 [ASSURED] mark=0 zone=0 use=2");

        assertThat(table.lookup(SSH_CLIENT)).contains(destination("203.0.113.77", 22));
    }

    @Test
    void clientWithoutAnEntryHasNoDestination() throws IOException {
        ConntrackTable table = table(REDIRECTED_SSH);

        assertThat(table.lookup(client("100.127.0.0", 38993))).isEmpty();
        assertThat(table.lookup(client("100.127.0.9", 38992))).isEmpty();
        assertThat(table(/* empty table */).lookup(SSH_CLIENT)).isEmpty();
    }

    @Test
    void udpEntryIsNeverTakenForATcpClient() throws IOException {
        ConntrackTable table = table(
                "ipv4     2 udp      17 29 src=100.127.0.0 dst=192.0.2.53 sport=38992 dport=53"
                        + " src=100.127.0.1 dst=100.127.0.0 sport=53 dport=38992 mark=0 zone=0 use=2",
                REDIRECTED_SSH);

        assertThat(table.lookup(SSH_CLIENT)).contains(destination("203.0.113.77", 22));
    }

    @Test
    void udpLineWithoutAStateYieldsBothTuples() {
        Optional<Entry> entry = Entry.parse("ipv4     2 udp      17 29 src=100.127.0.0 dst=192.0.2.53 sport=40000"
                + " dport=53 [UNREPLIED] src=192.0.2.53 dst=100.127.0.0 sport=53 dport=40000 mark=0 zone=0 use=2");

        assertThat(entry).contains(new Entry("ipv4", "udp",
                new Tuple(ip("100.127.0.0"), ip("192.0.2.53"), 40000, 53),
                new Tuple(ip("192.0.2.53"), ip("100.127.0.0"), 53, 40000)));
    }

    @Test
    void unrepliedEntryIsFound() throws IOException {
        ConntrackTable table = table("ipv4     2 tcp      6 118 SYN_RECV src=100.127.0.2 dst=198.51.100.9 sport=40000"
                + " dport=3333 [UNREPLIED] src=100.127.0.3 dst=100.127.0.2 sport=7999 dport=40000 mark=0 zone=0 use=2");

        assertThat(table.lookup(client("100.127.0.2", 40000))).contains(destination("198.51.100.9", 3333));
    }

    @Test
    void accountingFieldsBetweenTheTuplesDoNotConfuseThem() throws IOException {
        ConntrackTable table = table("ipv4     2 tcp      6 431999 ESTABLISHED src=100.127.0.0 dst=203.0.113.77"
                + " sport=38992 dport=22 packets=6 bytes=389 src=100.127.0.1 dst=100.127.0.0 sport=7999 dport=38992"
                + " packets=4 bytes=256 [ASSURED] mark=0 secctx=system_u:object_r:unlabeled_t:s0 zone=0 use=2");

        assertThat(table.lookup(SSH_CLIENT)).contains(destination("203.0.113.77", 22));
    }

    @Test
    void ipv6ConnectionIsFoundWhateverTheAddressSpelling() throws IOException {
        ConntrackTable table = table(
                REDIRECTED_SSH,
                "ipv6     10 tcp      6 431999 ESTABLISHED src=fd00:0a1e:0000:0000:0000:0000:0000:0002"
                        + " dst=2001:0db8:0000:0000:0000:0000:0000:0077 sport=51000 dport=443"
                        + " src=fd00:0a1e:0000:0000:0000:0000:0000:0001 dst=fd00:0a1e:0000:0000:0000:0000:0000:0002"
                        + " sport=7999 dport=51000 [ASSURED] mark=0 zone=0 use=2");

        assertThat(table.lookup(client("fd00:a1e::2", 51000))).contains(destination("2001:db8::77", 443));
        assertThat(table.lookup(client("fd00:a1e::2", 51001))).isEmpty();
    }

    @Test
    void linesWithoutTwoAddressAndPortTuplesAreSkipped() {
        assertThat(Entry.parse("ipv4     2 icmp     1 29 src=100.127.0.0 dst=203.0.113.77 type=8 code=0 id=7"
                + " src=203.0.113.77 dst=100.127.0.0 type=0 code=0 id=7 mark=0 zone=0 use=2")).isEmpty();
        assertThat(Entry.parse("")).isEmpty();
        assertThat(Entry.parse("garbage")).isEmpty();
        assertThat(Entry.parse("ipv4 2 tcp 6 1 ESTABLISHED src=1.2.3.4 dst=5.6.7.8 sport=1 dport=2")).isEmpty();
        assertThat(Entry.parse("ipv4 2 tcp 6 1 ESTABLISHED src=1.2.3.4 dst=5.6.7.8 sport=1 dport=99999"
                + " src=5.6.7.8 dst=1.2.3.4 sport=2 dport=1")).isEmpty();
        assertThat(Entry.parse("ipv4 2 tcp 6 1 ESTABLISHED src=1.2.3.4 dst=5.6.7.8 sport=x dport=2"
                + " src=5.6.7.8 dst=1.2.3.4 sport=2 dport=1")).isEmpty();
        assertThat(Entry.parse("ipx 2 tcp 6 1 ESTABLISHED src=1.2.3.4 dst=5.6.7.8 sport=1 dport=2"
                + " src=5.6.7.8 dst=1.2.3.4 sport=2 dport=1")).isEmpty();
    }

    @Test
    void aHostNameInPlaceOfAnAddressIsRejectedNotResolved() {
        // If this were resolved, a crafted table line could make the gateway send DNS queries.
        assertThat(Entry.parse("ipv4 2 tcp 6 1 ESTABLISHED src=localhost dst=5.6.7.8 sport=1 dport=2"
                + " src=5.6.7.8 dst=localhost sport=2 dport=1")).isEmpty();
    }

    @Test
    void unreadableTableIsAnEnvironmentErrorThatNamesTheFile() {
        Path missing = dir.resolve("nf_conntrack");

        assertThatThrownBy(() -> new ConntrackTable(missing).lookup(SSH_CLIENT))
                .isInstanceOfSatisfying(AleException.class, e -> assertThat(e.fault()).isEqualTo(Fault.ENVIRONMENT))
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("modprobe nf_conntrack");
    }

    private ConntrackTable table(String... lines) throws IOException {
        Path file = Files.write(dir.resolve("nf_conntrack"), List.of(lines));
        return new ConntrackTable(file);
    }

    private static InetSocketAddress client(String address, int port) {
        return new InetSocketAddress(ip(address), port);
    }

    private static OriginalDestination destination(String address, int port) {
        return new OriginalDestination(ip(address), port);
    }

    private static InetAddress ip(String literal) {
        return InetAddress.ofLiteral(literal);
    }
}
