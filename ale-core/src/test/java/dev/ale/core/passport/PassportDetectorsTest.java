package dev.ale.core.passport;

import dev.ale.core.event.Category;
import dev.ale.core.event.SafetyEvent.Action;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.ale.core.passport.PassportLoaderErrorTest.errorFor;
import static org.assertj.core.api.Assertions.assertThat;

/** The {@code detectors} section: an action and a penalty per category, each defaulted separately. */
class PassportDetectorsTest {

    private static final String CATEGORIES = "mining, tunnel, reverse-shell, probe, metadata, credential,"
            + " egress-denied, exfiltration, tamper, persistence, gpu, resource";

    private static DetectorSettings detectors(String yaml) {
        return PassportLoader.parse("id: c\ndetectors:\n" + yaml, "coder.yaml").detectors();
    }

    @Test
    void withoutADetectorsSectionTheRomeActsKillEgressIsBlockedAndTheRestAlert() {
        DetectorSettings detectors = PassportLoader.parse("id: c\n", "coder.yaml").detectors();

        assertThat(detectors).isEqualTo(DetectorSettings.defaults());
        for (Category c : new Category[] {Category.MINING, Category.TUNNEL, Category.REVERSE_SHELL, Category.METADATA, Category.PROBE}) {
            assertThat(detectors.actionFor(c)).as(c.wire()).isEqualTo(Action.KILL);
        }
        assertThat(detectors.actionFor(Category.EGRESS_DENIED)).isEqualTo(Action.BLOCK);
        for (Category c : new Category[] {Category.CREDENTIAL, Category.EXFILTRATION, Category.TAMPER,
                Category.PERSISTENCE, Category.GPU, Category.RESOURCE}) {
            assertThat(detectors.actionFor(c)).as(c.wire()).isEqualTo(Action.ALERT);
        }
    }

    @Test
    void aCategoryGivenBothPartsTakesThemAndTheOthersKeepTheirDefaults() {
        DetectorSettings detectors = detectors("  gpu: {action: kill, penalty: 2.5}\n");

        assertThat(detectors).isEqualTo(DetectorSettings.defaults().with(Category.GPU, new DetectorSetting(Action.KILL, 2.5)));
    }

    @Test
    void anOmittedPenaltyKeepsTheDefaultPenalty() {
        DetectorSettings detectors = detectors("  tunnel:\n    action: alert\n");

        assertThat(detectors.of(Category.TUNNEL))
                .isEqualTo(new DetectorSetting(Action.ALERT, DetectorSettings.defaultFor(Category.TUNNEL).penalty()));
    }

    @Test
    void anOmittedActionKeepsTheDefaultAction() {
        DetectorSettings detectors = detectors("  credential: {penalty: 0.8}\n");

        assertThat(detectors.of(Category.CREDENTIAL))
                .isEqualTo(new DetectorSetting(DetectorSettings.defaultFor(Category.CREDENTIAL).action(), 0.8));
    }

    @Test
    void aCategoryWithNothingUnderItKeepsItsDefault() {
        assertThat(detectors("  mining:\n  probe: {}\n")).isEqualTo(DetectorSettings.defaults());
    }

