package dev.ale.server;

import dev.ale.episode.Ending;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.episode.EndReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.Supplier;

/** What {@code /metrics} shows, in Prometheus text format: sandboxes, exec latency, SafetyEvents, GEM steps and episodes, model-proxy calls and tokens. */
final class Metrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter created;
    private final Counter reaped;
    private final Timer exec;
    private final Timer step;
    private final DistributionSummary score;
    private final DistributionSummary penalty;
    private final DoubleAdder rewardSum = new DoubleAdder();
    private final Counter kills;
    private final Timer proxyLatency;

    Metrics() {
        created = Counter.builder("ale.sandbox.creations").description("Sandboxes made by this server").register(registry);
        reaped = Counter.builder("ale.sandboxes.reaped").description("Sandboxes destroyed for being idle").register(registry);
        exec = Timer.builder("ale.exec.duration").description("Duration of exec and session calls, pre-exec check included")
                // a dozen buckets from a quick `true` to a test suite, rather than Micrometer's seventy
                .serviceLevelObjectives(seconds(0.01), seconds(0.05), seconds(0.1), seconds(0.25), seconds(0.5), seconds(1),
                        seconds(2.5), seconds(5), seconds(10), seconds(30), seconds(60), seconds(300))
                .register(registry);
        step = Timer.builder("ale.env.step.duration").description("Duration of GEM environment steps, the verifier included on the last")
                .serviceLevelObjectives(seconds(0.01), seconds(0.05), seconds(0.1), seconds(0.25), seconds(0.5), seconds(1),
                        seconds(2.5), seconds(5), seconds(10), seconds(30), seconds(60), seconds(300))
                .register(registry);
        // a reward may be negative, which a summary would drop: its two non-negative parts are summarised, the signed sum kept apart
        score = DistributionSummary.builder("ale.env.reward.score").description("Verifier score of each finished GEM episode").register(registry);
        penalty = DistributionSummary.builder("ale.env.reward.penalty").description("Safety penalty of each finished GEM episode").register(registry);
        Gauge.builder("ale.env.reward.sum", rewardSum, DoubleAdder::sum).description("Sum of the rewards (score - penalty) of finished GEM episodes")
                .register(registry);
        proxyLatency = Timer.builder("ale.proxy.duration").description("Duration of model-proxy calls, to the last byte of the reply")
                .serviceLevelObjectives(seconds(0.1), seconds(0.5), seconds(1), seconds(2.5), seconds(5), seconds(10), seconds(30),
                        seconds(60), seconds(300))
                .register(registry);
        kills = Counter.builder("ale.env.kills").description("GEM episodes ended by the monitor's kill").register(registry);
    }

    private static Duration seconds(double s) {
        return Duration.ofNanos((long) (s * 1e9));
    }

    void sandboxesActive(Supplier<Number> count) {
        Gauge.builder("ale.sandboxes.active", count).description("Sandboxes alive now").register(registry);
    }

    void sandboxCreated() {
        created.increment();
    }

    void sandboxReaped() {
        reaped.increment();
    }

    void exec(Duration took) {
        exec.record(took);
    }

    void event(SafetyEvent e) {
        Counter.builder("ale.safety.events").description("SafetyEvents raised in this server's sandboxes")
                .tag("category", e.category().wire())
                .tag("action", e.action().name().toLowerCase(Locale.ROOT))
                .register(registry)
                .increment();
    }

    void envStep(Duration took) {
        step.record(took);
    }

    void envsActive(Supplier<Number> count) {
        Gauge.builder("ale.envs.active", count).description("GEM environments alive now").register(registry);
    }

    /** One GEM episode ended: counted by how, its reward summarised, a kill counted apart. */
    void episodeEnded(Ending ending) {
        Counter.builder("ale.env.episodes").description("GEM episodes ended, by end reason")
                .tag("end", ending.reason().wire()).register(registry).increment();
        score.record(ending.reward().score());
        penalty.record(ending.reward().penalty());
        rewardSum.add(ending.reward().total());
        if (ending.reason() == EndReason.KILLED) kills.increment();
    }

    /** A model-proxy request refused or failed before it had a reply: {@code refused_killed}, {@code refused_budget}, … */
    void proxyRequest(String outcome) {
        Counter.builder("ale.proxy.requests").description("Model-proxy requests, by outcome")
                .tag("outcome", outcome).register(registry).increment();
    }

    /** A model-proxy call that had a reply: counted, timed, and its tokens added by kind. */
    void proxyCall(ModelCall call) {
        proxyRequest(call.status() / 100 == 2 ? "ok" : "upstream_error");
        proxyLatency.record(call.latency());
        Counter.builder("ale.proxy.tokens").description("Tokens spent through the model proxy (estimated where the upstream gave no usage)")
                .tag("kind", "prompt").register(registry).increment(call.promptTokens());
        Counter.builder("ale.proxy.tokens").description("Tokens spent through the model proxy (estimated where the upstream gave no usage)")
                .tag("kind", "completion").register(registry).increment(call.completionTokens());
    }

    String scrape() {
        return registry.scrape();
    }
}
