package dev.ale.cli.common;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ale.core.AleException;
import dev.ale.core.AleException.Fault;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** A command's call to a running {@code ale serve} (a node, or a cluster's front) with a bearer token. */
public final class ServerClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ServerClient() {
    }

    /** A server's answer: its status and its JSON body (a JSON null when it sent none). */
    public record Reply(int status, JsonNode body) { }

    /** {@code $ALE_TOKEN} unless a file is given; else the file, by default the admin token {@code ale serve} wrote in {@code dataDir}. */
    public static String token(Optional<Path> tokenFile, Path dataDir) {
        if (tokenFile.isEmpty()) {
            String env = System.getenv("ALE_TOKEN");
            if (env != null && !env.isBlank()) return env.strip();
        }
        Path file = tokenFile.orElseGet(() -> dataDir.resolve("server-admin-token"));
        try {
            String token = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (token.isEmpty()) throw new AleException(Fault.INPUT, file + " is empty; it should hold a bearer token");
            return token;
        } catch (IOException e) {
            throw new AleException(Fault.INPUT, "no token: cannot read " + file + " (" + e.getMessage() + "); set ALE_TOKEN or give --token-file", e);
        }
    }

    /** One call without a body to {@code url} + {@code path}. */
    public static Reply call(String url, String token, String method, String path) {
        URI uri;
        try {
            uri = URI.create(url.replaceAll("/+$", "") + path);
        } catch (IllegalArgumentException e) {
            throw new AleException(Fault.INPUT, "--server " + url + ": not a URL (" + e.getMessage() + ")", e);
        }
        if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
            throw new AleException(Fault.INPUT, "--server " + url + ": use http://HOST:PORT");
        }
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + token)
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode body = r.body().isBlank() ? JSON.nullNode() : JSON.readTree(r.body());
            return new Reply(r.statusCode(), body);
        } catch (IOException e) {
            throw new AleException(Fault.ENVIRONMENT, "cannot reach ale serve at " + url + ": " + e.getMessage()
                    + " (is it running? give its address with --server)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AleException(Fault.ENVIRONMENT, "interrupted while asking " + url, e);
        }
    }

    /** The server's own error message, or a line for a status it did not explain. */
    public static String message(Reply r) {
        String m = r.body().path("error").path("message").asText("");
        return m.isEmpty() ? "the server answered " + r.status() : m;
    }

    /** A non-2xx answer as the error a command ends with: 401/403/400 are the caller's (INPUT), the rest the server's. */
    public static AleException failure(Reply r) {
        boolean caller = r.status() == 400 || r.status() == 401 || r.status() == 403 || r.status() == 404;
        return new AleException(caller ? Fault.INPUT : Fault.ENVIRONMENT, message(r));
    }

    /** {@code ?k=v&...} with each value encoded; empty for no parameters. */
    public static String query(Map<String, String> params) {
        if (params.isEmpty()) return "";
        return params.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&", "?", ""));
    }
}
