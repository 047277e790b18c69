package dev.ale.core.net;

import java.util.Objects;
import java.util.Optional;

/**
 * What a client sent first on a connection, and what the gateway took it for: the same facts a
 * {@link ConnectionRecord} holds for the sink, here for bytes the proxy read inside a tunnel or a
 * request body. The monitor judges the same bytes the same way wherever they were seen.
 *
 * @param protocol   as in {@link ConnectionRecord#protocol()}: {@code tls}, {@code http}, {@code ssh},
 *                   {@code stratum}, {@code shell}, {@code dns}, {@code json-rpc}, {@code empty}, {@code unknown}
 * @param name       the TLS server name or HTTP Host, when there was one
 * @param detail     the protocol's own facts in one line
 * @param firstBytes the first bytes as printable text, non-printables escaped
 */
public record Opening(String protocol, Optional<String> name, String detail, String firstBytes) {

    public Opening {
        Objects.requireNonNull(protocol, "protocol");
        name = name == null ? Optional.empty() : name;
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(firstBytes, "firstBytes");
    }
}
