package dev.ale.gateway.proxy;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Direct buffers for the proxy's tunnels, shared by all of them: every relay direction holds a
 * small one, and one that streams (its reads fill the small one) borrows a large one while it
 * does, up to a fixed number lent at once. A tunnel's fixed cost is two small buffers; the large
 * ones cost the same however many tunnels are open.
 */
final class RelayBuffers {

    /** What every relay direction holds: enough for interactive traffic and a TLS record. */
    static final int SMALL = 16 * 1024;
    /** What a streaming direction borrows: fewer, larger reads and writes (ale bench gateway). */
    static final int LARGE = 256 * 1024;
    /** Large buffers lent at once, over all tunnels: 16 MiB at most. */
    static final int MAX_LARGE = 64;
    /** Small buffers kept for reuse once given back; more are freed by the collector. */
    private static final int KEEP_SMALL = 256;

    private final ConcurrentLinkedDeque<ByteBuffer> small = new ConcurrentLinkedDeque<>();
    private final ConcurrentLinkedDeque<ByteBuffer> large = new ConcurrentLinkedDeque<>();
    private final AtomicInteger smallKept = new AtomicInteger();
    private final AtomicInteger largeLent = new AtomicInteger();
    private final AtomicInteger largeBorrowed = new AtomicInteger();
    private final int maxLarge;

    RelayBuffers(int maxLarge) {
        if (maxLarge < 0) throw new IllegalArgumentException("maxLarge " + maxLarge + " must not be negative");
        this.maxLarge = maxLarge;
    }

    ByteBuffer small() {
        ByteBuffer b = small.pollFirst();
        if (b == null) return ByteBuffer.allocateDirect(SMALL);
        smallKept.decrementAndGet();
        return b.clear();
    }

    /** A large buffer, or none when {@link #MAX_LARGE} are lent already. */
    Optional<ByteBuffer> large() {
        if (largeLent.incrementAndGet() > maxLarge) {
            largeLent.decrementAndGet();
            return Optional.empty();
        }
        largeBorrowed.incrementAndGet();
        ByteBuffer b = large.pollFirst();
        return Optional.of(b == null ? ByteBuffer.allocateDirect(LARGE) : b.clear());
    }

    /** Takes back a buffer from {@link #small()} or {@link #large()}. */
    void giveBack(ByteBuffer b) {
        if (b.capacity() == LARGE) {
            large.offerFirst(b);
            largeLent.decrementAndGet();
        } else if (smallKept.incrementAndGet() <= KEEP_SMALL) {
            small.offerFirst(b);
        } else {
            smallKept.decrementAndGet();
        }
    }

    /** Large buffers lent now. */
    int largeLent() {
        return largeLent.get();
    }

    /** Times a large buffer was lent, since the start. */
    int largeBorrowed() {
        return largeBorrowed.get();
    }
}
