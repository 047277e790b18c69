package dev.ale.monitor.rules;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RuleIdTest {

    @Test
    void everyIdIsDottedLowercaseAndStartsWithItsCategory() {
        for (RuleId rule : RuleId.values()) {
            assertThat(rule.id()).as("id of %s", rule.name())
                    .matches("[a-z0-9]+(-[a-z0-9]+)*(\\.[a-z0-9]+(-[a-z0-9]+)*)+")
                    .startsWith(rule.category().wire() + ".");
        }
    }

    @Test
    void noTwoRulesShareAnId() {
        Map<String, List<String>> byId = Arrays.stream(RuleId.values()).collect(Collectors.groupingBy(
                RuleId::id, Collectors.mapping(RuleId::name, Collectors.toList())));
        assertThat(byId).as("ids declared more than once").allSatisfy((id, names) -> assertThat(names).as(id).hasSize(1));
    }

    /** The constant is the id spelt in Java, so a reader finds one from the other without looking. */
    @Test
    void eachConstantIsItsIdInUpperCase() {
        for (RuleId rule : RuleId.values()) {
            assertThat(rule.name()).isEqualTo(rule.id().toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
        }
    }

    @Test
    void everyRuleHasAOneLineDescription() {
        for (RuleId rule : RuleId.values()) {
            assertThat(rule.description()).as("description of %s", rule.id())
                    .isNotBlank().doesNotContain("\n").hasSizeLessThanOrEqualTo(120);
        }
    }

    @Test
    void ofFindsEachRuleByItsExactIdAndNothingElse() {
        Map<String, RuleId> all = Arrays.stream(RuleId.values()).collect(Collectors.toMap(RuleId::id, Function.identity()));
        all.forEach((id, rule) -> assertThat(RuleId.of(id)).hasValue(rule));
        assertThat(RuleId.of("tunnel.net.ssh-banner")).hasValue(RuleId.TUNNEL_NET_SSH_BANNER);
        assertThat(RuleId.of("Tunnel.net.ssh-banner")).isEmpty();
        assertThat(RuleId.of("tunnel.net.ssh-banner ")).isEmpty();
        assertThat(RuleId.of("tunnel.net")).isEmpty();
        assertThat(RuleId.of("TUNNEL_NET_SSH_BANNER")).isEmpty();
        assertThat(RuleId.of("credential.open-file.")).isEmpty();
        assertThat(RuleId.of("")).isEmpty();
    }

    @Test
    void aRulePrintsAsItsId() {
        assertThat(RuleId.MINING_ARGV_STRATUM_URL).hasToString("mining.argv.stratum-url");
    }
}
