package dev.ale.server.console;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Console sessions, held by the server: the cookie carries only a random id, so a forged or
 * guessed cookie finds nothing, and an expired one is dropped when it is next presented.
 */
final class Sessions {

    /** One signed-in browser: who it is, its CSRF token, and when it stops being good. */
    record Session(String id, Principal principal, String csrf, Instant expiresAt) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, Session> byId = new ConcurrentHashMap<>();
    private final Duration lifetime;
    private final Clock clock;

    Sessions(Duration lifetime, Clock clock) {
        this.lifetime = lifetime;
        this.clock = clock;
    }

    Duration lifetime() {
        return lifetime;
    }

    Session open(Principal who) {
        Instant now = clock.instant();
        // sign-ins are bounded by who holds a token; sweeping here keeps the map to live sessions
        byId.values().removeIf(s -> !now.isBefore(s.expiresAt()));
        Session s = new Session(random(), who, random(), now.plus(lifetime));
        byId.put(s.id(), s);
        return s;
    }

    /** The live session {@code id} names; an expired one is removed and not found. */
    Optional<Session> find(String id) {
        Session s = byId.get(id);
        if (s == null) return Optional.empty();
        if (!clock.instant().isBefore(s.expiresAt())) {
            byId.remove(id, s);
            return Optional.empty();
        }
        return Optional.of(s);
    }

    void close(String id) {
        byId.remove(id);
    }

    static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
