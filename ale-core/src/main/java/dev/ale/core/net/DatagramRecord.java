package dev.ale.core.net;

import java.time.Instant;
import java.util.Objects;

/**
 * A UDP datagram a sandbox sent to port 53 that was no DNS question the gateway's server could
 * read: raw data sent where DNS goes (a tunnel's own protocol, or data stuffed into a malformed
 * query). It reaches no resolver; the record says where it was going and what it held.
 *
 * @param destinationAddress the address the sandbox sent it to (from conntrack), or {@code ""} when unknown
 * @param destinationPort    53, or 0 when unknown
 * @param length             its size in bytes
 * @param firstBytes         its start as printable text, non-printables escaped
 * @param reason             why it was no question: {@code not a DNS message}, {@code over 512 bytes},
 *                           {@code a response, not a question}, {@code malformed question}
 */
public record DatagramRecord(
        String sandbox,
        Instant time,
        String destinationAddress,
        int destinationPort,
        int length,
        String firstBytes,
        String reason) implements NetworkRecord {

    public DatagramRecord {
        Objects.requireNonNull(sandbox, "sandbox");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(destinationAddress, "destinationAddress");
        Objects.requireNonNull(firstBytes, "firstBytes");
        Objects.requireNonNull(reason, "reason");
    }
}
