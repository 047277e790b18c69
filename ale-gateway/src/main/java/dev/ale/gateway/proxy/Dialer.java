package dev.ale.gateway.proxy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/** How the proxy opens its upstream connections; tests put a guard here that refuses non-loopback. */
@FunctionalInterface
interface Dialer {

    Socket dial(InetSocketAddress to, Duration timeout) throws IOException;

    /** A socket with a channel underneath, so that a tunnel to it is relayed channel to channel ({@link Relay}). */
    Dialer PLAIN = (to, timeout) -> {
        Socket socket = SocketChannel.open().socket();
        try {
            socket.connect(to, (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis())));
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    };
}
