package dev.ale.monitor.sweep;

import java.time.Duration;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QuietBurnTest {

    private static final long S = 1_000_000_000L;
    private static final Duration W = Duration.ofSeconds(2);

    @Test
    void busyAndQuietForLongerThanAllowedIsReportedOncePerStretch() {
        QuietBurn burn = new QuietBurn(0.9, Duration.ofSeconds(10));

        assertThat(burn.observe(1.0, W, 2 * S)).isEmpty(); // busy since 0 s
        assertThat(burn.observe(1.0, W, 9 * S)).isEmpty();
        var stretch = burn.observe(0.95, W, 10 * S);
        assertThat(stretch).hasValueSatisfying(s -> assertThat(s.quietFor()).isEqualTo(Duration.ofSeconds(10)));
        assertThat(burn.observe(1.0, W, 30 * S)).as("one stretch, one report").isEmpty();
    }

    @Test
    void outputRestartsTheQuietClock() {
        QuietBurn burn = new QuietBurn(0.9, Duration.ofSeconds(10));
        burn.observe(1.0, W, 2 * S);
        burn.progress(8 * S);

        assertThat(burn.observe(1.0, W, 12 * S)).isEmpty();
        assertThat(burn.observe(1.0, W, 18 * S)).hasValueSatisfying(s -> assertThat(s.quietFor()).isEqualTo(Duration.ofSeconds(10)));
    }

    @Test
    void useThatDipsBelowTheLevelStartsANewStretch() {
        QuietBurn burn = new QuietBurn(0.9, Duration.ofSeconds(10));
        burn.observe(1.0, W, 2 * S);
        assertThat(burn.observe(0.5, W, 9 * S)).isEmpty();
        assertThat(burn.observe(1.0, W, 12 * S)).isEmpty();
        assertThat(burn.observe(1.0, W, 20 * S)).hasValueSatisfying(s -> assertThat(s.number()).isEqualTo(2));
    }

    @Test
    void aBuildThatUsesLessThanTheLevelIsNeverReported() {
        QuietBurn burn = new QuietBurn(0.9, Duration.ofSeconds(1));
        for (long t = 2; t < 600; t++) assertThat(burn.observe(0.85, W, t * S)).isEmpty();
    }

    @Test
    void aLevelOrAllowanceThatIsNotPositiveIsRefused() {
        assertThatThrownBy(() -> new QuietBurn(0, Duration.ofSeconds(1))).hasMessageContaining("level");
        assertThatThrownBy(() -> new QuietBurn(0.9, Duration.ZERO)).hasMessageContaining("allowed");
    }
}
