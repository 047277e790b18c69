package dev.ale.gateway.sink;

import dev.ale.core.AleException;
import dev.ale.gateway.sink.Classification.Empty;
import dev.ale.gateway.sink.Classification.Http;
import dev.ale.gateway.sink.Classification.Skipped;
import dev.ale.gateway.sink.Classification.Ssh;
import dev.ale.gateway.sink.Classification.StratumMining;
import dev.ale.gateway.sink.Classification.Tls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import javax.net.ssl.SSLHandshakeException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A real sink on 127.0.0.1 (or ::1) with real client sockets. Nothing here connects anywhere
 * else: the "original destinations" are documentation addresses handed to the sink as data,
 * standing in for what conntrack would say.
 */
class TcpSinkTest {

    private static final InetAddress LOOPBACK = ClientHellos.LOOPBACK;
    private static final Duration LONG_DEADLINE = Duration.ofMinutes(10);
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final OriginalDestination OUTSIDE_SSH = new OriginalDestination(InetAddress.ofLiteral("203.0.113.77"), 22);
    private static final OriginalDestination POOL = new OriginalDestination(InetAddress.ofLiteral("198.51.100.7"), 3333);

    /** What conntrack would say, filled in by each test before its client connects. */
    private final Map<InetSocketAddress, OriginalDestination> conntrack = new ConcurrentHashMap<>();
    private final List<SinkRecord> records = new CopyOnWriteArrayList<>();
    private final List<Socket> clients = new CopyOnWriteArrayList<>();
    private TcpSink sink;

    @AfterEach
    void closeEverything() throws IOException {
        for (Socket client : clients) {
            client.close();
        }
        if (sink != null) {
            sink.close();
        }
    }

    @Test
    void sshClientBannerIsRecordedAsSshWithItsOriginalDestination() throws IOException {
        open(TcpSink.Limits.DEFAULT);
        Socket client = clientGoingTo(OUTSIDE_SSH);

        send(client, "SSH-2.0-OpenSSH_9.2p1\r\n");

        SinkRecord record = awaitRecordOf(client);
        assertThat(record.classification()).isEqualTo(new Ssh("SSH-2.0-OpenSSH_9.2p1"));
        assertThat(record.destination()).contains(OUTSIDE_SSH);
        assertThat(record.bytesRead()).isEqualTo(23);
        assertThat(sink.counters().classified(Ssh.class)).isEqualTo(1);
    }

    @Test
    void sshClientWaitingForTheServerBannerIsRecordedWithoutWaitingForTheDeadline() throws IOException {
        open(new TcpSink.Limits(LONG_DEADLINE, 16));
        Socket client = clientGoingTo(OUTSIDE_SSH);

        send(client, "SSH-2.0-OpenSSH_9.2p1\r\n"); // and then wait, as a real client would

        assertThat(awaitRecordOf(client).classification()).isEqualTo(new Ssh("SSH-2.0-OpenSSH_9.2p1"));
    }

    @Test
    void stratumLoginIsRecognisedWithTheMinerAgent() throws IOException {
        open(TcpSink.Limits.DEFAULT);
        Socket client = clientGoingTo(POOL);

        send(client, FirstBytesTest.XMRIG_LOGIN);

        SinkRecord record = awaitRecordOf(client);
        assertThat(record.classification()).isEqualTo(
                new StratumMining("login", "XMRig/6.21.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0", "wallet"));
        assertThat(record.destination()).contains(POOL);
    }

    @Test
    void firstBytesSentInPiecesAreReadUntilTheLineEnds() throws Exception {
        open(new TcpSink.Limits(LONG_DEADLINE, 16));
        Socket client = clientGoingTo(POOL);
        byte[] line = FirstBytesTest.XMRIG_LOGIN.getBytes(StandardCharsets.UTF_8);

        OutputStream out = client.getOutputStream();
        for (int at = 0; at < line.length; at += 7) {
            out.write(line, at, Math.min(7, line.length - at));
            out.flush();
            Thread.sleep(2); // so the pieces mostly arrive as separate reads
        }

        SinkRecord record = awaitRecordOf(client);
        assertThat(record.classification()).isInstanceOfSatisfying(StratumMining.class,
                stratum -> assertThat(stratum.agent()).startsWith("XMRig/6.21.0"));
        assertThat(record.bytesRead()).isEqualTo(line.length);
    }

