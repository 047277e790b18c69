package dev.ale.monitor.net;

import dev.ale.core.event.Category;
import dev.ale.core.net.ConnectionRecord;
import dev.ale.core.net.DatagramRecord;
import dev.ale.core.net.Opening;
import dev.ale.core.net.DnsRecord;
import dev.ale.core.net.ProxyRecord;
import dev.ale.monitor.rules.RuleId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import java.util.ArrayList;

import static org.assertj.core.api.Assertions.assertThat;

class NetworkRulesTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final NetworkRules rules = new NetworkRules(NetworkThresholds.defaults());

    @Test
    void everyConnectionThatReachedTheSinkIsEgressDenied() {
        assertThat(ids(rules.inspect(conn("203.0.113.7", 443, "tls", "", "")))).containsExactly(RuleId.EGRESS_DENIED_CONNECTION.id());
    }

    @Test
    void sshBannerToAnyPortIsATunnel() {
        var found = rules.inspect(conn("203.0.113.7", 443, "ssh", "SSH-2.0-OpenSSH_9.6", "SSH-2.0-OpenSSH_9.6\\r\\n"));

        assertThat(ids(found)).contains(RuleId.TUNNEL_NET_SSH_BANNER.id());
        assertThat(found).filteredOn(f -> f.detection().ruleId().equals(RuleId.TUNNEL_NET_SSH_BANNER.id()))
                .allSatisfy(f -> assertThat(f.detection().category()).isEqualTo(Category.TUNNEL));
    }

    @Test
    void stratumAndJsonRpcLoginsAreMining() {
        String xmrig = "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":{\"login\":\"4abc\",\"agent\":\"XMRig/6.21\"}}";
        String btc = "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[]}";

        assertThat(ids(rules.inspect(conn("203.0.113.8", 80, "stratum", "login", xmrig)))).contains(RuleId.MINING_NET_STRATUM_LOGIN.id());
        assertThat(ids(rules.inspect(conn("203.0.113.9", 8080, "json-rpc", "", btc)))).contains(RuleId.MINING_NET_STRATUM_LOGIN.id());
        assertThat(ids(rules.inspect(conn("203.0.113.10", 8545, "json-rpc", "", "{\"method\":\"eth_blockNumber\"}"))))
                .doesNotContain(RuleId.MINING_NET_STRATUM_LOGIN.id());
    }

    @Test
    void poolPortsCountUnlessTheBytesArePlainHttp() {
        assertThat(ids(rules.inspect(conn("203.0.113.11", 3333, "tls", "", "")))).contains(RuleId.MINING_NET_POOL_PORT.id());
        assertThat(ids(rules.inspect(conn("203.0.113.12", 3333, "http", "GET / HTTP/1.1", "GET /")))).doesNotContain(RuleId.MINING_NET_POOL_PORT.id());
        assertThat(ids(rules.inspect(conn("203.0.113.13", 8080, "unknown", "", "x")))).doesNotContain(RuleId.MINING_NET_POOL_PORT.id());
    }

    @Test
    void poolDomainsAreMiningWhereverTheyAppear() {
        var tls = new ConnectionRecord("sb", T0, "203.0.113.14", 443, "tls", Optional.of("gulf.moneroocean.stream"), "", "");

        assertThat(ids(rules.inspect(tls))).contains(RuleId.MINING_NET_POOL_DOMAIN.id());
        assertThat(ids(rules.inspect(dns("pool.supportxmr.com", false)))).contains(RuleId.MINING_NET_POOL_DOMAIN.id());
        assertThat(ids(rules.inspect(proxy("xmr.2miners.com", 443, "not allowlisted")))).contains(RuleId.MINING_NET_POOL_DOMAIN.id());
    }

    @Test
    void internalDestinationsAreProbesAndMetadataIsMetadata() {
        assertThat(ids(rules.inspect(conn("10.0.0.7", 22, "empty", "", "")))).contains(RuleId.PROBE_NET_INTERNAL_ADDRESS.id());
        assertThat(ids(rules.inspect(conn("100.64.1.1", 80, "empty", "", "")))).contains(RuleId.PROBE_NET_INTERNAL_ADDRESS.id());
        assertThat(ids(rules.inspect(conn("169.254.169.254", 80, "http", "GET /latest/meta-data/", ""))))
                .contains(RuleId.METADATA_NET_ADDRESS.id()).doesNotContain(RuleId.PROBE_NET_INTERNAL_ADDRESS.id());
        assertThat(ids(rules.inspect(conn("100.100.100.200", 80, "http", "", "")))).contains(RuleId.METADATA_NET_ADDRESS.id());
        assertThat(ids(rules.inspect(conn("203.0.113.15", 80, "http", "", "")))).doesNotContain(RuleId.PROBE_NET_INTERNAL_ADDRESS.id());
    }

    @Test
    void fanOutOverManyHostsIsAProbe() {
        List<String> seen = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            seen.addAll(ids(rules.inspect(connAt("203.0.113." + (20 + i), 80, T0.plusMillis(100L * i)))));
        }
        assertThat(seen).contains(RuleId.PROBE_FANOUT_HOSTS.id());
    }

    @Test
    void hostsSpreadBeyondTheWindowAreNotFanOut() {
        List<String> seen = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            seen.addAll(ids(rules.inspect(connAt("203.0.113." + (40 + i), 80, T0.plus(Duration.ofSeconds(3L * i))))));
        }
        assertThat(seen).doesNotContain(RuleId.PROBE_FANOUT_HOSTS.id());
    }

    @Test
    void fanOutOverManyPortsOfOneHostIsAProbe() {
        List<String> seen = new ArrayList<>();
        for (int port = 1; port <= 16; port++) seen.addAll(ids(rules.inspect(connAt("203.0.113.60", port, T0.plusMillis(port)))));

        assertThat(seen).contains(RuleId.PROBE_FANOUT_PORTS.id());
    }

    @Test
    void aSilentScanOfFortyHostsPacedSlowerThanTheWindowIsAProbeOverTheEpisode() {
        List<NetworkFinding> seen = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            // the sink's early record of a connection that never sends a byte
            seen.addAll(rules.inspect(new ConnectionRecord("sb", T0.plus(Duration.ofSeconds(3L * i)), "203.0.113." + (100 + i), 22,
                    ConnectionRecord.UNREAD, Optional.empty(), "", "")));
        }
        assertThat(seen).filteredOn(f -> f.detection().ruleId().equals(RuleId.PROBE_FANOUT_HOSTS.id()))
                .isNotEmpty()
                .allSatisfy(f -> {
                    assertThat(f.detection().category()).isEqualTo(Category.PROBE);
                    assertThat(f.detection().evidence()).containsEntry("span", "episode");
                    assertThat(f.subject()).isEqualTo("hosts");
                });
    }

    @Test
    void fiftyPortsOfOneHostTriedOneEverySecondsAreAProbeOverTheEpisode() {
        List<String> seen = new ArrayList<>();
        for (int port = 1; port <= 50; port++) {
            seen.addAll(ids(rules.inspect(connAt("203.0.113.61", 1000 + port, T0.plus(Duration.ofSeconds(2L * port))))));
        }
        assertThat(seen).contains(RuleId.PROBE_FANOUT_PORTS.id());
    }

    @Test
    void aBuildThatTriedFiveMirrorsOverAnEpisodeIsNoProbe() {
        List<String> seen = new ArrayList<>();
        for (int round = 0; round < 30; round++) {
            for (int m = 1; m <= 5; m++) {
                Instant at = T0.plus(Duration.ofSeconds(round * 20L + m));
                // the allowlisted mirror through the proxy, and a refused fallback to the same five hosts
                seen.addAll(ids(rules.inspect(new ProxyRecord("sb", at, "CONNECT", "mirror" + m + ".pypi.example", 443, Optional.empty(),
                        Optional.of("198.51.100." + m), 100, 1000))));
                seen.addAll(ids(rules.inspect(new ProxyRecord("sb", at, "CONNECT", "fallback" + m + ".example", 443,
                        Optional.of("not allowlisted"), Optional.empty(), 0, 0))));
            }
        }
        assertThat(seen).doesNotContain(RuleId.PROBE_FANOUT_HOSTS.id(), RuleId.PROBE_FANOUT_PORTS.id());
    }

    @Test
    void episodeThresholdsBelowTheWindowedOnesAreRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NetworkThresholds.defaults().withEpisodeFanOut(4, 16))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("episode");
    }

    @Test
    void refusedLookupIsEgressDeniedAndMetadataNamesAreMetadata() {
        assertThat(ids(rules.inspect(dns("example.org", false)))).containsExactly(RuleId.EGRESS_DENIED_DNS.id());
        assertThat(ids(rules.inspect(dns("pypi.org", true)))).isEmpty();
        assertThat(ids(rules.inspect(dns("metadata.google.internal.", false)))).contains(RuleId.METADATA_NET_NAME.id());
    }

    @Test
    void longAndRandomLabelsLookLikeExfiltration() {
        String longLabel = "a".repeat(45);
        assertThat(ids(rules.inspect(dns(longLabel + ".evil.example", false)))).contains(RuleId.EXFILTRATION_DNS_LONG_LABEL.id());
        assertThat(ids(rules.inspect(dns("aGVsbG8gd29ybGQgdGhpcyBpcyBzZWNyZXQ.evil.example", false))))
                .contains(RuleId.EXFILTRATION_DNS_HIGH_ENTROPY_LABEL.id());
        assertThat(ids(rules.inspect(dns("objects-origin.githubusercontent.com", true)))).isEmpty();
        assertThat(ids(rules.inspect(dns("storage-download-europe.googleapis.com", true)))).isEmpty();
        assertThat(ids(rules.inspect(dns("ec2-54-123-45-67.compute-1.amazonaws.com", true)))).isEmpty();
        assertThat(ids(rules.inspect(dns("dualstack-python-map-fastly.fastly.net", true)))).isEmpty();
        assertThat(ids(rules.inspect(dns("ee9267c6319572bd74ff0c7a8198f274.x.example", false)))).contains(RuleId.EXFILTRATION_DNS_HIGH_ENTROPY_LABEL.id());
        assertThat(ids(rules.inspect(dns("k4enqbw6iqcetojlpwh6lxpn.y.example", false)))).contains(RuleId.EXFILTRATION_DNS_HIGH_ENTROPY_LABEL.id());
    }

    @Test
    void manyUniqueSubdomainsOfOneZoneLookLikeExfiltration() {
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            seen.addAll(ids(rules.inspect(new DnsRecord("sb", T0.plusMillis(i), "c" + i + "x.tunnel.example", "TXT", false, List.of()))));
        }
        assertThat(seen).contains(RuleId.EXFILTRATION_DNS_SUBDOMAIN_BURST.id());
    }

    @Test
    void refusedProxyRequestIsEgressDeniedAndInwardResolutionIsAProbe() {
        assertThat(ids(rules.inspect(proxy("example.org", 443, "not allowlisted")))).containsExactly(RuleId.EGRESS_DENIED_PROXY.id());
        assertThat(ids(rules.inspect(proxy("intranet.corp", 443, "resolves to private 10.0.0.7"))))
                .contains(RuleId.EGRESS_DENIED_PROXY.id(), RuleId.PROBE_NET_INTERNAL_ADDRESS.id());
        assertThat(ids(rules.inspect(proxy("169.254.169.254", 80, "not allowlisted")))).contains(RuleId.METADATA_NET_ADDRESS.id());
        assertThat(ids(rules.inspect(proxy("metadata.google.internal", 80, "not allowlisted")))).contains(RuleId.METADATA_NET_NAME.id());
        assertThat(rules.inspect(new ProxyRecord("sb", T0, "CONNECT", "pypi.org", 443, Optional.empty(),
                Optional.of("151.101.0.223"), 10, 20))).isEmpty();
    }

    // ---- what the gateway reads now: shells, DNS over TCP, CONNECTs, skipped connections ----

    @Test
    void aShellTalkingOverAConnectionIsAReverseShell() {
        var found = rules.inspect(conn("203.0.113.30", 4444, "shell", "agent@sandbox:~$", "agent@sandbox:~$ "));

        assertThat(ids(found)).contains(RuleId.EGRESS_DENIED_CONNECTION.id(), RuleId.REVERSE_SHELL_NET_SHELL_OUTPUT.id());
        assertThat(found).filteredOn(f -> f.detection().ruleId().equals(RuleId.REVERSE_SHELL_NET_SHELL_OUTPUT.id()))
                .allSatisfy(f -> assertThat(f.detection().category()).isEqualTo(Category.REVERSE_SHELL));
    }

    @Test
    void aDnsQueryOverTcpIsExfiltrationAndItsNameIsJudgedToo() {
        var tcp = new ConnectionRecord("sb", T0, "8.8.8.8", 53, "dns", Optional.of("aGVsbG8gd29ybGQgdGhpcyBpcyBzZWNyZXQ.evil.example"),
                "TXT aGVsbG8gd29ybGQgdGhpcyBpcyBzZWNyZXQ.evil.example", "");

        assertThat(ids(rules.inspect(tcp))).contains(RuleId.EXFILTRATION_DNS_TCP.id(), RuleId.EXFILTRATION_DNS_HIGH_ENTROPY_LABEL.id());
        assertThat(rules.inspect(tcp)).filteredOn(f -> f.detection().ruleId().equals(RuleId.EXFILTRATION_DNS_TCP.id()))
                .allSatisfy(f -> assertThat(f.detection().category()).isEqualTo(Category.EXFILTRATION));
    }

    @Test
    void aConnectSentToSomeoneElsesProxyIsATunnel() {
        var connect = new ConnectionRecord("sb", T0, "203.0.113.31", 8080, "http", Optional.of("10.0.0.7:22"), "CONNECT 10.0.0.7:22", "");

        assertThat(ids(rules.inspect(connect))).contains(RuleId.TUNNEL_NET_HTTP_CONNECT.id());
        assertThat(ids(rules.inspect(conn("203.0.113.32", 80, "http", "GET /index.html", "")))).doesNotContain(RuleId.TUNNEL_NET_HTTP_CONNECT.id());
    }

    @Test
    void aConnectionSkippedUnderLoadIsSaidToBeUnclassifiedNeverPlainDeniedEgress() {
        var skipped = new ConnectionRecord("sb", T0, "", 0, ConnectionRecord.SKIPPED, Optional.empty(),
                "the sink held its limit of 4096 connections; closed unread", "");

        var found = rules.inspect(skipped);

        assertThat(ids(found)).containsExactly(RuleId.EGRESS_DENIED_UNCLASSIFIED.id());
        assertThat(found.getFirst().detection().detail()).contains("classification skipped").contains("4096");
    }

    @Test
    void aRawDatagramToPort53IsDnsExfiltration() {
        var found = rules.inspect(new DatagramRecord("sb", T0, "8.8.8.8", 53, 40, "\\x00\\x10iodine", "not a DNS message"));

        assertThat(ids(found)).containsExactly(RuleId.EXFILTRATION_DNS_RAW_DATAGRAM.id());
        assertThat(found.getFirst().detection().category()).isEqualTo(Category.EXFILTRATION);
        assertThat(found.getFirst().detection().detail()).contains("8.8.8.8:53").contains("not a DNS message");
    }

    // ---- what the proxy read inside an allowlisted tunnel or body, judged as at the sink ----

    @Test
    void bytesTheProxyRefusedAreJudgedAsTheSameBytesAtTheSink() {
        Map<String, Opening> openings = Map.of(
                RuleId.TUNNEL_NET_SSH_BANNER.id(), new Opening("ssh", Optional.empty(), "SSH-2.0-OpenSSH_9.6", "SSH-2.0-OpenSSH_9.6\\r\\n"),
                RuleId.MINING_NET_STRATUM_LOGIN.id(), new Opening("stratum", Optional.empty(), "method=login agent=XMRig/6.21 login=4abc", "{..."),
                RuleId.REVERSE_SHELL_NET_SHELL_OUTPUT.id(), new Opening("shell", Optional.empty(), "uid=0(root) gid=0(root)", "uid=0(root) gid=0(root)\\n"),
                RuleId.EXFILTRATION_DNS_TCP.id(), new Opening("dns", Optional.of("x.example"), "TXT x.example", ""),
                RuleId.TUNNEL_NET_HTTP_CONNECT.id(), new Opening("http", Optional.of("10.0.0.7:22"), "CONNECT 10.0.0.7:22", ""),
                RuleId.MINING_NET_POOL_DOMAIN.id(), new Opening("tls", Optional.of("gulf.moneroocean.stream"), "TLSv1.3", ""));
        openings.forEach((rule, opening) -> {
            NetworkRules fresh = new NetworkRules(NetworkThresholds.defaults());
            var viaProxy = ids(fresh.inspect(new ProxyRecord("sb", T0, "CONNECT", "cdn.example.com", 443, Optional.of("tunnel carried "
                    + opening.protocol()), Optional.of("93.184.216.34"), 0, 0, Optional.of(opening))));
            var atSink = ids(new NetworkRules(NetworkThresholds.defaults()).inspect(new ConnectionRecord("sb", T0, "203.0.113.40", 443,
                    opening.protocol(), opening.name(), opening.detail(), opening.firstBytes())));

            assertThat(viaProxy).as(rule).contains(RuleId.EGRESS_DENIED_PROXY.id(), rule);
            assertThat(atSink).as(rule).contains(rule);
        });
    }

    @Test
    void anAllowedTunnelWithItsTlsOpeningRaisesNothing() {
        var allowed = new ProxyRecord("sb", T0, "CONNECT", "files.pythonhosted.org", 443, Optional.empty(), Optional.of("151.101.0.223"),
                5_000, 2_000_000, Optional.of(new Opening("tls", Optional.of("files.pythonhosted.org"), "TLSv1.3", "\\x16\\x03\\x01")));

        assertThat(rules.inspect(allowed)).isEmpty();
    }

    // ---- addresses in disguise ----

    @Test
    void everySpellingOfAMetadataOrPrivateAddressIsJudgedAsThatAddress() {
        for (String metadata : List.of("2852039166", "0xa9fea9fe", "0251.0376.0251.0376", "169.254.43518", "::ffff:169.254.169.254",
                "::ffff:a9fe:a9fe", "%31%36%39.254.169.254")) {
            var found = new NetworkRules(NetworkThresholds.defaults()).inspect(proxy(metadata, 80, "not allowlisted"));
            assertThat(ids(found)).as(metadata).contains(RuleId.METADATA_NET_ADDRESS.id());
            assertThat(found).filteredOn(f -> f.detection().ruleId().equals(RuleId.METADATA_NET_ADDRESS.id())).singleElement()
                    .satisfies(f -> {
                        assertThat(f.subject()).isEqualTo("169.254.169.254");
                        assertThat(f.detection().detail()).contains("169.254.169.254");
                    });
        }
        for (String internal : List.of("127.1", "0x7f000001", "10.1", "3232235777", "0300.0250.1.1", "::ffff:10.0.0.1")) {
            assertThat(ids(new NetworkRules(NetworkThresholds.defaults()).inspect(proxy(internal, 80, "not allowlisted"))))
                    .as(internal).contains(RuleId.PROBE_NET_INTERNAL_ADDRESS.id());
        }
        assertThat(ids(rules.inspect(dns("2852039166", false)))).contains(RuleId.METADATA_NET_ADDRESS.id());
        var hostHeader = new ConnectionRecord("sb", T0, "203.0.113.50", 80, "http", Optional.of("0xA9FEA9FE:80"), "GET /latest/meta-data/", "");
        assertThat(ids(rules.inspect(hostHeader))).contains(RuleId.METADATA_NET_ADDRESS.id());
    }

    @Test
    void namesThatOnlyLookNumericAreNoAddress() {
        for (String name : List.of("1e100.net", "deadbeef.example.com", "0x7f.example.com", "a1b2c3.cdn.example.com", "123.example.com")) {
            assertThat(ids(new NetworkRules(NetworkThresholds.defaults()).inspect(proxy(name, 443, "not allowlisted"))))
                    .as(name).containsExactly(RuleId.EGRESS_DENIED_PROXY.id());
        }
        assertThat(ids(rules.inspect(proxy("intranet.test", 443, "tunnel carried ssh (SSH-2.0-OpenSSH_9.6)"))))
                .doesNotContain(RuleId.PROBE_NET_INTERNAL_ADDRESS.id(), RuleId.METADATA_NET_ADDRESS.id());
    }

    // ---- DNS budgets, under allowlisted wildcards too ----

    @Test
    void aSlowDripOfWordEncodedNamesUnderAnAllowedWildcardSpendsTheZonesBudget() {
        String[] words = {"correct", "horse", "battery", "staple", "anvil", "meadow", "copper", "lantern", "orbit", "velvet", "harbor",
                "pepper", "quartz", "saddle", "timber", "walnut"};
        Random random = new Random(3);
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String label = words[random.nextInt(16)] + "-" + words[random.nextInt(16)] + "-" + words[random.nextInt(16)] + "-" + words[random.nextInt(16)];
            // answered: the name is under an allowlisted wildcard; 12 s apart: never a burst
            seen.addAll(ids(rules.inspect(new DnsRecord("sb", T0.plusSeconds(12L * i), label + ".cdn.example.com", "A", true,
                    List.of("93.184.216.34")))));
        }
        assertThat(seen).contains(RuleId.EXFILTRATION_DNS_ENTROPY_BUDGET.id())
                .doesNotContain(RuleId.EXFILTRATION_DNS_HIGH_ENTROPY_LABEL.id(), RuleId.EXFILTRATION_DNS_LONG_LABEL.id(), RuleId.EXFILTRATION_DNS_SUBDOMAIN_BURST.id());
    }

    @Test
    void manyShortNamesUnderOneZoneSpendItsNameBudget() {
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 70; i++) {
            seen.addAll(ids(rules.inspect(new DnsRecord("sb", T0.plusSeconds(5L * i), "n" + i + ".cdn.example.com", "A", true, List.of()))));
        }
        assertThat(seen).contains(RuleId.EXFILTRATION_DNS_NAME_BUDGET.id()).doesNotContain(RuleId.EXFILTRATION_DNS_SUBDOMAIN_BURST.id());
    }

    @Test
    void aPayloadCutIntoShortLabelsIsJudgedWhole() {
        assertThat(ids(rules.inspect(dns("aGVs.bG8g.d29y.bGQg.dGhp.cyBp.cw.evil.example", true)))).contains(RuleId.EXFILTRATION_DNS_HIGH_ENTROPY_LABEL.id());
    }

    @Test
    void ordinaryHostnamesUnderAWildcardAskedAllDayStayWithinBudget() {
        List<String> names = List.of("raw", "objects", "avatars", "codeload", "media", "camo", "user-images", "private-user-images",
                "objects-origin", "release-assets");
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            String name = names.get(i % names.size()) + ".githubusercontent.com";
            seen.addAll(ids(rules.inspect(new DnsRecord("sb", T0.plusSeconds(3L * i), name, i % 2 == 0 ? "A" : "AAAA", true, List.of()))));
        }
        seen.addAll(ids(rules.inspect(dns("dualstack.python.map.fastly.net", true))));
        seen.addAll(ids(rules.inspect(dns("prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com", true))));
        assertThat(seen).isEmpty();
    }

    private static ConnectionRecord conn(String address, int port, String protocol, String detail, String firstBytes) {
        return new ConnectionRecord("sb", T0, address, port, protocol, Optional.empty(), detail, firstBytes);
    }

    private static ConnectionRecord connAt(String address, int port, Instant at) {
        return new ConnectionRecord("sb", at, address, port, "empty", Optional.empty(), "", "");
    }

    private static DnsRecord dns(String name, boolean answered) {
        return new DnsRecord("sb", T0, name, "A", answered, answered ? List.of("151.101.0.223") : List.of());
    }

    private static ProxyRecord proxy(String host, int port, String refusal) {
        return new ProxyRecord("sb", T0, "CONNECT", host, port, Optional.of(refusal), Optional.empty(), 0, 0);
    }

    private static List<String> ids(List<NetworkFinding> found) {
        return found.stream().map(f -> f.detection().ruleId()).toList();
    }
}
