package dev.ale.core.passport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class DurationTextTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "500ms   | 500",
            "30s     | 30000",
            "5m      | 300000",
            "2h      | 7200000",
            "1.5s    | 1500",
            "0.5m    | 30000",
            "10 m    | 600000",
            "' 2h '  | 7200000",
            "0s      | 0",
            "1.0004ms | 1"})
    void durationsParseInEachUnitToTheNearestMillisecond(String text, long millis) {
        assertThat(DurationText.tryParse(text)).contains(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1s", "10", "1d", "1e3s", "", "5 minutes", "10M", "10H", "s", "1.s", "1h30m"})
    void textThatIsNotADurationIsRefused(String text) {
        assertThat(DurationText.tryParse(text)).isEmpty();
        assertThat(DurationText.isWellFormed(text)).isFalse();
    }

    @Test
    void aDurationBeyondALongOfMillisecondsIsRefusedButRecognised() {
        assertThat(DurationText.tryParse("9999999999999999h")).isEmpty();
        assertThat(DurationText.isWellFormed("9999999999999999h")).isTrue();
    }

    @Test
    void parseNamesTheTextItCannotRead() {
        assertThatIllegalArgumentException().isThrownBy(() -> DurationText.parse("1d")).withMessage("not a duration: 1d");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "7200000 | 2h",
            "5400000 | 90m",
            "30000   | 30s",
            "61000   | 61s",
            "1500    | 1500ms",
            "3600000 | 1h"})
    void formatUsesTheLargestUnitThatIsExact(long millis, String text) {
        assertThat(DurationText.format(Duration.ofMillis(millis))).isEqualTo(text);
    }

    @Test
    void formattedDurationsReadBackAsTheSameDuration() {
        Random random = new Random(11);
        for (int i = 0; i < 10_000; i++) {
            Duration duration = Duration.ofMillis(random.nextLong(1, 1L << 40));

            assertThat(DurationText.tryParse(DurationText.format(duration))).as("%s", duration).contains(duration);
        }
    }
}
