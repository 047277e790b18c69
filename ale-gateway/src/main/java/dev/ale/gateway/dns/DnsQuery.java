package dev.ale.gateway.dns;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.Arrays;

/**
 * One DNS question as it arrived (RFC 1035 wire format), and the replies to it. The parser is
 * strict: it reads only within the datagram and turns anything odd into {@link Optional#empty()}.
 *
 * @param name     the name as presentation text, lower case, no final dot ({@code "."} for the root);
 *                 bytes outside letters, digits, {@code -} and {@code _} are written {@code \DDD}
 * @param nameWire the name as the client spelled it (case kept, for 0x20-randomising resolvers)
 */
record DnsQuery(int id, boolean recursionDesired, String name, byte[] nameWire, int type, int qclass) {

    static final int MAX_UDP = 512;
    static final int TYPE_A = 1;
    static final int TYPE_AAAA = 28;
    static final int CLASS_IN = 1;

    static final int NOERROR = 0;
    static final int SERVFAIL = 2;
    static final int NXDOMAIN = 3;
    static final int NOTIMP = 4;
    static final int REFUSED = 5;

    private static final int HEADER = 12;
    private static final int MAX_NAME = 255;
    private static final int MAX_POINTERS = 16;

    /** Whether every label is a plain host-name label, so the name may be matched against the allowlist. */
    boolean plainName() {
        return !name.contains("\\");
    }

    String typeText() {
        return switch (type) {
            case 1 -> "A";
            case 2 -> "NS";
            case 5 -> "CNAME";
            case 6 -> "SOA";
            case 12 -> "PTR";
            case 15 -> "MX";
            case 16 -> "TXT";
            case 28 -> "AAAA";
            case 33 -> "SRV";
            case 64 -> "SVCB";
            case 65 -> "HTTPS";
            case 255 -> "ANY";
            default -> Integer.toString(type);
        };
    }

    /** The header's id and opcode, when at least a header arrived: enough to answer NOTIMP or FORMERR. */
    record Header(int id, int flags, int qdcount, int ancount, int nscount) {
        boolean isQuery() {
            return (flags & 0x8000) == 0;
        }

        int opcode() {
            return (flags >>> 11) & 0xf;
        }
    }

    static Optional<Header> header(ByteBuffer packet) {
        if (packet.remaining() < HEADER) return Optional.empty();
        int p = packet.position();
        return Optional.of(new Header(u16(packet, p), u16(packet, p + 2), u16(packet, p + 4),
                u16(packet, p + 6), u16(packet, p + 8)));
    }

    /** Parses a standard query with exactly one question; anything else is empty. */
    static Optional<DnsQuery> parse(ByteBuffer packet) {
        Optional<Header> h = header(packet);
        if (h.isEmpty()) return Optional.empty();
        Header header = h.get();
        if (!header.isQuery() || header.opcode() != 0 || header.qdcount() != 1
                || header.ancount() != 0 || header.nscount() != 0) {
            return Optional.empty();
        }
        int base = packet.position();
        int limit = packet.limit();
        byte[] wire = new byte[MAX_NAME];
        int wireLength = 0;
        StringBuilder text = new StringBuilder();
        int at = base + HEADER;
        int end = -1; // where the question continues after the name
        int pointers = 0;
        while (true) {
            if (at >= limit) return Optional.empty();
            int length = packet.get(at) & 0xff;
            if ((length & 0xc0) == 0xc0) {
                if (at + 1 >= limit || ++pointers > MAX_POINTERS) return Optional.empty();
                int target = base + (((length & 0x3f) << 8) | (packet.get(at + 1) & 0xff));
                // Only backwards, so a chain of pointers cannot loop even without the hop limit.
                if (target >= at || target < base + HEADER) return Optional.empty();
                if (end < 0) end = at + 2;
                at = target;
                continue;
            }
            if ((length & 0xc0) != 0) return Optional.empty(); // 0x40 and 0x80 label types are obsolete
            if (wireLength + 1 + length > MAX_NAME) return Optional.empty();
            wire[wireLength++] = (byte) length;
            if (length == 0) {
                if (end < 0) end = at + 1;
                break;
            }
            if (at + 1 + length > limit) return Optional.empty();
            if (!text.isEmpty()) text.append('.');
            for (int i = 0; i < length; i++) {
                byte b = packet.get(at + 1 + i);
                wire[wireLength++] = b;
                appendPresentation(text, b);
            }
            at += 1 + length;
        }
        if (end + 4 > limit) return Optional.empty();
        int type = u16(packet, end);
        int qclass = u16(packet, end + 2);
        byte[] nameWire = Arrays.copyOf(wire, wireLength);
        String name = text.isEmpty() ? "." : text.toString();
        return Optional.of(new DnsQuery(header.id(), (header.flags() & 0x0100) != 0, name, nameWire, type, qclass));
    }

    /** A reply carrying this question, {@code rcode}, and one record per address (of the asked family). */
    ByteBuffer reply(int rcode, List<InetAddress> answers, int ttlSeconds) {
        ByteBuffer out = ByteBuffer.allocate(MAX_UDP);
        int flags = 0x8000 | 0x0080 | rcode; // QR, RA: to the sandbox this is its recursive resolver
        if (recursionDesired) flags |= 0x0100;
        int fitting = (MAX_UDP - HEADER - nameWire.length - 4) / (2 + 10 + 16);
        List<InetAddress> given = answers.subList(0, Math.min(answers.size(), fitting));
        out.putShort((short) id).putShort((short) flags).putShort((short) 1).putShort((short) given.size())
                .putShort((short) 0).putShort((short) 0);
        out.put(nameWire).putShort((short) type).putShort((short) qclass);
        for (InetAddress a : given) {
            byte[] rdata = a.getAddress();
            out.putShort((short) 0xc00c) // the question's name, which always starts right after the header
                    .putShort((short) (a instanceof Inet6Address ? TYPE_AAAA : TYPE_A))
                    .putShort((short) CLASS_IN)
                    .putInt(ttlSeconds)
                    .putShort((short) rdata.length)
                    .put(rdata);
        }
        return out.flip();
    }

    /** A question-less reply to a packet that could not be parsed as one question (FORMERR, NOTIMP). */
    static ByteBuffer bareReply(Header header, int rcode) {
        ByteBuffer out = ByteBuffer.allocate(HEADER);
        int flags = 0x8000 | 0x0080 | (header.flags() & 0x7900) | rcode; // keep opcode and RD
        out.putShort((short) header.id()).putShort((short) flags).putShort((short) 0).putShort((short) 0)
                .putShort((short) 0).putShort((short) 0);
        return out.flip();
    }

    static boolean ofFamily(InetAddress address, int type) {
        return type == TYPE_A ? address instanceof Inet4Address : address instanceof Inet6Address;
    }

    private static void appendPresentation(StringBuilder text, byte b) {
        int c = b & 0xff;
        if (c >= 'A' && c <= 'Z') {
            text.append((char) (c + 32));
        } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
            text.append((char) c);
        } else {
            text.append('\\').append(String.format("%03d", c));
        }
    }

    private static int u16(ByteBuffer b, int at) {
        return ((b.get(at) & 0xff) << 8) | (b.get(at + 1) & 0xff);
    }
}
