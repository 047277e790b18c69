package dev.ale.episode;

import dev.ale.core.episode.EndReason;
import dev.ale.core.episode.Trajectory;
import dev.ale.episode.reward.Reward;

/** How an episode ended: why, the whole trajectory and its reward, and the sandbox it ran in (empty if none started). */
public record Ending(EndReason reason, String detail, Trajectory trajectory, Reward reward, String sandboxId) {
}
