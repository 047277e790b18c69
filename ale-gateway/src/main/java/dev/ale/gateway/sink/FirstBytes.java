package dev.ale.gateway.sink;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * Says what protocol a client speaks from the first bytes it sent, before any reply. A pure
 * function of the bytes (no I/O, no clock), so the sink and the proxy judge the same bytes the
 * same way, and a corpus and a fuzz test can hold it to that.
 *
 * <p>It reads like a protocol, not a prefix: blank lines before the first byte are skipped; an
 * HTTP request head (or a header block such as {@code Content-Length: 80}) is read through to
 * what follows it, its body (chunked or not) or websocket frames; JSON-RPC is read message by
 * message, batches included, and a message still arriving is read by its method; every line is
 * looked at for an SSH banner, a mining call or a shell, wherever it sits. The input is whatever a
 * sandbox sent and may be cut short or hostile; no input makes this throw.
 */
public final class FirstBytes {

    /** The most bytes a reader gathers, and so the most this ever looks at: a whole ClientHello with room to spare. */
    public static final int MAX_BYTES = 16 * 1024;

    /** How many leading bytes {@link Classification.Unknown} keeps as evidence. */
    static final int HEX_PREFIX_BYTES = 32;

    /** How deep a reading nests (a body inside a head inside a preamble); deeper is not read. */
    private static final int MAX_DEPTH = 4;
    /** Lines looked at for a protocol hidden further on. */
    private static final int MAX_LINES = 128;
    /** RFC 4253 4.2: the identification line is at most 255 characters with its CR LF. */
    private static final int MAX_SSH_BANNER = 253;

    /**
     * A classification, and whether it is settled: {@code complete} once the message that decided
     * it has all arrived (a whole ClientHello, a whole request head and the body it announced, a
     * whole banner line). A reader may stop at a complete hostile reading; a benign one may still
     * be followed by something else.
     */
    public record Reading(Classification classification, boolean complete) {
        public Reading {
            Objects.requireNonNull(classification, "classification");
        }
    }

    private FirstBytes() {
    }

    /** Classifies {@code firstBytes[0, length)}; {@code length} is clamped to the array. */
    public static Classification classify(byte[] firstBytes, int length) {
        return read(firstBytes, length).classification();
    }

    /** Classifies {@code bytes[0, length)} and says whether that is settled. */
    public static Reading read(byte[] bytes, int length) {
        int n = Math.clamp(length, 0, bytes.length);
        Reading r = at(bytes, 0, n, 0, false);
        if (r.classification() instanceof Classification.Unknown) {
            // evidence is the bytes as they came, not as far as some inner reading got
            return new Reading(unknown(bytes, n), r.complete());
        }
        return r;
    }

    /**
     * What a websocket client's first frames carry: {@code frames} are the bytes after the
     * {@code 101 Switching Protocols}, masked as a client sends them.
     */
    public static Reading readWebSocket(byte[] frames, int length) {
        int n = Math.clamp(length, 0, frames.length);
        WebSocketFrames.Payload payload = WebSocketFrames.read(frames, n, MAX_BYTES);
        Reading inner = at(payload.bytes(), 0, payload.bytes().length, 1, false);
        return new Reading(inner.classification(), payload.complete());
    }

    /**
     * What a request body carries, from its first bytes as they came on the wire ({@code chunked}:
     * still in chunks). Read as a body: a shell's line inside it (a log being uploaded) does not
     * count unless the body opens with it; a mining call or a banner anywhere does.
     */
    public static Reading readBody(byte[] raw, int length, boolean chunked) {
        int n = Math.clamp(length, 0, raw.length);
        byte[] body = chunked ? HttpRequestHead.dechunk(raw, 0, n).body() : Arrays.copyOf(raw, n);
        return at(body, 0, body.length, 1, true);
    }

    /** Whether the last chunk of a chunked body has arrived in {@code raw[0, length)}. */
    public static boolean chunkedBodyEnded(byte[] raw, int length) {
        return HttpRequestHead.dechunk(raw, 0, Math.clamp(length, 0, raw.length)).ended();
    }

    /** Whether enough has arrived to classify without waiting for the deadline. */
    static boolean complete(byte[] bytes, int length) {
        return read(bytes, length).complete();
    }

