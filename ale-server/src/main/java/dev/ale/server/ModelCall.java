package dev.ale.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalInt;

/**
 * One request a sandbox made through the model proxy, as recorded in its episode: what was sent
 * upstream, what came back (a streamed reply put together into one completion), the tokens it
 * cost, and the episode step it belongs to.
 *
 * @param estimated the upstream reported no usage, so the tokens are estimated from the text (4 characters a token)
 */
record ModelCall(int index, Instant at, OptionalInt step, int status, boolean streamed, JsonNode request, JsonNode response,
                 long promptTokens, long completionTokens, boolean estimated, Duration latency) {

    long tokens() {
        return promptTokens + completionTokens;
    }

    /** The same call with its request and reply left out (the sandbox's record is full), saying so. */
    ModelCall withoutBodies(String why) {
        JsonNode note = Views.object().put("ale_dropped", why);
        return new ModelCall(index, at, step, status, streamed, note, note, promptTokens, completionTokens, estimated, latency);
    }

    ObjectNode toJson() {
        ObjectNode json = Views.object();
        json.put("index", index);
        json.put("at", at.toString());
        if (step.isPresent()) json.put("step", step.getAsInt());
        else json.putNull("step");
        json.put("status", status);
        json.put("streamed", streamed);
        json.put("latency_ms", latency.toMillis());
        ObjectNode usage = json.putObject("usage");
        usage.put("prompt_tokens", promptTokens);
        usage.put("completion_tokens", completionTokens);
        usage.put("estimated", estimated);
        json.set("request", request);
        json.set("response", response);
        return json;
    }
}
