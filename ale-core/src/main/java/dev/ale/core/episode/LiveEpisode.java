package dev.ale.core.episode;

import dev.ale.core.model.ChatMessage;
import dev.ale.core.tool.ToolContext;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * An episode in its agent phase, as the driver that picks its actions sees it (the agent loop,
 * or a trainer stepping a GEM environment). The episode owns every end rule: the driver runs a
 * step's tool calls through {@link #tools()}, hands the step over, and is told whether the
 * episode ended. Only what the driver alone can see (the model failed, no action) it ends itself.
 */
public interface LiveEpisode {

    String instruction();

    /** The sandbox's tools, guarded: every call is checked, bracketed and attributed to the current step. */
    ToolContext tools();

    /** Starts the next step and returns its number (from 1); empty when the episode has already ended. */
    OptionalInt beginStep();

    /**
     * Records the step begun last: the events it raised after its calls returned are added to its
     * last call, and the end rules are applied (killed, finished, token budget, step budget, wall
     * time, in that order).
     */
    StepRecord endStep(Step step);

    /** Appends a message to the conversation the trajectory keeps. */
    void converse(ChatMessage message);

    /** Ends the episode for a reason only the driver sees ({@link EndReason#MODEL_ERROR}, {@link EndReason#NO_ACTION}). */
    void end(EndReason reason, String detail);

    /** How a step was recorded: the step with its late events, and the end it brought, if any. */
    record StepRecord(Step step, Optional<EpisodeEnd> end) {
    }

    /** Why an episode ended, in words for people. */
    record EpisodeEnd(EndReason reason, String detail) {
    }
}
