package dev.ale.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The server's own hold and passport-history routes, called over loopback as the signed-in token:
 * {@code GET /holds}, {@code POST /holds/{id}/approve|deny}, {@code GET /passports/{id}/history}.
 * They are optional; a server without them answers 404, and the console says they are not available.
 */
final class Holds {

    /** One hold as {@code GET /holds} lists it; fields the console does not show are left out. */
    record Hold(String id, String sandboxId, Optional<String> episodeId, Optional<Integer> step, String category, String ruleId,
                String detail, String kind, String createdAt, String deadline, String state, Optional<String> decidedBy,
                Optional<String> decidedAt) {

        /** Still open to a decision: nobody decided it and its state is not one a decision or a deadline leaves. */
        boolean pending() {
            return decidedAt.isEmpty() && decidedBy.isEmpty() && !DECIDED.contains(state.toLowerCase(Locale.ROOT));
        }
    }

    private static final Set<String> DECIDED = Set.of("approved", "denied", "expired", "timed_out", "timed-out", "timeout", "decided");

    /** What a decision came to. */
    enum Outcome { DECIDED, ALREADY_DECIDED, NOT_FOUND, UNAVAILABLE }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Supplier<URI> api;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();

    Holds(Supplier<URI> api) {
        this.api = api;
    }

    /** The holds {@code who} may see; empty when the server has no holds route. */
    Optional<List<Hold>> list(Principal who) {
        HttpResponse<String> r = send(who, "GET", "/holds");
        if (r.statusCode() == 404 || r.statusCode() == 405) return Optional.empty();
        if (r.statusCode() != 200) throw new IllegalStateException("GET /holds answered " + r.statusCode());
        JsonNode array = parse(r.body());
        if (!array.isArray()) throw new IllegalStateException("GET /holds did not answer a list");
        List<Hold> holds = new ArrayList<>();
        for (JsonNode h : array) holds.add(hold(h));
        return Optional.of(List.copyOf(holds));
    }

    Outcome decide(Principal who, String holdId, boolean approve) {
        HttpResponse<String> r = send(who, "POST", "/holds/" + URLEncoder.encode(holdId, StandardCharsets.UTF_8) + (approve ? "/approve" : "/deny"));
        return switch (r.statusCode()) {
            case 200, 204 -> Outcome.DECIDED;
            case 409 -> Outcome.ALREADY_DECIDED;
            case 404 -> Outcome.NOT_FOUND;
            default -> Outcome.UNAVAILABLE;
        };
    }

    /** What the server answered for a passport's history. */
    sealed interface History {
        /** The history, as {@code ale passport history --json} prints it. */
        record Found(JsonNode json) implements History {
        }

        /** The server refused the question (bounds it cannot read, or in the wrong order): its reason. */
        record Refused(String reason) implements History {
        }

        /** No such passport in the audit log, a token that may not ask, or a server without the route. */
        record Unavailable() implements History {
        }
    }

    /** A passport's history between the optional bounds (ISO-8601 instants, passed on as the operator typed them). */
    History history(Principal who, String passportId, Optional<String> since, Optional<String> until) {
        StringBuilder path = new StringBuilder("/passports/").append(URLEncoder.encode(passportId, StandardCharsets.UTF_8)).append("/history");
        String sep = "?";
        for (var bound : List.of(Map.entry("since", since), Map.entry("until", until))) {
            if (bound.getValue().isEmpty()) continue;
            path.append(sep).append(bound.getKey()).append('=').append(URLEncoder.encode(bound.getValue().get(), StandardCharsets.UTF_8));
            sep = "&";
        }
        HttpResponse<String> r = send(who, "GET", path.toString());
        return switch (r.statusCode()) {
            case 200 -> new History.Found(parse(r.body()));
            case 400 -> new History.Refused(parse(r.body()).path("error").path("message").asText("the server refused the bounds"));
            default -> new History.Unavailable();
        };
    }

    private HttpResponse<String> send(Principal who, String method, String path) {
        HttpRequest request = HttpRequest.newBuilder(api.get().resolve(path)).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + who.token())
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " on this server failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(method + " " + path + " was interrupted", e);
        }
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException("the server answered something other than JSON: " + e.getMessage(), e);
        }
    }

    private static Hold hold(JsonNode h) {
        return new Hold(h.path("id").asText(), h.path("sandboxId").asText(), opt(h, "episodeId"),
                h.path("step").isIntegralNumber() ? Optional.of(h.get("step").asInt()) : Optional.empty(),
                h.path("category").asText(), h.path("ruleId").asText(), h.path("detail").asText(), h.path("kind").asText(),
                h.path("createdAt").asText(), h.path("deadline").asText(), h.path("state").asText(), opt(h, "decidedBy"), opt(h, "decidedAt"));
    }

    private static Optional<String> opt(JsonNode h, String field) {
        JsonNode v = h.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
    }
}
