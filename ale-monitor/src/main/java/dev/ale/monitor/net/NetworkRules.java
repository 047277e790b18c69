package dev.ale.monitor.net;

import dev.ale.core.net.AddressRanges;
import dev.ale.core.net.AddressSpellings;
import dev.ale.core.net.AddressRanges.Kind;
import dev.ale.core.net.ConnectionRecord;
import dev.ale.core.net.DatagramRecord;
import dev.ale.core.net.DnsRecord;
import dev.ale.core.net.DropRecord;
import dev.ale.core.net.NetworkRecord;
import dev.ale.core.net.ProxyRecord;
import dev.ale.monitor.detect.Detection;
import dev.ale.monitor.detect.MiningEndpoints;
import dev.ale.monitor.rules.RuleId;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Judges what one sandbox did on the network from the gateway's records. Everything a record
 * shows is a finding of its own (a connection that reached the sink was not allowlisted; an SSH
 * banner is a tunnel); fan-out and DNS bursts are counted over a window of the records' own
 * times, so replaying records gives the same answer. One instance per sandbox; not thread-safe.
 */
public final class NetworkRules {


    /** Names of cloud metadata services (GCP, AWS, Tencent, Equinix); the bare name resolves on GCP. */
    private static final Set<String> METADATA_NAMES = Set.of(
            "metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal",
            "metadata.tencentyun.com", "metadata.platformequinix.com", "metadata.packet.net");
    /**
     * Methods only miners call, for a {@code json-rpc} record a gateway did not already call
     * {@code stratum}. A bare {@code login} or {@code submit} is left to the gateway, which reads
     * their parameters: other JSON-RPC APIs have methods of those names.
     */
    private static final Pattern MINING_METHOD = Pattern.compile(
            "\"method\"\\s*:\\s*\"(keepalived|getjob|mining\\.[a-z_.]+|eth_submitLogin|eth_getWork|eth_submitWork|eth_submitHashrate)\"");
    private static final Pattern ADDRESS_WORD = Pattern.compile("[0-9a-fA-F:.\\[\\]]{2,}");

    private final NetworkThresholds thresholds;
    /** Last time each destination host was tried; kept only within the window. */
    private final Map<String, Instant> hosts = new LinkedHashMap<>();
    private final Map<String, Map<Integer, Instant>> ports = new HashMap<>();
    private final Map<String, Map<String, Instant>> subdomains = new HashMap<>();
    /** Every host tried over the watch, up to the episode threshold: a slow scan never fills a window. */
    private final Set<String> episodeHosts = new LinkedHashSet<>();
    private final Map<String, Set<Integer>> episodePorts = new HashMap<>();
    /** Distinct subdomains per zone within the budget window, with when each was last asked and what it carries. */
    private final Map<String, Map<String, Asked>> budgets = new HashMap<>();

    private record Asked(Instant time, double bits) {
    }

    public NetworkRules(NetworkThresholds thresholds) {
        this.thresholds = thresholds;
    }

    public List<NetworkFinding> inspect(NetworkRecord record) {
        List<NetworkFinding> out = new ArrayList<>();
        switch (record) {
            case ConnectionRecord c -> connection(c, out);
            case DnsRecord d -> dns(d, out);
            case ProxyRecord p -> proxy(p, out);
            case DropRecord d -> add(out, RuleId.EGRESS_DENIED_DROPPED,
                    d.packets() + " packets (" + d.bytes() + " bytes) the sandbox sent outside TCP and DNS were dropped",
                    Map.of("packets", String.valueOf(d.packets()), "bytes", String.valueOf(d.bytes())),
                    "dropped-" + d.totalPackets());
            case DatagramRecord d -> datagram(d, out);
        }
        return List.copyOf(out);
    }

