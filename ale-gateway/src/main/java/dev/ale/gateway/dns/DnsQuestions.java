package dev.ale.gateway.dns;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Reads the question of a DNS query wherever it travels (a UDP datagram, a TCP stream after its
 * length prefix), with the same strict parser the DNS server uses.
 */
public final class DnsQuestions {

    /** One question: the name as presentation text (lower case) and the type as text ({@code A}, {@code TXT}, or the number). */
    public record Question(String name, String type) {
    }

    private DnsQuestions() {
    }

    /** The question of the standard query in {@code bytes[offset, offset + length)}; empty when it is none. */
    public static Optional<Question> read(byte[] bytes, int offset, int length) {
        if (offset < 0 || length < 0 || offset > bytes.length - length) return Optional.empty();
        return DnsQuery.parse(ByteBuffer.wrap(bytes, offset, length).slice())
                .map(q -> new Question(q.name(), q.typeText()));
    }

    /**
     * Whether {@code bytes[offset, offset + 12)} is the header of a standard query with one
     * question and no answers: what a DNS client sends, and what little else does.
     */
    public static boolean isQueryHeader(byte[] bytes, int offset, int length) {
        if (offset < 0 || length < 12 || offset > bytes.length - 12) return false;
        return DnsQuery.header(ByteBuffer.wrap(bytes, offset, 12).slice())
                .filter(h -> h.isQuery() && h.opcode() == 0 && h.qdcount() == 1 && h.ancount() == 0 && h.nscount() == 0)
                .isPresent();
    }
}
