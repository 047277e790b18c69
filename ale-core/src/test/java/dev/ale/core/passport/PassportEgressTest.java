package dev.ale.core.passport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static dev.ale.core.passport.PassportLoaderErrorTest.errorFor;
import static org.assertj.core.api.Assertions.assertThat;

/** The {@code egress} section: an allowlist of domains and ports for each phase, nothing by default. */
class PassportEgressTest {

    private static EgressRules egress(String yaml) {
        return PassportLoader.parse("id: c\negress:\n" + yaml, "coder.yaml").egress();
    }

    /** The error for one entry written under {@code egress.agent}. */
    private static String entryError(String entry) {
        return errorFor("id: c\negress:\n  agent:\n    - " + entry + "\n");
    }

    // ---- accepted ----

    @Test
    void theIssuesExampleAllowsItsDomainsInTheAgentPhaseOnly() {
        EgressRules egress = egress("""
                  agent:
                    - {domain: "pypi.org", ports: [443]}
                    - {domain: "*.githubusercontent.com", ports: [443]}
                """);

        assertThat(egress.rules(Phase.AGENT)).containsExactly(
                new EgressRule("pypi.org", List.of(443)), new EgressRule("*.githubusercontent.com", List.of(443)));
        assertThat(egress.rules(Phase.SETUP)).isEmpty();
        assertThat(egress.rules(Phase.VERIFY)).isEmpty();
        assertThat(egress.allows(Phase.AGENT, "raw.githubusercontent.com", 443)).isTrue();
        assertThat(egress.allows(Phase.AGENT, "pypi.org", 80)).isFalse();
        assertThat(egress.allows(Phase.VERIFY, "pypi.org", 443)).isFalse();
    }

    @Test
    void withoutAnEgressSectionNoPhaseMayConnectAnywhere() {
        Passport passport = PassportLoader.parse("id: c\n", "coder.yaml");

        assertThat(passport.egress()).isEqualTo(EgressRules.none());
        for (Phase phase : Phase.values()) assertThat(passport.egress().rules(phase)).as(phase.wire()).isEmpty();
    }

    @Test
    void aPhaseWrittenWithNothingUnderItAllowsNothing() {
        assertThat(egress("  setup:\n  agent: []\n  verify:\n")).isEqualTo(EgressRules.none());
        assertThat(egress("")).isEqualTo(EgressRules.none());
    }

    @Test
    void eachPhaseKeepsItsOwnEntriesAndPortsInTheOrderWritten() {
        EgressRules egress = egress("""
                  setup:
                    - {domain: deb.debian.org, ports: [80, 443]}
                  verify:
                    - domain: files.example.com
                      ports: [8443, 443]
                """);

        assertThat(egress.rules(Phase.SETUP)).containsExactly(new EgressRule("deb.debian.org", List.of(80, 443)));
        assertThat(egress.rules(Phase.AGENT)).isEmpty();
        assertThat(egress.rules(Phase.VERIFY)).containsExactly(new EgressRule("files.example.com", List.of(8443, 443)));
    }

    @Test
    void anEntryMayAllowWebsocketsAndNoneDoesUnlessItSaysSo() {
        EgressRules egress = egress("""
                  agent:
                    - {domain: "ws.example.com", ports: [80, 443], websocket: true}
                    - {domain: "api.example.com", ports: [80]}
                """);

        assertThat(egress.rules(Phase.AGENT)).containsExactly(
                new EgressRule("ws.example.com", List.of(80, 443), true), new EgressRule("api.example.com", List.of(80)));
        assertThat(egress.allowsWebsocket(Phase.AGENT, "ws.example.com", 80)).isTrue();
        assertThat(egress.allowsWebsocket(Phase.AGENT, "ws.example.com", 8080)).isFalse();
        assertThat(egress.allowsWebsocket(Phase.AGENT, "api.example.com", 80)).isFalse();
        assertThat(egress.allowsWebsocket(Phase.SETUP, "ws.example.com", 80)).isFalse();
        Passport passport = PassportLoader.parse("id: c\negress:\n  agent:\n    - {domain: ws.example.com, ports: [80], websocket: true}\n",
                "coder.yaml");
        assertThat(PassportLoader.parse(PassportWriter.toYaml(passport), "written.yaml").egress()).isEqualTo(passport.egress());
        assertThat(entryError("{domain: ws.example.com, ports: [80], websocket: yes-please}")).contains("websocket");
    }

