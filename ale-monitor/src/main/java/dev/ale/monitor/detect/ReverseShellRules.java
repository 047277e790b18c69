package dev.ale.monitor.detect;

import dev.ale.monitor.detect.ShellWords.Redirect;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Reverse and bind shells: bash's /dev/tcp, netcat -e, socat exec:, socket one-liners, fifo loops. */
final class ReverseShellRules {

    static final Pattern DEV_TCP = Pattern.compile("/dev/(?:tcp|udp)/([^/\\s'\"]+)/([^\\s'\"/;&|)<>]+)");
    private static final Pattern GAWK_INET = Pattern.compile("/inet[46]?/(?:tcp|udp)/[^\\s'\"]*");
    /** netcat options that take a value, across the traditional, OpenBSD and nmap variants. */
    private static final String NC_VALUE_OPTIONS = "psiwqxXIOPTVMmWgG";
    private static final Set<String> NC_EXEC_LONG = Set.of("--exec", "--sh-exec", "--lua-exec");

    private ReverseShellRules() {
    }

    static void inspect(Invocation inv, Optional<String> stdin, Scope scope) {
        devTcp(inv, scope);
        if (Programs.NETCATS.contains(inv.program())) netcat(inv, scope);
        if (Set.of("telnetd", "utelnetd").contains(inv.program()) && inv.hasShortFlag('l')) {
            scope.report(Rule.NETCAT_EXEC, inv.shown(), inv); // a bind shell: every connection gets the program given to -l
        }
        if (inv.program().equals("socat")) {
            Socat s = Socat.of(inv);
            if (s.runsProgram() && s.sockets() > 0) scope.report(Rule.SOCAT_EXEC, String.join(" ", s.addresses()), inv);
        }
        String code = inlineCode(inv) + (inv.readsStdin() ? stdin.orElse("") : "");
        if (!code.isBlank()) {
            // exec(b64decode("…")): the payload is code in the same language, so it is judged with the code around it
            code(inv, code + "\n" + String.join("\n", Payloads.base64Tokens(code)), scope);
        }
        websocat(inv, scope);
        if (inv.program().equals("ztcp") && !inv.hasShortFlag('l') && !inv.hasShortFlag('c')) {
            ProbeRules.operands(inv.args(), "d").stream().findFirst().filter(h -> !Programs.isLoopback(h))
                    .ifPresent(h -> scope.report(Rule.DEV_TCP, inv.shown(), inv)); // zsh's socket builtin: /dev/tcp by another name
        }
        for (String text : inv.texts()) {
            Matcher m = GAWK_INET.matcher(text);
            if (m.find()) {
                scope.report(Rule.GAWK_INET, m.group(), inv);
                break;
            }
        }
    }

    private static void devTcp(Invocation inv, Scope scope) {
        boolean shell = Programs.isShell(inv.program()) && inv.nestedScripts().isEmpty();
        for (String text : inv.texts()) {
            Matcher m = DEV_TCP.matcher(text);
            while (m.find()) {
                boolean onRedirect = inv.redirects().stream().anyMatch(r -> r.target().contains(m.group()));
                if (shell && onRedirect) {
                    scope.report(Rule.INTERACTIVE_DEV_TCP, inv.shown(), inv);
                } else if (!Programs.isLoopback(m.group(1))) {
                    scope.report(Rule.DEV_TCP, m.group(), inv);
                }
            }
        }
    }

    /** websocat's {@code exec:} and {@code sh-c:} addresses hand a websocket to a program: netcat's {@code -e} over HTTP. */
    private static void websocat(Invocation inv, Scope scope) {
        if (!Programs.isNamed(inv.program(), Set.of("websocat"))) return;
        for (String a : inv.args()) {
            String lower = a.toLowerCase(Locale.ROOT);
            if (lower.startsWith("exec:") || lower.startsWith("sh-c:") || lower.startsWith("cmd:")) {
                scope.report(Rule.NETCAT_EXEC, a, inv);
                return;
            }
        }
    }