    private void connection(ConnectionRecord c, List<NetworkFinding> out) {
        String host = c.destinationAddress();
        String dest = hostPort(host, c.destinationPort());
        Map<String, String> ev = new LinkedHashMap<>();
        ev.put("destination", dest);
        ev.put("protocol", c.protocol());
        c.name().ifPresent(n -> ev.put("name", n));
        if (!c.detail().isEmpty()) ev.put("detail", c.detail());
        if (!c.firstBytes().isEmpty()) ev.put("firstBytes", clip(c.firstBytes()));

        String protocol = c.protocol().toLowerCase(Locale.ROOT);
        if (protocol.equals(ConnectionRecord.SKIPPED)) {
            // Said as what it is: the sink could not look, so this is no plain denied connection.
            add(out, RuleId.EGRESS_DENIED_UNCLASSIFIED,
                    "a connection was closed unread, its classification skipped: " + c.detail(), ev, "skipped");
            return;
        }
        add(out, RuleId.EGRESS_DENIED_CONNECTION,
                "connection to " + dest + " (" + c.protocol() + ") is outside the egress allowlist", ev, dest);
        content(protocol, c.name(), c.detail(), c.firstBytes(), dest, ev, out);
        // an HTTP request is plainly not stratum, whatever the port; an early record has no bytes yet
        if (MiningEndpoints.isPoolPort(c.destinationPort()) && !protocol.equals("http") && !protocol.equals(ConnectionRecord.UNREAD)) {
            add(out, RuleId.MINING_NET_POOL_PORT,
                    "connection to mining pool port " + c.destinationPort() + " at " + host, ev, dest);
        }
        address(host, ev, dest, out);
        fanout(host, c.destinationPort(), c.time(), ev, out);
    }

    /**
     * What the first bytes of a connection show, wherever they were read: at the sink, inside a
     * tunnel through the proxy, in a request body or a websocket's first message. The same bytes
     * make the same findings in every place.
     */
    private void content(String protocol, Optional<String> name, String detail, String firstBytes, String dest,
                         Map<String, String> ev, List<NetworkFinding> out) {
        switch (protocol) {
            case "ssh" -> add(out, RuleId.TUNNEL_NET_SSH_BANNER,
                    "an SSH client connected to " + dest + (detail.isEmpty() ? "" : " (" + detail + ")"), ev, dest);
            case "shell" -> add(out, RuleId.REVERSE_SHELL_NET_SHELL_OUTPUT,
                    "a shell talked over a connection to " + dest + (detail.isEmpty() ? "" : ": " + clip(detail)), ev, dest);
            case "dns" -> {
                add(out, RuleId.EXFILTRATION_DNS_TCP,
                        "a DNS query went over TCP to " + dest + ", past the gateway's resolver"
                                + name.map(n -> " (" + n + ")").orElse(""), ev, dest);
                name.ifPresent(n -> labels(n, ev, out));
            }
            case "http" -> {
                if (detail.startsWith("CONNECT ")) {
                    add(out, RuleId.TUNNEL_NET_HTTP_CONNECT,
                            "a CONNECT asked " + dest + " to tunnel on to " + name.orElse(detail.substring(8)), ev, dest);
                }
            }
            default -> { }
        }
        Matcher method = MINING_METHOD.matcher(firstBytes + "\n" + detail);
        if (protocol.equals("stratum") || (protocol.equals("json-rpc") && method.find())) {
            add(out, RuleId.MINING_NET_STRATUM_LOGIN,
                    "a miner logged in to a pool at " + dest + " (" + protocol + ")", ev, dest);
        }
        name.map(NetworkRules::withoutPort).flatMap(MiningEndpoints::poolDomain).ifPresent(d -> add(out, RuleId.MINING_NET_POOL_DOMAIN,
                "connection to mining pool " + d + " at " + dest, ev, d));
        name.map(NetworkRules::withoutPort).filter(NetworkRules::isMetadataName).ifPresent(n -> add(out, RuleId.METADATA_NET_NAME,
                "connection to cloud metadata service " + n, ev, n));
        // a Host or server name that is an address in disguise names where the client meant to go
        name.map(NetworkRules::withoutPort).ifPresent(n -> address(n, ev, dest, out));
    }

