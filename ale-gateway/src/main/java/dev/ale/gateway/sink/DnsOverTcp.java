package dev.ale.gateway.sink;

import dev.ale.gateway.dns.DnsQuestions;

import java.util.Optional;

/**
 * Recognises a DNS query sent over TCP (RFC 1035 4.2.2: a two-byte length, then the message), as
 * {@code dig +tcp @8.8.8.8} and DNS tunnels falling back from UDP send it. The header must be a
 * standard query with one question and no answers, which random bytes almost never are.
 */
final class DnsOverTcp {

    /** Header and the shortest question (the root name, type, class). */
    private static final int SHORTEST = 12 + 1 + 4;

    private DnsOverTcp() {
    }

    static Optional<FirstBytes.Reading> read(byte[] bytes, int length) {
        if (length < 2 + 12) return Optional.empty();
        int declared = ((bytes[0] & 0xff) << 8) | (bytes[1] & 0xff);
        if (declared < SHORTEST || !DnsQuestions.isQueryHeader(bytes, 2, length - 2)) return Optional.empty();
        int arrived = Math.min(declared, length - 2);
        Optional<DnsQuestions.Question> question = DnsQuestions.read(bytes, 2, arrived);
        if (question.isEmpty()) {
            // The header fits; the question may still be on its way (or be malformed: then the deadline ends it).
            return arrived < declared ? Optional.of(new FirstBytes.Reading(new Classification.Dns("", ""), false)) : Optional.empty();
        }
        return Optional.of(new FirstBytes.Reading(new Classification.Dns(question.get().name(), question.get().type()),
                length - 2 >= declared));
    }
}
