package dev.ale.monitor.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** socat's two addresses, classified: listeners, outgoing sockets, proxies, programs. */
record Socat(List<String> addresses, int listeners, int sockets, boolean proxies, boolean runsProgram, boolean tun) {

    private static final Set<String> VALUE_OPTIONS = Set.of("-b", "-t", "-T", "-lf", "-lp", "-L", "-W", "-r", "-R");
    private static final Set<String> LISTEN = Set.of(
            "tcp-listen", "tcp4-listen", "tcp6-listen", "tcp-l", "tcp4-l", "tcp6-l", "udp-listen", "udp4-listen",
            "udp6-listen", "udp-l", "udp4-l", "udp6-l", "openssl-listen", "ssl-l", "sctp-listen", "sctp-l",
            "udp-recvfrom", "udp4-recvfrom", "udp6-recvfrom", "dccp-listen", "vsock-listen");
    private static final Set<String> CONNECT = Set.of(
            "tcp", "tcp4", "tcp6", "tcp-connect", "tcp4-connect", "tcp6-connect", "udp", "udp4", "udp6", "udp-connect",
            "udp4-connect", "udp6-connect", "udp-sendto", "udp4-sendto", "udp6-sendto", "udp-datagram", "openssl",
            "openssl-connect", "ssl", "sctp", "sctp-connect", "dccp-connect", "ip-sendto", "ip4-sendto", "ip6-sendto");
    private static final Set<String> PROXY = Set.of(
            "socks", "socks4", "socks4a", "socks5", "socks5-connect", "socks5-listen", "proxy", "proxy-connect");
    private static final Set<String> PROGRAM = Set.of("exec", "system");

    static Socat of(Invocation inv) {
        List<String> addresses = new ArrayList<>();
        List<String> args = inv.args();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.length() > 1 && a.startsWith("-")) {
                if (VALUE_OPTIONS.contains(a)) i++;
                continue;
            }
            addresses.add(a);
        }
        int listeners = 0;
        int sockets = 0;
        boolean proxies = false;
        boolean program = false;
        boolean tun = false;
        for (String address : addresses) {
            // socat 1.8 chains addresses with "|"; each link has a type of its own.
            for (String link : address.split("\\|")) {
                String type = type(link);
                if (LISTEN.contains(type)) {
                    listeners++;
                    sockets++;
                } else if (CONNECT.contains(type)) {
                    sockets++;
                } else if (PROXY.contains(type)) {
                    proxies = true;
                    sockets++;
                } else if (PROGRAM.contains(type)) {
                    program = true;
                } else if (type.equals("tun")) {
                    tun = true;
                }
            }
        }
        return new Socat(List.copyOf(addresses), listeners, sockets, proxies, program, tun);
    }

    private static String type(String address) {
        String a = address.strip().toLowerCase(Locale.ROOT);
        int end = 0;
        while (end < a.length() && a.charAt(end) != ':' && a.charAt(end) != ',') end++;
        return a.substring(0, end);
    }

    boolean listens() {
        return listeners > 0;
    }

    /** A socket other than the listener: the far end of a relay. */
    boolean relays() {
        return listeners > 0 && sockets >= 2;
    }
}
