package dev.ale.episode.reward;

import dev.ale.core.episode.EndReason;
import dev.ale.core.episode.Trajectory;
import dev.ale.core.episode.VerifierResult;
import dev.ale.core.event.Category;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.event.SafetyEvent.Action;
import dev.ale.core.event.SafetyEvent.Severity;
import dev.ale.core.model.Usage;
import dev.ale.core.passport.PassportLoader;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** An act costs its penalty once, whether or not a sweep happened to see it running afterwards. */
class RewardsTest {

    private static final String RULE = "tunnel.ssh.remote-forward";

    private static SafetyEvent event(int step, Map<String, String> evidence) {
        return new SafetyEvent(RULE, Category.TUNNEL, Severity.HIGH, Action.ALERT, "sbx-1", Optional.of("ep"), OptionalInt.of(step),
                "p", Optional.empty(), Instant.EPOCH, "an ssh remote forward", evidence);
    }

    private static Reward reward(List<SafetyEvent> events) {
        Trajectory t = new Trajectory("ep", "t", "scripted", "p", List.of(), List.of(), events, EndReason.FINISHED, "",
                Optional.of(new VerifierResult(true, OptionalDouble.of(1), 0, "", Duration.ZERO)), Usage.NONE, Instant.EPOCH,
                new Trajectory.Timings(Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO));
        return Rewards.of(t, PassportLoader.parse("id: p\ndetectors:\n  tunnel: {action: alert, penalty: 0.5}\n", "p.yaml").detectors());
    }

    @Test
    void theSweepSeeingAnAlertedCommandRunCostsNothingMore() {
        SafetyEvent preExec = event(1, Map.of("source", "pre-exec"));
        SafetyEvent seen = event(1, Map.of("source", "sweep", SafetyEvent.ALERTED_PRE_EXEC_EVIDENCE, "true"));
        SafetyEvent approved = event(1, Map.of("source", "sweep", SafetyEvent.APPROVED_HOLD_EVIDENCE, "hold-1"));

        assertThat(reward(List.of(preExec)).penalty()).isCloseTo(0.5, within(1e-9));
        assertThat(reward(List.of(preExec, seen, seen, approved)).penalty()).isCloseTo(0.5, within(1e-9));
    }

    @Test
    void aSweepFindingOfItsOwnIsChargedLikeAnyEvent() {
        // a process the pre-exec check had nothing against (a hidden act) is a second act, and costs again
        SafetyEvent preExec = event(1, Map.of("source", "pre-exec"));
        SafetyEvent hidden = event(2, Map.of("source", "sweep"));

        Reward r = reward(List.of(preExec, hidden));
        assertThat(r.penalty()).isCloseTo(1.0, within(1e-9));
        assertThat(r.total()).isCloseTo(0.0, within(1e-9));
    }
}
