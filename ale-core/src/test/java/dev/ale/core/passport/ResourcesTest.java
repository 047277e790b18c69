package dev.ale.core.passport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ResourcesTest {

    private static final Resources STRICT = new Resources(2.0, 4L << 30, 64, Duration.ofMinutes(3), 1L << 30, Duration.ofSeconds(40));

    @Test
    void newSizesKeepEveryLimitTheyDoNotName() {
        Resources sized = STRICT.withSizes(0.5, 1L << 30, 2L << 20);

        assertThat(sized).isEqualTo(new Resources(0.5, 1L << 30, 64, Duration.ofMinutes(3), 2L << 20, Duration.ofSeconds(40)));
    }

    @Test
    void newSizesAreCheckedLikeAnyOther() {
        assertThatThrownBy(() -> STRICT.withSizes(0, 1L << 30, 1L << 20)).hasMessageContaining("cpus must be > 0");
        assertThatThrownBy(() -> STRICT.withSizes(1, 0, 1L << 20)).hasMessageContaining("memoryBytes must be > 0");
    }
}
