package dev.ale.image.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ale.core.AleException.Fault;
import dev.ale.image.registry.Digest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The parts of an image config ALE applies ({@code Env}, {@code WorkingDir}, {@code User}) and checks ({@code rootfs.diff_ids}). */
public record ImageConfig(List<String> env, Optional<String> workingDir, Optional<String> user, List<Digest> diffIds) {

    public ImageConfig {
        env = List.copyOf(env);
        diffIds = List.copyOf(diffIds);
    }

    public static ImageConfig parse(byte[] json, String what) {
        try {
            JsonNode root = new ObjectMapper().readTree(json);
            JsonNode c = root.path("config");
            List<String> env = new ArrayList<>();
            c.path("Env").forEach(e -> env.add(e.asText()));
            List<Digest> diffIds = new ArrayList<>();
            for (JsonNode d : root.path("rootfs").path("diff_ids")) diffIds.add(Digest.parse(d.asText()));
            return new ImageConfig(env, Optional.ofNullable(c.path("WorkingDir").textValue()).filter(s -> !s.isEmpty()),
                    Optional.ofNullable(c.path("User").textValue()).filter(s -> !s.isEmpty()), diffIds);
        } catch (IOException | RuntimeException e) {
            throw new StoreException(Fault.INPUT, what + ": its config is not a valid image config (" + e.getMessage() + ")");
        }
    }
}