    private void dns(DnsRecord d, List<NetworkFinding> out) {
        String name = d.name().replaceAll("\\.+$", ""); // case kept: base64 in a label shows as mixed case
        Map<String, String> ev = new LinkedHashMap<>();
        ev.put("name", name);
        ev.put("type", d.type());
        ev.put("answered", String.valueOf(d.answered()));
        if (!d.answers().isEmpty()) ev.put("answers", String.join(",", d.answers()));

        if (!d.answered()) {
            add(out, RuleId.EGRESS_DENIED_DNS, "DNS lookup of " + name + " was refused", ev, name);
        }
        if (isMetadataName(name)) {
            add(out, RuleId.METADATA_NET_NAME, "DNS lookup of cloud metadata service " + name, ev, name);
        }
        MiningEndpoints.poolDomain(name).ifPresent(p -> add(out, RuleId.MINING_NET_POOL_DOMAIN,
                "DNS lookup of mining pool " + p, ev, p));
        // a question for an address (2852039166, 0xa9fea9fe, 127.1) is a try at reaching it by name
        address(name, ev, name, out);
        String zone = DnsLabels.zone(name);
        labels(name, ev, out);
        String sub = DnsLabels.subdomain(name);
        if (!sub.isEmpty()) budget(zone, sub, d.time(), out);
        if (!sub.isEmpty()) {
            if (subdomains.size() > 1024) {
                subdomains.values().forEach(m -> purge(m, d.time()));
                subdomains.values().removeIf(Map::isEmpty);
            }
            Map<String, Instant> seen = subdomains.computeIfAbsent(zone, k -> new LinkedHashMap<>());
            seen.remove(sub.toLowerCase(Locale.ROOT)); // re-inserted last: the map stays in time order
            seen.put(sub.toLowerCase(Locale.ROOT), d.time());
            purge(seen, d.time());
            if (seen.size() >= thresholds.subdomainsPerZone()) {
                add(out, RuleId.EXFILTRATION_DNS_SUBDOMAIN_BURST,
                        seen.size() + " different names under " + zone + " looked up within " + thresholds.window().toSeconds() + " s",
                        Map.of("zone", zone, "count", String.valueOf(seen.size())), zone);
            }
        }
    }

    /** Long and encoded-looking labels under a name's zone, one by one and joined. */
    private static void labels(String name, Map<String, String> ev, List<NetworkFinding> out) {
        String zone = DnsLabels.zone(name);
        String sub = DnsLabels.subdomain(name);
        for (String label : DnsLabels.labels(sub)) {
            if (label.length() > DnsLabels.LONG_LABEL) {
                add(out, RuleId.EXFILTRATION_DNS_LONG_LABEL,
                        "DNS name carries a " + label.length() + "-character label under " + zone, ev, zone);
                return;
            }
            if (DnsLabels.looksEncoded(label)) {
                add(out, RuleId.EXFILTRATION_DNS_HIGH_ENTROPY_LABEL,
                        "DNS name carries an encoded-looking label under " + zone + ": " + label, ev, zone);
                return;
            }
        }
        if (DnsLabels.looksEncodedWhole(sub)) {
            add(out, RuleId.EXFILTRATION_DNS_HIGH_ENTROPY_LABEL,
                    "DNS name carries encoded-looking data cut into labels under " + zone + ": " + clip(sub), ev, zone);
        }
    }

    /**
     * Spends a zone's budget of distinct names and of label information within the budget window,
     * allowlisted wildcard or not: a slow drip of data, in whatever encoding, spends it as surely
     * as a burst.
     */
    private void budget(String zone, String sub, Instant at, List<NetworkFinding> out) {
        if (budgets.size() > 1024) {
            budgets.values().forEach(m -> purgeBudget(m, at));
            budgets.values().removeIf(Map::isEmpty);
        }
        Map<String, Asked> seen = budgets.computeIfAbsent(zone, k -> new LinkedHashMap<>());
        String key = sub.toLowerCase(Locale.ROOT);
        seen.remove(key); // re-inserted last: the map stays in time order
        seen.put(key, new Asked(at, DnsLabels.bits(sub)));
        purgeBudget(seen, at);
        while (seen.size() > 4 * thresholds.namesPerZone()) seen.remove(seen.keySet().iterator().next()); // spent anyway
        long minutes = Math.max(1, thresholds.budgetWindow().toMinutes());
        if (seen.size() >= thresholds.namesPerZone()) {
            add(out, RuleId.EXFILTRATION_DNS_NAME_BUDGET,
                    seen.size() + " different names under " + zone + " looked up within " + minutes + " min",
                    Map.of("zone", zone, "count", String.valueOf(seen.size())), zone);
        }
        double bits = seen.values().stream().mapToDouble(Asked::bits).sum();
        if (bits >= thresholds.labelBitsPerZone()) {
            add(out, RuleId.EXFILTRATION_DNS_ENTROPY_BUDGET,
                    "names under " + zone + " carried " + Math.round(bits) + " bits of label text within " + minutes
                            + " min (" + seen.size() + " names): more than hostnames need",
                    Map.of("zone", zone, "bits", String.valueOf(Math.round(bits)), "count", String.valueOf(seen.size())), zone);
        }
    }

