package dev.ale.cli.bench;

import dev.ale.core.net.NetworkRecord;
import dev.ale.core.passport.EgressRule;
import dev.ale.core.passport.EgressRules;
import dev.ale.core.passport.Phase;
import dev.ale.gateway.HostResolver;
import dev.ale.gateway.SandboxClients;
import dev.ale.gateway.proxy.HttpProxy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * Bytes per second through the gateway's proxy (a CONNECT tunnel) against the same transfer
 * straight from the server, both on loopback, interleaved. Loopback is the hardest case for the
 * proxy: there is no network to hide its copying behind. Both clients open with a genuine TLS
 * ClientHello for the name, as HTTPS does: the proxy reads and judges it before it relays a byte.
 */
final class ProxyThroughputBench {

    private static final String NAME = "bench.ale.test";

    /**
     * {@code directCpu} and {@code proxiedCpu}: the CPU time the whole JVM (server, client and, for
     * the proxied one, the proxy's relay) used during each transfer. Their difference is what the
     * proxy costs; unlike wall time it hardly moves with what else the machine runs.
     */
    record Result(long bytes, int runs, Samples direct, Samples proxied, Samples directCpu, Samples proxiedCpu) {

        /** CPU milliseconds the proxy adds per GiB relayed: medians of proxied less direct. */
        double proxyCpuMillisPerGib() {
            return (proxiedCpu.p50Millis() - directCpu.p50Millis()) * (1L << 30) / bytes;
        }

        double directMibPerSecond() {
            return mibPerSecond(direct.p50Millis());
        }

        double proxiedMibPerSecond() {
            return mibPerSecond(proxied.p50Millis());
        }

        private double mibPerSecond(double millis) {
            return bytes / (double) (1 << 20) / (millis / 1000);
        }
    }

    // the upstream socket is closed early on purpose: that is what unblocks the serving thread
    @SuppressWarnings("try")
    Result run(long bytes, int runs, int warmup) throws IOException {
        byte[] hello = clientHello(NAME);
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            AtomicBoolean stop = new AtomicBoolean();
            Thread serving = Thread.ofPlatform().daemon().name("bench-upstream").start(() -> serve(server, hello.length, bytes, stop));
            int port = server.getLocalPort();
            InetAddress loopback = InetAddress.getLoopbackAddress();
            EgressRules egress = new EgressRules(Map.of(Phase.AGENT, List.of(new EgressRule(NAME, List.of(port)))));
            SandboxClients clients = source -> Optional.of(new SandboxClients.Client("sb-bench000", egress, Phase.AGENT));
            HostResolver pinned = new HostResolver() {
                @Override
                public List<InetAddress> resolve(String name) {
                    return List.of(loopback);
                }

                @Override
                public boolean isPinned(String name) {
                    return NAME.equals(name);
                }
            };
            try (HttpProxy proxy = HttpProxy.start(new InetSocketAddress(loopback, 0), clients, pinned, (NetworkRecord r) -> { })) {
                Samples direct = new Samples(runs);
                Samples proxied = new Samples(runs);
                Samples directCpu = new Samples(runs);
                Samples proxiedCpu = new Samples(runs);
                for (int i = 0; i < warmup + runs; i++) {
                    long c0 = cpuNanos();
                    long d = timed(() -> drain(opened(new Socket(loopback, port), hello), bytes));
                    long c1 = cpuNanos();
                    long p = timed(() -> drain(opened(tunnel(proxy.address(), port), hello), bytes));
                    long c2 = cpuNanos();
                    if (i >= warmup) {
                        direct.add(d);
                        proxied.add(p);
                        directCpu.add(c1 - c0);
                        proxiedCpu.add(c2 - c1);
                    }
                }
                return new Result(bytes, runs, direct, proxied, directCpu, proxiedCpu);
            } finally {
                stop.set(true);
                server.close();
                serving.interrupt();
            }
        }
    }

    private interface Transfer {
        void run() throws IOException;
    }

    /** The JVM's CPU time so far, all threads (from /proc: 10 ms ticks, fine against transfers of 100 ms and more). */
    private static long cpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    private static long timed(Transfer t) throws IOException {
        long start = System.nanoTime();
        t.run();
        return System.nanoTime() - start;
    }

    private static Socket tunnel(InetSocketAddress proxy, int port) throws IOException {
        Socket s = new Socket(proxy.getAddress(), proxy.getPort());
        OutputStream out = s.getOutputStream();
        out.write(("CONNECT " + NAME + ":" + port + " HTTP/1.1\r\nHost: " + NAME + ":" + port + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) throw new IOException("the proxy closed the tunnel before answering: " + head);
            head.append((char) b);
        }
        if (!head.toString().startsWith("HTTP/1.1 200")) throw new IOException("the proxy refused: " + head.toString().strip());
        return s;
    }

    /** The first record a TLS client sends, made by the JDK's own engine without any network. */
    static byte[] clientHello(String name) throws IOException {
        try {
            SSLEngine engine = SSLContext.getDefault().createSSLEngine(name, 443);
            engine.setUseClientMode(true);
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(name)));
            engine.setSSLParameters(parameters);
            engine.beginHandshake();
            ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            engine.wrap(ByteBuffer.allocate(0), out);
            out.flip();
            byte[] hello = new byte[out.remaining()];
            out.get(hello);
            return hello;
        } catch (GeneralSecurityException e) {
            throw new IOException("the JDK made no TLS ClientHello: " + e.getMessage(), e);
        }
    }

    private static Socket opened(Socket s, byte[] hello) throws IOException {
        s.getOutputStream().write(hello);
        s.getOutputStream().flush();
        return s;
    }

    private static void drain(Socket s, long expected) throws IOException {
        try (s) {
            InputStream in = s.getInputStream();
            byte[] buffer = new byte[1 << 16];
            long total = 0;
            for (int n; (n = in.read(buffer)) > 0; ) total += n;
            if (total != expected) throw new IOException("got " + total + " bytes, expected " + expected);
        }
    }

    /** Reads the client's hello (so closing never resets the connection with it unread), then sends {@code bytes}. */
    private static void serve(ServerSocket server, int helloLength, long bytes, AtomicBoolean stop) {
        byte[] chunk = new byte[1 << 16];
        while (!stop.get()) {
            try (Socket client = server.accept()) {
                client.getInputStream().readNBytes(helloLength);
                OutputStream out = client.getOutputStream();
                for (long sent = 0; sent < bytes; ) {
                    int n = (int) Math.min(chunk.length, bytes - sent);
                    out.write(chunk, 0, n);
                    sent += n;
                }
            } catch (IOException e) {
                if (stop.get()) return;
            }
        }
    }
}
