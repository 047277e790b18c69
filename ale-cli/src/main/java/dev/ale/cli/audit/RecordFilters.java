package dev.ale.cli.audit;

import dev.ale.core.event.Category;
import dev.ale.monitor.audit.AuditQuery;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The filters {@code ale audit query} and {@code ale audit export} share; every one given must match. */
final class RecordFilters {

    @Spec(Spec.Target.MIXEE)
    private CommandSpec spec;

    @Option(names = "--sandbox", paramLabel = "ID", description = "Only records about this sandbox.")
    private Optional<String> sandbox = Optional.empty();

    @Option(names = "--episode", paramLabel = "ID", description = "Only records of this episode.")
    private Optional<String> episode = Optional.empty();

    @Option(names = "--rule", paramLabel = "ID", description = "Only detections by this rule.")
    private Optional<String> rule = Optional.empty();

    @Option(names = "--category", paramLabel = "C", converter = CategoryName.class,
            description = "Only detections of this category (mining, tunnel, reverse-shell, ...).")
    private Optional<Category> category = Optional.empty();

    @Option(names = "--since", paramLabel = "TIME", converter = Since.class,
            description = "Only records written at or after TIME: an ISO-8601 instant (2026-11-23T10:00:00Z)"
                    + " or a duration back from now (30s, 10m, 2h, 1d).")
    private Optional<Instant> since = Optional.empty();

    @Option(names = "--limit", paramLabel = "N", description = "At most N records, the oldest first.")
    private Optional<Integer> limit = Optional.empty();

    /** The filters as a server's {@code /v1/audit/records} query parameters. */
    Map<String, String> params() {
        query(); // the same checks as for a local file
        Map<String, String> p = new LinkedHashMap<>();
        sandbox.ifPresent(v -> p.put("sandbox", v));
        episode.ifPresent(v -> p.put("episode", v));
        rule.ifPresent(v -> p.put("rule", v));
        category.ifPresent(v -> p.put("category", v.wire()));
        since.ifPresent(v -> p.put("since", v.toString()));
        limit.ifPresent(v -> p.put("limit", String.valueOf(v)));
        return p;
    }

    AuditQuery query() {
        if (limit.isPresent() && limit.get() < 1) {
            throw new ParameterException(spec.commandLine(), "--limit must be at least 1, not " + limit.get());
        }
        AuditQuery q = AuditQuery.all();
        if (sandbox.isPresent()) q = q.withSandbox(sandbox.get());
        if (episode.isPresent()) q = q.withEpisode(episode.get());
        if (rule.isPresent()) q = q.withRule(rule.get());
        if (category.isPresent()) q = q.withCategory(category.get());
        if (since.isPresent()) q = q.withSince(since.get());
        if (limit.isPresent()) q = q.withLimit(limit.get());
        return q;
    }
}
