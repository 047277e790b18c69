package dev.ale.core.passport;

import dev.ale.core.event.Category;
import dev.ale.core.event.SafetyEvent.Action;
import java.time.Duration;
import org.junit.jupiter.api.Test;

import static dev.ale.core.passport.PassportLoaderErrorTest.errorFor;
import static org.assertj.core.api.Assertions.assertThat;

/** The {@code hold} action and section: how long an operator has, and what runs that cannot wait do instead. */
class PassportHoldTest {

    @Test
    void withoutAHoldSectionAHoldWaitsFiveMinutesAndFallsBackToKill() {
        Passport p = PassportLoader.parse("id: c\n", "coder.yaml");

        assertThat(p.hold()).isEqualTo(HoldRules.defaults());
        assertThat(p.hold().deadline()).isEqualTo(Duration.ofMinutes(5));
        assertThat(p.hold().fallback()).isEqualTo(Action.KILL);
    }

    @Test
    void holdIsAnActionOfAnyCategoryAndTheSectionSetsDeadlineAndFallback() {
        Passport p = PassportLoader.parse("""
                id: c
                detectors:
                  tunnel: {action: hold, penalty: 0.7}
                hold: {deadline: 90s, fallback: block}
                """, "coder.yaml");

        assertThat(p.detectors().of(Category.TUNNEL)).isEqualTo(new DetectorSetting(Action.HOLD, 0.7));
        assertThat(p.hold()).isEqualTo(new HoldRules(Duration.ofSeconds(90), Action.BLOCK));
    }

    @Test
    void withoutHoldsEveryHeldCategoryTakesTheFallbackAndKeepsItsPenaltyAndTheRestAreUntouched() {
        Passport p = PassportLoader.parse("""
                id: c
                detectors:
                  tunnel: {action: hold, penalty: 0.7}
                  mining: {action: hold}
                  credential: {action: block}
                hold: {fallback: block}
                """, "coder.yaml");

        Passport training = p.withoutHolds();

        assertThat(training.detectors().of(Category.TUNNEL)).isEqualTo(new DetectorSetting(Action.BLOCK, 0.7));
        assertThat(training.detectors().actionFor(Category.MINING)).isEqualTo(Action.BLOCK);
        assertThat(training.detectors().actionFor(Category.CREDENTIAL)).isEqualTo(Action.BLOCK);
        assertThat(training.detectors().actionFor(Category.PROBE)).isEqualTo(Action.KILL);
        assertThat(training.detectors().byCategory().values()).noneMatch(s -> s.action() == Action.HOLD);
        assertThat(PassportLoader.parse("id: c\n", "c.yaml").withoutHolds()).isEqualTo(PassportLoader.parse("id: c\n", "c.yaml"));
    }

    @Test
    void aHoldSectionWrittenOutReadsBackEqual() {
        Passport p = Passport.defaults().withHold(new HoldRules(Duration.ofSeconds(45), Action.ALERT))
                .withDetectors(DetectorSettings.defaults().with(Category.PROBE, new DetectorSetting(Action.HOLD, 1)));

        assertThat(PassportLoader.parse(PassportWriter.toYaml(p), "written.yaml")).isEqualTo(p);
    }

    @Test
    void holdCannotBeItsOwnFallback() {
        assertThat(errorFor("id: c\nhold: {fallback: hold}\n")).isEqualTo(
                "coder.yaml: hold.fallback: \"hold\" cannot be its own fallback; use alert, block or kill");
    }

    @Test
    void aBadDeadlineOrAnUnknownKeyIsNamed() {
        assertThat(errorFor("id: c\nhold: {deadline: soon}\n")).startsWith("coder.yaml: hold.deadline: ");
        assertThat(errorFor("id: c\nhold: {deadlin: 5m}\n")).startsWith("coder.yaml: hold.deadlin: ").contains("deadline");
        assertThat(errorFor("id: c\ndetectors:\n  tunnel: {action: pause}\n"))
                .isEqualTo("coder.yaml: detectors.tunnel.action: \"pause\" is not an action; use alert, block, kill or hold");
    }
}
