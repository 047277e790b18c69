package dev.ale.episode.trajectory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.ale.core.episode.Step;
import dev.ale.core.episode.ToolRun;
import dev.ale.core.episode.Trajectory;
import dev.ale.core.event.SafetyEventJson;
import dev.ale.core.model.ChatJson;
import dev.ale.core.model.Usage;
import dev.ale.core.passport.Passport;
import dev.ale.core.passport.PassportWriter;
import dev.ale.episode.reward.Reward;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * One episode as one JSON line: task, policy, the effective passport, the conversation in
 * OpenAI form ({@code messages}, loadable as a chat dataset), every step with its raw model
 * exchange, tool calls, observations and events, the verifier's verdict and timings.
 */
public final class TrajectoryJson {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = new YAMLMapper();

    private TrajectoryJson() {
    }

    public static String line(Trajectory t, Passport passport) {
        try {
            return JSON.writeValueAsString(toJson(t, passport));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The line's JSON with the episode's reward: {@code reward} and each step's share of it. */
    public static ObjectNode toJson(Trajectory t, Passport passport, Reward reward) {
        ObjectNode json = toJson(t, passport);
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("score", reward.score());
        r.put("penalty", reward.penalty());
        r.put("killed", reward.killed());
        r.put("total", reward.total());
        json.set("reward", r);
        JsonNode steps = json.get("steps");
        for (int i = 0; i < steps.size() && i < reward.steps().size(); i++) ((ObjectNode) steps.get(i)).put("reward", reward.steps().get(i));
        return json;
    }

    /** The line with the episode's reward: {@code reward} and each step's share of it. */
    public static String line(Trajectory t, Passport passport, Reward reward) {
        try {
            return JSON.writeValueAsString(toJson(t, passport, reward));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ObjectNode toJson(Trajectory t, Passport passport) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("episode", t.episodeId());
        json.put("task", t.taskId());
        json.put("policy", t.policy());
        json.put("started", t.started().toString());
        json.put("end", t.end().wire());
        json.put("detail", t.detail());
        json.put("passed", t.passed());
        // why it did not pass, in one line (absent when it passed); readers that do not know it ignore it
        FailureCause.of(t).ifPresent(c -> json.put("cause", c));
        if (t.verifier().isPresent()) {
            var v = t.verifier().get();
            ObjectNode verifier = json.putObject("verifier");
            verifier.put("passed", v.passed());
            if (v.fraction().isPresent()) verifier.put("fraction", v.fraction().getAsDouble());
            else verifier.putNull("fraction");
            verifier.put("score", v.score());
            verifier.put("exit_code", v.exitCode());
            verifier.put("duration_ms", v.duration().toMillis());
            verifier.put("log", v.log());
        } else {
            json.putNull("verifier");
        }
        usage(json.putObject("usage"), t.usage());
        ObjectNode timings = json.putObject("timings_ms");
        timings.put("setup", t.timings().setup().toMillis());
        timings.put("agent", t.timings().agent().toMillis());
        timings.put("verify", t.timings().verify().toMillis());
        timings.put("total", t.timings().total().toMillis());
        json.set("passport", passport(passport));
        json.put("passport_fingerprint", passport.fingerprint());
        json.set("messages", ChatJson.toJson(t.messages()));
        ArrayNode steps = json.putArray("steps");
        t.steps().forEach(s -> steps.add(step(s)));
        ArrayNode events = json.putArray("events");
        t.events().forEach(e -> events.add(SafetyEventJson.toJson(e)));
        return json;
    }

    private static ObjectNode step(Step s) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("index", s.index());
        json.put("started", s.started().toString());
        json.put("model_ms", s.modelTime().toMillis());
        json.put("duration_ms", s.duration().toMillis());
        json.put("finish_reason", s.response().finishReason());
        usage(json.putObject("usage"), s.response().usage());
        json.set("message", ChatJson.toJson(s.response().message()));
        s.response().logprobs().ifPresent(l -> json.set("logprobs", l));
        s.response().exchange().ifPresent(x -> {
            ObjectNode exchange = json.putObject("exchange");
            exchange.put("attempts", x.attempts());
            exchange.put("latency_ms", x.latency().toMillis());
            exchange.put("request", x.requestBody());
            exchange.put("response", x.responseBody());
        });
        ArrayNode tools = json.putArray("tool_calls");
        for (ToolRun run : s.tools()) {
            ObjectNode call = tools.addObject();
            call.put("id", run.call().id());
            call.put("name", run.call().name());
            call.put("arguments", run.call().arguments());
            call.put("status", run.status().name().toLowerCase(Locale.ROOT));
            call.put("duration_ms", run.duration().toMillis());
            call.put("observation", run.observation());
            ArrayNode events = call.putArray("events");
            run.events().forEach(e -> events.add(SafetyEventJson.toJson(e)));
        }
        return json;
    }

    private static void usage(ObjectNode json, Usage u) {
        json.put("prompt_tokens", u.promptTokens());
        json.put("completion_tokens", u.completionTokens());
        json.put("total_tokens", u.totalTokens());
    }

    private static JsonNode passport(Passport passport) {
        try {
            return YAML.readTree(PassportWriter.toYaml(passport));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
