package dev.ale.core.net;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A TCP connection that reached the sink: every connection a sandbox makes that is not to the
 * gateway's proxy or DNS server. The sink read its first bytes and closed it.
 *
 * @param destinationAddress the address the sandbox dialled (from conntrack), as text
 * @param protocol           {@code ssh}, {@code stratum}, {@code json-rpc}, {@code http}, {@code tls},
 *                           {@code shell} (a shell's output: a reverse shell), {@code dns} (a DNS
 *                           question framed for TCP), {@code empty} or {@code unknown}; or
 *                           {@link #UNREAD} for an early record made when the connection was
 *                           accepted, because its destination alone decides (an internal or
 *                           metadata address): its full record follows; or {@link #SKIPPED} when
 *                           the sink was at capacity and closed it unread
 * @param name               the TLS server name or HTTP Host, when the first bytes carried one
 * @param detail             the protocol's own facts in one line (SSH banner, stratum method, request line)
 * @param firstBytes         the first bytes as printable text, non-printables escaped
 */
public record ConnectionRecord(
        String sandbox,
        Instant time,
        String destinationAddress,
        int destinationPort,
        String protocol,
        Optional<String> name,
        String detail,
        String firstBytes) implements NetworkRecord {

    /** The protocol of an early record, made before the first bytes were read. */
    public static final String UNREAD = "unread";

    /**
     * The protocol of a connection the sink closed unread because it was at capacity: what it
     * carried is unknown, and the record says so rather than pass for a plain denied connection.
     */
    public static final String SKIPPED = "skipped";

    public ConnectionRecord {
        Objects.requireNonNull(sandbox, "sandbox");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(destinationAddress, "destinationAddress");
        Objects.requireNonNull(protocol, "protocol");
        name = name == null ? Optional.empty() : name;
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(firstBytes, "firstBytes");
    }
}
