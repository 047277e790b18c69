package dev.ale.train;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Collections;

/** θ: a weight per feature name, 0 for a feature never seen. Immutable; the learner makes new ones. */
public record Weights(Map<String, Double> byFeature) {

    public static final Weights ZERO = new Weights(Map.of());

    public Weights {
        byFeature = Collections.unmodifiableMap(new TreeMap<>(byFeature));
    }

    public double of(String feature) {
        return byFeature.getOrDefault(feature, 0.0);
    }

    /** θ · φ for binary features. */
    public double score(List<String> features) {
        double s = 0;
        for (String f : features) s += of(f);
        return s;
    }
}
