package dev.ale.cli.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.event.SafetyEventJson;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.SandboxInfo;
import java.io.PrintStream;
import java.util.Locale;

/**
 * The JSON the CLI prints. Objects are built field by field so the order and the names are
 * the contract a script reads, not whatever the records happen to hold.
 */
public final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** Prints one JSON document and a newline. */
    public static void print(PrintStream out, ObjectNode json) {
        try {
            out.println(MAPPER.writeValueAsString(json));
            out.flush();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be written", e);
        }
    }

    public static ObjectNode execResult(String sandboxId, ExecResult r) {
        ObjectNode json = object();
        json.put("sandbox", sandboxId);
        json.put("exitCode", r.exitCode());
        json.put("killed", r.killed());
        if (r.reason().isPresent()) json.put("reason", r.reason().get());
        else json.putNull("reason");
        json.put("durationMs", r.duration().toMillis());
        json.put("stdout", r.stdout());
        json.put("stderr", r.stderr());
        ArrayNode events = json.putArray("events");
        r.events().forEach(e -> events.add(event(e)));
        return json;
    }

    public static ObjectNode event(SafetyEvent e) {
        return SafetyEventJson.toJson(e);
    }

    public static ObjectNode sandbox(SandboxInfo info) {
        ObjectNode json = object();
        json.put("id", info.id());
        json.put("passport", info.passportId());
        json.put("state", info.state().name().toLowerCase(Locale.ROOT));
        if (info.killReason().isPresent()) json.put("killReason", info.killReason().get());
        else json.putNull("killReason");
        json.put("createdAt", info.createdAt().toString());
        json.put("expiresAt", info.expiresAt().toString());
        json.put("detached", info.detached());
        ObjectNode labels = json.putObject("labels");
        info.labels().forEach(labels::put);
        return json;
    }
}
