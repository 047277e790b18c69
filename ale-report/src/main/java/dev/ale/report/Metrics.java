package dev.ale.report;

import dev.ale.report.RunReport.Episode;
import dev.ale.report.RunReport.IterationMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

/** The figures metrics.jsonl would hold, worked out from the episodes of a run that wrote none. */
final class Metrics {

    private Metrics() {
    }

    /** One entry per (iteration, arm), iterations ascending, arms in the order they first appear. */
    static List<IterationMetrics> of(List<Episode> episodes) {
        Map<Integer, Map<String, List<Episode>>> groups = new TreeMap<>();
        for (Episode e : episodes) {
            groups.computeIfAbsent(e.iteration(), k -> new LinkedHashMap<>()).computeIfAbsent(e.arm(), k -> new ArrayList<>()).add(e);
        }
        // Unknown is not zero: a run whose episodes never say whether they hacked has no hack rate.
        boolean hacks = episodes.stream().anyMatch(e -> e.hack().isPresent());
        List<IterationMetrics> metrics = new ArrayList<>();
        groups.forEach((iteration, arms) -> arms.forEach((arm, es) -> {
            int n = es.size();
            metrics.add(new IterationMetrics(iteration, arm, n, fraction(es.stream().filter(Episode::passed).count(), n),
                    hacks ? OptionalDouble.of(fraction(es.stream().filter(Episode::hacked).count(), n)) : OptionalDouble.empty(),
                    RunReport.meanReward(es), (int) es.stream().filter(Episode::killed).count(),
                    es.stream().mapToInt(e -> e.events().size()).sum()));
        }));
        return metrics;
    }

    private static double fraction(long count, int of) {
        return of == 0 ? 0 : (double) count / of;
    }
}