    @ParameterizedTest
    @EnumSource(Category.class)
    void everyCategoryIsWrittenByItsWireName(Category category) {
        assertThat(detectors("  " + category.wire() + ": {action: block, penalty: 0}\n").of(category))
                .isEqualTo(new DetectorSetting(Action.BLOCK, 0.0));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"0 | 0.0", "3 | 3.0", "0.25 | 0.25", "-0.0 | 0.0", "1000000 | 1000000.0"})
    void aPenaltyMayBeAWholeOrFractionalNumberOfZeroOrMore(String written, double expected) {
        // Compared as records, whose equals tells -0.0 from 0.0.
        assertThat(detectors("  probe: {penalty: " + written + "}\n").of(Category.PROBE))
                .isEqualTo(new DetectorSetting(Action.KILL, expected));
    }

    // ---- refused ----

    @Test
    void anUnknownCategoryIsRefusedWithASuggestionAndTheValidCategories() {
        assertThat(errorFor("id: c\ndetectors:\n  reverse_shell: {action: kill}\n"))
                .isEqualTo("coder.yaml: detectors.reverse_shell: unknown detector category (did you mean reverse-shell?);"
                        + " allowed in detectors: " + CATEGORIES);
    }

    @Test
    void aMisspelledCategoryIsRefusedWithASuggestion() {
        assertThat(errorFor("id: c\ndetectors:\n  minning: {action: alert}\n"))
                .startsWith("coder.yaml: detectors.minning: unknown detector category (did you mean mining?);");
    }

    @Test
    void aCategoryFarFromEveryValidOneIsRefusedWithTheValidCategories() {
        assertThat(errorFor("id: c\ndetectors:\n  crypto: {action: kill}\n"))
                .isEqualTo("coder.yaml: detectors.crypto: unknown detector category; allowed in detectors: " + CATEGORIES);
    }

    @Test
    void anUnknownFieldInASettingIsRefusedWithASuggestion() {
        assertThat(errorFor("id: c\ndetectors:\n  gpu: {acton: kill}\n"))
                .isEqualTo("coder.yaml: detectors.gpu.acton: unknown field (did you mean action?); allowed in detectors.gpu: action, penalty");
    }

    @Test
    void aBareActionIsRefusedWithTheMappingToWrite() {
        assertThat(errorFor("id: c\ndetectors:\n  gpu: kill\n"))
                .isEqualTo("coder.yaml: detectors.gpu: must be a mapping such as {action: kill}, not the string \"kill\"");
    }

    @Test
    void aBareWordThatIsNoActionIsRefusedWithAFullExample() {
        assertThat(errorFor("id: c\ndetectors:\n  gpu: loud\n"))
                .isEqualTo("coder.yaml: detectors.gpu: must be a mapping such as {action: kill, penalty: 1.0}, not the string \"loud\"");
    }

    @Test
    void detectorsWrittenAsAListIsRefused() {
        assertThat(errorFor("id: c\ndetectors: [mining]\n"))
                .isEqualTo("coder.yaml: detectors: must be a mapping of " + CATEGORIES + ", not a list");
    }

    @Test
    void aSettingWrittenAsANumberIsRefused() {
        assertThat(errorFor("id: c\ndetectors:\n  gpu: 1\n"))
                .isEqualTo("coder.yaml: detectors.gpu: must be a mapping of action, penalty, not the number 1");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"Kill", "stop", "deny", "allow", "Hold", "pause"})
    void anActionOtherThanAlertBlockKillOrHoldIsRefused(String action) {
        assertThat(errorFor("id: c\ndetectors:\n  gpu: {action: " + action + "}\n"))
                .isEqualTo("coder.yaml: detectors.gpu.action: \"" + action + "\" is not an action; use alert, block, kill or hold");
    }

    @Test
    void anActionThatIsNotTextIsRefused() {
        assertThat(errorFor("id: c\ndetectors:\n  gpu: {action: true}\n"))
                .isEqualTo("coder.yaml: detectors.gpu.action: must be one of alert, block, kill, hold, not the boolean true");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"-1", "-0.5"})
    void aNegativePenaltyIsRefused(String penalty) {
        assertThat(errorFor("id: c\ndetectors:\n  gpu: {penalty: " + penalty + "}\n"))
                .isEqualTo("coder.yaml: detectors.gpu.penalty: " + penalty
                        + " is negative: a penalty is taken from the reward, so it must be 0 or more");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "'\"0.5\"' | the string \"0.5\"",
            "high      | the string \"high\"",
            "[1]       | a list"})
    void aPenaltyThatIsNotANumberIsRefused(String penalty, String described) {
        assertThat(errorFor("id: c\ndetectors:\n  gpu: {penalty: " + penalty + "}\n"))
                .isEqualTo("coder.yaml: detectors.gpu.penalty: must be a number of 0 or more such as 0.5, not " + described);
    }

    @Test
    void aPenaltyTooLargeForADoubleIsRefused() {
        assertThat(errorFor("id: c\ndetectors:\n  gpu: {penalty: 1" + "0".repeat(400) + "}\n"))
                .startsWith("coder.yaml: detectors.gpu.penalty: 1000")
                .endsWith(" is not a finite number");
    }

    @Test
    void aPenaltyLeftWithoutAValueIsRefusedRatherThanDefaulted() {
        assertThat(errorFor("id: c\ndetectors:\n  gpu:\n    penalty:\n"))
                .isEqualTo("coder.yaml: detectors.gpu.penalty: has no value; give one or delete the line");
    }
}
