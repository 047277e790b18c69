package dev.ale.gateway.proxy;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicLong;

/** An output that counts the bytes it passed on, readable from another thread while it runs. */
final class CountingOutput extends OutputStream {

    private final OutputStream out;
    private final AtomicLong count = new AtomicLong();

    CountingOutput(OutputStream out) {
        this.out = out;
    }

    long count() {
        return count.get();
    }

    /** Counts bytes passed on around this stream, straight to its socket's channel. */
    void add(long bytes) {
        count.addAndGet(bytes);
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        count.incrementAndGet();
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        count.addAndGet(len);
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
