package dev.ale.rollout.env;

import dev.ale.core.episode.EndReason;
import dev.ale.core.episode.Trajectory;
import dev.ale.core.event.SafetyEvent;
import dev.ale.rollout.reward.Reward;
import java.util.List;
import java.util.Optional;

/**
 * What one {@link Environment#step} did. {@code reward} is 0 until the episode ends; then it is the
 * episode's total (verifier score − penalties). {@code terminated}: finish was called or the
 * sandbox was killed; {@code truncated}: the step budget or the wall time ran out.
 * {@code status} is the tool run's status ({@code "ok"}, {@code "blocked"}, …), or {@code "malformed"}.
 */
public record StepResult(int step, String observation, double reward, boolean terminated, boolean truncated, String status,
                         List<SafetyEvent> events, Optional<String> killReason, Optional<Ending> ending) {

    public StepResult {
        events = List.copyOf(events);
    }

    /** How the episode ended, once it has: why, the whole trajectory and its reward, and the sandbox it ran in. */
    public record Ending(EndReason reason, String detail, Trajectory trajectory, Reward reward, String sandboxId) {
    }
}
