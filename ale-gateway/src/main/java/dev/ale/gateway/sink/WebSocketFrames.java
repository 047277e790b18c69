package dev.ale.gateway.sink;

import java.io.ByteArrayOutputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.Arrays;

/**
 * Reads the first messages of a websocket stream (RFC 6455), as a client sends them: masked
 * frames, unmasked here, and compressed ones (permessage-deflate, RFC 7692) inflated, so that what
 * a websocket carries can be read like any other first bytes. Messages are joined with a newline,
 * as newline-delimited protocols (stratum) would have them.
 */
final class WebSocketFrames {

    private static final int OPCODE_CONTINUATION = 0;
    private static final int OPCODE_CLOSE = 8;

    /**
     * The payload read from the frames at the start of {@code bytes}; {@code complete} once the
     * first data message has all arrived (or the payload filled {@code max}).
     */
    record Payload(byte[] bytes, boolean complete) {
    }

    private WebSocketFrames() {
    }

    static Payload read(byte[] bytes, int length, int max) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        boolean compressed = false;
        boolean complete = false;
        int at = 0;
        for (int frames = 0; frames < 64 && at + 2 <= length && out.size() < max; frames++) {
            int b0 = bytes[at] & 0xff;
            int b1 = bytes[at + 1] & 0xff;
            boolean fin = (b0 & 0x80) != 0;
            int opcode = b0 & 0x0f;
            boolean masked = (b1 & 0x80) != 0;
            long size = b1 & 0x7f;
            int header = 2;
            if (size == 126) {
                if (at + 4 > length) break;
                size = ((bytes[at + 2] & 0xffL) << 8) | (bytes[at + 3] & 0xffL);
                header = 4;
            } else if (size == 127) {
                if (at + 10 > length) break;
                size = 0;
                for (int i = 0; i < 8; i++) size = (size << 8) | (bytes[at + 2 + i] & 0xffL);
                if (size < 0) break;
                header = 10;
            }
            int maskAt = at + header;
            int dataAt = maskAt + (masked ? 4 : 0);
            if (dataAt > length) break;
            int arrived = (int) Math.min(size, length - dataAt);
            if (opcode == OPCODE_CLOSE) break;
            if (opcode < OPCODE_CLOSE) { // data and continuation frames; ping and pong carry nothing of interest
                if (opcode != OPCODE_CONTINUATION) compressed = (b0 & 0x40) != 0;
                for (int i = 0; i < arrived && message.size() < max; i++) {
                    int m = masked ? bytes[maskAt + (i & 3)] : 0;
                    message.write(bytes[dataAt + i] ^ m);
                }
            }
            if (arrived < size) break;
            at = dataAt + arrived;
            if (fin && opcode < OPCODE_CLOSE) {
                byte[] whole = compressed ? inflate(message.toByteArray(), max) : message.toByteArray();
                if (out.size() > 0) out.write('\n');
                out.write(whole, 0, Math.min(whole.length, Math.max(0, max - out.size())));
                message.reset();
                complete = true;
            }
        }
        if (message.size() > 0 && !compressed) {
            if (out.size() > 0) out.write('\n');
            out.write(message.toByteArray(), 0, Math.min(message.size(), Math.max(0, max - out.size())));
        }
        return new Payload(out.toByteArray(), complete || out.size() >= max);
    }

    /** permessage-deflate: a raw deflate stream whose final empty block the sender left off. */
    private static byte[] inflate(byte[] deflated, int max) {
        Inflater inflater = new Inflater(true);
        try {
            byte[] input = new byte[deflated.length + 4];
            System.arraycopy(deflated, 0, input, 0, deflated.length);
            input[deflated.length + 2] = (byte) 0xff;
            input[deflated.length + 3] = (byte) 0xff;
            inflater.setInput(input);
            byte[] out = new byte[max];
            int total = 0;
            for (int rounds = 0; rounds < 64 && total < max && !inflater.finished(); rounds++) {
                int n = inflater.inflate(out, total, max - total);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) break;
                total += n;
            }
            return Arrays.copyOf(out, total);
        } catch (DataFormatException notDeflate) {
            return deflated;
        } finally {
            inflater.end();
        }
    }
}
