package dev.ale.episode.trajectory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ale.core.episode.EndReason;
import dev.ale.core.episode.Trajectory;
import dev.ale.core.episode.VerifierResult;
import dev.ale.core.model.Usage;
import dev.ale.core.passport.Passport;
import dev.ale.episode.reward.Reward;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** The one reader of an episode line reads what the writer writes, and says what is wrong with a line it cannot read. */
class TrajectoryLineTest {

    private static Trajectory trajectory(EndReason end, boolean passed) {
        return new Trajectory("run.t.0", "t", "replay", "coder", List.of(), List.of(), List.of(), end, "why",
                end == EndReason.INFRASTRUCTURE ? Optional.empty()
                        : Optional.of(new VerifierResult(passed, OptionalDouble.of(passed ? 1 : 0.25), passed ? 0 : 1, "FAIL\n",
                                Duration.ofMillis(4))),
                new Usage(10, 5), Instant.EPOCH, new Trajectory.Timings(Duration.ZERO, Duration.ofMillis(7), Duration.ZERO, Duration.ofMillis(9)));
    }

    @Test
    void whatTheWriterWritesReadsBack() {
        Reward reward = new Reward(0.25, 1.0, false, -0.75, List.of());
        TrajectoryLine line = TrajectoryLine.read(TrajectoryJson.line(trajectory(EndReason.FINISHED, false), Passport.defaults(), reward));

        assertThat(line.episode()).isEqualTo("run.t.0");
        assertThat(line.end()).isEqualTo("finished");
        assertThat(line.passed()).isFalse();
        assertThat(line.cause()).hasValueSatisfying(c -> assertThat(c).contains("verifier"));
        assertThat(line.reward()).hasValue(new Reward(0.25, 1.0, false, -0.75, List.of(-0.75)));
        assertThat(line.tokens()).isEqualTo(15);
        assertThat(line.totalMs()).isEqualTo(9);
        assertThat(line.group()).isEmpty();
    }

    @Test
    void aLineTheInfrastructureEndedHasNoReward() {
        TrajectoryLine line = TrajectoryLine.read(TrajectoryJson.line(trajectory(EndReason.INFRASTRUCTURE, false), Passport.defaults()));

        assertThat(line.end()).isEqualTo("infrastructure");
        assertThat(line.reward()).isEmpty();
    }

    @Test
    void aLineItCannotReadIsRefusedNamingWhatIsWrong() {
        assertThatThrownBy(() -> TrajectoryLine.read("{\"episode\": \"e\"}")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("task");
        assertThatThrownBy(() -> TrajectoryLine.read("{\"episode\": \"e\", \"task\": \"t\", \"reward\": {\"score\": 1, \"penalty\": 0, \"total\": 1}}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("killed");
        assertThatThrownBy(() -> TrajectoryLine.read("{\"episode\": \"e\", \"task\": \"t\", \"steps\": 3}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("steps");
        assertThatThrownBy(() -> TrajectoryLine.read("{\"episode\": \"e\", \"task")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not JSON");
        assertThatThrownBy(() -> TrajectoryLine.read("[1]")).isInstanceOf(IllegalArgumentException.class);
    }
}
