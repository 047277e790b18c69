package dev.ale.gateway.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Optional;

/**
 * One direction of an established tunnel, socket channel to socket channel through a direct
 * buffer: the bytes go kernel to buffer to kernel, without the two copies through a heap array
 * that socket streams make. It only counts what it passes on; what a tunnel carries is judged
 * before it is spliced ({@link TunnelOpening}).
 */
final class Relay {

    private final SocketChannel from;
    private final InputStream fromStream;
    private final SocketChannel to;
    private final CountingOutput counted;
    private final RelayBuffers buffers;

    private Relay(SocketChannel from, InputStream fromStream, SocketChannel to, CountingOutput counted, RelayBuffers buffers) {
        this.from = from;
        this.fromStream = fromStream;
        this.to = to;
        this.counted = counted;
        this.buffers = buffers;
    }

    /** A relay from one socket to the other, or none when either was not opened as a channel. */
    static Optional<Relay> between(Socket from, Socket to, CountingOutput counted, RelayBuffers buffers) throws IOException {
        if (from.getChannel() == null || to.getChannel() == null) return Optional.empty();
        return Optional.of(new Relay(from.getChannel(), from.getInputStream(), to.getChannel(), counted, buffers));
    }

    /**
     * Writes {@code bytes[off, off + len)} first (what was read before the splice), counted,
     * through a small direct buffer: a heap buffer would make the JDK cache a temporary direct
     * one of its size in the relaying thread.
     */
    void send(byte[] bytes, int off, int len) throws IOException {
        ByteBuffer buffer = buffers.small();
        try {
            for (int at = off; at < off + len; ) {
                int n = Math.min(buffer.capacity(), off + len - at);
                buffer.clear().put(bytes, at, n).flip();
                while (buffer.hasRemaining()) to.write(buffer);
                at += n;
            }
        } finally {
            buffers.giveBack(buffer);
        }
        counted.add(len);
    }

    /**
     * Copies until {@code from} ends. A direction holds a small buffer; while its reads fill the
     * buffer it holds a large one, if one is free, and gives that back before it waits on an
     * empty socket, so an idle tunnel never sits on a large buffer.
     */
    void untilEnd() throws IOException {
        ByteBuffer buffer = buffers.small();
        try {
            while (true) {
                if (buffer.capacity() == RelayBuffers.LARGE && fromStream.available() == 0) {
                    buffers.giveBack(buffer);
                    buffer = buffers.small();
                }
                buffer.clear();
                int read = from.read(buffer);
                if (read < 0) return;
                buffer.flip();
                while (buffer.hasRemaining()) to.write(buffer);
                counted.add(read);
                if (read == buffer.capacity() && buffer.capacity() == RelayBuffers.SMALL) {
                    Optional<ByteBuffer> large = buffers.large();
                    if (large.isPresent()) {
                        buffers.giveBack(buffer);
                        buffer = large.get();
                    }
                }
            }
        } finally {
            buffers.giveBack(buffer);
        }
    }
}
