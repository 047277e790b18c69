package dev.ale.image.registry;

import dev.ale.core.AleException.Fault;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where to fetch each registry's images from: a mirror named for the registry
 * ({@code docker.io=http://127.0.0.1:5000}), else the registry itself over HTTPS. Plain HTTP
 * only to a loopback address, whether a mirror or a registry named by its loopback address.
 */
public record Mirrors(Map<String, URI> byRegistry) {

    /** The environment variable that names mirrors: {@code docker.io=http://127.0.0.1:5000,ghcr.io=https://…}. */
    public static final String ENV = "ALE_REGISTRY_MIRRORS";

    public Mirrors {
        byRegistry = Map.copyOf(byRegistry);
    }

    public static Mirrors none() {
        return new Mirrors(Map.of());
    }

    /** Mirrors from {@value #ENV} (when set) and then {@code flags} ({@code REGISTRY=URL} each); a flag wins. */
    public static Mirrors from(Optional<String> env, List<String> flags) {
        Map<String, URI> m = new LinkedHashMap<>();
        env.filter(s -> !s.isBlank()).ifPresent(s -> {
            for (String part : s.split(",")) if (!part.isBlank()) put(m, part.strip(), ENV);
        });
        for (String f : flags) put(m, f, "--registry-mirror");
        return new Mirrors(m);
    }

    /** The base URL to reach {@code registry} at. */
    public URI endpoint(String registry) {
        URI mirror = byRegistry.get(registry);
        if (mirror != null) return mirror;
        String host = registry.equals(ImageReference.DOCKER_HUB) ? "registry-1.docker.io" : registry;
        return URI.create((isLoopback(hostOf(host)) ? "http://" : "https://") + host);
    }

    private static void put(Map<String, URI> m, String spec, String source) {
        int eq = spec.indexOf('=');
        if (eq <= 0 || eq == spec.length() - 1) {
            throw new RegistryException(Fault.INPUT, source + " \"" + spec + "\": expected REGISTRY=URL, e.g. docker.io=http://127.0.0.1:5000");
        }
        String registry = spec.substring(0, eq).strip();
        if (registry.equals("index.docker.io") || registry.equals("registry-1.docker.io")) registry = ImageReference.DOCKER_HUB;
        URI url;
        try {
            url = URI.create(spec.substring(eq + 1).strip().replaceAll("/+$", ""));
        } catch (IllegalArgumentException e) {
            throw new RegistryException(Fault.INPUT, source + " \"" + spec + "\": the URL is not valid: " + e.getMessage());
        }
        if (url.getHost() == null || !(url.getScheme().equals("http") || url.getScheme().equals("https"))) {
            throw new RegistryException(Fault.INPUT, source + " \"" + spec + "\": the URL must be http(s)://HOST[:PORT]");
        }
        if (url.getScheme().equals("http") && !isLoopback(url.getHost())) {
            throw new RegistryException(Fault.INPUT, source + " \"" + spec + "\": plain http is allowed only to a loopback mirror"
                    + " (127.0.0.0/8, ::1, localhost); use https");
        }
        m.put(registry, url);
    }

    static String hostOf(String hostPort) {
        if (hostPort.startsWith("[")) return hostPort.substring(1, hostPort.indexOf(']'));
        int colon = hostPort.lastIndexOf(':');
        return colon > 0 ? hostPort.substring(0, colon) : hostPort;
    }

    /** Loopback by address, never by a lookup (a name that resolves to 127.0.0.1 today may not tomorrow). */
    static boolean isLoopback(String host) {
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if (h.equals("localhost")) return true;
        if (!h.matches("[0-9.]+") && !h.contains(":")) return false;
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
