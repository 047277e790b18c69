package dev.ale.gateway.proxy;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** Real servers on 127.0.0.1 for the proxy to reach: a TLS echo with a self-signed certificate, and a websocket echo. */
final class LoopbackServers {

    static final InetAddress LOOPBACK = InetAddress.ofLiteral("127.0.0.1");

    private LoopbackServers() {
    }

    /** A server on its own thread; {@link #received()} counts every byte it read after any handshake. */
    static final class Server implements Closeable {
        final ServerSocket socket;
        final AtomicLong received = new AtomicLong();
        final List<Socket> accepted = new CopyOnWriteArrayList<>();
        private final Thread thread;

        Server(ServerSocket socket, Handler handler) {
            this.socket = socket;
            this.thread = Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket s = socket.accept();
                        accepted.add(s);
                        Thread.ofVirtual().start(() -> {
                            try (s) {
                                handler.serve(s, this);
                            } catch (IOException ignored) {
                                // the client or the test hung up
                            }
                        });
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
        }

        int port() {
            return socket.getLocalPort();
        }

        long received() {
            return received.get();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : accepted) s.close();
            thread.interrupt();
        }
    }

    interface Handler {
        void serve(Socket s, Server server) throws IOException;
    }

    /** A key pair and self-signed certificate for {@code name}, made by the JDK's keytool, and contexts for both ends. */
    record Tls(SSLContext server, SSLContext client) {

        static Tls selfSigned(String name, Path dir) throws Exception {
            Path store = dir.resolve("server.p12");
            Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                    "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                    "-ext", "SAN=dns:" + name, "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12",
                    "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
            String out = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (keytool.waitFor() != 0 || !Files.exists(store)) throw new IllegalStateException("keytool failed: " + out);
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                keys.load(in, "changeit".toCharArray());
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, "changeit".toCharArray());
            SSLContext server = SSLContext.getInstance("TLS");
            server.init(kmf.getKeyManagers(), null, null);
            Certificate certificate = keys.getCertificate("server");
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("server", certificate);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext client = SSLContext.getInstance("TLS");
            client.init(null, tmf.getTrustManagers(), null);
            return new Tls(server, client);
        }
    }

    /** Echoes every byte inside TLS. */
    static Server tlsEcho(Tls tls) throws IOException {
        SSLServerSocket listener = (SSLServerSocket) tls.server().getServerSocketFactory().createServerSocket(0, 50, LOOPBACK);
        return new Server(listener, (s, server) -> {
            SSLSocket ssl = (SSLSocket) s;
            ssl.startHandshake();
            byte[] buffer = new byte[8192];
            for (int n; (n = ssl.getInputStream().read(buffer)) > 0; ) {
                server.received.addAndGet(n);
                ssl.getOutputStream().write(buffer, 0, n);
                ssl.getOutputStream().flush();
            }
        });
    }

    /**
     * A websocket server (RFC 6455) that answers the upgrade and echoes each text message back;
     * {@link Server#received()} counts the upgrade request and every payload byte.
     */
    static Server webSocketEcho() throws IOException {
        return new Server(new ServerSocket(0, 50, LOOPBACK), (s, server) -> {
            InputStream in = s.getInputStream();
            String head = readHead(in);
            server.received.addAndGet(head.length()); // what got through includes the upgrade request
            String key = head.lines().filter(l -> l.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElseThrow();
            String accept;
            try {
                accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                        .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "
                    + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            DataInputStream frames = new DataInputStream(in);
            while (true) {
                int b0 = frames.read();
                if (b0 < 0) return;
                int b1 = frames.readUnsignedByte();
                long length = b1 & 0x7f;
                if (length == 126) length = frames.readUnsignedShort();
                else if (length == 127) length = frames.readLong();
                byte[] mask = new byte[4];
                if ((b1 & 0x80) != 0) frames.readFully(mask);
                byte[] payload = new byte[(int) length];
                frames.readFully(payload);
                for (int i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
                server.received.addAndGet(payload.length);
                int opcode = b0 & 0x0f;
                if (opcode == 8) { // close: answer it and stop
                    out.write(new byte[] {(byte) 0x88, 0});
                    out.flush();
                    return;
                }
                if (opcode == 1 || opcode == 2) {
                    ByteArrayOutputStream reply = new ByteArrayOutputStream();
                    reply.write(0x80 | opcode);
                    if (payload.length < 126) {
                        reply.write(payload.length);
                    } else {
                        reply.write(126);
                        reply.write(payload.length >> 8);
                        reply.write(payload.length & 0xff);
                    }
                    reply.writeBytes(payload);
                    out.write(reply.toByteArray());
                    out.flush();
                }
            }
        });
    }

    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) throw new IOException("closed before the head ended");
            head.write(b);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
    }
}
