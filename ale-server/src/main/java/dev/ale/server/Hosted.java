package dev.ale.server;

import dev.ale.core.event.SafetyEvent;
import dev.ale.containment.GuardedSandbox.GuardedSession;
import dev.ale.containment.GuardedSandbox;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One sandbox the server made: who owns it, when it was last used, its shell sessions, and the
 * lock that keeps its tool calls one at a time (the monitor judges a sandbox call by call).
 */
final class Hosted {

    private final GuardedSandbox guarded;
    private final String owner;
    private final Map<String, String> labels;
    private final Duration idleTimeout;
    private final Map<String, GuardedSession> sessions = new ConcurrentHashMap<>();
    /** Sessions by the name a ROCK client gave them ({@code create_session {session: NAME}}), to ALE's session id. */
    private final Map<String, String> named = new ConcurrentHashMap<>();
    private final ReentrantLock calls = new ReentrantLock(true);
    private final AtomicInteger busy = new AtomicInteger();
    private final ReentrantLock signal = new ReentrantLock();
    private final Condition changed = signal.newCondition();
    private volatile Instant lastUsed = Instant.now();
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private final Optional<String> modelToken;

    Hosted(GuardedSandbox guarded, String owner, Map<String, String> labels, Duration idleTimeout, Optional<String> modelToken) {
        this.guarded = guarded;
        this.modelToken = modelToken;
        this.owner = owner;
        this.labels = Map.copyOf(labels);
        this.idleTimeout = idleTimeout;
    }

    String id() {
        return guarded.id();
    }

    GuardedSandbox guarded() {
        return guarded;
    }

    /** The sandbox's own model-proxy token (its OPENAI_API_KEY), if its passport allows the proxy and a route is set. */
    Optional<String> modelToken() {
        return modelToken;
    }

    String owner() {
        return owner;
    }

    Map<String, String> labels() {
        return labels;
    }

    Duration idleTimeout() {
        return idleTimeout;
    }

    Instant idleExpiresAt() {
        return lastUsed.plus(idleTimeout);
    }

    void touch() {
        lastUsed = Instant.now();
    }

    /** Idle: no call running and nothing asked of it for its idle timeout. */
    boolean idle(Instant now) {
        return busy.get() == 0 && now.isAfter(idleExpiresAt());
    }

    boolean closed() {
        return closed.get();
    }

    /** Runs {@code call} as this sandbox's only call; the sandbox is not idle while it runs. */
    <T> T call(java.util.function.Supplier<T> call) {
        busy.incrementAndGet();
        try {
            calls.lock();
            try {
                if (closed.get()) throw ApiError.notFound("sandbox " + id() + " was removed");
                return call.get();
            } finally {
                calls.unlock();
            }
        } finally {
            touch();
            busy.decrementAndGet();
        }
    }

    String openSession() {
        GuardedSession session = call(() -> guarded.openSession());
        sessions.put(session.id(), session);
        return session.id();
    }

    /** Opens a session under a client's name; empty when that name is taken. */
    Optional<GuardedSession> openNamed(String name) {
        synchronized (named) {
            if (named.containsKey(name)) return Optional.empty();
            String sid = openSession();
            named.put(name, sid);
            return session(sid);
        }
    }

    Optional<GuardedSession> sessionNamed(String name) {
        return Optional.ofNullable(named.get(name)).flatMap(this::session);
    }

    boolean closeNamed(String name) {
        String sid = named.remove(name);
        return sid != null && closeSession(sid);
    }

    Optional<GuardedSession> session(String id) {
        return Optional.ofNullable(sessions.get(id));
    }

    boolean closeSession(String id) {
        GuardedSession s = sessions.remove(id);
        if (s == null) return false;
        s.close();
        return true;
    }

    List<SafetyEvent> events() {
        return guarded.events();
    }

    /** Wakes every events stream of this sandbox: a new event, or the sandbox is gone. */
    void signal() {
        signal.lock();
        try {
            changed.signalAll();
        } finally {
            signal.unlock();
        }
    }

    /** Waits until {@link #signal} or {@code max} passes, whichever is first. */
    void awaitChange(int seen, Duration max) throws InterruptedException {
        signal.lock();
        try {
            if (closed.get() || events().size() > seen) return;
            changed.await(max.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            signal.unlock();
        }
    }

    /** Destroys the sandbox with its sessions. Idempotent. */
    void close() {
        if (!closed.compareAndSet(false, true)) return;
        try {
            sessions.values().forEach(GuardedSession::close);
            sessions.clear();
            named.clear();
            guarded.close();
        } finally {
            signal();
        }
    }
}
