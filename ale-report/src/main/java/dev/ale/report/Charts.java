package dev.ale.report;

import dev.ale.report.RunReport.IterationMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.Function;

/**
 * Small SVG charts of one figure per iteration, one line per arm. A run of one iteration has no
 * line to draw, so it gets one bar per arm instead.
 */
final class Charts {

    private static final int WIDTH = 400;
    private static final int HEIGHT = 250;
    private static final int LEFT = 52;
    private static final int RIGHT = 16;
    private static final int TOP = 14;
    private static final int BOTTOM = 40;

    private Charts() {
    }

    /** How one figure is read from the metrics and shown. */
    record Figure(String title, Function<IterationMetrics, OptionalDouble> value, boolean rate) {
    }

    /** The chart of {@code figure}; at least one of the metrics must have a value for it. */
    static String chart(Figure figure, List<IterationMetrics> metrics, List<String> arms) {
        List<Integer> iterations = metrics.stream().map(IterationMetrics::iteration).distinct().sorted().toList();
        List<Double> values = metrics.stream().map(figure.value()).filter(OptionalDouble::isPresent).map(OptionalDouble::getAsDouble).toList();
        StringBuilder svg = new StringBuilder();
        svg.append("<figure class=\"chart\"><figcaption>").append(Html.esc(figure.title())).append("</figcaption>");
        svg.append("<svg width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ')
                .append(HEIGHT).append("\" role=\"img\" aria-label=\"").append(Html.esc(figure.title())).append("\">");
        double[] range = range(values, figure.rate());
        axes(svg, range, figure.rate());
        if (iterations.size() == 1) bars(svg, figure, metrics, arms, range, iterations.getFirst());
        else lines(svg, figure, metrics, arms, range, iterations);
        svg.append("</svg></figure>");
        return svg.toString();
    }

    /**
     * Rates span 0–100% in quarters. Rewards span at least [0, 1], widened to take in penalties,
     * with ends on a round step (0.25, 0.5, 1, ...) so that four or so gridlines fall on round values.
     */
    private static double[] range(List<Double> values, boolean rate) {
        if (rate) return new double[] {0, 1, 0.25};
        double min = Math.min(0, values.stream().mapToDouble(Double::doubleValue).min().orElse(0));
        double max = Math.max(1, values.stream().mapToDouble(Double::doubleValue).max().orElse(1));
        double span = max - min;
        double step = span <= 1.25 ? 0.25 : span <= 2.5 ? 0.5 : span <= 5 ? 1 : Math.ceil(span / 5);
        return new double[] {Math.floor(min / step) * step, Math.ceil(max / step) * step, step};
    }

    private static double y(double v, double[] range) {
        double plot = HEIGHT - TOP - BOTTOM;
        return TOP + plot * (1 - (v - range[0]) / (range[1] - range[0]));
    }

    private static void axes(StringBuilder svg, double[] range, boolean rate) {
        int ticks = (int) Math.round((range[1] - range[0]) / range[2]);
        for (int i = 0; i <= ticks; i++) {
            double v = range[0] + range[2] * i;
            double y = y(v, range);
            boolean zero = Math.abs(v) < 1e-9;
            svg.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH - RIGHT).append("\" y1=\"").append(Html.px(y))
                    .append("\" y2=\"").append(Html.px(y)).append("\" stroke=\"").append(zero ? "#9ca3af" : "#e5e7eb").append("\"/>");
            svg.append("<text x=\"").append(LEFT - 6).append("\" y=\"").append(Html.px(y + 4)).append("\" text-anchor=\"end\" class=\"tick\">")
                    .append(rate ? Html.percent(v) : Html.number(v)).append("</text>");
        }
    }

