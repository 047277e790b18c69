package dev.ale.monitor.detect;

import dev.ale.monitor.detect.ShellWords.Pipeline;
import dev.ale.monitor.detect.ShellWords.Script;

/**
 * Acts that let a process outlive the tool call that started it: nohup, setsid, disown, a trailing
 * {@code &}, {@code ( cmd & )}, detached screen/tmux, daemonizers and schedulers. Severity is low: many
 * are harmless, and the runtime process sweep confirms whether anything was left behind.
 */
final class PersistenceRules {

    private PersistenceRules() {
    }

    static void inspect(Invocation inv, Scope scope) {
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
