package dev.ale.core.passport;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One allowed destination: a domain, exact ({@code pypi.org}) or a suffix pattern
 * ({@code *.githubusercontent.com}, which matches any name below it but not the bare suffix),
 * the ports allowed on it, and whether a plain-HTTP request to it may upgrade to a websocket.
 */
public record EgressRule(String domain, List<Integer> ports, boolean websocket) {

    public EgressRule {
        Objects.requireNonNull(domain, "domain");
        domain = domain.toLowerCase(Locale.ROOT);
        ports = List.copyOf(ports);
    }

    /** An entry without websockets: TLS and plain HTTP only. */
    public EgressRule(String domain, List<Integer> ports) {
        this(domain, ports, false);
    }

    public boolean isWildcard() {
        return domain.startsWith("*.");
    }

    /** Whether this rule allows {@code host} (a DNS name, any case, with or without a final dot). */
    public boolean matchesHost(String host) {
        String h = normalise(host);
        if (isWildcard()) {
            String suffix = domain.substring(1); // ".example.com"
            return h.endsWith(suffix) && h.length() > suffix.length();
        }
        return h.equals(domain);
    }

    public boolean allows(String host, int port) {
        return ports.contains(port) && matchesHost(host);
    }

    /** Whether a plain-HTTP request to {@code host:port} may upgrade to a websocket. */
    public boolean allowsWebsocket(String host, int port) {
        return websocket && allows(host, port);
    }

    static String normalise(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }
}
