package dev.ale.gateway.sink;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Objects;

/** The address and port a sandbox client dialled before its connection was redirected to the sink. */
public record OriginalDestination(InetAddress address, int port) {

    public OriginalDestination {
        Objects.requireNonNull(address, "address");
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("port " + port + " is not a TCP/UDP port (0-65535)");
        }
    }

    /** {@code 203.0.113.77:22} or {@code [2001:db8::1]:22}. */
    @Override
    public String toString() {
        String host = address.getHostAddress();
        return (address instanceof Inet6Address ? "[" + host + "]" : host) + ":" + port;
    }
}