    private static void netcat(Invocation inv, Scope scope) {
        List<String> args = inv.args();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String next = i + 1 < args.size() ? args.get(i + 1) : "";
            if (NC_EXEC_LONG.contains(a)) {
                scope.report(Rule.NETCAT_EXEC, a + " " + next, inv);
                return;
            }
            if (NC_EXEC_LONG.stream().anyMatch(o -> a.startsWith(o + "="))) {
                scope.report(Rule.NETCAT_EXEC, a, inv);
                return;
            }
            if (a.length() < 2 || a.charAt(0) != '-' || a.charAt(1) == '-') continue;
            for (int j = 1; j < a.length(); j++) {
                char c = a.charAt(j);
                if (c == 'e' || c == 'c') {
                    String value = j + 1 < a.length() ? a.substring(j + 1) : next;
                    scope.report(Rule.NETCAT_EXEC, "-" + c + " " + value, inv);
                    return;
                }
                if (NC_VALUE_OPTIONS.indexOf(c) >= 0) {
                    if (j == a.length() - 1) i++;
                    break;
                }
            }
        }
    }

    /** Code given on the command line: {@code python -c}, {@code perl -e}/{@code -M}, {@code ruby -e}/{@code -r}, {@code php -r}, {@code node -e}. */
    static String inlineCode(Invocation inv) {
        String p = inv.program();
        List<String> args = inv.args();
        if (Programs.isAwk(p)) return awkProgram(args);
        StringBuilder code = new StringBuilder();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String next = i + 1 < args.size() ? args.get(i + 1) : "";
            if (!a.startsWith("-") || a.equals("--")) {
                if (!Programs.isPerl(p) && !Programs.isRuby(p) && !Programs.isLua(p)) break;
                continue;
            }
            if (Programs.isPython(p)) {
                if (a.equals("-c")) return next;
                if (a.startsWith("-c")) return a.substring(2);
                if (a.equals("-m")) break;
            } else if (Programs.isPhp(p)) {
                if (a.equals("-r")) return next;
                if (a.startsWith("-r")) return a.substring(2);
            } else if (Programs.isNode(p)) {
                if (Set.of("-e", "--eval", "-p", "--print").contains(a)) return next;
                if (a.startsWith("--eval=")) return a.substring(7);
            } else if (Programs.isLua(p)) {
                if (a.equals("-e")) code.append(next).append('\n');
                if (a.equals("-e") || a.equals("-l")) i++;
            } else if (Programs.isTcl(p)) {
                if (a.equals("-c")) return next;
            } else if (Programs.isPerl(p) || Programs.isRuby(p)) {
                if (a.startsWith("-M") || a.startsWith("-m") || a.startsWith("-r")) {
                    code.append(a.length() > 2 ? a.substring(2) : next).append('\n');
                    continue;
                }
                if (a.startsWith("--")) continue;
                for (int j = 1; j < a.length(); j++) {
                    char c = a.charAt(j);
                    if (c == 'e' || c == 'E') {
                        code.append(j + 1 < a.length() ? a.substring(j + 1) : next).append('\n');
                        break;
                    }
                    if ("IxCdD0".indexOf(c) >= 0) break;
                }
            }
        }
        return code.toString();
    }

    /** awk's program text: the first operand, unless {@code -f} named a file. */
    private static String awkProgram(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-f") || a.startsWith("--file")) return "";
            if (a.equals("--")) return i + 1 < args.size() ? args.get(i + 1) : "";
            if (Set.of("-F", "-v").contains(a)) {
                i++;
            } else if (!a.startsWith("-") || a.equals("-")) {
                return a;
            }
        }
        return "";
    }

    private static void code(Invocation inv, String code, Scope scope) {
        String p = inv.program();
        String c = code.toLowerCase(Locale.ROOT);
        String squeezed = c.replaceAll("\\s+", "");
        // A socket that is connected (or accepts), and a process or fd plumbing to hand it to.
        boolean connects = containsAny(c, "connect", "peeraddr", "accept", "listen", "localport");
        if (Programs.isPython(p) && c.contains("socket") && connects
                && containsAny(c, "pty.spawn", "subprocess", "os.dup2", "os.exec", "os.popen", "pty.fork")) {
            scope.report(Rule.PYTHON_SOCKET, code.strip(), inv);
        } else if (Programs.isPerl(p) && c.contains("socket") && (connects || c.contains("inet->new") || c.contains("new io::socket"))
                && containsAny(c, "exec", "system", "open(stdin", "open stdin", "/bin/")) {
            scope.report(Rule.PERL_SOCKET, code.strip(), inv);
        } else if (Programs.isPhp(p) && containsAny(c, "fsockopen", "stream_socket_client", "socket_create")) {
            scope.report(Rule.PHP_FSOCKOPEN, code.strip(), inv);
        } else if (Programs.isRuby(p) && containsAny(c, "tcpsocket", "tcpserver", "socket.tcp", "socket.new")
                && containsAny(c, "exec", "spawn", "system", "popen", "/bin/")) {
            scope.report(Rule.RUBY_SOCKET, code.strip(), inv);
        } else if (Programs.isNode(p) && c.contains("child_process")
                && containsAny(squeezed, "require('net')", "require(\"net\")", "require(`net`)", "net.socket", "net.connect",
                "net.createconnection", "from'net'", "from\"net\"", "node:net")) {
            scope.report(Rule.NODE_SOCKET, code.strip(), inv);
        } else if (Programs.isLua(p) && containsAny(c, "socket.tcp", "socket.connect", "require('socket')", "require(\"socket\")",
                "require \"socket\"", "require 'socket'") && c.contains("connect") && containsAny(c, "os.execute", "io.popen")) {
            scope.report(Rule.SCRIPT_SOCKET, code.strip(), inv);
        } else if (Programs.isTcl(p) && c.matches("(?s).*\\[\\s*socket\\s+(?!-server).*")
                && (c.matches("(?s).*(?:^|[\\[;{\\s\"])exec\\s.*") || c.contains("open \"|"))) {
            scope.report(Rule.SCRIPT_SOCKET, code.strip(), inv);
        }
    }

    private static boolean containsAny(String text, String... parts) {
        for (String part : parts) if (text.contains(part)) return true;
        return false;
    }

    /** Rules over a whole script: a fifo loop, a network client piped into a shell, an exec'd /dev/tcp fd fed to a shell. */
    static void inspectScript(List<List<Invocation>> pipelines, Scope scope) {
        List<Invocation> all = pipelines.stream().flatMap(List::stream).toList();
        String shown = all.stream().map(Invocation::shown).collect(Collectors.joining("; "));
        boolean fifo = all.stream().anyMatch(i -> i.program().equals("mkfifo")
                || i.program().equals("mknod") && i.args().contains("p"));
        boolean client = all.stream().anyMatch(Programs::isNetworkClient);
        boolean stdinShell = all.stream().anyMatch(i -> Programs.isShell(i.program()) && i.readsStdin());
        if (fifo && client && stdinShell) scope.report(Rule.FIFO_NETCAT, shown, shown);
        for (List<Invocation> stages : pipelines) {
            int firstClient = -1;
            for (int k = 0; k < stages.size(); k++) {
                Invocation inv = stages.get(k);
                if (firstClient < 0 && Programs.isNetworkClient(inv)) firstClient = k;
                else if (firstClient >= 0 && Programs.isShell(inv.program()) && inv.readsStdin()) {
                    String piped = stages.stream().map(Invocation::shown).collect(Collectors.joining(" | "));
                    scope.report(Rule.SHELL_PIPE, piped, piped);
                }
            }
        }
        boolean socketFd = all.stream().anyMatch(i -> i.program().equals("exec") && i.redirects().stream()
                .map(Redirect::target).anyMatch(t -> DEV_TCP.matcher(t).find()));
        if (socketFd && stdinShell) scope.report(Rule.INTERACTIVE_DEV_TCP, shown, shown);
    }
}
