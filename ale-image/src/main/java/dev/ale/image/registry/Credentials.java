package dev.ale.image.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ale.core.AleException.Fault;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Registry logins from {@code REGISTRY_AUTH_FILE} or {@code ~/.docker/config.json} (the
 * {@code auths} map, as {@code docker login} and {@code podman login} write it). A login is
 * only ever sent in an {@code Authorization} header; its {@link Login#toString()} hides it.
 */
public final class Credentials {

    /** A user and password (or token) for one registry host. */
    public record Login(String user, String secret) {
        String basic() {
            return Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String toString() {
            return "Login[" + user + ", ****]";
        }
    }

    private final Map<String, Login> byHost;

    private Credentials(Map<String, Login> byHost) {
        this.byHost = Map.copyOf(byHost);
    }

    public static Credentials none() {
        return new Credentials(Map.of());
    }

    /** From {@code REGISTRY_AUTH_FILE} when set, else {@code ~/.docker/config.json}; none when neither exists. */
    public static Credentials fromEnvironment() {
        String file = System.getenv("REGISTRY_AUTH_FILE");
        Path path = file != null && !file.isBlank() ? Path.of(file) : Path.of(System.getProperty("user.home"), ".docker", "config.json");
        return Files.exists(path) ? read(path) : none();
    }

    public static Credentials read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new RegistryException(Fault.INPUT, "registry credentials " + file + ": not valid JSON (" + e.getClass().getSimpleName() + ")");
        }
        Map<String, Login> logins = new HashMap<>();
        JsonNode auths = root.path("auths");
        for (var it = auths.properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            String auth = e.getValue().path("auth").asText("");
            if (auth.isEmpty()) continue; // credential helpers are not read
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(auth), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException ex) {
                // the value itself is never echoed: it is a secret
                throw new RegistryException(Fault.INPUT, "registry credentials " + file + ": the auth of " + e.getKey() + " is not base64");
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                throw new RegistryException(Fault.INPUT, "registry credentials " + file + ": the auth of " + e.getKey() + " is not user:password");
            }
            logins.put(hostKey(e.getKey()), new Login(decoded.substring(0, colon), decoded.substring(colon + 1)));
        }
        return new Credentials(logins);
    }

    public static Credentials of(Map<String, Login> byHost) {
        Map<String, Login> m = new HashMap<>();
        byHost.forEach((k, v) -> m.put(hostKey(k), v));
        return new Credentials(m);
    }

    /** The login for {@code host} (a registry or mirror, {@code host[:port]}). */
    public Optional<Login> forHost(String host) {
        return Optional.ofNullable(byHost.get(hostKey(host)));
    }

    /** {@code https://index.docker.io/v1/} and {@code docker.io} name the same login. */
    private static String hostKey(String key) {
        String k = key.replaceFirst("^https?://", "").replaceAll("/.*$", "");
        return k.equals("index.docker.io") || k.equals("registry-1.docker.io") ? ImageReference.DOCKER_HUB : k;
    }

    @Override
    public String toString() {
        return "Credentials" + byHost.keySet();
    }
}
