package dev.ale.core.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * What kind of address a sandbox dialled or a name resolved to. The gateway refuses to dial
 * anything but {@link Kind#PUBLIC}; the monitor calls a connection to the inner kinds a probe
 * and to {@link Kind#METADATA} a metadata grab.
 */
public final class AddressRanges {

    /** ALE's own link range (RFC 2544 benchmarking, 198.18.0.0/15): never a cloud or LAN address. */
    public static final String ALE_LINK_RANGE = "198.18.0.0/15";

    public enum Kind {
        LOOPBACK, UNSPECIFIED, METADATA, LINK_LOCAL, PRIVATE, CGNAT, ALE_LINK, MULTICAST, RESERVED, PUBLIC;

        /** An address inside some operator's network: dialling it from a sandbox is probing. */
        public boolean isInternal() {
            return this != PUBLIC && this != ALE_LINK;
        }

        /**
         * Whether the gateway may dial it for a sandbox: only public addresses. ALE's own link
         * range is no more dialable than a private one: from the host it reaches the gateway's
         * listeners and other sandboxes.
         */
        public boolean isPublic() {
            return this == PUBLIC;
        }
    }

    private record Range(byte[] network, int prefix, Kind kind) {
    }

    // first match wins: metadata addresses lie inside link-local, CGNAT and ULA
    private static final List<Range> RANGES = List.of(
            range("169.254.169.254/32", Kind.METADATA),
            range("100.100.100.200/32", Kind.METADATA),
            range("169.254.170.2/32", Kind.METADATA),   // AWS ECS task metadata and credentials
            range("168.63.129.16/32", Kind.METADATA),   // Azure WireServer
            range("fd00:ec2::254/128", Kind.METADATA),
            range("0.0.0.0/8", Kind.UNSPECIFIED),
            range("::/128", Kind.UNSPECIFIED),
            range("127.0.0.0/8", Kind.LOOPBACK),
            range("::1/128", Kind.LOOPBACK),
            range("10.0.0.0/8", Kind.PRIVATE),
            range("172.16.0.0/12", Kind.PRIVATE),
            range("192.168.0.0/16", Kind.PRIVATE),
            range("fc00::/7", Kind.PRIVATE),
            range("169.254.0.0/16", Kind.LINK_LOCAL),
            range("fe80::/10", Kind.LINK_LOCAL),
            range("100.64.0.0/10", Kind.CGNAT),
            range(ALE_LINK_RANGE, Kind.ALE_LINK),
            range("224.0.0.0/4", Kind.MULTICAST),
            range("ff00::/8", Kind.MULTICAST),
            range("240.0.0.0/4", Kind.RESERVED),
            range("192.0.0.0/24", Kind.RESERVED),
            range("64:ff9b:1::/48", Kind.RESERVED),
            // translation prefixes carry an IPv4 address inside: they could reach any inner one
            range("64:ff9b::/96", Kind.RESERVED),
            range("2002::/16", Kind.RESERVED),
            range("2001::/32", Kind.RESERVED));

    private AddressRanges() {
    }

    public static Kind classify(InetAddress address) {
        InetAddress a = unmapped(address);
        byte[] bytes = a.getAddress();
        for (Range r : RANGES) {
            if (r.network.length == bytes.length && inPrefix(bytes, r.network, r.prefix)) return r.kind;
        }
        return Kind.PUBLIC;
    }

    /**
     * Classifies an address in any spelling ({@link AddressSpellings}: {@code 2852039166},
     * {@code 0xA9FEA9FE}, {@code 127.1}, {@code ::ffff:169.254.169.254} …), judged on the IPv4
     * address an IPv6 one carries; empty when {@code text} is a name (never looked up).
     */
    public static Optional<Kind> classify(String text) {
        return AddressSpellings.classify(text);
    }

    /**
     * Parses a canonical numeric IPv4 (dotted quad) or IPv6 address without any DNS lookup; other
     * spellings are {@link AddressSpellings}'s.
     */
    public static Optional<InetAddress> parseLiteral(String text) {
        String t = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        boolean v4 = t.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = t.contains(":") && t.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !v6) return Optional.empty();
        try {
            return Optional.of(InetAddress.getByName(t)); // numeric: no lookup happens
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static InetAddress unmapped(InetAddress a) {
        if (a instanceof Inet6Address) {
            byte[] b = a.getAddress();
            boolean mapped = true;
            for (int i = 0; i < 10; i++) mapped &= b[i] == 0;
            mapped &= (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
            if (mapped) {
                try {
                    return Inet4Address.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return a;
    }

    private static boolean inPrefix(byte[] address, byte[] network, int prefix) {
        int full = prefix / 8;
        for (int i = 0; i < full; i++) if (address[i] != network[i]) return false;
        int rest = prefix % 8;
        if (rest == 0) return true;
        int mask = 0xff << (8 - rest) & 0xff;
        return (address[full] & mask) == (network[full] & mask);
    }

    private static Range range(String cidr, Kind kind) {
        String[] parts = cidr.split("/");
        InetAddress net = parseLiteral(parts[0]).orElseThrow();
        return new Range(net.getAddress(), Integer.parseInt(parts[1]), kind);
    }
}
