package dev.ale.cluster.discovery;

import dev.ale.cluster.fleet.Member;
import dev.ale.core.AleException;
import dev.ale.server.NodeSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A fixed list of nodes ({@code ale serve --cluster --nodes URL,URL}), for a fleet without
 * Kubernetes. Each is taken as ready; whether it answers is the poll's business, and its name
 * comes from the list or else from its own report.
 */
public record StaticDiscovery(List<Member> members) implements Discovery {

    public StaticDiscovery {
        members = List.copyOf(members);
        if (members.isEmpty()) throw new AleException(AleException.Fault.INPUT, "--nodes: name at least one node URL");
    }

    /**
     * Reads {@code URL,URL} or {@code NAME=URL,NAME=URL} (a URL is {@code http://host:port}); a
     * named node's ids are routed (to a 503, while it is down) even before it first answers.
     * Every mistake names the entry.
     */
    public static StaticDiscovery parse(String list) {
        List<Member> members = new ArrayList<>();
        List<URI> urls = new ArrayList<>();
        for (String part : list.split(",")) {
            String s = part.strip();
            if (s.isEmpty()) continue;
            Optional<String> name = Optional.empty();
            int eq = s.indexOf('=');
            if (eq >= 0) {
                name = Optional.of(s.substring(0, eq).strip());
                s = s.substring(eq + 1).strip();
                if (!name.get().matches(NodeSettings.NAME_PATTERN)) {
                    throw new AleException(AleException.Fault.INPUT, "--nodes: '" + name.get() + "' is not a node name (1-63 of a-z 0-9 -)");
                }
            }
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
            members.add(new Member(base, name, true));
        }
        return new StaticDiscovery(members);
    }

    @Override
    public void start(Consumer<List<Member>> sink) {
        sink.accept(members);
    }

    @Override
    public String describe() {
        return "static list of " + members.size() + " nodes";
    }

    @Override
    public void close() {
        // nothing runs
    }
}
