package dev.ale.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The one place a streamed completion is joined: what the agent's client and the server's proxy both record. */
class StreamedCompletionTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static StreamedCompletion feed(int limit, String... chunks) throws Exception {
        StreamedCompletion c = new StreamedCompletion(limit);
        for (String chunk : chunks) c.add(JSON.readTree(chunk));
        return c;
    }

    @Test
    void contentReasoningAndToolCallsAreJoinedAcrossChunks() throws Exception {
        StreamedCompletion c = feed(1 << 20,
                """
                {"id":"cmpl-1","model":"m","choices":[{"index":0,"delta":{"role":"assistant","reasoning_content":"Think"}}]}""",
                """
                {"id":"cmpl-1","choices":[{"index":0,"delta":{"reasoning_content":"ing.","content":"Hel"}}]}""",
                """
                {"choices":[{"index":0,"delta":{"content":"lo","tool_calls":[{"index":0,"id":"call_a","function":{"name":"shell","arguments":"{\\"comm"}}]}}]}""",
                """
                {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_a","function":{"name":"shell","arguments":"and\\":\\"ls\\"}"}}]}}]}""",
                """
                {"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":5,"completion_tokens":7}}""");

        assertThat(c.content()).isEqualTo("Hello");
        assertThat(c.reasoning()).isEqualTo("Thinking.");
        assertThat(c.toolCalls()).containsExactly(
                new StreamedCompletion.PartialToolCall(0, Optional.of("call_a"), Optional.of("shell"), "{\"command\":\"ls\"}"));
        assertThat(c.finishReason()).hasValue("tool_calls");
        assertThat(c.usage()).hasValueSatisfying(u -> assertThat(u.path("completion_tokens").asInt()).isEqualTo(7));
        JsonNode message = c.toCompletion().path("choices").path(0).path("message");
        assertThat(message.path("reasoning_content").asText()).isEqualTo("Thinking.");
        assertThat(message.path("tool_calls").path(0).path("function").path("name").asText()).isEqualTo("shell");
    }

    @Test
    void aToolCallWithoutAnIndexTakesItsPositionInItsChunk() throws Exception {
        StreamedCompletion c = feed(1 << 20,
                """
                {"choices":[{"delta":{"tool_calls":[{"id":"a","function":{"name":"read_file","arguments":"{}"}},{"id":"b","function":{"name":"list_dir","arguments":"{}"}}]}}]}""",
                """
                {"choices":[{"delta":{"tool_calls":[{"function":{"arguments":""}},{"function":{"arguments":""}}]},"finish_reason":"tool_calls"}]}""");

        assertThat(c.toolCalls()).extracting(StreamedCompletion.PartialToolCall::name)
                .containsExactly(Optional.of("read_file"), Optional.of("list_dir"));
    }

    @Test
    void textPastTheRecordingLimitIsLeftOutAndSaidSo() throws Exception {
        StreamedCompletion c = feed(4, """
                {"choices":[{"delta":{"content":"abc"}}]}""", """
                {"choices":[{"delta":{"content":"def"}}]}""");

        assertThat(c.content()).isEqualTo("abc");
        assertThat(c.truncated()).isTrue();
    }

    @Test
    void logprobsOfEveryChunkAreKeptInOrder() throws Exception {
        StreamedCompletion c = feed(1 << 20, """
                {"choices":[{"delta":{"content":"a"},"logprobs":{"content":[{"token":"a","logprob":-0.1}]}}]}""", """
                {"choices":[{"delta":{"content":"b"},"logprobs":{"content":[{"token":"b","logprob":-0.2}]}}]}""");

        assertThat(c.logprobs()).hasValueSatisfying(t -> assertThat(t.findValuesAsText("token")).isEqualTo(List.of("a", "b")));
    }

    @Test
    void aChunkWithoutChoicesOnlyCounts() throws Exception {
        StreamedCompletion c = feed(100, """
                {"usage":{"prompt_tokens":1,"completion_tokens":2}}""");

        assertThat(c.sawChoice()).isFalse();
        assertThat(c.chunks()).isEqualTo(1);
        assertThat(c.usage()).isPresent();
    }
}
