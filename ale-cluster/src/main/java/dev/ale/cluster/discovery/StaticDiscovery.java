package dev.ale.cluster.discovery;

import dev.ale.cluster.fleet.Member;
import dev.ale.core.AleException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A fixed list of nodes ({@code ale serve --cluster --nodes URL,URL}), for a fleet without
 * Kubernetes. Each is taken as ready; whether it answers is the poll's business, and its name
 * comes from its own report.
 */
public record StaticDiscovery(List<URI> urls) implements Discovery {

    public StaticDiscovery {
        urls = List.copyOf(urls);
        if (urls.isEmpty()) throw new AleException(AleException.Fault.INPUT, "--nodes: name at least one node URL");
    }

    /** Reads {@code http://host:port,http://host:port}; every mistake names the entry. */
    public static StaticDiscovery parse(String list) {
        List<URI> urls = new ArrayList<>();
        for (String part : list.split(",")) {
            String s = part.strip();
            if (s.isEmpty()) continue;
            URI u;
            try {
                u = new URI(s);
            } catch (URISyntaxException e) {
                throw new AleException(AleException.Fault.INPUT, "--nodes: '" + s + "' is not a URL: " + e.getReason());
            }
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null || u.getPort() < 0) {
                throw new AleException(AleException.Fault.INPUT, "--nodes: '" + s + "' must be http://HOST:PORT (or https://)");
            }
            if (u.getRawPath() != null && !u.getRawPath().isEmpty() && !u.getRawPath().equals("/") || u.getRawQuery() != null) {
                throw new AleException(AleException.Fault.INPUT, "--nodes: '" + s + "' must be a node's base URL, without a path or query");
            }
            URI base = URI.create(u.getScheme() + "://" + u.getRawAuthority());
            if (urls.contains(base)) throw new AleException(AleException.Fault.INPUT, "--nodes: '" + s + "' is named twice");
            urls.add(base);
        }
        return new StaticDiscovery(urls);
    }

    @Override
    public void start(Consumer<List<Member>> members) {
        members.accept(urls.stream().map(u -> new Member(u, Optional.empty(), true)).toList());
    }

    @Override
    public String describe() {
        return "static list of " + urls.size() + " nodes";
    }

    @Override
    public void close() {
        // nothing runs
    }
}
