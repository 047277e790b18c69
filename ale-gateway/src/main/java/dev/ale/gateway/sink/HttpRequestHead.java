package dev.ale.gateway.sink;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an HTTP/1 request head from the first bytes of a connection: its request line, Host,
 * Upgrade and body framing, and where the head ends, so that what follows it (a body, a websocket
 * frame, or another protocol sent after an HTTP-looking preamble) can be read in turn. Also reads
 * past header blocks that are no request ({@code HTTP/1.1 200 OK …}, {@code Content-Length: 80}).
 */
final class HttpRequestHead {

    /** An upper-case method token and a space; "SSH-2.0-..." and JSON never look like this. */
    private static final Pattern METHOD_START = Pattern.compile("[A-Z][A-Z_-]{0,19} ");
    private static final Pattern REQUEST_LINE = Pattern.compile("([A-Z][A-Z_-]{0,19}) (\\S+) HTTP/\\d(?:\\.\\d)?");
    /** The first line of a header block that is no request: a status line, or a header field. */
    private static final Pattern BLOCK_START = Pattern.compile("HTTP/\\d(?:\\.\\d)? \\d{3}.*|[A-Za-z][A-Za-z0-9-]{0,63}:.*");
    private static final int MAX_METHOD = 20;
    /** Headers read; a head with more is read no further (the window bounds it anyway). */
    private static final int MAX_FIELDS = 256;

    /**
     * What a request head says.
     *
     * @param end           where the head ends (after its blank line), or -1 when it has not all arrived
     * @param contentLength the body's declared length, or -1 when there is none
     */
    record Head(String method, String host, String path, String upgrade, int end, long contentLength, boolean chunked) {

        boolean complete() {
            return end >= 0;
        }

        Classification.Http classification() {
            return new Classification.Http(method, host, path, upgrade);
        }
    }

    private HttpRequestHead() {
    }

    static boolean startsLikeRequest(byte[] bytes, int length) {
        int space = FirstBytes.indexOf(bytes, Math.min(length, MAX_METHOD + 1), (byte) ' ');
        return space > 0 && METHOD_START.matcher(text(bytes, 0, space + 1)).matches();
    }

    /**
     * The head at the start of {@code bytes}, once its request line has arrived; empty while it
     * has not, or when the first line is no request line ("EHLO mail.example").
     */
    static Optional<Head> parse(byte[] bytes, int length) {
        int firstEnd = FirstBytes.indexOf(bytes, length, (byte) '\n');
        if (firstEnd < 0) return Optional.empty();
        Matcher requestLine = REQUEST_LINE.matcher(withoutCr(text(bytes, 0, firstEnd)));
        if (!requestLine.matches()) return Optional.empty();
        String method = requestLine.group(1);
        String target = FirstBytes.printable(requestLine.group(2));
        String host = "";
        String upgrade = "";
        long contentLength = -1;
        boolean chunked = false;
        int end = -1;
        int at = firstEnd + 1;
        for (int fields = 0; fields < MAX_FIELDS; fields++) {
            int newline = indexOf(bytes, at, length, (byte) '\n');
            if (newline < 0) break;
            String line = withoutCr(text(bytes, at, newline - at));
            at = newline + 1;
            if (line.isEmpty()) {
                end = at;
                break;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) continue;
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            switch (name) {
                case "host" -> host = host.isEmpty() ? FirstBytes.printable(value) : host;
                case "upgrade" -> upgrade = FirstBytes.printable(value.toLowerCase(Locale.ROOT));
                case "content-length" -> contentLength = digits(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).endsWith("chunked");
                default -> { }
            }
        }
        String path = target;
        int scheme = target.indexOf("://");
        if (scheme > 0 && !method.equals("CONNECT")) {
            // Absolute form, as sent to a proxy: GET http://host/path HTTP/1.1
            int authorityEnd = indexOfAny(target, scheme + 3, "/?#");
            if (host.isEmpty()) host = target.substring(scheme + 3, authorityEnd);
            path = authorityEnd < target.length() ? target.substring(authorityEnd) : "/";
        } else if (host.isEmpty() && method.equals("CONNECT")) {
            host = target;
        }
        return Optional.of(new Head(method, host, path, upgrade, end, chunked ? -1 : contentLength, chunked));
    }

    /**
     * Where a header block that is no request ends ({@code HTTP/1.1 200 OK …}, {@code Content-Length: 80}
     * as language servers frame JSON-RPC): after its blank line, or -1 while it has not all arrived.
     * Empty when the bytes do not start like such a block.
     */
    static Optional<Integer> skipHeaderBlock(byte[] bytes, int length) {
        int firstEnd = FirstBytes.indexOf(bytes, length, (byte) '\n');
        String first = withoutCr(text(bytes, 0, firstEnd < 0 ? Math.min(length, 256) : firstEnd));
        if (!BLOCK_START.matcher(first).matches()) return Optional.empty();
        if (firstEnd < 0) return Optional.of(-1);
        int at = firstEnd + 1;
        for (int fields = 0; fields < MAX_FIELDS; fields++) {
            int newline = indexOf(bytes, at, length, (byte) '\n');
            if (newline < 0) return Optional.of(-1);
            String line = withoutCr(text(bytes, at, newline - at));
            at = newline + 1;
            if (line.isEmpty()) return Optional.of(at);
            if (line.indexOf(':') <= 0) return Optional.empty(); // not a header block after all
        }
        return Optional.empty();
    }

    /**
     * The first bytes of a chunked body in {@code bytes[from, length)}, decoded; {@code ended} when
     * its last chunk arrived. Stops at anything that is no chunk framing.
     */
    record Dechunked(byte[] body, boolean ended) {
    }

    static Dechunked dechunk(byte[] bytes, int from, int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = from;
        while (at < length) {
            int newline = indexOf(bytes, at, length, (byte) '\n');
            if (newline < 0 || newline - at > 64) break;
            String sizeLine = withoutCr(text(bytes, at, newline - at));
            int semicolon = sizeLine.indexOf(';');
            long size = hex((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim());
            if (size < 0) break;
            at = newline + 1;
            if (size == 0) return new Dechunked(out.toByteArray(), true);
            int take = (int) Math.min(size, length - at);
            out.write(bytes, at, take);
            if (take < size) break;
            at += take;
            if (at < length && bytes[at] == '\r') at++;
            if (at < length && bytes[at] == '\n') at++;
        }
        return new Dechunked(out.toByteArray(), false);
    }

    private static long digits(String value) {
        if (value.isEmpty() || value.length() > 18 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) return -1;
        return Long.parseLong(value);
    }

    private static long hex(String value) {
        if (value.isEmpty() || value.length() > 15) return -1;
        long size = 0;
        for (int i = 0; i < value.length(); i++) {
            int d = Character.digit(value.charAt(i), 16);
            if (d < 0) return -1;
            size = size * 16 + d;
        }
        return size;
    }

    private static String withoutCr(String line) {
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    private static int indexOf(byte[] bytes, int from, int length, byte wanted) {
        for (int i = from; i < length; i++) {
            if (bytes[i] == wanted) return i;
        }
        return -1;
    }

    private static int indexOfAny(String text, int from, String chars) {
        for (int i = from; i < text.length(); i++) {
            if (chars.indexOf(text.charAt(i)) >= 0) {
                return i;
            }
        }
        return text.length();
    }

    /** Latin-1 maps every byte to one char, so decoding never fails and offsets stay put. */
    private static String text(byte[] bytes, int offset, int length) {
        return new String(bytes, offset, Math.max(0, length), StandardCharsets.ISO_8859_1);
    }
}
