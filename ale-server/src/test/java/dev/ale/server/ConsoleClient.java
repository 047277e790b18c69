package dev.ale.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The console over plain HTTP, as a browser would speak it but with every cookie and form field
 * in the test's hands: so a test can forge, drop or swap them.
 */
final class ConsoleClient {

    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([0-9a-f]+)\"");
    private static final Pattern LOGIN = Pattern.compile("name=\"_login\" value=\"([0-9a-f]+)\"");

    /** A signed-in browser: its session cookie's value and the CSRF token its pages carry. */
    record Signed(String cookie, String csrf, HttpResponse<String> signIn) {
    }

    private final LiveServer live;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();

    ConsoleClient(LiveServer live) {
        this.live = live;
    }

    Signed signIn(String token) {
        return signIn(token, Map.of());
    }

    Signed signIn(String token, Map<String, String> headers) {
        HttpResponse<String> form = get("/ui/login", Optional.empty(), headers);
        String nonce = group(LOGIN, form.body());
        String loginCookie = cookieValue(form, "ale_console_login").orElseThrow();
        HttpResponse<String> r = post("/ui/login", Optional.of("ale_console_login=" + loginCookie), Map.of("_login", nonce, "token", token), headers);
        if (r.statusCode() != 303) throw new AssertionError("sign-in answered " + r.statusCode() + ": " + r.body());
        String session = cookieValue(r, "ale_console").orElseThrow();
        HttpResponse<String> fleet = get("/ui/fleet", Optional.of("ale_console=" + session), Map.of());
        return new Signed(session, group(CSRF, fleet.body()), r);
    }

    HttpResponse<String> get(String path, Optional<String> cookie) {
        return get(path, cookie, Map.of());
    }

    HttpResponse<String> get(String path, Optional<String> cookie, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(live.uri(path)).timeout(Duration.ofSeconds(60)).GET();
        cookie.ifPresent(c -> b.header("Cookie", c));
        headers.forEach(b::header);
        return send(b.build());
    }

    HttpResponse<String> post(String path, Optional<String> cookie, Map<String, String> form) {
        return post(path, cookie, form, Map.of());
    }

    HttpResponse<String> post(String path, Optional<String> cookie, Map<String, String> form, Map<String, String> headers) {
        String body = new LinkedHashMap<>(form).entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder b = HttpRequest.newBuilder(live.uri(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body));
        cookie.ifPresent(c -> b.header("Cookie", c));
        headers.forEach(b::header);
        return send(b.build());
    }

    static Optional<String> cookieValue(HttpResponse<?> r, String name) {
        return r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "=")).findFirst()
                .map(c -> c.substring(name.length() + 1, c.indexOf(';')));
    }

    static Optional<String> setCookie(HttpResponse<?> r, String name) {
        return r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "=")).findFirst();
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String group(Pattern p, String body) {
        Matcher m = p.matcher(body);
        if (!m.find()) throw new AssertionError("no " + p + " in the page: " + body);
        return m.group(1);
    }
}
