package dev.ale.image.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ale.core.AleException.Fault;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads manifests and indexes (OCI and Docker v2 schema 2). An index is resolved by the
 * platform field of its entries, never by their order; an OCI manifest may lack
 * {@code mediaType}, so its shape decides.
 */
public final class Manifests {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A single-platform image: its config blob and its layers, bottom first. */
    public record ImageManifest(Descriptor config, List<Descriptor> layers) {
        public ImageManifest {
            layers = List.copyOf(layers);
        }
    }

    private Manifests() {
    }

    public static JsonNode tree(byte[] body, String what) {
        try {
            JsonNode n = JSON.readTree(body);
            if (n == null || !n.isObject()) throw new IOException("not a JSON object");
            return n;
        } catch (IOException e) {
            throw new RegistryException(Fault.ENVIRONMENT, what + " is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /** True when {@code body} (served as {@code contentType}) is an index or a manifest list. */
    public static boolean isIndex(JsonNode body, String contentType) {
        String type = body.path("mediaType").asText(contentType == null ? "" : contentType);
        return MediaTypes.isIndex(type) || (body.has("manifests") && !body.has("layers"));
    }

    /** The entry of an index for {@code platform}; names the platforms it has when none matches. */
    public static Descriptor choose(JsonNode index, Platform platform, String what) {
        List<String> seen = new ArrayList<>();
        for (JsonNode m : index.path("manifests")) {
            JsonNode p = m.path("platform");
            String os = p.path("os").asText("");
            String arch = p.path("architecture").asText("");
            if (os.isEmpty() || os.equals("unknown")) continue; // attestations and other non-images
            seen.add(os + "/" + arch);
            if (os.equals(platform.os()) && arch.equals(platform.architecture())) {
                return new Descriptor(m.path("mediaType").asText(MediaTypes.OCI_MANIFEST), digest(m, what), m.path("size").asLong(-1),
                        Optional.of(new Platform(os, arch)));
            }
        }
        throw new RegistryException(Fault.INPUT, what + " has no " + platform + " image (it has: "
                + (seen.isEmpty() ? "none" : String.join(", ", seen)) + ")");
    }

    public static ImageManifest manifest(JsonNode m, String what) {
        JsonNode config = m.path("config");
        if (!config.isObject() || !m.path("layers").isArray()) {
            throw new RegistryException(Fault.ENVIRONMENT, what + " is not an image manifest (no config or layers)");
        }
        List<Descriptor> layers = new ArrayList<>();
        for (JsonNode l : m.path("layers")) {
            String type = l.path("mediaType").asText("");
            if (MediaTypes.compression(type).isEmpty()) {
                String why = type.endsWith("zstd") ? "zstd-compressed layers are not supported yet (re-push it with gzip)"
                        : "its layer type \"" + type + "\" is not supported";
                throw new RegistryException(Fault.INPUT, what + ": " + why);
            }
            layers.add(new Descriptor(type, digest(l, what), l.path("size").asLong(-1), Optional.empty()));
        }
        return new ImageManifest(new Descriptor(config.path("mediaType").asText(MediaTypes.OCI_CONFIG), digest(config, what),
                config.path("size").asLong(-1), Optional.empty()), layers);
    }

    private static Digest digest(JsonNode descriptor, String what) {
        try {
            return Digest.parse(descriptor.path("digest").asText(""));
        } catch (RegistryException e) {
            throw new RegistryException(Fault.ENVIRONMENT, what + ": " + e.getMessage());
        }
    }
}
