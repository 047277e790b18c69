package dev.ale.gateway.proxy;

import dev.ale.gateway.sink.Classification;

import java.time.Duration;
import java.util.Locale;

/**
 * What may pass an allowlisted CONNECT, judged on the client's first bytes before one is relayed:
 * a TLS ClientHello naming the host the tunnel was allowed for, or a plain HTTP request for that
 * host (which the proxy then serves as one request, its body and any upgrade judged as such).
 * Anything else (an SSH banner, a miner's login, a shell, a hello naming another host or none)
 * is refused, with the reason recorded; the bytes are judged by the monitor as the sink's are.
 */
sealed interface TunnelOpening {

    record Tls() implements TunnelOpening {
    }

    record Http() implements TunnelOpening {
    }

    /** @param reason for the record: {@code tunnel carried ssh}, {@code tunnel carried tls for other.example} … */
    record Refuse(String reason) implements TunnelOpening {
    }

    static TunnelOpening judge(String host, Peek first, Duration waited) {
        Classification c = first.reading().classification();
        String wanted = bare(host);
        return switch (c) {
            case Classification.Tls tls when tls.sni().isPresent() && bare(tls.sni().get()).equals(wanted) -> new Tls();
            case Classification.Tls tls when tls.sni().isPresent() -> new Refuse("tunnel carried tls for " + tls.sni().get() + ", not " + host);
            case Classification.Tls tls -> new Refuse(first.reading().complete() ? "tunnel carried tls without a server name"
                    : "tunnel carried a tls hello that did not arrive whole");
            case Classification.Http http when !http.hostile() -> {
                if (!headEnded(first)) yield new Refuse("tunnel carried an http head that did not arrive whole");
                String named = bare(withoutPort(http.host()));
                yield named.isEmpty() || named.equals(wanted) ? new Http()
                        : new Refuse("tunnel carried http for " + http.host() + ", not " + host);
            }
            case Classification.Empty e -> new Refuse(first.ended() ? "tunnel closed before sending anything"
                    : "tunnel carried nothing within " + (waited.toMillis() < 1000 ? waited.toMillis() + " ms" : waited.toSeconds() + " s"));
            default -> new Refuse("tunnel carried " + first.opening().protocol()
                    + (first.opening().detail().isEmpty() || c instanceof Classification.Unknown ? "" : " (" + first.opening().detail() + ")"));
        };
    }

    private static boolean headEnded(Peek first) {
        return Peek.headEnded(first.bytes(), first.length());
    }

    private static String withoutPort(String hostPort) {
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            return close > 0 ? hostPort.substring(1, close) : hostPort;
        }
        int colon = hostPort.lastIndexOf(':');
        return colon > 0 && hostPort.indexOf(':') == colon ? hostPort.substring(0, colon) : hostPort;
    }

    private static String bare(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}
