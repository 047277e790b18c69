package dev.ale.gateway;

import dev.ale.core.AleException;
import dev.ale.core.AleException.Fault;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.ServerSocketChannel;

/** Binds a gateway service's TCP listener, with the one error a user can act on when it cannot. */
public final class Listening {

    private Listening() {
    }

    /**
     * A listening socket on {@code bind} (port 0 picks one) with room for {@code backlog} pending
     * connections.
     *
     * @param service what listens, for the message: "the TCP sink", "the HTTP proxy"
     * @throws AleException (environment) when the address cannot be bound
     */
    public static ServerSocket tcp(InetSocketAddress bind, int backlog, String service) {
        return bound(bind, backlog, service, false);
    }

    /**
     * As {@link #tcp}, a listening socket whose accepted sockets have channels underneath
     * ({@link java.net.Socket#getChannel()}), for a service that relays channel to channel.
     */
    public static ServerSocket tcpChannel(InetSocketAddress bind, int backlog, String service) {
        return bound(bind, backlog, service, true);
    }

    private static ServerSocket bound(InetSocketAddress bind, int backlog, String service, boolean channel) {
        ServerSocket server = null;
        try {
            server = channel ? ServerSocketChannel.open().socket() : new ServerSocket();
            server.setReuseAddress(true);
            server.bind(bind, backlog);
            return server;
        } catch (IOException e) {
            if (server != null) {
                try {
                    server.close();
                } catch (IOException ignored) {
                    // nothing was listening yet
                }
            }
            throw new AleException(Fault.ENVIRONMENT, service + " cannot listen on " + bind + " (" + e.getMessage()
                    + "): is another gateway using that address, or is it not an address of this host?", e);
        }
    }
}