    /**
     * Reads {@code bytes[from, to)}, {@code depth} levels into other readings. {@code body}: the
     * bytes are a message body, where a line of shell output may be a log being uploaded; only a
     * body that opens as a shell counts as one.
     */
    private static Reading at(byte[] bytes, int from, int to, int depth, boolean body) {
        int start = from;
        while (start < to && isNoise(bytes[start])) start++;
        if (start + 2 < to && (bytes[start] & 0xff) == 0xef && (bytes[start + 1] & 0xff) == 0xbb && (bytes[start + 2] & 0xff) == 0xbf) {
            start += 3; // a UTF-8 byte order mark
        }
        if (start == to) return new Reading(new Classification.Empty(), false);
        byte[] s = start == 0 && to == bytes.length ? bytes : Arrays.copyOfRange(bytes, start, to);
        int n = s.length;

        // Binary openings first: they are read as structures, and nothing else is looked for inside.
        if (TlsClientHello.looksLikeHello(s, n)) {
            return new Reading(TlsClientHello.parse(s, n), TlsClientHello.complete(s, n));
        }
        Optional<Reading> dns = DnsOverTcp.read(s, n);
        if (dns.isPresent()) return dns.get();

        Primary primary = primary(s, n, depth);
        if (primary.reading().classification().hostile() || primary.nested()) return primary.reading();
        // Something hidden further on: a banner, a mining call, a shell or a request on a later line.
        return hiddenInLines(s, n, !body, depth).orElse(primary.reading());
    }

    /** What the bytes open with; {@code nested}: read through a preamble or a head, whose reading looked at the rest. */
    private record Primary(Reading reading, boolean nested) {
    }

    private static Primary primary(byte[] s, int n, int depth) {
        Optional<Reading> ssh = ssh(s, n);
        if (ssh.isPresent()) return new Primary(ssh.get(), false);
        if (HttpRequestHead.startsLikeRequest(s, n)) {
            Optional<HttpRequestHead.Head> head = HttpRequestHead.parse(s, n);
            if (head.isPresent()) return new Primary(http(head.get(), s, n, depth), true);
        }
        Optional<Reading> shell = shell(s, 0, n);
        if (shell.isPresent()) return new Primary(shell.get(), false);
        Optional<Integer> block = HttpRequestHead.skipHeaderBlock(s, n);
        if (block.isPresent()) {
            if (block.get() >= 0 && block.get() < n && depth < MAX_DEPTH) {
                Reading after = at(s, block.get(), n, depth + 1, false);
                if (!(after.classification() instanceof Classification.Empty)) return new Primary(after, true);
            }
            return new Primary(new Reading(unknown(s, n), false), false);
        }
        Optional<Reading> rpc = JsonRpcMessages.read(s, n);
        if (rpc.isPresent()) return new Primary(rpc.get(), false);
        // Text that is none of these is settled at its first line; binary never is, until the deadline.
        return new Primary(new Reading(unknown(s, n), indexOf(s, n, (byte) '\n') >= 0), false);
    }

    /** An HTTP request: its head, then what it carries (a body, websocket frames, or whatever follows). */
    private static Reading http(HttpRequestHead.Head head, byte[] s, int n, int depth) {
        Classification.Http http = head.classification();
        if (!head.complete()) return new Reading(http, false);
        int bodyStart = head.end();
        byte[] inner;
        boolean innerDone;
        boolean isBody = true;
        if (head.chunked()) {
            HttpRequestHead.Dechunked body = HttpRequestHead.dechunk(s, bodyStart, n);
            inner = body.body();
            innerDone = body.ended() || n >= MAX_BYTES;
        } else if (head.contentLength() >= 0) {
            int arrived = (int) Math.min(head.contentLength(), n - bodyStart);
            inner = Arrays.copyOfRange(s, bodyStart, bodyStart + arrived);
            innerDone = arrived == head.contentLength() || n >= MAX_BYTES;
        } else if (http.isWebSocket()) {
            inner = WebSocketFrames.read(Arrays.copyOfRange(s, bodyStart, n), n - bodyStart, MAX_BYTES).bytes();
            innerDone = true; // a client waits for 101 before it frames anything; frames sent early are a bonus
            isBody = false;
        } else {
            inner = Arrays.copyOfRange(s, bodyStart, n); // pipelined, or another protocol after an HTTP-looking preamble
            innerDone = true;
            isBody = false;
        }
        if (depth < MAX_DEPTH && inner.length > 0) {
            Reading carried = at(inner, 0, inner.length, depth + 1, isBody);
            if (carried.classification().hostile()) return carried;
        }
        return new Reading(http, innerDone);
    }

    private static Optional<Reading> ssh(byte[] s, int n) {
        if (n < 4 || s[0] != 'S' || s[1] != 'S' || s[2] != 'H' || s[3] != '-') return Optional.empty();
        int end = lineLength(s, n);
        boolean ended = indexOf(s, n, (byte) '\n') >= 0;
        return Optional.of(new Reading(new Classification.Ssh(printable(s, 0, Math.min(end, MAX_SSH_BANNER))), ended));
    }