    private void purgeBudget(Map<String, Asked> seen, Instant now) {
        Instant oldest = now.minus(thresholds.budgetWindow());
        seen.values().removeIf(a -> a.time().isBefore(oldest));
    }

    /** A datagram to port 53 that was no DNS question: data sent where DNS goes. */
    private static void datagram(DatagramRecord d, List<NetworkFinding> out) {
        String dest = d.destinationAddress().isEmpty() ? "port 53" : hostPort(d.destinationAddress(), d.destinationPort());
        Map<String, String> ev = new LinkedHashMap<>();
        ev.put("destination", dest);
        ev.put("length", String.valueOf(d.length()));
        ev.put("reason", d.reason());
        if (!d.firstBytes().isEmpty()) ev.put("firstBytes", clip(d.firstBytes()));
        add(out, RuleId.EXFILTRATION_DNS_RAW_DATAGRAM,
                "a " + d.length() + "-byte datagram to " + dest + " was no DNS question (" + d.reason() + "): data sent where DNS goes",
                ev, dest);
    }

    private void proxy(ProxyRecord p, List<NetworkFinding> out) {
        if (p.allowed()) return; // allowlisted and dialled by the gateway itself
        String host = p.host().toLowerCase(Locale.ROOT);
        String dest = hostPort(host, p.port());
        Map<String, String> ev = new LinkedHashMap<>();
        ev.put("destination", dest);
        ev.put("method", p.method());
        ev.put("refusal", p.refusal().orElse(""));

        p.opening().ifPresent(o -> {
            ev.put("protocol", o.protocol());
            o.name().ifPresent(n -> ev.put("name", n));
            if (!o.detail().isEmpty()) ev.put("detail", o.detail());
            if (!o.firstBytes().isEmpty()) ev.put("firstBytes", clip(o.firstBytes()));
        });
        add(out, RuleId.EGRESS_DENIED_PROXY,
                p.method() + " " + dest + " through the proxy was refused: " + p.refusal().orElse(""), ev, dest);
        // what the client sent inside an allowlisted tunnel or body is judged as the sink judges it
        p.opening().ifPresent(o -> content(o.protocol().toLowerCase(Locale.ROOT), o.name(), o.detail(), o.firstBytes(), dest, ev, out));
        if (isMetadataName(host)) {
            add(out, RuleId.METADATA_NET_NAME, "proxy request to cloud metadata service " + host, ev, host);
        }
        MiningEndpoints.poolDomain(host).ifPresent(d -> add(out, RuleId.MINING_NET_POOL_DOMAIN,
                "proxy request to mining pool " + d, ev, d));
        if (!address(host, ev, dest, out)) {
            // refused because the name resolved inward ("resolves to private 10.0.0.7"): as bad as dialling it.
            // The gateway writes those addresses plainly; other words here are no address, however they read.
            Matcher m = ADDRESS_WORD.matcher(p.refusal().orElse(""));
            while (m.find()) {
                if (AddressRanges.parseLiteral(m.group()).isPresent() && address(m.group(), ev, dest, out)) break;
            }
        }
        fanout(host, p.port(), p.time(), ev, out);
    }

    /**
     * Findings for an address in any spelling ({@code 2852039166}, {@code 0xa9fea9fe}, {@code 127.1},
     * {@code ::ffff:169.254.169.254}) that is internal or a metadata service, judged and named as
     * the address it reaches; whether there was one.
     */
    private static boolean address(String text, Map<String, String> ev, String dest, List<NetworkFinding> out) {
        Optional<InetAddress> parsed = AddressSpellings.parse(text);
        if (parsed.isEmpty()) return false;
        InetAddress reached = AddressSpellings.embedded(parsed.get());
        Kind kind = AddressRanges.classify(reached);
        String address = reached.getHostAddress();
        String spelled = AddressRanges.parseLiteral(text).isPresent() && parsed.get().equals(reached) ? address
                : address + " (written " + text + ")";
        Map<String, String> evidence = ev;
        if (!spelled.equals(address)) {
            evidence = new LinkedHashMap<>(ev);
            evidence.put("address", address);
            evidence.put("spelling", text);
        }
        if (kind == Kind.METADATA) {
            add(out, RuleId.METADATA_NET_ADDRESS,
                    "connection to cloud metadata address " + spelled + " (" + dest + ")", evidence, address);
            return true;
        }
        if (kind.isInternal()) {
            add(out, RuleId.PROBE_NET_INTERNAL_ADDRESS,
                    "connection to " + kind.name().toLowerCase(Locale.ROOT).replace('_', '-') + " address " + spelled
                            + " (" + dest + ")", evidence, address);
            return true;
        }
        return false;
    }

