package dev.ale.core.model;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One message of an OpenAI-style chat: a system prompt, the user's task, the assistant's reply
 * (text and/or tool calls), or a tool's observation answering one call by its id.
 */
public record ChatMessage(Role role, String content, List<ToolCall> toolCalls, Optional<String> toolCallId, Optional<String> name) {

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        content = content == null ? "" : content;
        toolCalls = List.copyOf(toolCalls);
        toolCallId = toolCallId == null ? Optional.empty() : toolCallId;
        name = name == null ? Optional.empty() : name;
    }

    public static ChatMessage system(String content) {
        return new ChatMessage(Role.SYSTEM, content, List.of(), Optional.empty(), Optional.empty());
    }

    public static ChatMessage user(String content) {
        return new ChatMessage(Role.USER, content, List.of(), Optional.empty(), Optional.empty());
    }

    public static ChatMessage assistant(String content, List<ToolCall> toolCalls) {
        return new ChatMessage(Role.ASSISTANT, content, toolCalls, Optional.empty(), Optional.empty());
    }

    /** A tool's observation for the call {@code callId}. */
    public static ChatMessage tool(String callId, String toolName, String content) {
        return new ChatMessage(Role.TOOL, content, List.of(), Optional.of(callId), Optional.of(toolName));
    }

    public enum Role {
        SYSTEM, USER, ASSISTANT, TOOL;

        /** The name on the wire: {@code system}, {@code user}, {@code assistant}, {@code tool}. */
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