    /**
     * Whether the line at {@code from} is a shell talking. A bare {@code $ } or {@code # } counts
     * only as the last line, unended: a prompt waiting for a command.
     */
    private static Optional<Reading> shell(byte[] s, int from, int n) {
        int newline = indexOf(s, from, n, (byte) '\n');
        int end = newline < 0 ? n : newline;
        String line = new String(s, from, Math.min(end - from, 1024), java.nio.charset.StandardCharsets.ISO_8859_1);
        return ShellOutput.find(line, newline < 0).map(e -> new Reading(new Classification.ReverseShell(e), true));
    }

    /** The first line, after the first, that opens a hostile protocol: an SSH banner, a mining call, a shell. */
    private static Optional<Reading> hiddenInLines(byte[] s, int n, boolean shellLines, int depth) {
        int at = 0;
        for (int lines = 0; lines < MAX_LINES; lines++) {
            int newline = indexOf(s, at, n, (byte) '\n');
            if (newline < 0) return Optional.empty();
            at = newline + 1;
            while (at < n && isNoise(s[at])) at++;
            if (at >= n) return Optional.empty();
            if (n - at >= 4 && s[at] == 'S' && s[at + 1] == 'S' && s[at + 2] == 'H' && s[at + 3] == '-') {
                byte[] rest = Arrays.copyOfRange(s, at, n);
                return ssh(rest, rest.length);
            }
            if (s[at] == '{' || s[at] == '[') {
                int lineEnd = indexOf(s, at, n, (byte) '\n');
                Optional<Reading> call = JsonRpcMessages.line(s, at, lineEnd < 0 ? n : lineEnd, lineEnd >= 0);
                if (call.isPresent() && call.get().classification().hostile()) return call;
            }
            if (shellLines) {
                Optional<Reading> shell = shell(s, at, n);
                if (shell.isPresent()) return shell;
            }
            if (depth < MAX_DEPTH && HttpRequestHead.startsLikeRequest(Arrays.copyOfRange(s, at, Math.min(n, at + 32)), Math.min(n - at, 32))) {
                Reading request = at(s, at, n, depth + 1, !shellLines);
                if (request.classification().hostile()) return Optional.of(request);
            }
        }
        return Optional.empty();
    }

    static boolean isNoise(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    private static Classification.Unknown unknown(byte[] bytes, int length) {
        return new Classification.Unknown(HexFormat.of().formatHex(bytes, 0, Math.min(length, HEX_PREFIX_BYTES)));
    }

    /** Length of the first line without its CR LF (or LF), or all of it when no line ended. */
    static int lineLength(byte[] bytes, int length) {
        int newline = indexOf(bytes, length, (byte) '\n');
        int end = newline < 0 ? length : newline;
        return end > 0 && bytes[end - 1] == '\r' ? end - 1 : end;
    }

    static int indexOf(byte[] bytes, int length, byte wanted) {
        return indexOf(bytes, 0, length, wanted);
    }

    static int indexOf(byte[] bytes, int from, int length, byte wanted) {
        for (int i = Math.max(0, from); i < length; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    /** Bytes as text for a record: printable ASCII kept, everything else shown as '?'. */
    static String printable(byte[] bytes, int offset, int length) {
        char[] text = new char[length];
        for (int i = 0; i < length; i++) {
            int b = bytes[offset + i] & 0xff;
            text[i] = b >= 0x20 && b < 0x7f ? (char) b : '?';
        }
        return new String(text);
    }

    /** How many leading bytes a record keeps as escaped text ({@link #escaped}). */
    public static final int RECORDED_BYTES = 256;

    /**
     * The first {@link #RECORDED_BYTES} bytes as text for a record: printable ASCII kept, a
     * backslash doubled, CR, LF and tab as {@code \r \n \t}, any other byte as {@code \xNN}.
     */
    public static String escaped(byte[] bytes, int length) {
        int n = Math.clamp(length, 0, Math.min(bytes.length, RECORDED_BYTES));
        StringBuilder out = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            int b = bytes[i] & 0xff;
            switch (b) {
                case '\\' -> out.append("\\\\");
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> {
                    if (b >= 0x20 && b < 0x7f) {
                        out.append((char) b);
                    } else {
                        out.append("\\x").append(HexFormat.of().toHexDigits((byte) b));
                    }
                }
            }
        }
        return out.toString();
    }

    /** A decoded string for a record: control characters shown as '?'. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return out.toString();
    }
}