    @Test
    void tlsClientHelloYieldsTheSni() throws Exception {
        // The JDK client waits for a ServerHello that never comes: only a whole hello ends the read.
        open(new TcpSink.Limits(LONG_DEADLINE, 16));
        Socket client = clientGoingTo(POOL);

        Future<IOException> handshake;
        try (ExecutorService thread = Executors.newVirtualThreadPerTaskExecutor()) {
            handshake = thread.submit(() -> ClientHellos.handshakeAndFail(client, "pool.supportxmr.com"));

            SinkRecord record = awaitRecordOf(client);
            assertThat(record.classification()).isEqualTo(new Tls(Optional.of("pool.supportxmr.com"), "TLSv1.3"));
            assertThat(record.destination()).contains(POOL);
        }
        // The client got no ServerHello, nor any byte: its handshake ended at an EOF.
        assertThat(handshake.get()).isInstanceOf(SSLHandshakeException.class).hasRootCauseInstanceOf(EOFException.class);
    }

    @Test
    void httpRequestIsRecordedWithItsHost() throws IOException {
        open(TcpSink.Limits.DEFAULT);
        Socket client = clientGoingTo(new OriginalDestination(InetAddress.ofLiteral("192.0.2.80"), 80));

        send(client, "GET /install.sh HTTP/1.1\r\nHost: downloads.example\r\nAccept: */*\r\n\r\n");

        assertThat(awaitRecordOf(client).classification()).isEqualTo(new Http("GET", "downloads.example", "/install.sh"));
    }

    @Test
    void silentClientIsRecordedAsEmptyAfterTheDeadline() throws IOException {
        open(new TcpSink.Limits(Duration.ofMillis(300), 16));
        Socket client = clientGoingTo(OUTSIDE_SSH);

        SinkRecord record = awaitRecordOf(client);

        assertThat(record.classification()).isEqualTo(new Empty());
        assertThat(record.bytesRead()).isZero();
        assertThat(record.destination()).contains(OUTSIDE_SSH);
        assertThat(client.getInputStream().read()).as("the sink hung up").isEqualTo(-1);
    }

    @Test
    void sinkNeverSendsAByteBack() throws IOException {
        open(TcpSink.Limits.DEFAULT);
        Socket client = clientGoingTo(OUTSIDE_SSH);

        send(client, "SSH-2.0-OpenSSH_9.2p1\r\n");

        assertThat(client.getInputStream().readAllBytes()).isEmpty();
        assertThat(awaitRecordOf(client).classification()).isInstanceOf(Ssh.class);
    }

