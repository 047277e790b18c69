package dev.ale.episode.env;

import dev.ale.episode.Ending;
import dev.ale.core.event.SafetyEvent;
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

}
