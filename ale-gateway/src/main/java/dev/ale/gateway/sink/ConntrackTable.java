package dev.ale.gateway.sink;

import dev.ale.core.AleException;
import dev.ale.core.AleException.Fault;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * Finds where a redirected TCP connection was going, in the kernel's connection tracking table.
 * The sandbox's SYN was DNATed to the sink, so the entry's reply tuple runs from the sink back to
 * the client, and its original tuple still holds the address the client dialled:
 * <pre>
 * ipv4 2 tcp 6 432000 ESTABLISHED src=100.127.0.0 dst=203.0.113.77 sport=38992 dport=22
 *     src=100.127.0.1 dst=100.127.0.0 sport=7999 dport=38992 [ASSURED] mark=0 zone=0 use=2
 * </pre>
 */
public final class ConntrackTable {

    /** The table of the network namespace the gateway runs in, where the DNAT happened. */
    public static final Path PROC_FILE = Path.of("/proc/net/nf_conntrack");

    private final Path file;

    public ConntrackTable() {
        this(PROC_FILE);
    }

    /** Reads {@code file} instead of {@link #PROC_FILE}; it must have the same line format. */
    public ConntrackTable(Path file) {
        this.file = file;
    }

    /**
     * The original destination of the TCP connection whose client, as the sink sees it, is
     * {@code client}; empty when no entry has that client in its reply tuple.
     *
     * @throws AleException (environment) when the table cannot be read
     */
    public Optional<OriginalDestination> lookup(InetSocketAddress client) {
        return lookup("tcp", client);
    }

    /** As {@link #lookup}, for a UDP datagram redirected to a gateway listener (DNS sent to another resolver). */
    public Optional<OriginalDestination> lookupUdp(InetSocketAddress client) {
        return lookup("udp", client);
    }

    private Optional<OriginalDestination> lookup(String protocol, InetSocketAddress client) {
        InetAddress clientAddress = client.getAddress();
        if (clientAddress == null) {
            return Optional.empty();
        }
        // The file is read afresh for each lookup: the entry was made by the SYN a moment ago.
        try (BufferedReader lines = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                Optional<Entry> entry = Entry.parse(line);
                if (entry.isPresent() && entry.get().protocol().equals(protocol)
                        && entry.get().reply().dport() == client.getPort()
                        && sameAddress(entry.get().reply().dst(), clientAddress)) {
                    Tuple original = entry.get().original();
                    return Optional.of(new OriginalDestination(original.dst(), original.dport()));
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new AleException(Fault.ENVIRONMENT, "cannot read the connection tracking table " + file
                    + " (" + e + "): the gateway must run as root, with the nf_conntrack module loaded"
                    + " (modprobe nf_conntrack)", e);
        }
    }

    /** Compares addresses without IPv6 scope ids, which conntrack does not print. */
    private static boolean sameAddress(InetAddress a, InetAddress b) {
        return Arrays.equals(a.getAddress(), b.getAddress());
    }

    /** One direction of a tracked connection. */
    record Tuple(InetAddress src, InetAddress dst, int sport, int dport) {
    }

    /** One line of the table: protocol, then the original tuple and the reply tuple. */
    record Entry(String family, String protocol, Tuple original, Tuple reply) {

        /**
         * Parses a line; empty for lines without two address-and-port tuples (icmp, garbage).
         * Fields are found by name, so the state (absent for udp), the [UNREPLIED] and [ASSURED]
         * markers and accounting fields (packets=, bytes=) may come and go.
         */
        static Optional<Entry> parse(String line) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length < 4 || !(fields[0].equals("ipv4") || fields[0].equals("ipv6"))) {
                return Optional.empty();
            }
            String[][] tuples = new String[2][4];
            int[] seen = new int[4];
            for (String field : fields) {
                int equals = field.indexOf('=');
                int key = equals < 0 ? -1 : switch (field.substring(0, equals)) {
                    case "src" -> 0;
                    case "dst" -> 1;
                    case "sport" -> 2;
                    case "dport" -> 3;
                    default -> -1;
                };
                if (key >= 0 && seen[key] < 2) {
                    tuples[seen[key]++][key] = field.substring(equals + 1);
                }
            }
            if (Arrays.stream(seen).anyMatch(count -> count != 2)) {
                return Optional.empty();
            }
            try {
                return Optional.of(new Entry(fields[0], fields[2], tuple(tuples[0]), tuple(tuples[1])));
            } catch (IllegalArgumentException malformed) {
                return Optional.empty();
            }
        }

        private static Tuple tuple(String[] fields) {
            // ofLiteral never resolves a name: a bad field must not become a DNS query.
            return new Tuple(InetAddress.ofLiteral(fields[0]), InetAddress.ofLiteral(fields[1]),
                    port(fields[2]), port(fields[3]));
        }

        private static int port(String text) {
            int port = Integer.parseInt(text);
            if (port < 0 || port > 0xffff) {
                throw new IllegalArgumentException("port out of range: " + text);
            }
            return port;
        }
    }
}
