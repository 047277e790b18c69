package dev.ale.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How things look, in one place: a colour per event category and per arm, a shape per event
 * action (alert ●, block ■, kill ✖), and the colours of episode outcomes.
 */
final class Marks {

    /** Categories in the order the legend lists them; colours chosen to stay apart from each other. */
    static final Map<String, String> CATEGORY_COLOURS = orderedColours(
            "mining", "#d62728",
            "tunnel", "#9467bd",
            "reverse-shell", "#222222",
            "probe", "#ff7f0e",
            "metadata", "#e377c2",
            "exfiltration", "#17becf",
            "credential", "#bcbd22",
            "egress-denied", "#7f7f7f",
            "tamper", "#8c564b",
            "persistence", "#2ca02c",
            "gpu", "#1f77b4",
            "resource", "#393b79");

    static final List<String> ACTIONS = List.of("alert", "block", "kill");

    private static final List<String> ARM_COLOURS = List.of("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf");

    static final String PASSED = "#1b7f3b";
    static final String FAILED = "#6b7280";
    static final String KILLED = "#c62828";
    static final String HACK = "#e65100";

    private Marks() {
    }

    static String categoryColour(String category) {
        return CATEGORY_COLOURS.getOrDefault(category, "#000000");
    }

    static String armColour(int index) {
        return ARM_COLOURS.get(index % ARM_COLOURS.size());
    }

    /** The shape of an event of {@code action}, centred on (x, y), about {@code size} across. */
    static String shape(String action, double x, double y, double size, String fill) {
        double r = size / 2;
        String stroke = " fill=\"" + fill + "\" stroke=\"#1f2937\" stroke-width=\"1\"";
        return switch (action) {
            case "block" -> "<rect x=\"" + Html.px(x - r * 0.85) + "\" y=\"" + Html.px(y - r * 0.85) + "\" width=\"" + Html.px(r * 1.7)
                    + "\" height=\"" + Html.px(r * 1.7) + "\"" + stroke + "/>";
            case "kill" -> "<polygon points=\"" + cross(x, y, r * 1.15) + "\"" + stroke + "/>";
            default -> "<circle cx=\"" + Html.px(x) + "\" cy=\"" + Html.px(y) + "\" r=\"" + Html.px(r * 0.85) + "\"" + stroke + "/>";
        };
    }

    /** A small inline SVG of one shape, for legends and tables. */
    static String glyph(String action, String fill) {
        return "<svg class=\"glyph\" width=\"16\" height=\"16\" viewBox=\"0 0 16 16\" aria-hidden=\"true\">" + shape(action, 8, 8, 11, fill) + "</svg>";
    }

    /** An ✖: a plus sign turned by 45°, with arms a third as wide as they are long. */
    private static String cross(double cx, double cy, double r) {
        double a = r * 0.32;
        double[][] plus = {{-a, -r}, {a, -r}, {a, -a}, {r, -a}, {r, a}, {a, a}, {a, r}, {-a, r}, {-a, a}, {-r, a}, {-r, -a}, {-a, -a}};
        StringBuilder points = new StringBuilder();
        double c = Math.cos(Math.PI / 4);
        for (double[] p : plus) {
            double x = (p[0] - p[1]) * c;
            double y = (p[0] + p[1]) * c;
            points.append(Html.px(cx + x)).append(',').append(Html.px(cy + y)).append(' ');
        }
        return points.toString().strip();
    }

    private static Map<String, String> orderedColours(String... pairs) {
        var map = new LinkedHashMap<String, String>();
        for (int i = 0; i < pairs.length; i += 2) map.put(pairs[i], pairs[i + 1]);
        return Collections.unmodifiableMap(map);
    }
}