    @Test
    void manyParallelConnectionsAreAllRecorded() throws Exception {
        open(TcpSink.Limits.DEFAULT);
        int connections = 200;
        List<Future<InetSocketAddress>> sent = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < connections; i++) {
                String firstBytes = switch (i % 3) {
                    case 0 -> "SSH-2.0-client" + i + "\r\n";
                    case 1 -> "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"miner" + i + "\"]}\n";
                    default -> "GET /" + i + " HTTP/1.1\r\nHost: h" + i + "\r\n\r\n";
                };
                sent.add(threads.submit(() -> {
                    try (Socket client = clientGoingTo(POOL)) {
                        send(client, firstBytes);
                        assertThat(client.getInputStream().readAllBytes()).isEmpty();
                        return (InetSocketAddress) client.getLocalSocketAddress();
                    }
                }));
            }
        }
        List<InetSocketAddress> clientAddresses = new ArrayList<>();
        for (Future<InetSocketAddress> client : sent) {
            clientAddresses.add(client.get());
        }

        await().atMost(PATIENCE).until(() -> records.size() >= connections);
        assertThat(records).extracting(SinkRecord::client).containsExactlyInAnyOrderElementsOf(clientAddresses);
        assertThat(records).allSatisfy(record -> assertThat(record.destination()).contains(POOL));
        SinkCounters counters = sink.counters();
        assertThat(counters.accepted()).isEqualTo(connections);
        assertThat(counters.dropped()).isZero();
        assertThat(counters.classified(Ssh.class)).isEqualTo(67);
        assertThat(counters.classified(StratumMining.class)).isEqualTo(67);
        assertThat(counters.classified(Http.class)).isEqualTo(66);
    }

    @Test
    void connectionsOverTheLimitAreClosedAtOnceAndCounted() throws IOException {
        open(new TcpSink.Limits(LONG_DEADLINE, 2));
        Socket first = clientGoingTo(OUTSIDE_SSH);
        Socket second = clientGoingTo(OUTSIDE_SSH);
        await().atMost(PATIENCE).until(() -> sink.counters().accepted() == 2);

        Socket third = clientGoingTo(OUTSIDE_SSH);
        third.setSoTimeout((int) PATIENCE.toMillis());
        assertThat(third.getInputStream().read()).as("the sink hung up on the third").isEqualTo(-1);
        await().atMost(PATIENCE).until(() -> sink.counters().dropped() == 1);
        // never silently: the third is recorded as skipped, unread, without a destination lookup
        assertThat(records).singleElement().satisfies(skipped -> {
            assertThat(skipped.client()).isEqualTo(third.getLocalSocketAddress());
            assertThat(skipped.classification()).isInstanceOfSatisfying(Skipped.class,
                    c -> assertThat(c.reason()).contains("limit of 2 connections").contains("closed unread"));
            assertThat(skipped.destination()).isEmpty();
        });
        assertThat(sink.counters().classified(Skipped.class)).isEqualTo(1);

        InetSocketAddress firstAddress = (InetSocketAddress) first.getLocalSocketAddress();
        first.close(); // frees its slot (after close, the socket would report a wildcard address)
        awaitRecordOf(firstAddress);
        Socket fourth = clientGoingTo(POOL);
        send(fourth, FirstBytesTest.XMRIG_LOGIN);
        assertThat(awaitRecordOf(fourth).classification()).isInstanceOf(StratumMining.class);

        assertThat(recordOf((InetSocketAddress) second.getLocalSocketAddress())).isEmpty();
        assertThat(sink.counters().accepted()).isEqualTo(4);
    }

    @Test
    void aFloodFromOneSourceCannotCrowdOutAnother() throws IOException {
        open(new TcpSink.Limits(LONG_DEADLINE, Duration.ofMillis(300), 16, 4));
        List<Socket> flood = new ArrayList<>();
        for (int i = 0; i < 6; i++) flood.add(clientGoingTo(OUTSIDE_SSH));
        await().atMost(PATIENCE).until(() -> sink.counters().accepted() == 6);

        Socket other = clientFrom(InetAddress.ofLiteral("127.0.0.2"), POOL);
        send(other, FirstBytesTest.XMRIG_LOGIN);

        assertThat(awaitRecordOf(other).classification()).isInstanceOf(StratumMining.class);
        await().atMost(PATIENCE).until(() -> records.stream().filter(r -> r.classification() instanceof Skipped).count() == 2);
        assertThat(records).filteredOn(r -> r.classification() instanceof Skipped)
                .allSatisfy(r -> assertThat(r.client().getAddress()).isEqualTo(LOOPBACK))
                .allSatisfy(r -> assertThat(((Skipped) r.classification()).reason()).contains("4 connections from one source"));
        for (Socket s : flood.subList(0, 4)) send(s, "SSH-2.0-held\r\n");
        await().atMost(PATIENCE).until(() -> records.stream().filter(r -> r.classification() instanceof Ssh).count() == 4);
    }

    @Test
    void aBannerSentAfterABlankLineIsStillABanner() throws IOException {
        open(new TcpSink.Limits(LONG_DEADLINE, 16));
        Socket client = clientGoingTo(OUTSIDE_SSH);

        send(client, "\r\n");
        sleep(100);
        send(client, "\r\nSSH-2.0-OpenSSH_9.6\r\n");

        assertThat(awaitRecordOf(client).classification()).isEqualTo(new Ssh("SSH-2.0-OpenSSH_9.6"));
    }

    @Test
    void aBannerSentAfterSecondsOfSilenceIsStillHeard() throws IOException {
        open(TcpSink.Limits.DEFAULT);
        Socket client = clientGoingTo(OUTSIDE_SSH);

        sleep(3_000);
        send(client, "SSH-2.0-late\r\n");

        assertThat(awaitRecordOf(client).classification()).isEqualTo(new Ssh("SSH-2.0-late"));
    }

    @Test
    void aBannerTrickledOneByteAtATimeIsGatheredWhole() throws IOException {
        open(TcpSink.Limits.DEFAULT);
        Socket client = clientGoingTo(OUTSIDE_SSH);

        for (byte b : "SSH-2.0-trickle\r\n".getBytes(StandardCharsets.US_ASCII)) {
            client.getOutputStream().write(b);
            client.getOutputStream().flush();
            sleep(120); // the whole banner takes about 2 s, past the old 1.5 s deadline
        }

        SinkRecord record = awaitRecordOf(client);
        assertThat(record.classification()).isEqualTo(new Ssh("SSH-2.0-trickle"));
        assertThat(record.bytesRead()).isEqualTo(17);
    }

    @Test
    void aMinerLoginInSlowPiecesIsMining() throws IOException {
        open(TcpSink.Limits.DEFAULT);
        Socket client = clientGoingTo(POOL);
        byte[] login = FirstBytesTest.XMRIG_LOGIN.getBytes(StandardCharsets.UTF_8);

        for (int at = 0; at < login.length; at += 12) {
            client.getOutputStream().write(login, at, Math.min(12, login.length - at));
            client.getOutputStream().flush();
            sleep(150);
        }

        assertThat(awaitRecordOf(client).classification()).isInstanceOf(StratumMining.class);
    }

    /** After a settled benign reading the sink lingers: a protocol sent right after an HTTP-looking head is heard. */
    @Test
    void aBannerRightAfterAnHttpHeadIsHeard() throws IOException {
        open(TcpSink.Limits.DEFAULT);
        Socket client = clientGoingTo(OUTSIDE_SSH);

        send(client, "GET / HTTP/1.1\r\nHost: cdn.example.com\r\n\r\n");
        sleep(100);
        send(client, "SSH-2.0-OpenSSH_9.6\r\n");

        assertThat(awaitRecordOf(client).classification()).isEqualTo(new Ssh("SSH-2.0-OpenSSH_9.6"));
    }

    @Test
    void aShellPromptIsAReverseShellAndADnsQueryOverTcpIsDns() throws IOException {
        open(TcpSink.Limits.DEFAULT);
        Socket shell = clientGoingTo(OUTSIDE_SSH);
        Socket resolver = clientGoingTo(new OriginalDestination(InetAddress.ofLiteral("192.0.2.53"), 53));

        send(shell, "bash: no job control in this shell\nagent@sandbox:~$ ");
        resolver.getOutputStream().write(FirstBytesCorpus.dnsOverTcp("c2VjcmV0.exfil.example"));

        assertThat(awaitRecordOf(shell).classification()).isInstanceOf(Classification.ReverseShell.class);
        assertThat(awaitRecordOf(resolver).classification()).isEqualTo(new Classification.Dns("c2vjcmv0.exfil.example", "TXT"));
    }

    @Test
    void closeEndsOpenConnectionsWithoutWaitingForTheirDeadline() throws IOException {
        open(new TcpSink.Limits(LONG_DEADLINE, 16));
        Socket silent = clientGoingTo(OUTSIDE_SSH);
        Socket halfway = clientGoingTo(POOL);
        String unfinished = "{\"id\":1,\"method\":\"login\""; // no line end yet
        send(halfway, unfinished);
        await().atMost(PATIENCE).until(() -> sink.counters().accepted() == 2);

        assertTimeoutPreemptively(PATIENCE, sink::close);

        // Both were recorded, with what they had sent, before close returned.
        assertThat(recordOf((InetSocketAddress) silent.getLocalSocketAddress()))
                .hasValueSatisfying(record -> assertThat(record.classification()).isEqualTo(new Empty()));
        assertThat(recordOf((InetSocketAddress) halfway.getLocalSocketAddress()))
                .hasValueSatisfying(record -> assertThat(record.bytesRead()).isIn(0, unfinished.length()));
        silent.setSoTimeout((int) PATIENCE.toMillis());
        assertThat(silent.getInputStream().read()).isEqualTo(-1);
    }

    @Test
    void closeStopsListening() throws IOException {
        open(TcpSink.Limits.DEFAULT);
        InetSocketAddress address = sink.address();

        sink.close();

        try (Socket late = new Socket()) {
            assertThatThrownBy(() -> late.connect(address, (int) PATIENCE.toMillis())).isInstanceOf(ConnectException.class);
        }
        assertThat(records).isEmpty();
    }

    @Test
    void failedLookupStillRecordsTheConnectionAndIsCounted() throws IOException {
        sink = TcpSink.open(new InetSocketAddress(LOOPBACK, 0),
                client -> {
                    throw new AleException(AleException.Fault.ENVIRONMENT, "cannot read /proc/net/nf_conntrack");
                },
                records::add);
        Socket client = connect();

        send(client, "SSH-2.0-OpenSSH_9.2p1\r\n");

        SinkRecord record = awaitRecordOf(client);
        assertThat(record.destination()).isEmpty();
        assertThat(record.classification()).isInstanceOf(Ssh.class);
        assertThat(sink.counters().lookupFailures()).isEqualTo(1);
    }

    @Test
    void consumerThatThrowsDoesNotStopTheSink() throws IOException {
        AtomicBoolean failedOnce = new AtomicBoolean();
        sink = TcpSink.open(new InetSocketAddress(LOOPBACK, 0), destinations(), record -> {
            if (failedOnce.compareAndSet(false, true)) {
                throw new IllegalStateException("consumer broke");
            }
            records.add(record);
        });
        Socket first = connect();
        send(first, "SSH-2.0-first\r\n");
        await().atMost(PATIENCE).until(failedOnce::get);

        Socket second = connect();
        send(second, "SSH-2.0-second\r\n");

        assertThat(awaitRecordOf(second).classification()).isEqualTo(new Ssh("SSH-2.0-second"));
    }

    @Test
    void sinkOnIpv6LoopbackRecordsIpv6Clients() throws IOException {
        InetAddress ipv6Loopback = InetAddress.ofLiteral("::1");
        sink = TcpSink.open(new InetSocketAddress(ipv6Loopback, 0), destinations(), records::add);
        OriginalDestination outside = new OriginalDestination(InetAddress.ofLiteral("2001:db8::77"), 22);
        Socket client = new Socket();
        clients.add(client);
        client.bind(new InetSocketAddress(ipv6Loopback, 0));
        conntrack.put((InetSocketAddress) client.getLocalSocketAddress(), outside);
        client.connect(sink.address(), (int) PATIENCE.toMillis());

        send(client, "SSH-2.0-OpenSSH_9.2p1\r\n");

        SinkRecord record = awaitRecordOf(client);
        assertThat(record.client().getAddress()).isEqualTo(ipv6Loopback);
        assertThat(record.destination()).contains(outside);
    }

    @Test
    void addressInUseIsAnEnvironmentErrorNamingTheAddress() {
        open(TcpSink.Limits.DEFAULT);
        InetSocketAddress taken = sink.address();

        assertThatThrownBy(() -> TcpSink.open(taken, destinations(), records::add))
                .isInstanceOf(AleException.class)
                .hasMessageContaining(taken.toString());
    }

    private void open(TcpSink.Limits limits) {
        sink = TcpSink.open(new InetSocketAddress(LOOPBACK, 0), destinations(), records::add, limits);
    }

    private Function<InetSocketAddress, Optional<OriginalDestination>> destinations() {
        return client -> Optional.ofNullable(conntrack.get(client));
    }

    /** A loopback client whose "original destination" is {@code destination}. */
    private Socket clientGoingTo(OriginalDestination destination) throws IOException {
        Socket client = new Socket();
        clients.add(client);
        client.bind(new InetSocketAddress(LOOPBACK, 0));
        conntrack.put((InetSocketAddress) client.getLocalSocketAddress(), destination);
        client.connect(sink.address(), (int) PATIENCE.toMillis());
        client.setSoTimeout((int) PATIENCE.toMillis());
        return client;
    }

    private Socket clientFrom(InetAddress from, OriginalDestination destination) throws IOException {
        Socket client = new Socket();
        clients.add(client);
        client.bind(new InetSocketAddress(from, 0));
        conntrack.put((InetSocketAddress) client.getLocalSocketAddress(), destination);
        client.connect(sink.address(), (int) PATIENCE.toMillis());
        client.setSoTimeout((int) PATIENCE.toMillis());
        return client;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Socket connect() throws IOException {
        Socket client = new Socket();
        clients.add(client);
        client.connect(sink.address(), (int) PATIENCE.toMillis());
        client.setSoTimeout((int) PATIENCE.toMillis());
        return client;
    }

    private static void send(Socket client, String text) throws IOException {
        client.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        client.getOutputStream().flush();
    }

    private SinkRecord awaitRecordOf(Socket client) {
        return awaitRecordOf((InetSocketAddress) client.getLocalSocketAddress());
    }

    private SinkRecord awaitRecordOf(InetSocketAddress address) {
        return await().atMost(PATIENCE).until(() -> recordOf(address), Optional::isPresent).get();
    }

    private Optional<SinkRecord> recordOf(InetSocketAddress client) {
        return records.stream().filter(record -> record.client().equals(client)).findFirst();
    }
}
