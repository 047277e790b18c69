package dev.ale.server.console;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One line of the fleet: a sandbox made through the API, or a GEM environment with the sandbox of
 * the episode it runs (none between episodes).
 *
 * @param env the GEM environment, for an environment's line
 */
public record FleetRow(Optional<String> sandboxId, Optional<String> env, Optional<String> task, String owner, String passport,
                       Optional<String> episode, OptionalInt step, Instant createdAt, State state, Duration cpu, long memoryBytes) {

    /** What the fleet page says a line is doing; {@code HELD} comes from the holds API, the rest from the sandbox. */
    public enum State { RUNNING, HELD, KILLED, IDLE }

    public FleetRow {
        Objects.requireNonNull(sandboxId, "sandboxId");
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(passport, "passport");
        Objects.requireNonNull(episode, "episode");
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(cpu, "cpu");
    }

    FleetRow held() {
        return new FleetRow(sandboxId, env, task, owner, passport, episode, step, createdAt, State.HELD, cpu, memoryBytes);
    }
}
