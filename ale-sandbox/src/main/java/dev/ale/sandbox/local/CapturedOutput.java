package dev.ale.sandbox.local;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Keeps the first {@code limit} bytes of a stream and remembers whether more came. */
final class CapturedOutput {

    private final int limit;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private boolean truncated;

    CapturedOutput(int limit) {
        this.limit = limit;
    }

    synchronized void append(byte[] data, int length) {
        int room = limit - bytes.size();
        if (length > room) truncated = true;
        bytes.write(data, 0, Math.max(0, Math.min(room, length)));
    }

    synchronized boolean truncated() {
        return truncated;
    }

    synchronized byte[] bytes() {
        return bytes.toByteArray();
    }

    synchronized String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