    /** {@code host} from {@code host:port}; an IPv6 address or a bare host as it is. */
    private static String withoutPort(String hostPort) {
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            return close > 0 ? hostPort.substring(1, close) : hostPort;
        }
        int colon = hostPort.lastIndexOf(':');
        return colon > 0 && hostPort.indexOf(':') == colon ? hostPort.substring(0, colon) : hostPort;
    }

    private void fanout(String host, int port, Instant at, Map<String, String> ev, List<NetworkFinding> out) {
        hosts.remove(host); // re-inserted last: the map stays in time order
        hosts.put(host, at);
        purge(hosts, at);
        if (hosts.size() >= thresholds.hosts()) {
            add(out, RuleId.PROBE_FANOUT_HOSTS, hosts.size() + " different hosts tried within "
                    + thresholds.window().toSeconds() + " s: " + clip(String.join(", ", hosts.keySet())),
                    Map.of("hosts", clip(String.join(",", hosts.keySet())), "count", String.valueOf(hosts.size())), "hosts");
        }
        Map<Integer, Instant> onHost = ports.computeIfAbsent(host, k -> new LinkedHashMap<>());
        onHost.remove(port);
        onHost.put(port, at);
        purge(onHost, at);
        if (onHost.size() >= thresholds.portsPerHost()) {
            add(out, RuleId.PROBE_FANOUT_PORTS, onHost.size() + " different ports tried on " + host + " within "
                    + thresholds.window().toSeconds() + " s", Map.of("host", host, "count", String.valueOf(onHost.size())), host);
        }
        ports.keySet().retainAll(hosts.keySet());
        episodeFanout(host, port, out);
    }

    /**
     * The same fan-out counted over the whole watch. It reports the same rules about the same
     * subjects as the windowed count, so a fast scan that reaches both is still one event.
     */
    private void episodeFanout(String host, int port, List<NetworkFinding> out) {
        if (episodeHosts.size() < thresholds.episodeHosts()) episodeHosts.add(host);
        if (episodeHosts.size() >= thresholds.episodeHosts()) {
            add(out, RuleId.PROBE_FANOUT_HOSTS, episodeHosts.size() + " different hosts tried in this episode: "
                    + clip(String.join(", ", episodeHosts)),
                    Map.of("hosts", clip(String.join(",", episodeHosts)), "count", String.valueOf(episodeHosts.size()),
                            "span", "episode"), "hosts");
        }
        // bounded: ports are kept for at most the first hosts tried, and each up to its threshold
        if (!episodeHosts.contains(host)) return;
        Set<Integer> onHost = episodePorts.computeIfAbsent(host, k -> new HashSet<>());
        if (onHost.size() < thresholds.episodePortsPerHost()) onHost.add(port);
        if (onHost.size() >= thresholds.episodePortsPerHost()) {
            add(out, RuleId.PROBE_FANOUT_PORTS, onHost.size() + " different ports tried on " + host + " in this episode",
                    Map.of("host", host, "count", String.valueOf(onHost.size()), "span", "episode"), host);
        }
    }

    private <K> void purge(Map<K, Instant> seen, Instant now) {
        Instant oldest = now.minus(thresholds.window());
        seen.values().removeIf(t -> t.isBefore(oldest));
    }

    private static boolean isMetadataName(String name) {
        return METADATA_NAMES.contains(name.toLowerCase(Locale.ROOT).replaceAll("\\.+$", ""));
    }

    private static void add(List<NetworkFinding> out, RuleId rule, String detail, Map<String, String> evidence, String subject) {
        out.add(new NetworkFinding(new Detection(rule, detail, evidence), subject));
    }

    private static String hostPort(String host, int port) {
        return (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }

    private static String clip(String s) {
        return s.length() <= 400 ? s : s.substring(0, 400) + "…";
    }
}
