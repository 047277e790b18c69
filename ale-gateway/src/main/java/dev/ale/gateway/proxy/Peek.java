package dev.ale.gateway.proxy;

import dev.ale.core.net.Opening;
import dev.ale.gateway.sink.ConnectionRecords;
import dev.ale.gateway.sink.FirstBytes;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The first bytes a client sent, held back before anything is relayed: read within a window of
 * {@link FirstBytes#MAX_BYTES} and a deadline, gathered across fragments, and classified by the
 * same reader as the sink's, so the proxy judges the same bytes the same way.
 *
 * @param bytes   what was read, {@code bytes[0, length)}
 * @param reading what the bytes are, and whether that is settled
 * @param ended   the client closed its side (or reset) while they were read
 */
record Peek(byte[] bytes, int length, FirstBytes.Reading reading, boolean ended) {

    /** How often at most the bytes gathered so far are classified while more keep coming. */
    private static final long RECLASSIFY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** What the bytes say, as records carry it. */
    Opening opening() {
        return ConnectionRecords.opening(reading.classification(), FirstBytes.escaped(bytes, length));
    }

    /**
     * The bytes read, then the rest of {@code in}: what is relayed once they pass. Closing it
     * leaves {@code in} open (a socket's stream closes its socket; SequenceInputStream would).
     */
    InputStream replay(InputStream in) {
        ByteArrayInputStream held = new ByteArrayInputStream(bytes, 0, length);
        return new InputStream() {
            @Override
            public int read() throws IOException {
                int b = held.read();
                return b >= 0 ? b : in.read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) return 0;
                int n = held.read(b, off, len);
                return n > 0 ? n : in.read(b, off, len);
            }

            @Override
            public int available() throws IOException {
                return held.available() > 0 ? held.available() : in.available();
            }
        };
    }

    /** How a reading is made from the bytes, and when enough has been read. */
    interface Reader {
        FirstBytes.Reading read(byte[] bytes, int length);

        boolean enough(FirstBytes.Reading reading, byte[] bytes, int length);
    }

    /** A tunnel's opening: settled, hostile, or an HTTP head whole (its body is judged as a request's). */
    static final Reader TUNNEL = new Reader() {
        @Override
        public FirstBytes.Reading read(byte[] bytes, int length) {
            return FirstBytes.read(bytes, length);
        }

        @Override
        public boolean enough(FirstBytes.Reading r, byte[] bytes, int length) {
            return r.complete() || r.classification().hostile() || headEnded(bytes, length);
        }
    };

    /** A websocket client's first message. */
    static final Reader WEBSOCKET = new Reader() {
        @Override
        public FirstBytes.Reading read(byte[] bytes, int length) {
            return FirstBytes.readWebSocket(bytes, length);
        }

        @Override
        public boolean enough(FirstBytes.Reading r, byte[] bytes, int length) {
            return r.complete() || r.classification().hostile();
        }
    };

    /** A request body's start, chunked or not. */
    static Reader body(boolean chunked) {
        return new Reader() {
            @Override
            public FirstBytes.Reading read(byte[] bytes, int length) {
                return FirstBytes.readBody(bytes, length, chunked);
            }

            @Override
            public boolean enough(FirstBytes.Reading r, byte[] bytes, int length) {
                return r.classification().hostile() || (chunked && FirstBytes.chunkedBodyEnded(bytes, length));
            }
        };
    }

    /**
     * Reads from {@code in} until {@code reader} has enough, {@code max} bytes arrived, the client
     * ends its side, or {@code within} passes (zero: no limit). Leaves {@code timed} with a
     * deadline or no limit: the caller sets what comes next.
     */
    static Peek read(InputStream in, TimedInput timed, Reader reader, int max, Duration within) throws IOException {
        int limit = Math.min(max, FirstBytes.MAX_BYTES);
        byte[] buffer = new byte[Math.min(limit, 4096)];
        int length = 0;
        long now = System.nanoTime();
        long deadline = within.isZero() ? Long.MAX_VALUE : now + within.toNanos();
        FirstBytes.Reading reading = reader.read(buffer, 0);
        int classifiedAt = 0;
        long classifiedWhen = now - RECLASSIFY_NANOS;
        boolean ended = false;
        try {
            while (length < limit) {
                now = System.nanoTime();
                boolean pending = length > classifiedAt;
                if (pending && (now - classifiedWhen >= RECLASSIFY_NANOS || length >= 2 * classifiedAt)) {
                    reading = reader.read(buffer, length);
                    classifiedAt = length;
                    classifiedWhen = now;
                    pending = false;
                    if (reader.enough(reading, buffer, length)) break;
                }
                long until = pending ? Math.min(deadline, classifiedWhen + RECLASSIFY_NANOS) : deadline;
                if (until - now <= 0) {
                    if (pending && now < deadline) continue;
                    break;
                }
                if (until == Long.MAX_VALUE) {
                    timed.idle(Duration.ZERO);
                } else {
                    timed.deadline(Duration.ofNanos(until - now));
                }
                if (length == buffer.length) buffer = Arrays.copyOf(buffer, Math.min(limit, buffer.length * 2));
                int read;
                try {
                    read = in.read(buffer, length, buffer.length - length);
                } catch (SocketTimeoutException quiet) {
                    if (pending && System.nanoTime() < deadline) continue;
                    break;
                }
                if (read < 0) {
                    ended = true;
                    break;
                }
                length += read;
            }
        } catch (IOException reset) {
            if (length == 0) throw reset;
            ended = true; // judge what arrived; there is nothing to relay it to anyway
        }
        if (length > classifiedAt) reading = reader.read(buffer, length);
        return new Peek(buffer, length, reading, ended);
    }

    /** Whether an HTTP head's blank line is among the bytes. */
    static boolean headEnded(byte[] bytes, int length) {
        for (int i = 1; i < length; i++) {
            if (bytes[i] == '\n' && (bytes[i - 1] == '\n' || (i >= 2 && bytes[i - 1] == '\r' && bytes[i - 2] == '\n'))) return true;
        }
        return false;
    }
}
