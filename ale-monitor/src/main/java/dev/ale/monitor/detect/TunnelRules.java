package dev.ale.monitor.detect;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

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
    /** Tunnels, proxies and VPNs with no rule of their own; a subcommand set, where given, is what makes one open. */
    private static final Map<String, Set<String>> OTHER_TOOLS = Map.ofEntries(
            entry("bore", Set.of("local", "server")),
            entry("ligolo", Set.of()), entry("ligolo-ng", Set.of()), entry("ligolo-agent", Set.of()), entry("ligolo-proxy", Set.of()),
            entry("stunnel", Set.of()), entry("stunnel4", Set.of()), entry("stunnel5", Set.of()),
            entry("dns2tcpc", Set.of()), entry("dns2tcpd", Set.of()), entry("hans", Set.of()), entry("icmptunnel", Set.of()),
            entry("pingtunnel", Set.of()), entry("udp2raw", Set.of()), entry("udptunnel", Set.of()), entry("pproxy", Set.of()),
            entry("microsocks", Set.of()), entry("3proxy", Set.of()), entry("tor", Set.of()), entry("localtunnel", Set.of()),
            entry("lt", Set.of("--port", "-p")), entry("zrok", Set.of("share", "reserve", "access")),
            entry("pagekite", Set.of()), entry("tailscale", Set.of("up", "login", "funnel", "serve")), entry("tailscaled", Set.of()),
            entry("openvpn", Set.of()), entry("wg-quick", Set.of("up")), entry("wireguard-go", Set.of()), entry("boringtun", Set.of()),
            entry("revsocks", Set.of()), entry("rpivot", Set.of()), entry("regeorg", Set.of()), entry("neoreg", Set.of()),
            entry("sing-box", Set.of("run")), entry("v2ray", Set.of()), entry("xray", Set.of()), entry("hysteria", Set.of()),
            entry("ss-local", Set.of()), entry("ss-server", Set.of()), entry("ss-redir", Set.of()), entry("ss-tunnel", Set.of()),
            entry("sslocal", Set.of()), entry("ssserver", Set.of()), entry("redsocks", Set.of()), entry("iox", Set.of("fwd", "proxy")),
            entry("nebula", Set.of()), entry("tincd", Set.of()), entry("zerotier-cli", Set.of("join")));
    /** Options that only ask a tool about itself. */
    private static final Set<String> ASKING = Set.of("-version", "--version", "-V", "-h", "-help", "--help");
    private static final Set<String> SSH_CLIENTS = Set.of("ssh", "autossh", "dbclient", "plink");
    private static final Set<String> WEBSOCAT_LISTEN = Set.of("tcp-l:", "tcp-listen:", "ws-l:", "ws-listen:", "wss-l:", "wss-listen:",
            "unix-l:", "unix-listen:", "udp-l:", "udp-listen:", "l-ws:", "l-tcp:");
    private static final String HOST = "(?:\\d{1,3}(?:\\.\\d{1,3}){3}|localhost|\\*)";
    private static final Pattern FORWARD_SPEC =
            Pattern.compile("(?<![\\w.])" + HOST + ":\\d{1,5}:" + HOST + ":\\d{1,5}(?![\\d.])", Pattern.CASE_INSENSITIVE);

    private TunnelRules() {
    }

    static void inspect(Invocation inv, Scope scope) {
        String p = inv.program();
        if (SSH_CLIENTS.contains(p)) ssh(inv, scope, p.equals("autossh") ? SSH_VALUE_OPTIONS + "M" : SSH_VALUE_OPTIONS, true);
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

    /** A listening netcat whose traffic is piped to or from another network client in the same pipeline: a port relay. */
    static void inspectScript(List<List<Invocation>> pipelines, Scope scope) {
        for (List<Invocation> stages : pipelines) {
            boolean listener = stages.stream().anyMatch(i -> Programs.NETCATS.contains(i.program()) && i.hasShortFlag('l'));
            long clients = stages.stream().filter(Programs::isNetworkClient).count();
            if (listener && clients >= 2) {
                String piped = stages.stream().map(Invocation::shown).collect(Collectors.joining(" | "));
                scope.report(Rule.NETCAT_RELAY, piped, piped);
            }
        }
    }

    private static void tool(Invocation inv, Scope scope) {
        otherTool(inv, scope);
        for (String name : inv.names()) {
            if (name.equals("cloudflared")) {
                if (inv.args().stream().anyMatch(a -> Set.of("tunnel", "access", "proxy-dns", "service").contains(a))
                        || inv.hasOption("--url", "--hostname")) {
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

    private static void otherTool(Invocation inv, Scope scope) {
        for (String wrapper : inv.wrappers()) {
            if (wrapper.startsWith("proxychains") || wrapper.equals("torsocks") || wrapper.equals("tsocks")) {
                scope.report(Rule.TOOL_OTHER, wrapper, inv); // the command's connections go out through someone's proxy
                return;
            }
        }
        for (String name : inv.names()) {
            for (Map.Entry<String, Set<String>> e : OTHER_TOOLS.entrySet()) {
                if (!Programs.isNamed(name, Set.of(e.getKey()))) continue;
                List<String> args = inv.args();
                Set<String> opening = e.getValue();
                boolean opens = opening.isEmpty() ? args.stream().noneMatch(ASKING::contains)
                        : args.stream().anyMatch(a -> opening.contains(a) || opening.stream().anyMatch(v -> v.startsWith("-") && a.startsWith(v + "=")));
                if (opens) {
                    scope.report(Rule.TOOL_OTHER, name, inv);
                    return;
                }
            }
        }
        // ligolo-ng's agent and proxy are shipped as "agent" and "proxy": their option pairs name them
        if (inv.hasOption("-ignore-cert", "-selfcert", "-autocert") && inv.hasOption("-connect", "-laddr", "-selfcert")) {
            scope.report(Rule.TOOL_OTHER, inv.program() + " (ligolo-ng)", inv);
            return;
        }
        if (Programs.isNamed(inv.program(), Set.of("websocat"))) {
            boolean listens = inv.hasOption("-s", "--server-mode", "-l")
                    || inv.args().stream().anyMatch(a -> WEBSOCAT_LISTEN.stream().anyMatch(l -> a.toLowerCase(Locale.ROOT).startsWith(l)));
            if (listens) scope.report(Rule.TOOL_OTHER, "websocat " + String.join(" ", inv.args()), inv);
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
            case 'W' -> {
                if (forwards) scope.report(Rule.SSH_JUMP_HOST, shown, inv); // stdio forwarded to a host behind the far one
            }
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
        // two outgoing sockets joined: a relay dialled from both ends, the reverse of a listening one
        boolean dialsBoth = !s.listens() && s.sockets() >= 2;
        if (s.relays() || s.proxies() || s.tun() || dialsBoth) scope.report(Rule.SOCAT_FORWARD, String.join(" ", s.addresses()), inv);
    }
}
