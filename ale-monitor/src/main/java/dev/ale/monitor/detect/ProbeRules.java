package dev.ale.monitor.detect;

import java.util.ArrayList;
import java.util.List;
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
            "zgrab", "zgrab2", "fscan", "nbtscan");
    private static final String PING_VALUE_OPTIONS = "ciIlmMpQsStTwWF";
    private static final String NC_VALUE_OPTIONS = "psiwqxXIOPTVMmWgGec";
    private static final Pattern PORT_RANGE = Pattern.compile("\\d{1,5}-\\d{1,5}");
    /** IPv6 multicast ({@code ff02::1%eth0}), IPv4 multicast (224–239) and the limited broadcast. */
    private static final Pattern GROUP_ADDRESS = Pattern.compile(
            "(?i)ff[0-9a-f]{2}:[0-9a-f:]*(?:%\\S+)?|2(?:2[4-9]|3\\d)\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}|255\\.255\\.255\\.255");
    private static final Pattern IP_START = Pattern.compile("\\d{1,3}\\.\\d{1,3}\\..*");

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
            if (scope.varies(host) && !Programs.isLoopback(host)) {
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
            if (scope.varies(host) && !Programs.isLoopback(host)) {
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
