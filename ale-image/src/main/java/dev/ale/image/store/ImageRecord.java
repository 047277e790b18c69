package dev.ale.image.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.core.AleException.Fault;
import dev.ale.image.registry.Digest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One stored image: its id (the digest of its platform manifest), the names that point at it,
 * its layers bottom first (each kept once, by blob digest), and what its config says a process
 * starts with. {@code source} says where it came from (a registry name, an import).
 */
public record ImageRecord(Digest id, List<String> names, Digest config, List<Digest> layers, List<String> env,
                          Optional<String> workingDir, Optional<String> user, long bytes, Instant created, String source) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public ImageRecord {
        names = List.copyOf(names);
        layers = List.copyOf(layers);
        env = List.copyOf(env);
        workingDir = workingDir == null ? Optional.empty() : workingDir.filter(s -> !s.isEmpty());
        user = user == null ? Optional.empty() : user.filter(s -> !s.isEmpty());
    }

    public ImageRecord withNames(List<String> n) {
        return new ImageRecord(id, n, config, layers, env, workingDir, user, bytes, created, source);
    }

    byte[] toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", id.toString());
        names.forEach(o.putArray("names")::add);
        o.put("config", config.toString());
        ArrayNode l = o.putArray("layers");
        layers.forEach(d -> l.add(d.toString()));
        env.forEach(o.putArray("env")::add);
        workingDir.ifPresent(w -> o.put("workingDir", w));
        user.ifPresent(u -> o.put("user", u));
        o.put("bytes", bytes);
        o.put("created", created.toString());
        o.put("source", source);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static ImageRecord fromJson(byte[] bytes, String file) {
        try {
            JsonNode o = JSON.readTree(bytes);
            List<String> names = new ArrayList<>();
            o.path("names").forEach(n -> names.add(n.asText()));
            List<Digest> layers = new ArrayList<>();
            o.path("layers").forEach(n -> layers.add(Digest.parse(n.asText())));
            List<String> env = new ArrayList<>();
            o.path("env").forEach(n -> env.add(n.asText()));
            return new ImageRecord(Digest.parse(o.path("id").asText()), names, Digest.parse(o.path("config").asText()), layers, env,
                    Optional.ofNullable(o.path("workingDir").textValue()), Optional.ofNullable(o.path("user").textValue()),
                    o.path("bytes").asLong(), Instant.parse(o.path("created").asText()), o.path("source").asText(""));
        } catch (java.io.IOException | RuntimeException e) {
            throw new StoreException(Fault.ENVIRONMENT, "image record " + file + " is damaged (" + e.getMessage() + "); remove it and pull again");
        }
    }
}