    @Test
    void domainsAreReadInLowerCase() {
        assertThat(egress("  agent: [{domain: PyPI.Org, ports: [443]}]\n").rules(Phase.AGENT))
                .containsExactly(new EgressRule("pypi.org", List.of(443)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a.co", "x1.example.com", "my-host.example.org", "xn--caf-dma.fr", "*.co.uk",
            "*.s3.amazonaws.com", "a.b.c.d.e.f.example.com"})
    void validNamesAndSuffixPatternsAreAccepted(String domain) {
        assertThat(egress("  agent: [{domain: \"" + domain + "\", ports: [443]}]\n").rules(Phase.AGENT))
                .extracting(EgressRule::domain).containsExactly(domain);
    }

    @Test
    void labelsOfSixtyThreeCharactersAndNamesOf253AreAccepted() {
        String label = "a".repeat(63);
        String longest = String.join(".", label, label, label, "b".repeat(61));

        assertThat(longest).hasSize(253);
        assertThat(egress("  agent: [{domain: " + longest + ", ports: [1, 65535]}]\n").rules(Phase.AGENT))
                .containsExactly(new EgressRule(longest, List.of(1, 65535)));
    }

    // ---- refused: structure ----

    @Test
    void anUnknownPhaseIsRefusedWithASuggestionAndTheValidPhases() {
        assertThat(errorFor("id: c\negress:\n  agnet: []\n"))
                .isEqualTo("coder.yaml: egress.agnet: unknown phase (did you mean agent?); allowed in egress: setup, agent, verify");
    }

    @Test
    void aPhaseFarFromEveryValidOneIsRefusedWithoutASuggestion() {
        assertThat(errorFor("id: c\negress:\n  training: []\n"))
                .isEqualTo("coder.yaml: egress.training: unknown phase; allowed in egress: setup, agent, verify");
    }

    @Test
    void egressWrittenAsAListIsRefused() {
        assertThat(errorFor("id: c\negress: [{domain: pypi.org, ports: [443]}]\n"))
                .isEqualTo("coder.yaml: egress: must be a mapping of setup, agent, verify, not a list");
    }

    @Test
    void aPhaseWrittenAsAMappingIsRefused() {
        assertThat(errorFor("id: c\negress:\n  agent: {domain: pypi.org, ports: [443]}\n"))
                .isEqualTo("coder.yaml: egress.agent: must be a list of entries such as {domain: pypi.org, ports: [443]},"
                        + " not a mapping");
    }

    @Test
    void aBareDomainAsAnEntryIsRefusedWithTheEntryToWrite() {
        assertThat(entryError("pypi.org"))
                .isEqualTo("coder.yaml: egress.agent[0]: \"pypi.org\" is not an entry; write {domain: \"pypi.org\", ports: [443]}");
    }

    @Test
    void anEmptyEntryIsRefused() {
        assertThat(errorFor("id: c\negress:\n  agent:\n    - {domain: a.com, ports: [1]}\n    -\n"))
                .isEqualTo("coder.yaml: egress.agent[1]: has no value; give one or remove the item");
    }

    @Test
    void anUnknownFieldInAnEntryIsRefusedWithASuggestion() {
        assertThat(entryError("{domain: pypi.org, port: [443]}"))
                .isEqualTo("coder.yaml: egress.agent[0].port: unknown field (did you mean ports?);"
                        + " allowed in egress.agent[0]: domain, ports, websocket");
    }

    @Test
    void anEntryWithoutADomainIsRefused() {
        assertThat(entryError("{ports: [443]}"))
                .isEqualTo("coder.yaml: egress.agent[0].domain: is required (add a line such as domain: pypi.org)");
    }

    @Test
    void anEntryWithoutPortsIsRefusedBecauseNoPortIsImplied() {
        assertThat(entryError("{domain: pypi.org}"))
                .isEqualTo("coder.yaml: egress.agent[0].ports: is required (add a line such as ports: [443])");
    }

    @Test
    void theSameDomainTwiceInAPhaseIsRefusedWhateverItsCase() {
        assertThat(errorFor("id: c\negress:\n  setup:\n    - {domain: pypi.org, ports: [443]}\n"
                + "    - {domain: PYPI.org, ports: [80]}\n"))
                .isEqualTo("coder.yaml: egress.setup[1]: domain \"pypi.org\" is already listed at egress.setup[0];"
                        + " give it one entry with all its ports");
    }

    @Test
    void theSameDomainInTwoPhasesIsAccepted() {
        EgressRules egress = egress("  setup: [{domain: pypi.org, ports: [443]}]\n  verify: [{domain: pypi.org, ports: [443]}]\n");

        assertThat(egress.rules(Phase.SETUP)).isEqualTo(egress.rules(Phase.VERIFY));
    }

    // ---- refused: ports ----

    @Test
    void anEmptyPortListIsRefused() {
        assertThat(entryError("{domain: pypi.org, ports: []}"))
                .isEqualTo("coder.yaml: egress.agent[0].ports: is empty; list the ports to allow, such as [443]");
    }

    @Test
    void aSinglePortNotInAListIsRefused() {
        assertThat(entryError("{domain: pypi.org, ports: 443}"))
                .isEqualTo("coder.yaml: egress.agent[0].ports: must be a list of port numbers such as [443], not the number 443");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "65536", "99999999999999999999"})
    void portsOutsideTheRangeAreRefused(String port) {
        assertThat(entryError("{domain: pypi.org, ports: [443, " + port + "]}"))
                .isEqualTo("coder.yaml: egress.agent[0].ports[1]: " + port + " is out of range: a port is between 1 and 65535");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "'\"443\"' | the string \"443\"",
            "443.5     | the number 443.5",
            "https     | the string \"https\""})
    void portsThatAreNotWholeNumbersAreRefused(String port, String described) {
        assertThat(entryError("{domain: pypi.org, ports: [" + port + "]}"))
                .isEqualTo("coder.yaml: egress.agent[0].ports[0]: must be a port number such as 443, not " + described);
    }

    @Test
    void aPortListedTwiceIsRefused() {
        assertThat(entryError("{domain: pypi.org, ports: [443, 80, 443]}"))
                .isEqualTo("coder.yaml: egress.agent[0].ports[2]: port 443 is already listed at egress.agent[0].ports[0]; keep one");
    }

    // ---- refused: domains ----

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "10.0.0.1                   | is an IP address: use a domain name; IP addresses cannot be allowlisted",
            "169.254.169.254            | is an IP address: use a domain name; IP addresses cannot be allowlisted",
            "::1                        | is an IP address: use a domain name; IP addresses cannot be allowlisted",
            "[2001:db8::1]              | is an IP address: use a domain name; IP addresses cannot be allowlisted",
            "0x7f.1                     | ends in the label 1, which no top-level domain does; use a domain name; IP addresses cannot be allowlisted",
            "*                          | would allow every domain; name the domains, e.g. *.example.com",
            "*.com                      | would allow a whole top-level domain; write at least two labels after \"*.\", e.g. *.example.com",
            "foo.*.com                  | has a '*' that is not a leading \"*.\"; a pattern is written *.example.com and matches every name below example.com",
            "*foo.com                   | has a '*' that is not a leading \"*.\"; a pattern is written *.example.com and matches every name below example.com",
            "*.*.example.com            | has a '*' that is not a leading \"*.\"; a pattern is written *.example.com and matches every name below example.com",
            "localhost                  | is a single label, which the host resolves through its own search domains; write the full name, e.g. pypi.org",
            "pypi.org.                  | ends with a dot; write it without, e.g. pypi.org",
            "a..com                     | has an empty label (two dots, or a dot at the start)",
            ".pypi.org                  | has an empty label (two dots, or a dot at the start)",
            "-a.com                     | is not a domain name: each label is letters, digits and '-', and does not start or end with '-'",
            "a-.com                     | is not a domain name: each label is letters, digits and '-', and does not start or end with '-'",
            "ex_ample.com               | is not a domain name: each label is letters, digits and '-', and does not start or end with '-'",
            "exa mple.com               | contains a space or a non-ASCII character; write the name in ASCII (an internationalised name in its xn-- form)",
            "caf\u00e9.fr                    | contains a space or a non-ASCII character; write the name in ASCII (an internationalised name in its xn-- form)",
            "https://pypi.org           | is not a domain name; write the name alone, without scheme or path, e.g. pypi.org",
            "pypi.org:443               | is not a domain name; write the name alone and list its ports under ports"})
    void aDomainThatIsNotANameOrSuffixPatternIsRefusedWithTheReason(String domain, String reason) {
        assertThat(entryError("{domain: \"" + domain + "\", ports: [443]}"))
                .isEqualTo("coder.yaml: egress.agent[0].domain: \"" + domain + "\" " + reason);
    }

    @Test
    void aLabelLongerThanSixtyThreeCharactersIsRefused() {
        String domain = "a".repeat(64) + ".com";

        assertThat(entryError("{domain: " + domain + ", ports: [443]}"))
                .endsWith(" has a label longer than 63 characters");
    }

    @Test
    void aNameLongerThan253CharactersIsRefused() {
        String label = "a".repeat(63);
        String domain = String.join(".", label, label, label, "b".repeat(62));

        assertThat(entryError("{domain: " + domain + ", ports: [443]}"))
                .startsWith("coder.yaml: egress.agent[0].domain: \"")
                .endsWith(" is longer than 253 characters, the most a domain name may have");
    }

    @Test
    void aDomainThatIsNotTextIsRefused() {
        assertThat(entryError("{domain: 42, ports: [443]}"))
                .isEqualTo("coder.yaml: egress.agent[0].domain: must be a domain name such as pypi.org or *.example.com,"
                        + " not the number 42");
    }
}
