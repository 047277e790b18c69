package dev.ale.runs.credit;

import dev.ale.episode.reward.Rewards;
import dev.ale.episode.reward.Reward;
import dev.ale.core.episode.EndReason;
import dev.ale.core.episode.Step;
import dev.ale.core.episode.Trajectory;
import dev.ale.core.episode.VerifierResult;
import dev.ale.core.event.Category;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.model.ChatMessage;
import dev.ale.core.model.ModelResponse;
import dev.ale.core.model.Usage;
import dev.ale.core.passport.DetectorSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rewards and advantages for a group of three episodes of one task, against numbers worked out
 * by hand (default passport weights: tunnel 1.0, tamper 0.5, egress-denied 0.2).
 */
class GroupCreditTest {

    private static final Offset<Double> CLOSE = Offset.offset(1e-9);
    private static final DetectorSettings DEFAULTS = DetectorSettings.defaults();

    private static SafetyEvent event(String episode, Category category, SafetyEvent.Action action, OptionalInt step) {
        return new SafetyEvent(category.wire() + ".rule", category, SafetyEvent.Severity.HIGH, action, "sb", Optional.of(episode), step,
                "default", Optional.of("sha256:" + "ab".repeat(32)), Instant.EPOCH, "", Map.of());
    }

    private static Trajectory episode(String id, int steps, EndReason end, Optional<Double> score, List<SafetyEvent> events) {
        List<Step> list = new ArrayList<>();
        for (int i = 1; i <= steps; i++) {
            list.add(new Step(i, Instant.EPOCH, Duration.ZERO, ModelResponse.offline(ChatMessage.assistant("", List.of())), List.of(),
                    Duration.ZERO));
        }
        Optional<VerifierResult> verdict = score.map(s -> new VerifierResult(s >= 1, OptionalDouble.of(s), s >= 1 ? 0 : 1, "", Duration.ZERO));
        return new Trajectory(id, "task", "p", "default", List.of(), list, events, end, "", verdict, Usage.NONE, Instant.EPOCH,
                new Trajectory.Timings(Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO));
    }

    private final Trajectory clean = episode("e1", 2, EndReason.FINISHED, Optional.of(1.0), List.of());
    private final Trajectory deniedOnce = episode("e2", 2, EndReason.FINISHED, Optional.of(1.0),
            List.of(event("e2", Category.EGRESS_DENIED, SafetyEvent.Action.BLOCK, OptionalInt.of(1))));
    private final Trajectory killed = episode("e3", 2, EndReason.KILLED, Optional.empty(), List.of(
            event("e3", Category.TAMPER, SafetyEvent.Action.ALERT, OptionalInt.of(1)),
            event("e3", Category.TUNNEL, SafetyEvent.Action.KILL, OptionalInt.of(2)),
            // raised while the task was set up: not the agent's
            event("e3", Category.PERSISTENCE, SafetyEvent.Action.ALERT, OptionalInt.empty())));

    @Test
    void rewardIsTheScoreMinusThePenaltiesOfTheAgentsEvents() {
        Reward r1 = Rewards.of(clean, DEFAULTS);
        Reward r2 = Rewards.of(deniedOnce, DEFAULTS);
        Reward r3 = Rewards.of(killed, DEFAULTS);

        assertThat(r1.total()).isCloseTo(1.0, CLOSE);
        assertThat(r1.steps()).containsExactly(0.0, 1.0);
        assertThat(r2.total()).isCloseTo(0.8, CLOSE);
        assertThat(r2.steps().get(0)).isCloseTo(-0.2, CLOSE);
        assertThat(r2.steps().get(1)).isCloseTo(1.0, CLOSE);
        assertThat(r3.killed()).isTrue();
        assertThat(r3.score()).isZero();
        assertThat(r3.penalty()).isCloseTo(1.5, CLOSE);
        assertThat(r3.total()).isCloseTo(-1.5, CLOSE);
        assertThat(r3.steps()).containsExactly(-0.5, -1.0);
    }

    @Test
    void advantagesAreGroupRelativeAndStepCreditIsTheNormalisedDiscountedReturn() {
        var credit = GroupCredit.of(List.of(clean, deniedOnce, killed), t -> DEFAULTS, 0.5);

        // rewards 1.0, 0.8, -1.5: mean 0.1, population std sqrt(3.86 / 3)
        double std = Math.sqrt(3.86 / 3);
        assertThat(credit.get("e1").advantage()).isCloseTo(0.9 / std, CLOSE);
        assertThat(credit.get("e2").advantage()).isCloseTo(0.7 / std, CLOSE);
        assertThat(credit.get("e3").advantage()).isCloseTo(-1.6 / std, CLOSE);
        // returns with gamma 0.5: e1 [0 + 0.5*1, 1], e2 [-0.2 + 0.5*1, 1], e3 [-0.5 + 0.5*-1, -1]
        assertThat(credit.get("e1").stepReturns()).containsExactly(0.5, 1.0);
        assertThat(credit.get("e2").stepReturns().get(0)).isCloseTo(0.3, CLOSE);
        assertThat(credit.get("e3").stepReturns()).containsExactly(-1.0, -1.0);
        // all six returns: mean 0.8 / 6, population std sqrt(4.2333… / 6)
        double mean = 0.8 / 6;
        double stepStd = Math.sqrt((Math.pow(0.5 - mean, 2) + 2 * Math.pow(1.0 - mean, 2) + Math.pow(0.3 - mean, 2)
                + 2 * Math.pow(-1.0 - mean, 2)) / 6);
        assertThat(credit.get("e1").stepAdvantages().get(0)).isCloseTo((0.5 - mean) / stepStd, CLOSE);
        assertThat(credit.get("e2").stepAdvantages().get(0)).isCloseTo((0.3 - mean) / stepStd, CLOSE);
        assertThat(credit.get("e3").stepAdvantages().get(1)).isCloseTo((-1.0 - mean) / stepStd, CLOSE);
        assertThat(credit.get("e1").stepAdvantages().get(0)).isCloseTo(0.43652168457, Offset.offset(1e-9));
    }

    @Test
    void aGroupWhoseRewardsAreAllEqualTeachesNothing() {
        var credit = GroupCredit.of(List.of(clean, episode("e4", 2, EndReason.FINISHED, Optional.of(1.0), List.of())), t -> DEFAULTS, 0.95);

        assertThat(credit.values()).allSatisfy(c -> {
            assertThat(c.advantage()).isZero();
        });
    }

    @Test
    void infrastructureFailuresStayOutOfTheGroup() {
        Trajectory broken = episode("e5", 0, EndReason.INFRASTRUCTURE, Optional.empty(), List.of());

        var credit = GroupCredit.of(List.of(clean, deniedOnce, broken), t -> DEFAULTS, 0.95);

        assertThat(credit).containsOnlyKeys("e1", "e2");
        assertThat(credit.get("e1").advantage()).isCloseTo(1.0, CLOSE);
        assertThat(credit.get("e2").advantage()).isCloseTo(-1.0, CLOSE);
    }

    @Test
    void returnsRejectAGammaOutsideTheUnitInterval() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Advantages.returns(List.of(1.0), 0))
                .hasMessageContaining("gamma must lie in (0, 1]");
    }
}
