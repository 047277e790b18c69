package dev.ale.monitor.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Network probing: scanners by name, and loops that walk hosts or ports with /dev/tcp, ping, netcat or
 * curl. A loop is a sweep only when the address holds the loop's own variable ({@code 10.0.0.$i}): a
 * wait-for-port loop ({@code until nc -z $DB_HOST 5432}) is not, and neither is anything aimed at loopback.
 */
final class ProbeRules {

    static final Set<String> SCANNERS = Set.of(
            "nmap", "masscan", "zmap", "rustscan", "naabu", "unicornscan", "hping3", "arp-scan", "netdiscover",
            "zgrab", "zgrab2", "fscan", "nbtscan", "nping", "sx", "pnscan", "scanssh", "onesixtyone", "httpx", "nuclei");
    private static final String PING_VALUE_OPTIONS = "ciIlmMpQsStTwWF";
    private static final String NC_VALUE_OPTIONS = "psiwqxXIOPTVMmWgGec";
    private static final Pattern PORT_RANGE = Pattern.compile("\\d{1,5}-\\d{1,5}");
    /** IPv6 multicast ({@code ff02::1%eth0}), IPv4 multicast (224–239) and the limited broadcast. */
    private static final Pattern GROUP_ADDRESS = Pattern.compile(
            "(?i)ff[0-9a-f]{2}:[0-9a-f:]*(?:%\\S+)?|2(?:2[4-9]|3\\d)\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}|255\\.255\\.255\\.255");
    private static final Pattern IP_START = Pattern.compile("\\d{1,3}\\.\\d{1,3}\\..*");
    /** A host spelled as many: brace expansion ({@code 10.0.0.{1..254}}, {@code {a,b}}) or curl's URL globbing ({@code [1-254]}). */
    private static final Pattern MANY = Pattern.compile("\\{[^}]*(?:\\.\\.|,)[^}]*}|\\[\\d+-\\d+]");
    private static final Set<String> LOOKUPS = Set.of("ssh", "ssh-keyscan", "host", "dig", "nslookup", "drill", "ncat", "nc");
    private static final Pattern RANGE = Pattern.compile(
            "range\\(\\s*(\\d+)\\s*(?:,\\s*(\\d+))?|\\(?(\\d+)\\s*\\.\\.\\.?\\s*(\\d+)|(\\w+)\\s*=\\s*(\\d+)\\s*;\\s*\\5\\s*<=?\\s*(\\d+)");
    private static final Pattern ADDRESS = Pattern.compile("\\b\\d{1,3}(?:\\.\\d{1,3}){3}\\b|\\blocalhost\\b");
    /** A port list this long on one host is a range written out ({@code nc -z h 22 80 443 3306 5432}); two or three are services checked. */
    private static final int MIN_PORT_LIST = 5;
    /** Ranges shorter than this are retry loops ({@code range(30)}), not sweeps of ports or hosts. */
    private static final int MIN_SWEEP = 200;

    private ProbeRules() {
    }

    static void inspect(Invocation inv, Scope scope) {
        for (String name : inv.names()) {
            if (Programs.isNamed(name, SCANNERS)) {
                scope.report(Rule.SCANNER, name, inv);
                break;
            }
        }
        for (String text : inv.texts()) {
            Matcher m = ReverseShellRules.DEV_TCP.matcher(text);
            while (m.find()) {
                if ((scope.varies(m.group(1)) || scope.varies(m.group(2))) && !Programs.isLoopback(m.group(1))) {
                    scope.report(Rule.DEV_TCP_SWEEP, m.group(), inv);
                }
            }
        }
        String p = inv.program();
        if (Set.of("ping", "ping6", "fping", "fping6", "arping").contains(p)) ping(inv, scope);
        if (Programs.NETCATS.contains(p) && inv.hasShortFlag('z')) netcat(inv, scope);
        if (Set.of("curl", "wget", "telnet", "http", "https", "xh").contains(p)) fetch(inv, scope);
        if (LOOKUPS.contains(p) && !inv.hasShortFlag('l')) lookup(inv, scope);
        interpreterLoop(inv, scope);
    }

    /** A host list handed to a per-host command by xargs: {@code echo 10.0.0.{1..254} | xargs -n1 ping -c1}. */
    static void inspectScript(List<List<Invocation>> pipelines, Scope scope) {
        for (List<Invocation> stages : pipelines) {
            boolean hosts = false;
            for (Invocation inv : stages) {
                if (hosts && (inv.wrappers().contains("xargs") || inv.wrappers().contains("parallel"))
                        && Set.of("ping", "ping6", "nc", "ncat", "netcat", "curl", "wget", "host", "dig", "ssh").contains(inv.program())) {
                    scope.report(inv.program().startsWith("ping") ? Rule.PING_SWEEP : Rule.HTTP_SWEEP, inv.shown(), inv);
                    return;
                }
                hosts |= inv.texts().stream().anyMatch(t -> IP_START.matcher(t).matches() && MANY.matcher(t).find() && !Programs.isLoopback(t));
            }
        }
    }

    /** ssh, DNS lookups and netcat aimed at a changing or expanded host: {@code for i in …; do host 10.0.0.$i; done}. */
    private static void lookup(Invocation inv, Scope scope) {
        boolean netcat = Programs.NETCATS.contains(inv.program());
        List<String> hosts = netcat ? operands(inv.args(), NC_VALUE_OPTIONS).stream().limit(1).toList() : inv.args();
        for (String a : hosts) {
            if (a.startsWith("-") || a.startsWith("+")) continue;
            String host = host(a);
            // only an address with a changing part: "for h in web1 web2; do ssh $h uptime; done" is fleet work, not a sweep
            boolean address = netcat || IP_START.matcher(host).matches(); // netcat is a raw socket: any changing host is a sweep
            if (!Programs.isLoopback(host) && address && (scope.varies(host) || MANY.matcher(host).find())) {
                scope.report(netcat ? Rule.NETCAT_SWEEP : Rule.HTTP_SWEEP, a, inv);
                return;
            }
        }
    }

