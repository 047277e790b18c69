package dev.ale.server;

import dev.ale.core.AleException.Fault;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The model server the model proxy forwards to: any OpenAI-compatible {@code /v1} base URL (vLLM,
 * SGLang, Ollama, a hosted API), the key to send it (never the sandbox's own token), and how long
 * one completion may take.
 */
public record ModelUpstream(URI baseUrl, Optional<String> apiKey, Duration timeout) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    public ModelUpstream {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(apiKey, "apiKey");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive");
    }

    /** Checks {@code url} (http or https, a host, no query) and drops a trailing slash. */
    public static ModelUpstream of(String url, Optional<String> apiKey, Duration timeout) {
        URI uri;
        try {
            uri = URI.create(url.strip());
        } catch (IllegalArgumentException e) {
            throw new ServerException(Fault.INPUT, "model upstream '" + url + "' is not a URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new ServerException(Fault.INPUT, "model upstream '" + url + "' must be an http:// or https:// URL, such as http://127.0.0.1:8000/v1");
        }
        if (uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new ServerException(Fault.INPUT, "model upstream '" + url + "' must be scheme://host[:port][/path], such as http://127.0.0.1:8000/v1");
        }
        String text = uri.toString();
        while (text.endsWith("/")) text = text.substring(0, text.length() - 1);
        return new ModelUpstream(URI.create(text), apiKey.filter(k -> !k.isBlank()), timeout);
    }

    URI resolve(String path) {
        return URI.create(baseUrl + path);
    }
}
