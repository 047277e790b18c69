package dev.ale.gateway.sink;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many connections per second the sink classifies, and what it does past its limits: a plain
 * loop on loopback, not a test (speed is measured, never asserted). Run from the repository root
 * after {@code ./mvnw -o -q -DskipTests package} and a test compile:
 * <pre>
 * java -cp ale-gateway/target/test-classes:ale-gateway/target/classes:ale-cli/target/ale.jar \
 *     dev.ale.gateway.sink.SinkCapacityBench [seconds] [clients]
 * </pre>
 */
public final class SinkCapacityBench {

    private static final InetAddress LOOPBACK = InetAddress.ofLiteral("127.0.0.1");
    private static final OriginalDestination OUTSIDE = new OriginalDestination(InetAddress.ofLiteral("203.0.113.9"), 3333);

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        byte[] hello = ClientHellos.capture("pool.example.com");
        List<byte[]> openings = List.of(
                ascii("SSH-2.0-OpenSSH_9.6\r\n"),
                ascii(FirstBytesCorpus.XMRIG_LOGIN),
                ascii("GET /simple/ HTTP/1.1\r\nHost: pypi.org\r\nUser-Agent: curl/8.5.0\r\n\r\n"),
                hello,
                ascii("bash: no job control in this shell\nagent@sandbox:~$ "),
                ascii("\r\n\r\n[{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"cgminer/4.10\"]}]\n"));
        System.out.printf(Locale.ROOT, "sink capacity on loopback, %d clients, %d s per run, %d cores%n", clients, seconds,
                Runtime.getRuntime().availableProcessors());
        classify("openings the client then ends (EOF)", openings, clients, seconds, true);
        classify("openings the client holds open (hostile end at once, benign linger)", openings, clients, seconds, false);
        overload();
    }

    /** Connections per second that get a record, each client connecting again as soon as the sink closes it. */
    private static void classify(String what, List<byte[]> openings, int clients, int seconds, boolean endAfterSending)
            throws Exception {
        LongAdder records = new LongAdder();
        ConcurrentLinkedQueue<String> kinds = new ConcurrentLinkedQueue<>();
        try (TcpSink sink = TcpSink.open(new InetSocketAddress(LOOPBACK, 0), client -> Optional.of(OUTSIDE), r -> {
            records.increment();
            if (kinds.size() < openings.size()) kinds.add(r.classification().getClass().getSimpleName());
        })) {
            AtomicBoolean stop = new AtomicBoolean();
            LongAdder errors = new LongAdder();
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int c = 0; c < clients; c++) {
                    int first = c;
                    threads.execute(() -> {
                        int i = first;
                        while (!stop.get()) {
                            try (Socket s = new Socket()) {
                                s.connect(sink.address(), 10_000);
                                s.getOutputStream().write(openings.get(i++ % openings.size()));
                                if (endAfterSending) s.shutdownOutput();
                                s.setSoTimeout(30_000);
                                InputStream in = s.getInputStream();
                                while (in.read() >= 0) {
                                    // the sink never sends; this waits for its close
                                }
                            } catch (IOException e) {
                                errors.increment();
                            }
                        }
                    });
                }
                long start = System.nanoTime();
                Thread.sleep(Duration.ofSeconds(1)); // warm-up
                long before = records.sum();
                long measuredFrom = System.nanoTime();
                Thread.sleep(Duration.ofSeconds(seconds));
                long after = records.sum();
                double elapsed = (System.nanoTime() - measuredFrom) / 1e9;
                stop.set(true);
                System.out.printf(Locale.ROOT, "  %-70s %8.0f connections/s classified (%d errors, %.0f s)%n", what,
                        (after - before) / elapsed, errors.sum(), (System.nanoTime() - start) / 1e9);
            }
            System.out.println("    kinds seen: " + kinds);
        }
    }

    /** Past the limits: silent connections fill one source's share; more are closed at once and recorded as skipped. */
    private static void overload() throws Exception {
        TcpSink.Limits limits = TcpSink.Limits.DEFAULT;
        List<SinkRecord> records = new ArrayList<>();
        List<Socket> held = new ArrayList<>();
        try (TcpSink sink = TcpSink.open(new InetSocketAddress(LOOPBACK, 0), client -> Optional.of(OUTSIDE), r -> {
            synchronized (records) {
                records.add(r);
            }
        }, limits)) {
            int flood = limits.maxPerSource() + 500;
            long start = System.nanoTime();
            for (int i = 0; i < flood; i++) {
                Socket s = new Socket();
                s.connect(sink.address(), 10_000);
                held.add(s);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (sink.counters().accepted() < flood && System.nanoTime() < deadline) Thread.sleep(10);
            Socket other = new Socket();
            other.bind(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.2"), 0));
            other.connect(sink.address(), 10_000);
            other.getOutputStream().write(ascii(FirstBytesCorpus.XMRIG_LOGIN));
            while (System.nanoTime() < deadline) {
                synchronized (records) {
                    if (records.stream().anyMatch(r -> r.client().getAddress().equals(other.getLocalAddress()))) break;
                }
                Thread.sleep(10);
            }
            long skipped;
            String otherKind;
            synchronized (records) {
                skipped = records.stream().filter(r -> r.classification() instanceof Classification.Skipped).count();
                otherKind = records.stream().filter(r -> r.client().getAddress().equals(other.getLocalAddress()))
                        .map(r -> r.classification().getClass().getSimpleName()).findFirst().orElse("no record");
            }
            System.out.printf(Locale.ROOT, "  overload: %d silent connections from one source in %.2f s: %d held, %d closed at once "
                            + "and recorded as skipped; meanwhile another source's stratum login: %s%n",
                    flood, seconds, sink.inFlight(), skipped, otherKind);
            other.close();
        } finally {
            for (Socket s : held) s.close();
        }
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private SinkCapacityBench() {
    }
}
