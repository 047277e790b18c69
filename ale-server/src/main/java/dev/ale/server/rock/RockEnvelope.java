package dev.ale.server.rock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * ROCK's response envelope, {@code {"status": "Success"|"Failed", "message", "error", "result"}}.
 * ROCK answers a refused or failed call with HTTP 200 and {@code Failed}: its SDK reads the
 * envelope, not the status code.
 */
public final class RockEnvelope {

    public static final String SUCCESS = "Success";
    public static final String FAILED = "Failed";

    private RockEnvelope() {
    }

    public static ObjectNode success(JsonNode result) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("status", SUCCESS);
        json.putNull("message");
        json.putNull("error");
        json.set("result", result);
        return json;
    }

    /** {@code message}: what failed, as ROCK words it ("start sandbox failed"); {@code error}: why. */
    public static ObjectNode failed(String message, String error) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("status", FAILED);
        json.put("message", message);
        json.put("error", error);
        json.putNull("result");
        return json;
    }

    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }
}