    private static void lines(StringBuilder svg, Figure figure, List<IterationMetrics> metrics, List<String> arms, double[] range,
                              List<Integer> iterations) {
        int n = iterations.size();
        double inner = WIDTH - LEFT - RIGHT - 24;
        int every = Math.max(1, (int) Math.ceil(n / 12.0));
        for (int i = 0; i < n; i++) {
            if (i % every != 0 && i != n - 1) continue;
            double x = LEFT + 12 + inner * i / (n - 1);
            svg.append("<text x=\"").append(Html.px(x)).append("\" y=\"").append(HEIGHT - BOTTOM + 16)
                    .append("\" text-anchor=\"middle\" class=\"tick\">").append(iterations.get(i)).append("</text>");
        }
        svg.append("<text x=\"").append(LEFT + (WIDTH - LEFT - RIGHT) / 2).append("\" y=\"").append(HEIGHT - 6)
                .append("\" text-anchor=\"middle\" class=\"axis\">iteration</text>");
        for (int a = 0; a < arms.size(); a++) {
            String arm = arms.get(a);
            String colour = Marks.armColour(a);
            List<String> points = new ArrayList<>();
            StringBuilder dots = new StringBuilder();
            for (IterationMetrics m : metrics) {
                OptionalDouble v = figure.value().apply(m);
                if (!m.arm().equals(arm) || v.isEmpty()) continue;
                double x = LEFT + 12 + inner * iterations.indexOf(m.iteration()) / (n - 1);
                double y = y(v.getAsDouble(), range);
                points.add(Html.px(x) + "," + Html.px(y));
                dots.append("<circle cx=\"").append(Html.px(x)).append("\" cy=\"").append(Html.px(y)).append("\" r=\"4\" fill=\"").append(colour)
                        .append("\" stroke=\"#fff\" stroke-width=\"1.5\"><title>").append(Html.esc(label(figure, m, v.getAsDouble())))
                        .append("</title></circle>");
            }
            if (points.size() > 1) {
                svg.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"2.5\" points=\"")
                        .append(String.join(" ", points)).append("\"/>");
            }
            svg.append(dots);
        }
    }

    private static void bars(StringBuilder svg, Figure figure, List<IterationMetrics> metrics, List<String> arms, double[] range, int iteration) {
        List<String> shown = arms.stream().filter(a -> metrics.stream().anyMatch(m -> m.arm().equals(a))).toList();
        double slot = (double) (WIDTH - LEFT - RIGHT) / shown.size();
        double width = Math.min(64, slot * 0.6);
        double base = y(Math.max(range[0], Math.min(0, range[1])), range);
        for (int i = 0; i < shown.size(); i++) {
            String arm = shown.get(i);
            double centre = LEFT + slot * (i + 0.5);
            svg.append("<text x=\"").append(Html.px(centre)).append("\" y=\"").append(HEIGHT - BOTTOM + 16)
                    .append("\" text-anchor=\"middle\" class=\"tick\">").append(Html.esc(Html.cut(arm, 18))).append("</text>");
            for (IterationMetrics m : metrics) {
                OptionalDouble v = figure.value().apply(m);
                if (!m.arm().equals(arm) || v.isEmpty()) continue;
                double y = y(v.getAsDouble(), range);
                double top = Math.min(y, base);
                double height = Math.max(1, Math.abs(base - y));
                svg.append("<rect x=\"").append(Html.px(centre - width / 2)).append("\" y=\"").append(Html.px(top)).append("\" width=\"")
                        .append(Html.px(width)).append("\" height=\"").append(Html.px(height)).append("\" fill=\"")
                        .append(Marks.armColour(arms.indexOf(arm))).append("\"><title>").append(Html.esc(label(figure, m, v.getAsDouble())))
                        .append("</title></rect>");
                svg.append("<text x=\"").append(Html.px(centre)).append("\" y=\"").append(Html.px(top - 5))
                        .append("\" text-anchor=\"middle\" class=\"value\">")
                        .append(figure.rate() ? Html.percent(v.getAsDouble()) : Html.number(v.getAsDouble())).append("</text>");
            }
        }
        svg.append("<text x=\"").append(LEFT + (WIDTH - LEFT - RIGHT) / 2).append("\" y=\"").append(HEIGHT - 6)
                .append("\" text-anchor=\"middle\" class=\"axis\">iteration ").append(iteration).append("</text>");
    }

    private static String label(Figure figure, IterationMetrics m, double v) {
        return m.arm() + ", iteration " + m.iteration() + ": " + (figure.rate() ? Html.percent(v) : Html.number(v))
                + " (" + m.episodes() + " episode" + (m.episodes() == 1 ? "" : "s") + ")";
    }
}
