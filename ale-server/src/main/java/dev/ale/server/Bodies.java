package dev.ale.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Request bodies, read with a limit: the server never holds more than the limit of one body,
 * whatever Content-Length says or does not say. JSON bodies must be one object.
 */
final class Bodies {

    /** JSON bodies (commands, passports, stdin): generous for a command, small for a server. */
    static final int JSON_LIMIT = 1 << 20;
    /** File uploads and writes. */
    static final int FILE_LIMIT = 16 << 20;

    /** Nesting a request needs is shallow (a passport is five levels); deeper is an attack, not a request. */
    private static final int MAX_NESTING = 64;

    static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private Bodies() {
    }

    static byte[] bytes(Context ctx, int limit) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > limit) throw ApiError.tooLarge(limit);
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] body = in.readNBytes(limit + 1);
            if (body.length > limit) throw ApiError.tooLarge(limit);
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException("reading the request body", e);
        }
    }

    /** The body as a JSON object; an empty body is an empty object. */
    static ObjectNode object(Context ctx) {
        return object(ctx, JSON_LIMIT);
    }

    /** As {@link #object(Context)}, up to {@code limit} bytes (a chat request carries a whole conversation). */
    static ObjectNode object(Context ctx, int limit) {
        return object(ctx, bytes(ctx, limit));
    }

    /** Bytes already read, as a JSON object. */
    static ObjectNode object(Context ctx, byte[] body) {
        if (body.length == 0) return JSON.createObjectNode();
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest("body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiError.badRequest("body is not valid JSON: " + e.getMessage());
        }
        if (node == null || node.isMissingNode()) return JSON.createObjectNode();
        if (!(node instanceof ObjectNode object)) throw ApiError.badRequest("body must be a JSON object");
        return object;
    }
}
