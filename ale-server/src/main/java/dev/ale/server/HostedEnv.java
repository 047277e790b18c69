package dev.ale.server;

import dev.ale.episode.env.Environment;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** One GEM environment the server made: who owns it, the seed it was made with, and when it was last used. */
final class HostedEnv {

    private final Environment env;
    private final String owner;
    private final OptionalLong seed;
    private final Duration idleTimeout;
    private final Instant createdAt = Instant.now();
    private final AtomicInteger busy = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Instant lastUsed = Instant.now();
    private final Optional<String> group;
    private final OptionalLong sample;
    /** The trainer's labels of the episode now running: its seed, GRPO group and sample index. */
    private volatile EpisodeLabels current;

    /** What a trainer says of one episode: the seed it ran with, the group it belongs to and its index in it. */
    record EpisodeLabels(OptionalLong seed, Optional<String> group, OptionalLong sample) {
    }

    HostedEnv(Environment env, String owner, OptionalLong seed, Optional<String> group, OptionalLong sample, Duration idleTimeout) {
        this.env = env;
        this.owner = owner;
        this.seed = seed;
        this.group = group;
        this.sample = sample;
        this.idleTimeout = idleTimeout;
        this.current = new EpisodeLabels(seed, group, sample);
    }

    /** The labels a reset gives its episode: what it says, else what make said. */
    EpisodeLabels labelsFor(OptionalLong resetSeed, Optional<String> resetGroup, OptionalLong resetSample) {
        return new EpisodeLabels(resetSeed.isPresent() ? resetSeed : seed, resetGroup.or(() -> group),
                resetSample.isPresent() ? resetSample : sample);
    }

    void running(EpisodeLabels labels) {
        current = labels;
    }

    EpisodeLabels current() {
        return current;
    }

    String id() {
        return env.id();
    }

    Environment env() {
        return env;
    }

    String owner() {
        return owner;
    }

    OptionalLong seed() {
        return seed;
    }

    Instant createdAt() {
        return createdAt;
    }

    Duration idleTimeout() {
        return idleTimeout;
    }

    Instant idleExpiresAt() {
        return lastUsed.plus(idleTimeout);
    }

    boolean idle(Instant now) {
        return busy.get() == 0 && now.isAfter(idleExpiresAt());
    }

    boolean closed() {
        return closed.get();
    }

    /** Runs {@code call} on the environment; it is not idle while the call runs (a setup script, a long command). */
    <T> T call(Supplier<T> call) {
        busy.incrementAndGet();
        try {
            if (closed.get()) throw ApiError.notFound("environment " + id() + " was closed");
            return call.get();
        } finally {
            lastUsed = Instant.now();
            busy.decrementAndGet();
        }
    }

    /** Closes the environment (and the sandbox of an episode still running). Idempotent; true the first time. */
    boolean close() {
        if (!closed.compareAndSet(false, true)) return false;
        env.close();
        return true;
    }
}
