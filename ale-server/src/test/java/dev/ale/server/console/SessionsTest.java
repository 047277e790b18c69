package dev.ale.server.console;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SessionsTest {

    /** A clock the test moves. */
    private static final class Moved extends Clock {
        private Instant now = Instant.parse("2026-12-05T04:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private static final Principal OPS = new Principal("ops", true, "ops-token-0123456789");

    @Test
    void aSessionLastsItsLifetimeAndNotASecondMore() {
        Moved clock = new Moved();
        Sessions sessions = new Sessions(Duration.ofMinutes(10), clock);
        Sessions.Session s = sessions.open(OPS);

        clock.now = clock.now.plus(Duration.ofMinutes(10)).minusNanos(1);
        assertThat(sessions.find(s.id())).contains(s);
        clock.now = clock.now.plusNanos(1);
        assertThat(sessions.find(s.id())).isEmpty();
        // once expired it stays gone, even if the clock were set back
        clock.now = clock.now.minus(Duration.ofHours(1));
        assertThat(sessions.find(s.id())).isEmpty();
    }

    @Test
    void idsAndCsrfTokensAreFreshRandomAndApart() {
        Sessions sessions = new Sessions(Duration.ofMinutes(10), new Moved());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            Sessions.Session s = sessions.open(OPS);
            assertThat(s.id()).matches("[0-9a-f]{64}");
            assertThat(s.csrf()).matches("[0-9a-f]{64}").isNotEqualTo(s.id());
            assertThat(seen.add(s.id())).isTrue();
            assertThat(seen.add(s.csrf())).isTrue();
        }
        assertThat(sessions.find("0".repeat(64))).isEmpty();
    }

    @Test
    void aPrincipalNeverPrintsItsToken() {
        assertThat(OPS.toString()).contains("ops").doesNotContain("ops-token");
    }
}