    /**
     * Interpreter code that connects inside a loop over 200 or more ports or addresses, to anything but loopback:
     * {@code for p in range(1,1025): s.connect_ex((h,p))}, perl's {@code for (1..1024)}, ruby's {@code (1..1024).each},
     * node's {@code for(let p=1;p<1025;p++)}. A retry loop (a short range, or one that sleeps) is not a sweep.
     */
    private static void interpreterLoop(Invocation inv, Scope scope) {
        String p = inv.program();
        if (!(Programs.isPython(p) || Programs.isPerl(p) || Programs.isRuby(p) || Programs.isNode(p))) return;
        String code = ReverseShellRules.inlineCode(inv);
        String c = code.toLowerCase(Locale.ROOT);
        boolean connects = c.contains("connect") || c.contains("tcpsocket") || c.contains("socket::inet") || c.contains("create_connection");
        if (!connects || c.contains("sleep")) return;
        boolean wide = c.contains("ip_network(");
        Matcher m = RANGE.matcher(c);
        while (!wide && m.find()) {
            long from = m.group(1) != null ? (m.group(2) != null ? Long.parseLong(m.group(1)) : 0)
                    : m.group(3) != null ? Long.parseLong(m.group(3)) : Long.parseLong(m.group(6));
            long to = m.group(1) != null ? Long.parseLong(m.group(2) != null ? m.group(2) : m.group(1))
                    : m.group(4) != null ? Long.parseLong(m.group(4)) : Long.parseLong(m.group(7));
            wide = to - from >= MIN_SWEEP;
        }
        if (!wide) return;
        Matcher a = ADDRESS.matcher(c);
        boolean outward = true;
        boolean any = false;
        while (a.find()) {
            any = true;
            outward = !Programs.isLoopback(a.group());
            if (outward) break;
        }
        if (!any || outward) scope.report(Rule.INTERPRETER_SWEEP, code.strip(), inv);
    }

    private static void ping(Invocation inv, Scope scope) {
        if (inv.program().startsWith("fping") && (inv.hasShortFlag('g') || inv.hasOption("--generate"))) {
            scope.report(Rule.PING_SWEEP, inv.shown(), inv);
            return;
        }
        boolean broadcast = !inv.program().equals("arping") && inv.hasShortFlag('b');
        for (String host : operands(inv.args(), PING_VALUE_OPTIONS)) {
            if (broadcast || GROUP_ADDRESS.matcher(host).matches()) {
                scope.report(Rule.PING_SWEEP, host, inv); // one echo request that every host of the link answers
                return;
            }
            if ((scope.varies(host) || MANY.matcher(host).find()) && !Programs.isLoopback(host)) {
                scope.report(Rule.PING_SWEEP, host, inv);
                return;
            }
        }
    }

    private static void netcat(Invocation inv, Scope scope) {
        List<String> operands = operands(inv.args(), NC_VALUE_OPTIONS);
        if (operands.isEmpty()) return;
        String host = operands.getFirst();
        if (Programs.isLoopback(host)) return;
        List<String> ports = operands.subList(1, operands.size());
        if (ports.size() >= MIN_PORT_LIST) {
            scope.report(Rule.NETCAT_SWEEP, host + " " + String.join(" ", ports), inv); // a list of ports is a range written out
            return;
        }
        for (String port : ports) {
            if (PORT_RANGE.matcher(port).matches()) {
                scope.report(Rule.NETCAT_SWEEP, host + " " + port, inv);
                return;
            }
        }
        boolean varies = scope.varies(host) || ports.stream().anyMatch(scope::varies);
        if (varies) scope.report(Rule.NETCAT_SWEEP, String.join(" ", operands), inv);
    }

    private static void fetch(Invocation inv, Scope scope) {
        boolean telnet = inv.program().equals("telnet");
        for (String a : inv.args()) {
            if (a.startsWith("-")) continue;
            if (!telnet && !a.contains("://") && !IP_START.matcher(a).matches()) continue;
            String host = host(a);
            if ((scope.varies(host) || MANY.matcher(host).find()) && !Programs.isLoopback(host)) {
                scope.report(Rule.HTTP_SWEEP, a, inv);
                return;
            }
            if (telnet) return;
        }
    }

    /** The host of a URL or {@code host:port}: no scheme, no user, no port, no path. */
    static String host(String address) {
        String a = address;
        int scheme = a.indexOf("://");
        if (scheme >= 0) a = a.substring(scheme + 3);
        int slash = a.indexOf('/');
        if (slash >= 0) a = a.substring(0, slash);
        int at = a.lastIndexOf('@');
        if (at >= 0) a = a.substring(at + 1);
        if (a.startsWith("[")) {
            int close = a.indexOf(']');
            return close > 0 ? a.substring(1, close) : a.substring(1);
        }
        int colon = a.indexOf(':');
        return colon >= 0 ? a.substring(0, colon) : a;
    }

    /** Arguments that are not options nor option values. */
    static List<String> operands(List<String> args, String shortWithValue) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.length() > 1 && a.charAt(0) == '-') {
                if (a.startsWith("--")) continue;
                for (int j = 1; j < a.length(); j++) {
                    if (shortWithValue.indexOf(a.charAt(j)) >= 0) {
                        if (j == a.length() - 1) i++;
                        break;
                    }
                }
                continue;
            }
            out.add(a);
        }
        return out;
    }
}
