package dev.ale.gateway.sink;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/** Genuine TLS ClientHellos and TLS clients, from the JDK's own SSLSocket, over loopback only. */
public final class ClientHellos {

    public static final InetAddress LOOPBACK = InetAddress.ofLiteral("127.0.0.1");

    private ClientHellos() {
    }

    /**
     * The first record a JDK TLS client sends, caught by a loopback listener that then hangs up.
     * {@code protocols} narrows what the client offers; none means the JDK's defaults. An empty
     * {@code sni} sends none.
     */
    public static byte[] capture(String sni, String... protocols) throws IOException, InterruptedException {
        try (ServerSocket listener = new ServerSocket(0, 1, LOOPBACK)) {
            Thread client = Thread.ofVirtual().start(() -> {
                Socket plain = new Socket();
                try {
                    plain.connect(listener.getLocalSocketAddress(), 30_000);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                handshakeAndFail(plain, sni, protocols);
            });
            try (Socket accepted = listener.accept()) {
                accepted.setSoTimeout(30_000);
                DataInputStream in = new DataInputStream(accepted.getInputStream());
                byte[] header = new byte[5];
                in.readFully(header);
                byte[] record = Arrays.copyOf(header, 5 + (((header[3] & 0xff) << 8) | (header[4] & 0xff)));
                in.readFully(record, 5, record.length - 5);
                return record;
            } finally {
                client.join();
            }
        }
    }

    /**
     * Layers a JDK TLS client asking for {@code sni} over {@code connected} and starts a handshake
     * that nobody will answer; returns how it failed, and closes the socket.
     */
    static IOException handshakeAndFail(Socket connected, String sni, String... protocols) {
        try (SSLSocket socket = (SSLSocket) SSLContext.getDefault().getSocketFactory()
                .createSocket(connected, connected.getInetAddress().getHostAddress(), connected.getPort(), true)) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(sni.isEmpty() ? List.of() : List.of(new SNIHostName(sni)));
            if (protocols.length > 0) {
                parameters.setProtocols(protocols);
            }
            socket.setSSLParameters(parameters);
            socket.setSoTimeout(60_000);
            socket.startHandshake();
            throw new AssertionError("a TLS handshake succeeded against a listener that never answers");
        } catch (IOException expected) {
            return expected;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
