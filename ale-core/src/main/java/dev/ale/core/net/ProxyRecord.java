package dev.ale.core.net;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One request through the gateway's HTTP(S) proxy: a {@code CONNECT} or a plain HTTP request.
 *
 * @param refusal why it was refused ({@code not allowlisted}, {@code resolves to private 10.0.0.7},
 *                {@code cannot resolve}); empty when it was allowed
 * @param upstreamAddress the address the gateway dialled, when it was allowed
 * @param opening what the client sent first inside the tunnel, or as a request body, when the proxy
 *                read it: present when it was the reason for a refusal (an SSH banner inside an
 *                allowlisted CONNECT, a stratum login in a POST body), and for a tunnel it let through
 */
public record ProxyRecord(
        String sandbox,
        Instant time,
        String method,
        String host,
        int port,
        Optional<String> refusal,
        Optional<String> upstreamAddress,
        long bytesUp,
        long bytesDown,
        Optional<Opening> opening) implements NetworkRecord {

    public ProxyRecord {
        Objects.requireNonNull(sandbox, "sandbox");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(host, "host");
        refusal = refusal == null ? Optional.empty() : refusal;
        upstreamAddress = upstreamAddress == null ? Optional.empty() : upstreamAddress;
        opening = opening == null ? Optional.empty() : opening;
    }

    /** A record without an opening: the proxy did not read the client's first bytes. */
    public ProxyRecord(String sandbox, Instant time, String method, String host, int port, Optional<String> refusal,
                       Optional<String> upstreamAddress, long bytesUp, long bytesDown) {
        this(sandbox, time, method, host, port, refusal, upstreamAddress, bytesUp, bytesDown, Optional.empty());
    }

    public boolean allowed() {
        return refusal.isEmpty();
    }
}
