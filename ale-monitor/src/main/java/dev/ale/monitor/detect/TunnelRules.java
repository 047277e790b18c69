package dev.ale.monitor.detect;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Map.entry;

/** Tunnels: ssh forwarding options, tunnelling tools, socat relays and host:port:host:port specs. */
final class TunnelRules {

    /** ssh options that take a value; every other letter is a flag (OpenSSH 9, ssh.c). */
    private static final String SSH_VALUE_OPTIONS = "BbcDEeFIiJLlmOoPpQRSWw";
    private static final Map<String, Rule> SSH_CONFIG_OPTIONS = Map.ofEntries(
            entry("remoteforward", Rule.SSH_REMOTE_FORWARD),
            entry("localforward", Rule.SSH_LOCAL_FORWARD),
            entry("dynamicforward", Rule.SSH_DYNAMIC_FORWARD),
            entry("tunnel", Rule.SSH_TUN_DEVICE),
            entry("tunneldevice", Rule.SSH_TUN_DEVICE),
            entry("proxycommand", Rule.SSH_PROXY_COMMAND),
            entry("proxyjump", Rule.SSH_JUMP_HOST),
            entry("gatewayports", Rule.SSH_GATEWAY_PORTS));
    private static final Map<String, Rule> TOOLS = Map.ofEntries(
            entry("autossh", Rule.TOOL_AUTOSSH),
            entry("sshuttle", Rule.TOOL_SSHUTTLE),
            entry("chisel", Rule.TOOL_CHISEL),
            entry("gost", Rule.TOOL_GOST),
            entry("frpc", Rule.TOOL_FRP),
            entry("frps", Rule.TOOL_FRP),
            entry("ngrok", Rule.TOOL_NGROK),
            entry("iodine", Rule.TOOL_IODINE),
            entry("iodined", Rule.TOOL_IODINE),
            entry("dnscat", Rule.TOOL_DNSCAT),
            entry("dnscat2", Rule.TOOL_DNSCAT),
            entry("dnscat2-server", Rule.TOOL_DNSCAT),
            entry("ptunnel", Rule.TOOL_PTUNNEL),
            entry("ptunnel-ng", Rule.TOOL_PTUNNEL),
            entry("wstunnel", Rule.TOOL_WSTUNNEL),
            entry("rathole", Rule.TOOL_RATHOLE),
            entry("inlets", Rule.TOOL_INLETS));
    private static final String HOST = "(?:\\d{1,3}(?:\\.\\d{1,3}){3}|localhost|\\*)";
    private static final Pattern FORWARD_SPEC =
            Pattern.compile("(?<![\\w.])" + HOST + ":\\d{1,5}:" + HOST + ":\\d{1,5}(?![\\d.])", Pattern.CASE_INSENSITIVE);

    private TunnelRules() {
    }

    static void inspect(Invocation inv, Scope scope) {
        String p = inv.program();
        if (p.equals("ssh") || p.equals("autossh")) ssh(inv, scope, p.equals("autossh") ? SSH_VALUE_OPTIONS + "M" : SSH_VALUE_OPTIONS, true);
        else if (p.equals("scp") || p.equals("sftp")) ssh(inv, scope, "cFiJloPSDBXRs", false);
        tool(inv, scope);
        if (p.equals("socat")) socat(inv, scope);
        for (String text : inv.texts()) {
            Matcher m = FORWARD_SPEC.matcher(text);
            if (m.find()) {
                scope.report(Rule.FORWARD_SPEC, m.group(), inv);
                break;
            }
        }
    }

    private static void tool(Invocation inv, Scope scope) {
        for (String name : inv.names()) {
            if (name.equals("cloudflared")) {
                if (inv.args().stream().anyMatch(a -> a.equals("tunnel") || a.equals("access") || a.equals("proxy-dns"))) {
                    scope.report(Rule.TOOL_CLOUDFLARED, name, inv);
                }
                continue;
            }
            for (Map.Entry<String, Rule> e : TOOLS.entrySet()) {
                if (Programs.isNamed(name, Set.of(e.getKey()))) {
                    String reverse = e.getValue() == Rule.TOOL_CHISEL
                            && inv.args().stream().anyMatch(a -> a.startsWith("R:")) ? " (reverse, R:)" : "";
                    scope.report(e.getValue(), name + reverse, inv);
                }
            }
        }
    }

    /** Reads ssh's options the way ssh does: clusters, attached values, and options again after the host. */
    private static void ssh(Invocation inv, Scope scope, String valueOptions, boolean forwards) {
        List<String> args = inv.args();
        boolean hostSeen = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) return;
            if (a.length() < 2 || a.charAt(0) != '-') {
                if (hostSeen) return; // the remote command starts here
                hostSeen = true;
                continue;
            }
            for (int j = 1; j < a.length(); j++) {
                char c = a.charAt(j);
                if (valueOptions.indexOf(c) >= 0) {
                    String value = j + 1 < a.length() ? a.substring(j + 1) : i + 1 < args.size() ? args.get(++i) : "";
                    if (!value.isBlank()) sshOption(c, value, inv, scope, forwards);
                    break;
                }
                if (c == 'f' && forwards) scope.report(Rule.SSH_BACKGROUND, "-" + c, inv);
            }
        }
    }

    private static void sshOption(char option, String value, Invocation inv, Scope scope, boolean forwards) {
        String shown = "-" + option + " " + value;
        switch (option) {
            case 'R' -> {
                if (forwards) scope.report(Rule.SSH_REMOTE_FORWARD, shown, inv);
            }
            case 'L' -> {
                if (forwards) scope.report(Rule.SSH_LOCAL_FORWARD, shown, inv);
            }
            case 'D' -> {
                if (forwards) scope.report(Rule.SSH_DYNAMIC_FORWARD, shown, inv);
            }
            case 'w' -> {
                if (forwards) scope.report(Rule.SSH_TUN_DEVICE, shown, inv);
            }
            case 'J' -> scope.report(Rule.SSH_JUMP_HOST, shown, inv);
            case 'o' -> {
                String v = value.strip();
                int cut = 0;
                while (cut < v.length() && v.charAt(cut) != '=' && !Character.isWhitespace(v.charAt(cut))) cut++;
                String key = v.substring(0, cut).toLowerCase(Locale.ROOT);
                String setting = v.substring(cut).replaceFirst("^[=\\s]+", "").strip().toLowerCase(Locale.ROOT);
                Rule rule = SSH_CONFIG_OPTIONS.get(key);
                if (rule == null || setting.equals("no") || setting.equals("none")) return;
                scope.report(rule, "-o " + value, inv);
            }
            default -> {
            }
        }
    }

    private static void socat(Invocation inv, Scope scope) {
        Socat s = Socat.of(inv);
        if (s.runsProgram()) return; // a program on a socket is a reverse or bind shell, not a tunnel
        if (s.relays() || s.proxies() || s.tun()) scope.report(Rule.SOCAT_FORWARD, String.join(" ", s.addresses()), inv);
    }
}
