package dev.ale.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.core.AleException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The softmax policy's θ on disk: {@code {"format": "ale-softmax-1", "weights": {feature: weight, ...}}}, features sorted. */
public final class Checkpoint {

    public static final String FORMAT = "ale-softmax-1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Checkpoint() {
    }

    public static String toJson(Weights weights) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        ObjectNode w = root.putObject("weights");
        weights.byFeature().forEach(w::put);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void write(Path file, Weights weights) {
        try {
            Files.writeString(file, toJson(weights));
        } catch (IOException e) {
            throw new AleException(AleException.Fault.ENVIRONMENT, "cannot write checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    public static Weights read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new AleException(AleException.Fault.INPUT, file + ": not a checkpoint (" + e.getMessage() + ")", e);
        }
        if (root == null || !root.path("format").asText().equals(FORMAT) || !root.path("weights").isObject()) {
            throw new AleException(AleException.Fault.INPUT, file + ": not a checkpoint of the softmax policy (needs format \""
                    + FORMAT + "\" and a weights mapping)");
        }
        Map<String, Double> weights = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : root.get("weights").properties()) {
            if (!e.getValue().isNumber()) throw new AleException(AleException.Fault.INPUT, file + ": weights." + e.getKey() + " is not a number");
            weights.put(e.getKey(), e.getValue().doubleValue());
        }
        return new Weights(weights);
    }
}
