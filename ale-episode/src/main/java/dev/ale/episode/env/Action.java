package dev.ale.episode.env;

import dev.ale.core.model.ToolCall;

/**
 * What a trainer sends as one step: a tool call, or something that was meant to be one and is
 * not. A malformed action is not an error of the request; like a model's bad tool call, it comes
 * back to the trainer as an observation saying what was wrong.
 */
public sealed interface Action {

    /** One tool call, arguments still as text (the tool runner parses them as the agent loop does). */
    record Call(ToolCall call) implements Action {
    }

    /** Free text for the task's parser (the {@code text} action format). */
    record Text(String text) implements Action {
    }

    record Malformed(String why) implements Action {
    }
}
