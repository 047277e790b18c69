package dev.ale.monitor.detect;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Names of programs the rules care about, and how a word on a command line becomes a program name. */
final class Programs {

    static final Set<String> SHELLS = Set.of(
            "sh", "bash", "dash", "zsh", "ksh", "ksh93", "mksh", "ash", "rbash", "yash", "posh", "fish", "csh", "tcsh");
    static final Set<String> NETCATS = Set.of(
            "nc", "ncat", "netcat", "nc.traditional", "nc.openbsd", "netcat.traditional", "netcat.openbsd", "pwncat");
    /** Programs that only look at a path's name or metadata; a credential path in their arguments is not read. */
    static final Set<String> NON_READING = Set.of(
            "ls", "dir", "stat", "test", "[", "[[", "du", "file", "mkdir", "chmod", "chown", "chgrp", "touch", "rm",
            "rmdir", "realpath", "readlink", "basename", "dirname", "which", "echo", "printf", "ln", "find", "tree",
            "mount", "umount", "namei");

    private static final Pattern BARE_ADDRESS = Pattern.compile("(?i)(?:https?://)?(\\d{1,3}(?:\\.\\d{1,3}){3})(?::\\d+)?(?:/.*)?");
    private static final Pattern SUBSTITUTED_LOOKUP =
            Pattern.compile("^(?:\\$\\(|`)\\s*(?:which|command\\s+-v|type\\s+-p|type\\s+-P)\\s+([^\\s)`]+)\\s*(?:\\)|`)$");
    private static final Pattern PYTHON = Pattern.compile("(?:python|pypy)[0-9.]*");
    private static final Pattern PERL = Pattern.compile("perl[0-9.]*");
    private static final Pattern PHP = Pattern.compile("php[0-9.]*(?:-cli)?");
    private static final Pattern RUBY = Pattern.compile("ruby[0-9.]*");
    private static final Pattern LUA = Pattern.compile("lua(?:jit)?[0-9.]*");
    private static final Pattern TCL = Pattern.compile("tclsh[0-9.]*|wish[0-9.]*|expect");
    private static final Pattern AWK = Pattern.compile("[gmn]?awk|busybox-awk");

    private Programs() {
    }

    /**
     * The program a word names: its base name, lower case. {@code $(which nc)} and {@code `command -v nc`}
     * name {@code nc}; a word ending in {@code /} names nothing.
     */
    static String name(String word) {
        String w = word.strip();
        Matcher m = SUBSTITUTED_LOOKUP.matcher(w);
        if (m.matches()) w = m.group(1);
        int slash = w.lastIndexOf('/');
        return w.substring(slash + 1).toLowerCase(Locale.ROOT);
    }

    static boolean isShell(String program) {
        return SHELLS.contains(program);
    }

    static boolean isPython(String program) {
        return PYTHON.matcher(program).matches();
    }

    static boolean isPerl(String program) {
        return PERL.matcher(program).matches();
    }

    static boolean isPhp(String program) {
        return PHP.matcher(program).matches();
    }

    static boolean isRuby(String program) {
        return RUBY.matcher(program).matches();
    }

    static boolean isLua(String program) {
        return LUA.matcher(program).matches();
    }

    /** tclsh, wish and expect: Tcl, whose {@code exec}/{@code spawn} run programs. */
    static boolean isTcl(String program) {
        return TCL.matcher(program).matches();
    }

    /** awk reads its program from the command line and data from stdin: its {@code system("…")} runs a shell. */
    static boolean isAwk(String program) {
        return AWK.matcher(program).matches();
    }

    static boolean isNode(String program) {
        return program.equals("node") || program.equals("nodejs");
    }

    static boolean isInterpreter(String program) {
        return isPython(program) || isPerl(program) || isPhp(program) || isRuby(program) || isNode(program)
                || isLua(program) || isTcl(program);
    }

    /** A network client whose output could be commands and whose input could be a shell's output. */
    static boolean isNetworkClient(Invocation inv) {
        String p = inv.program();
        if (NETCATS.contains(p) || p.equals("telnet") || p.equals("socat")) return true;
        List<String> argv = inv.argv();
        if (p.equals("curl") || p.equals("wget")) {
            // curl's telnet:// is a raw socket; a script fetched from a bare outside address is a command channel, not an installer
            return inv.args().stream().anyMatch(a -> a.regionMatches(true, 0, "telnet://", 0, 9)
                    || BARE_ADDRESS.matcher(a).matches() && !isLoopback(BARE_ADDRESS.matcher(a).replaceFirst("$1")));
        }
        return p.equals("openssl") && argv.size() > 1 && argv.get(1).equals("s_client");
    }

    /**
     * Whether {@code name} is {@code known} or a versioned or suffixed form of it:
     * {@code xmrig}, {@code xmrig-6.21.0}, {@code xmrig.exe}, {@code xmrig_notls}.
     */
    static boolean isNamed(String name, Set<String> known) {
        for (String k : known) {
            if (name.equals(k)) return true;
            if (name.startsWith(k) && name.length() > k.length() && "-_.0123456789".indexOf(name.charAt(k.length())) >= 0) {
                return true;
            }
        }
        return false;
    }

    static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) h = h.substring(1);
        return h.startsWith("127.") || h.equals("localhost") || h.startsWith("::1") || h.equals("0.0.0.0")
                || h.equals("0") || h.endsWith(".localhost");
    }
}
