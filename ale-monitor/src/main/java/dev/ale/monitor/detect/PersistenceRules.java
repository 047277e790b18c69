package dev.ale.monitor.detect;

import dev.ale.monitor.detect.ShellWords.Pipeline;
import dev.ale.monitor.detect.ShellWords.Script;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Acts that let a process outlive the tool call that started it: nohup, setsid, disown, a trailing
 * {@code &}, {@code ( cmd & )}, detached screen/tmux, daemonizers and schedulers. Severity is low: many
 * are harmless, and the runtime process sweep confirms whether anything was left behind.
 */
final class PersistenceRules {

    /**
     * Files something else runs later: shell startup files (the sandbox's {@code HOME} is {@code /workspace}),
     * systemd units, cron tables, init scripts, autostart entries, {@code authorized_keys} and ssh's {@code rc},
     * {@code ld.so.preload}. A copy of one elsewhere ({@code cp ~/.bashrc /tmp/bashrc.bak}) is not.
     */
    private static final Pattern STARTUP_FILE = Pattern.compile(
            "(?:^|/)\\.(?:bashrc|bash_profile|bash_login|bash_logout|profile|zshrc|zprofile|zshenv|zlogin|kshrc|mkshrc|cshrc|tcshrc"
                    + "|xinitrc|xprofile|xsessionrc|pam_environment)"
                    + "|(?:^|/)\\.config/(?:fish/config\\.fish|autostart/[^/]+|systemd/user/.+)"
                    + "|(?:^|/)\\.ssh/(?:authorized_keys2?|rc)"
                    + "|^/etc/(?:profile|bash\\.bashrc|bashrc|zshrc|zsh/zshrc|environment|rc\\.local|crontab|ld\\.so\\.preload)"
                    + "|^/etc/(?:profile\\.d|cron\\.[a-z]+|init\\.d|rc\\d\\.d|update-motd\\.d|systemd/(?:system|user)|xdg/autostart)/.+"
                    + "|^/(?:usr/)?lib/systemd/(?:system|user)/.+|^/var/spool/cron/.+"
                    + "|(?:^|.*/)\\.git/hooks/(?!.*\\.sample$)[^/]+"
                    + "|(?:^|.*/)(?:site|dist)-packages/(?:[^/]+\\.pth|sitecustomize\\.py|usercustomize\\.py)");
    /** A string literal in interpreter code opened for writing or appending: {@code open("/workspace/.bashrc", "a")}. */
    private static final Pattern CODE_OPENS = Pattern.compile("open\\s*\\(\\s*['\"]([^'\"]+)['\"]\\s*,\\s*['\"][rb+]*[wax]");
    private static final Pattern HOME = Pattern.compile("^(?:~|\\$HOME|\\$\\{HOME}|/workspace|/root|/home/[^/]+)(?=/)");
    private static final Set<String> SYSTEMCTL_INSTALLS = Set.of("enable", "reenable", "link", "preset", "edit", "add-wants", "add-requires");

    private PersistenceRules() {
    }

    /** The path, when writing it makes something run later. */
    static Optional<String> startupFile(String path) {
        String home = HOME.matcher(path).replaceFirst("");
        boolean matches = STARTUP_FILE.matcher(path).matches() || STARTUP_FILE.matcher(home).matches();
        return matches ? Optional.of(path) : Optional.empty();
    }

    static void inspect(Invocation inv, Scope scope) {
        for (String target : Writes.targets(inv)) {
            if (startupFile(target).isPresent()) {
                scope.report(Rule.STARTUP_FILE, target, inv);
                break;
            }
        }
        if (Programs.isInterpreter(inv.program())) {
            Matcher m = CODE_OPENS.matcher(ReverseShellRules.inlineCode(inv));
            while (m.find()) {
                if (startupFile(m.group(1)).isPresent()) {
                    scope.report(Rule.STARTUP_FILE, m.group(1), inv);
                    break;
                }
            }
        }
        if (setsHooksPath(inv)) scope.report(Rule.STARTUP_FILE, inv.shown(), inv); // hooks the agent chose run at every later commit
        if (inv.program().equals("systemctl") && inv.args().stream().anyMatch(SYSTEMCTL_INSTALLS::contains)) {
            scope.report(Rule.STARTUP_FILE, inv.shown(), inv);
        }
        if (inv.program().equals("loginctl") && inv.args().contains("enable-linger")) scope.report(Rule.STARTUP_FILE, inv.shown(), inv);
        String runs = inv.argv().isEmpty() ? inv.shown() : Invocation.join(inv.argv());
        for (String wrapper : inv.wrappers()) {
            switch (wrapper) {
                case "nohup" -> scope.report(Rule.NOHUP, runs, inv);
                case "setsid" -> scope.report(Rule.SETSID, runs, inv);
                case "daemonize" -> scope.report(Rule.DAEMONIZE, runs, inv);
                case "systemd-run" -> scope.report(Rule.SCHEDULER, "systemd-run " + runs, inv);
                default -> {
                }
            }
        }
        if (inv.detachedSession()) scope.report(Rule.DETACHED_SESSION, inv.shown(), inv);
        switch (inv.program()) {
            case "disown" -> scope.report(Rule.DISOWN, inv.shown(), inv);
            case "daemonize" -> scope.report(Rule.DAEMONIZE, inv.shown(), inv);
            case "start-stop-daemon" -> {
                if (inv.hasOption("--background", "-b") || inv.hasShortFlag('b')) scope.report(Rule.DAEMONIZE, inv.shown(), inv);
            }
            case "systemd-run" -> scope.report(Rule.SCHEDULER, inv.shown(), inv);
            case "incrontab" -> {
                if (!inv.hasShortFlag('l') && !inv.hasShortFlag('r')) scope.report(Rule.SCHEDULER, inv.shown(), inv);
            }
            case "crontab" -> {
                boolean inspects = inv.hasOption("-l", "-r", "-V", "--help") || inv.hasShortFlag('l') || inv.hasShortFlag('r');
                if (!inspects) scope.report(Rule.SCHEDULER, inv.shown(), inv);
            }
            case "at", "batch" -> {
                boolean inspects = inv.hasOption("-l", "-r", "-d", "-c", "-V") || inv.hasShortFlag('l');
                if (!inspects) scope.report(Rule.SCHEDULER, inv.shown(), inv);
            }
            default -> {
            }
        }
    }

    /** {@code git config core.hooksPath DIR} (or {@code -c core.hooksPath=DIR}); reading it is not. */
    private static boolean setsHooksPath(Invocation inv) {
        if (!inv.program().equals("git")) return false;
        List<String> args = inv.args();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i).toLowerCase(Locale.ROOT);
            String value = a.startsWith("core.hookspath=") ? a.substring(15)
                    : a.equals("core.hookspath") && i + 1 < args.size() && !args.contains("--get") && !args.contains("--unset") ? args.get(i + 1) : "";
            if (!value.isEmpty() && !value.equals("/dev/null")) return true; // /dev/null turns hooks off
        }
        return false;
    }

    static void inspectScript(Script script, Scope scope) {
        script.detached().ifPresent(c -> {
            String shown = Invocation.of(c).shown();
            scope.report(Rule.BACKGROUND, shown, shown + " &");
        });
        for (Pipeline p : script.pipelines()) {
            if (p.orphaned()) {
                String shown = p.commands().stream().map(c -> Invocation.of(c).shown()).reduce((a, b) -> a + " | " + b).orElse("");
                scope.report(Rule.SUBSHELL_BACKGROUND, shown, "( " + shown + " & )");
                return;
            }
        }
    }
}
