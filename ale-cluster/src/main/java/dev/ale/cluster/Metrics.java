package dev.ale.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One Prometheus scrape for the whole cluster: the front's own gauges, then every node's
 * families with a {@code node} label on each sample. Samples of one family stay together under
 * its HELP and TYPE, as the text format requires.
 */
final class Metrics {

    private record Family(List<String> header, List<String> samples) { }

    private final Map<String, Family> families = new LinkedHashMap<>();

    void gauge(String name, String help, String label, Map<String, Integer> values) {
        Family f = family(name, help, "gauge");
        new TreeMap<>(values).forEach((k, v) -> f.samples().add(name + "{" + label + "=\"" + k + "\"} " + v));
    }

    void counter(String name, String help, long value) {
        family(name, help, "counter").samples().add(name + " " + value);
    }

    private Family family(String name, String help, String type) {
        return families.computeIfAbsent(name, n -> new Family(List.of("# HELP " + n + " " + help, "# TYPE " + n + " " + type), new ArrayList<>()));
    }

    /** A node's scrape, each sample labelled with the node's name. */
    void node(String node, String text) {
        String current = null;
        List<String> header = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) continue;
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                String name = line.substring(7).split(" ", 2)[0];
                if (!name.equals(current)) header = new ArrayList<>();
                current = name;
                header.add(line);
                List<String> h = header;
                families.computeIfAbsent(name, n -> new Family(h, new ArrayList<>()));
                continue;
            }
            if (line.startsWith("#") || current == null) continue;
            families.get(current).samples().add(labelled(line, node));
        }
    }

    private static String labelled(String sample, String node) {
        int brace = sample.indexOf('{');
        int space = sample.indexOf(' ');
        if (brace >= 0 && (space < 0 || brace < space)) return sample.substring(0, brace + 1) + "node=\"" + node + "\"," + sample.substring(brace + 1);
        if (space < 0) return sample;
        return sample.substring(0, space) + "{node=\"" + node + "\"}" + sample.substring(space);
    }

    String text() {
        StringBuilder out = new StringBuilder();
        for (Family f : families.values()) {
            f.header().forEach(h -> out.append(h).append('\n'));
            f.samples().forEach(s -> out.append(s).append('\n'));
        }
        return out.toString();
    }
}
