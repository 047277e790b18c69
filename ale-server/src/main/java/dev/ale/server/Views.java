package dev.ale.server;

import dev.ale.episode.Ending;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.core.episode.VerifierResult;
import dev.ale.core.event.SafetyEvent;
import dev.ale.episode.env.StepResult;
import dev.ale.core.event.SafetyEventJson;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.SandboxFiles;
import dev.ale.core.sandbox.SandboxInfo;
import java.util.List;
import java.util.Locale;

/**
 * The JSON the API answers. Built field by field (snake_case), so the names and their order are
 * the contract in {@code openapi.yaml}, not whatever the records happen to hold.
 */
final class Views {

    /** The tail of a verifier's log that a step answer carries (the whole log is in the trajectory). */
    private static final int VERIFIER_LOG = 8 * 1024;

    private Views() {
    }

    static ObjectNode object() {
        return Bodies.JSON.createObjectNode();
    }

    static ObjectNode error(String code, String message) {
        ObjectNode json = object();
        ObjectNode error = json.putObject("error");
        error.put("code", code);
        error.put("message", message);
        return json;
    }

    static ObjectNode sandbox(Hosted h) {
        SandboxInfo info = h.guarded().info();
        ObjectNode json = object();
        json.put("id", info.id());
        json.put("passport", info.passportId());
        json.put("owner", h.owner());
        json.put("state", info.state().name().toLowerCase(Locale.ROOT));
        if (info.killReason().isPresent()) json.put("kill_reason", info.killReason().get());
        else json.putNull("kill_reason");
        json.put("created_at", info.createdAt().toString());
        json.put("expires_at", info.expiresAt().toString());
        json.put("idle_timeout_seconds", h.idleTimeout().toSeconds());
        json.put("idle_expires_at", h.idleExpiresAt().toString());
        ObjectNode labels = json.putObject("labels");
        h.labels().forEach(labels::put);
        if (h.modelToken().isPresent()) json.put("model_token", h.modelToken().get());
        else json.putNull("model_token");
        return json;
    }

    static ObjectNode sandboxes(List<Hosted> all) {
        ObjectNode json = object();
        ArrayNode list = json.putArray("sandboxes");
        all.forEach(h -> list.add(sandbox(h)));
        return json;
    }

    static ObjectNode execResult(ExecResult r) {
        ObjectNode json = object();
        json.put("exit_code", r.exitCode());
        json.put("killed", r.killed());
        if (r.reason().isPresent()) json.put("reason", r.reason().get());
        else json.putNull("reason");
        json.put("duration_ms", r.duration().toMillis());
        json.put("stdout", r.stdout());
        json.put("stderr", r.stderr());
        json.put("output_truncated", r.outputTruncated());
        ArrayNode events = json.putArray("events");
        r.events().forEach(e -> events.add(event(e)));
        return json;
    }

    static ObjectNode event(SafetyEvent e) {
        return SafetyEventJson.toJson(e);
    }

    /** A GEM step: {@code observation, reward, terminated, truncated, info}; the verdict and the reward's parts at the end. */
    static ObjectNode step(StepResult r) {
        ObjectNode json = object();
        json.put("observation", r.observation());
        json.put("reward", r.reward());
        json.put("terminated", r.terminated());
        json.put("truncated", r.truncated());
        ObjectNode info = json.putObject("info");
        info.put("step", r.step());
        info.put("tool_status", r.status());
        ArrayNode events = info.putArray("events");
        r.events().forEach(e -> events.add(event(e)));
        if (r.killReason().isPresent()) info.put("kill_reason", r.killReason().get());
        else info.putNull("kill_reason");
        if (r.ending().isEmpty()) return json;
        Ending end = r.ending().get();
        info.put("end_reason", end.reason().wire());
        info.put("end_detail", end.detail());
        info.put("episode_id", end.trajectory().episodeId());
        if (end.trajectory().verifier().isPresent()) {
            VerifierResult v = end.trajectory().verifier().get();
            ObjectNode verifier = info.putObject("verifier");
            verifier.put("passed", v.passed());
            verifier.put("score", v.score());
            verifier.put("exit_code", v.exitCode());
            verifier.put("duration_ms", v.duration().toMillis());
            verifier.put("log", v.log().length() <= VERIFIER_LOG ? v.log() : v.log().substring(v.log().length() - VERIFIER_LOG));
        } else {
            info.putNull("verifier");
        }
        ObjectNode reward = info.putObject("reward");
        reward.put("score", end.reward().score());
        reward.put("penalty", end.reward().penalty());
        reward.put("killed", end.reward().killed());
        reward.put("total", end.reward().total());
        ArrayNode all = info.putArray("episode_events");
        end.trajectory().events().forEach(e -> all.add(event(e)));
        return json;
    }

    static ObjectNode files(String path, List<SandboxFiles.FileEntry> entries) {
        ObjectNode json = object();
        json.put("path", path);
        ArrayNode list = json.putArray("entries");
        for (SandboxFiles.FileEntry e : entries) {
            ObjectNode entry = list.addObject();
            entry.put("name", e.name());
            entry.put("type", e.type().name().toLowerCase(Locale.ROOT));
            entry.put("size", e.size());
        }
        return json;
    }
}
