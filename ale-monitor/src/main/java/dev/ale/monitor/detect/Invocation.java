package dev.ale.monitor.detect;

import dev.ale.monitor.detect.ShellWords.Command;
import dev.ale.monitor.detect.ShellWords.Redirect;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One simple command as the rules see it: wrappers such as {@code env X=1}, {@code nohup}, {@code setsid},
 * {@code timeout 5}, {@code sudo}, {@code exec} and {@code xargs} peeled off to the program that really runs,
 * and the text of scripts it hands to a shell ({@code sh -c '…'}, {@code eval}, {@code su -c}) set apart.
 *
 * @param words          the command as written, quotes removed
 * @param argv           what runs once wrappers are peeled; {@code argv.get(0)} is the program word
 * @param program        the program's base name in lower case, or empty when there are no words
 * @param wrappers       names of the wrappers peeled, outermost first
 * @param textWords      words the text rules read: all but the bodies of nested scripts
 * @param nestedScripts  script texts this command runs in a shell
 * @param placeholders   replace-strings of xargs/parallel, which stand for a value that changes per run
 * @param readsStdin     a shell or interpreter with neither inline code nor a script file: it runs its input
 * @param interactive    a shell started with {@code -i}
 * @param scriptName     for a shell or interpreter, the base name of the script file or python module it runs
 * @param detachedSession started in a detached screen/tmux session
 */
record Invocation(List<String> words, List<String> argv, String program, List<String> wrappers, List<String> textWords,
                  List<Redirect> redirects, List<String> nestedScripts, Set<String> placeholders, boolean readsStdin,
                  boolean interactive, Optional<String> scriptName, boolean detachedSession) {

    private static final Pattern ASSIGNMENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(?:\\[[^]]*])?\\+?=.*", Pattern.DOTALL);
    private static final int MAX_WRAPPERS = 16;

    static Invocation of(Command command) {
        return new Unwrapper(command).run();
    }

    /** Arguments after the program word. */
    List<String> args() {
        return argv.isEmpty() ? List.of() : argv.subList(1, argv.size());
    }

    /** Text the command reads on stdin from its own heredoc or here-string, if it has one. */
    Optional<String> ownStdin() {
        Optional<String> found = Optional.empty();
        for (Redirect r : redirects) {
            if (r.heredoc().isPresent()) found = r.heredoc();
            else if (r.operator().equals("<<<")) found = Optional.of(r.target() + "\n");
        }
        return found;
    }

    /** Every string the text rules read: words outside nested scripts and redirection targets. */
    List<String> texts() {
        List<String> out = new ArrayList<>(textWords);
        for (Redirect r : redirects) {
            if (r.heredoc().isEmpty()) out.add(r.target());
        }
        return out;
    }

    /** The names this command goes by: its program and, for an interpreter, the script or module it runs. */
    Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        if (!program.isEmpty()) names.add(program);
        scriptName.ifPresent(names::add);
        return names;
    }

    /** Whether any argument is one of the options given (exactly, or as {@code --long=value}). */
    boolean hasOption(String... options) {
        for (String a : args()) {
            for (String o : options) {
                if (a.equals(o) || (o.startsWith("--") && a.startsWith(o + "="))) return true;
            }
        }
        return false;
    }

    /** Whether a short-option cluster ({@code -fNR}) among the arguments holds the letter. */
    boolean hasShortFlag(char letter) {
        for (String a : args()) {
            if (a.equals("--")) return false;
            if (a.length() > 1 && a.charAt(0) == '-' && a.charAt(1) != '-' && a.indexOf(letter) > 0) return true;
        }
        return false;
    }

    /** The command as a shell line, for evidence: words quoted where needed, redirections after. */
    String shown() {
        StringBuilder sb = new StringBuilder();
        for (String w : words) {
            if (!sb.isEmpty()) sb.append(' ');
            sb.append(quote(w));
        }
        for (Redirect r : redirects) {
            if (!sb.isEmpty()) sb.append(' ');
            sb.append(r.fd()).append(r.operator()).append(r.heredoc().isPresent() ? r.target() : quote(r.target()));
        }
        return sb.toString();
    }

    static String quote(String w) {
        if (!w.isEmpty() && w.chars().noneMatch(c -> Character.isWhitespace(c) || "'\"\\|&;<>()$`*?![]{}#~".indexOf(c) >= 0)) {
            return w;
        }
        return "'" + w.replace("'", "'\\''") + "'";
    }

    static String join(List<String> words) {
        return words.stream().map(Invocation::quote).collect(Collectors.joining(" "));
    }

    /** Peels wrappers off one command; a fresh one per command. */
    private static final class Unwrapper {
        private final List<String> w;
        private final List<Redirect> redirects;
        private final List<String> wrappers = new ArrayList<>();
        private final List<String> nested = new ArrayList<>();
        private final BitSet nestedWords = new BitSet();
        private final Set<String> placeholders = new LinkedHashSet<>();
        private boolean detachedSession;

        Unwrapper(Command command) {
            this.w = command.words();
            this.redirects = command.redirects();
        }

        Invocation run() {
            int i = skipAssignments(0);
            for (int guard = 0; guard < MAX_WRAPPERS && i < w.size(); guard++) {
                String name = Programs.name(w.get(i));
                int next = inner(name, i);
                if (next < 0 || next >= w.size()) break;
                wrappers.add(name);
                i = skipAssignments(next);
            }
            List<String> argv = i < w.size() ? w.subList(i, w.size()) : List.of();
            String program = argv.isEmpty() ? "" : Programs.name(argv.getFirst());
            if (program.equals("git")) messages(i);
            Carrier carrier = carrier(program, i);
            List<String> textWords = new ArrayList<>();
            for (int k = 0; k < w.size(); k++) {
                if (!nestedWords.get(k)) textWords.add(w.get(k));
            }
            return new Invocation(w, List.copyOf(argv), program, List.copyOf(wrappers), List.copyOf(textWords),
                    redirects, List.copyOf(nested), Set.copyOf(placeholders), carrier.readsStdin,
                    carrier.interactive, carrier.scriptName, detachedSession);
        }

        /**
         * A commit, tag or note message is prose about the change ({@code git commit -m "detect ssh -R"}), not a
         * command: the text rules skip it. Substitutions in it ({@code -m "$(…)"}) are still inspected where they run.
         */
        private void messages(int at) {
            boolean writesMessage = w.subList(at, w.size()).stream().anyMatch(x -> Set.of("commit", "tag", "notes", "stash", "merge", "revert").contains(x));
            if (!writesMessage) return;
            for (int k = at + 1; k < w.size(); k++) {
                String a = w.get(k);
                boolean cluster = a.length() > 1 && a.charAt(0) == '-' && a.charAt(1) != '-';
                if ((a.equals("--message") || cluster && a.endsWith("m")) && k + 1 < w.size()) {
                    nestedWords.set(++k); // -m MSG, -am MSG
                } else if (a.startsWith("--message=") || cluster && a.indexOf('m') > 0) {
                    nestedWords.set(k); // -mMSG
                }
            }
        }

        private int skipAssignments(int i) {
            while (i < w.size() && ASSIGNMENT.matcher(w.get(i)).matches()) i++;
            return i;
        }

        /** Index of the command a wrapper at {@code i} runs, or -1 when it is no wrapper or runs none. */
        private int inner(String name, int i) {
            return switch (name) {
                case "env" -> env(i);
                case "nohup", "setsid", "builtin", "busybox", "tsocks", "unbuffer" -> skip(i + 1, "p", Set.of());
                case "npx", "pnpx", "bunx", "uvx" -> skip(i + 1, "p", Set.of("package", "from", "with"));
                case "rlwrap" -> skip(i + 1, "abCDfgHlOpPqsStwz", Set.of("break-chars", "command-name", "histsize", "file",
                        "forget-matches", "history-filename", "logfile", "prompt-colour", "pre-given", "quote-characters",
                        "substitute-prompt", "set-term-name", "polling", "filter"));
                case "exec" -> skip(i + 1, "a", Set.of());
                case "command" -> hasCluster(i, 'v') || hasCluster(i, 'V') ? -1 : skip(i + 1, "p", Set.of());
                case "time" -> skip(i + 1, "fo", Set.of("format", "output"));
                case "nice" -> skip(i + 1, "n", Set.of("adjustment"));
                case "ionice" -> hasCluster(i, 'p') ? -1 : skip(i + 1, "cnpPu", Set.of("class", "classdata"));
                case "stdbuf" -> skip(i + 1, "ioe", Set.of("input", "output", "error"));
                case "sudo" -> skip(i + 1, "ugCpDhrtTUR", Set.of("user", "group", "close-from", "prompt", "chdir",
                        "host", "role", "type", "command-timeout", "other-user", "chroot"));
                case "doas" -> skip(i + 1, "uC", Set.of());
                case "timeout" -> skip(i + 1, "sk", Set.of("signal", "kill-after")) + 1;
                case "taskset" -> hasCluster(i, 'p') || hasLong(i, "--pid") ? -1 : skip(i + 1, "", Set.of()) + 1;
                case "chrt" -> hasCluster(i, 'p') ? -1 : skip(i + 1, "TPD", Set.of()) + 1;
                case "xargs" -> xargs(i);
                case "parallel" -> parallel(i);
                case "strace" -> skip(i + 1, "eoEpPsuabIXOU", Set.of("output", "signal", "trace", "status"));
                case "ltrace" -> skip(i + 1, "eoEpsuanXFlx", Set.of("output"));
                case "flock" -> flock(i);
                case "chroot" -> skip(i + 1, "", Set.of("userspec", "groups")) + 1;
                case "unshare" -> skip(i + 1, "SGRw", Set.of("setuid", "setgid", "root", "wd"));
                case "nsenter" -> skip(i + 1, "tSG", Set.of("target", "setuid", "setgid"));
                case "proxychains", "proxychains4" -> skip(i + 1, "f", Set.of());
                case "torsocks" -> skip(i + 1, "uapP", Set.of());
                case "sshpass" -> skip(i + 1, "pfdP", Set.of());
                case "cpulimit" -> hasCluster(i, 'p') || hasCluster(i, 'e') || hasLong(i, "--pid") || hasLong(i, "--exe")
                        ? -1 : skip(i + 1, "lpe", Set.of("limit", "pid", "exe"));
                case "daemonize" -> skip(i + 1, "cepluoE", Set.of());
                case "systemd-run" -> skip(i + 1, "pEMHu", Set.of("unit", "property", "setenv", "uid", "gid",
                        "description", "slice", "working-directory", "on-active", "on-boot", "on-startup",
                        "on-unit-active", "on-unit-inactive", "on-calendar", "machine", "host", "nice",
                        "timer-property", "path-property", "socket-property", "service-type"));
                case "screen" -> screen(i);
                default -> -1;
            };
        }

        /** Index of the first operand after options. {@code shortWithValue}: letters whose option takes a value. */
        private int skip(int i, String shortWithValue, Set<String> longWithValue) {
            while (i < w.size()) {
                String a = w.get(i);
                if (a.equals("--")) return i + 1;
                if (a.startsWith("--") && a.length() > 2) {
                    boolean takesNext = a.indexOf('=') < 0 && longWithValue.contains(a.substring(2));
                    i += takesNext ? 2 : 1;
                    continue;
                }
                if (a.length() > 1 && a.charAt(0) == '-') {
                    i++;
                    for (int j = 1; j < a.length(); j++) {
                        if (shortWithValue.indexOf(a.charAt(j)) >= 0) {
                            if (j == a.length() - 1) i++;
                            break;
                        }
                    }
                    continue;
                }
                return i;
            }
            return i;
        }

        private boolean hasCluster(int i, char letter) {
            for (int k = i + 1; k < w.size(); k++) {
                String a = w.get(k);
                if (a.equals("--") || a.length() < 2 || a.charAt(0) != '-') return false;
                if (a.charAt(1) != '-' && a.indexOf(letter) > 0) return true;
            }
            return false;
        }

        private boolean hasLong(int i, String option) {
            for (int k = i + 1; k < w.size(); k++) {
                String a = w.get(k);
                if (a.equals(option) || a.startsWith(option + "=")) return true;
                if (!a.startsWith("-")) return false;
            }
            return false;
        }

        private void nest(String script, int... wordIndexes) {
            nested.add(script);
            for (int k : wordIndexes) if (k >= 0 && k < w.size()) nestedWords.set(k);
        }

        private void nestRest(int from) {
            if (from >= w.size()) return;
            List<String> rest = w.subList(from, w.size());
            nested.add(rest.size() == 1 ? rest.getFirst() : join(rest));
            nestedWords.set(from, w.size());
        }

        private int env(int i) {
            int k = i + 1;
            while (k < w.size()) {
                String a = w.get(k);
                if (a.equals("--")) return k + 1;
                if (a.equals("-")) {
                    k++;
                    continue;
                }
                if (a.equals("-S") || a.equals("--split-string")) {
                    if (k + 1 < w.size()) nest(w.get(k + 1), k + 1);
                    return -1;
                }
                if (a.startsWith("--split-string=") || (a.startsWith("-S") && !a.startsWith("--"))) {
                    nest(a.startsWith("-S") ? a.substring(2) : a.substring("--split-string=".length()), k);
                    return -1;
                }
                if (a.equals("-u") || a.equals("-C") || a.equals("--unset") || a.equals("--chdir")) {
                    k += 2;
                    continue;
                }
                if (a.startsWith("-")) {
                    k++;
                    continue;
                }
                return k;
            }
            return k;
        }

        private int xargs(int i) {
            int k = i + 1;
            while (k < w.size()) {
                String a = w.get(k);
                if (a.equals("--")) return k + 1;
                if (a.equals("-I")) {
                    if (k + 1 < w.size()) placeholders.add(w.get(k + 1));
                    k += 2;
                } else if (a.startsWith("-I")) {
                    placeholders.add(a.substring(2));
                    k++;
                } else if (a.equals("-i") || a.equals("--replace")) {
                    placeholders.add("{}");
                    k++;
                } else if (a.startsWith("--replace=")) {
                    placeholders.add(a.substring("--replace=".length()));
                    k++;
                } else if (a.startsWith("-i") && !a.startsWith("--")) {
                    placeholders.add(a.substring(2));
                    k++;
                } else if (a.startsWith("--")) {
                    boolean takesNext = a.indexOf('=') < 0 && Set.of("--max-args", "--max-procs", "--max-lines",
                            "--max-chars", "--delimiter", "--arg-file", "--eof", "--process-slot-var").contains(a);
                    k += takesNext ? 2 : 1;
                } else if (a.length() > 1 && a.charAt(0) == '-') {
                    k++;
                    for (int j = 1; j < a.length(); j++) {
                        if ("neLPsdaE".indexOf(a.charAt(j)) >= 0) {
                            if (j == a.length() - 1) k++;
                            break;
                        }
                    }
                } else {
                    return k;
                }
            }
            return k;
        }

        private int parallel(int i) {
            placeholders.add("{}");
            placeholders.add("{1}");
            int k = skip(i + 1, "jSI", Set.of("jobs", "sshlogin", "tmpdir", "joblog", "results", "delay", "timeout"));
            if (k < w.size() && w.get(k).indexOf(' ') >= 0) {
                nest(w.get(k), k);
                return -1;
            }
            return k;
        }

        private int flock(int i) {
            for (int k = i + 1; k < w.size(); k++) {
                String a = w.get(k);
                if ((a.equals("-c") || a.equals("--command")) && k + 1 < w.size()) {
                    nest(w.get(k + 1), k + 1);
                    return -1;
                }
            }
            return skip(i + 1, "wE", Set.of("timeout", "conflict-exit-code")) + 1;
        }

        private int screen(int i) {
            boolean detached = false;
            boolean startsCommand = true;
            int k = i + 1;
            while (k < w.size()) {
                String a = w.get(k);
                if (a.length() < 2 || a.charAt(0) != '-') break;
                if (a.startsWith("-r") || a.startsWith("-x") || a.equals("-ls") || a.equals("-list")
                        || a.startsWith("-X") || a.startsWith("-Q") || a.startsWith("-wipe")) {
                    startsCommand = false;
                }
                if ((a.contains("d") || a.contains("D")) && a.contains("m")) detached = true;
                k++;
                for (int j = 1; j < a.length(); j++) {
                    if ("cehpsStTX".indexOf(a.charAt(j)) >= 0) {
                        if (j == a.length() - 1) k++;
                        break;
                    }
                }
            }
            if (!detached || !startsCommand) return -1;
            detachedSession = true;
            return k;
        }

        /** Shells, eval and friends: what script text the final program runs, if any. */
        private Carrier carrier(String program, int at) {
            if (Programs.isShell(program)) return shell(at);
            switch (program) {
                case "eval" -> nestRest(at + 1);
                case "su", "runuser", "script", "sg" -> dashC(at);
                case "watch" -> watch(at);
                case "find" -> findExec(at);
                case "ssh" -> sshLocalCommand(at);
                case "alias" -> alias(at);
                case "gdb", "gdb-multiarch", "cgdb" -> escapes(at, Set.of("-ex", "--ex", "-eval-command", "--eval-command"), "!", "shell ");
                case "vim", "vi", "nvim", "view", "ex", "rvim", "vimdiff" -> escapes(at, Set.of("-c", "--cmd"), ":!", "!", ":sh", ":call system(");
                case "sqlite3" -> escapes(at, Set.of("-cmd"), ".shell ", ".system ");
                case "tmux" -> tmux(at);
                case "at", "batch" -> {
                    boolean fromFile = false;
                    for (int k = at + 1; k < w.size(); k++) if (w.get(k).equals("-f")) fromFile = true;
                    return new Carrier(!fromFile, false, Optional.empty());
                }
                default -> {
                    if (Programs.isInterpreter(program)) return interpreter(program, at);
                }
            }
            return new Carrier(false, false, Optional.empty());
        }

        private Carrier shell(int at) {
            boolean dashC = false;
            boolean interactive = false;
            int k = at + 1;
            while (k < w.size()) {
                String a = w.get(k);
                if (a.equals("--") || a.equals("-")) {
                    k++;
                    break;
                }
                if (a.startsWith("--")) {
                    k += a.equals("--rcfile") || a.equals("--init-file") ? 2 : 1;
                    continue;
                }
                if (a.length() > 1 && (a.charAt(0) == '-' || a.charAt(0) == '+')) {
                    k++;
                    for (int j = 1; j < a.length(); j++) {
                        char c = a.charAt(j);
                        if (c == 'c') dashC = true;
                        if (c == 'i') interactive = true;
                        if (c == 'o' || c == 'O') k++;
                    }
                    continue;
                }
                break;
            }
            if (dashC) {
                if (k < w.size()) nest(w.get(k), k);
                return new Carrier(false, interactive, Optional.empty());
            }
            if (k < w.size()) return new Carrier(false, interactive, Optional.of(stem(w.get(k))));
            return new Carrier(true, interactive, Optional.empty());
        }

        private void dashC(int at) {
            for (int k = at + 1; k < w.size(); k++) {
                String a = w.get(k);
                if ((a.equals("-c") || a.equals("--command") || a.equals("--session-command")) && k + 1 < w.size()) {
                    nest(w.get(k + 1), k + 1);
                    return;
                }
                if (a.startsWith("--command=")) {
                    nest(a.substring("--command=".length()), k);
                    return;
                }
                if (a.length() > 2 && a.charAt(0) == '-' && a.charAt(1) != '-' && a.endsWith("c") && k + 1 < w.size()) {
                    nest(w.get(k + 1), k + 1); // "script -qc 'cmd'"
                    return;
                }
            }
        }

        private void watch(int at) {
            boolean exec = false;
            int k = at + 1;
            while (k < w.size() && w.get(k).startsWith("-") && w.get(k).length() > 1) {
                String a = w.get(k);
                if (a.equals("-x") || a.equals("--exec")) exec = true;
                k += a.equals("-n") || a.equals("--interval") ? 2 : 1;
            }
            if (!exec) nestRest(k);
        }

        private void tmux(int at) {
            int k = at + 1;
            while (k < w.size() && w.get(k).startsWith("-")) {
                String a = w.get(k);
                if (a.equals("-c") && k + 1 < w.size()) {
                    nest(w.get(k + 1), k + 1);
                    return;
                }
                k += a.equals("-L") || a.equals("-S") || a.equals("-f") || a.equals("-T") ? 2 : 1;
            }
            if (k >= w.size()) return;
            String sub = w.get(k);
            if (!Set.of("new", "new-session", "neww", "new-window", "splitw", "split-window", "respawnp",
                    "respawn-pane", "run", "run-shell", "send-keys", "send").contains(sub)) {
                return;
            }
            k++;
            boolean detached = false;
            while (k < w.size() && w.get(k).startsWith("-") && w.get(k).length() > 1) {
                String a = w.get(k);
                if (a.equals("--")) {
                    k++;
                    break;
                }
                if (a.indexOf('d') > 0 || a.indexOf('b') > 0) detached = true;
                k++;
                char last = a.charAt(a.length() - 1);
                if ("cefFnstxytl".indexOf(last) >= 0 && a.length() == 2) k++;
            }
            if (detached || sub.startsWith("new") || sub.startsWith("split")) detachedSession = true;
            nestRest(k);
        }

        /** {@code find … -exec CMD {} ;} (and {@code -execdir}, {@code -ok}): CMD runs once per file found. */
        private void findExec(int at) {
            for (int k = at + 1; k < w.size(); k++) {
                if (!Set.of("-exec", "-execdir", "-ok", "-okdir").contains(w.get(k))) continue;
                int end = k + 1;
                while (end < w.size() && !w.get(end).equals(";") && !w.get(end).equals("+")) end++;
                if (end > k + 1) {
                    nested.add(join(w.subList(k + 1, end)));
                    nestedWords.set(k + 1, end);
                    placeholders.add("{}");
                }
                k = end;
            }
        }

        /** {@code ssh -o LocalCommand='…'} runs its value in a local shell once connected. */
        private void sshLocalCommand(int at) {
            for (int k = at + 1; k < w.size(); k++) {
                String a = w.get(k);
                String option = a.equals("-o") && k + 1 < w.size() ? w.get(++k) : a.startsWith("-o") ? a.substring(2) : "";
                String o = option.strip();
                if (o.regionMatches(true, 0, "localcommand", 0, 12) && o.length() > 13) {
                    nest(o.substring(12).replaceFirst("^[=\\s]+", ""), k);
                }
            }
        }

        /** {@code alias x='nc -e /bin/sh'}: what the alias stands for runs wherever it is used. */
        private void alias(int at) {
            for (int k = at + 1; k < w.size(); k++) {
                int eq = w.get(k).indexOf('=');
                if (eq > 0 && !w.get(k).startsWith("-")) nest(w.get(k).substring(eq + 1), k);
            }
        }

        /**
         * Programs with a shell escape in an option or argument (GTFOBins' "shell" entries): gdb's {@code -ex '!cmd'},
         * vim's {@code -c ':!cmd'}, sqlite3's {@code '.shell cmd'}. The text after the escape runs in a shell.
         */
        private void escapes(int at, Set<String> options, String... prefixes) {
            for (int k = at + 1; k < w.size(); k++) {
                String a = w.get(k);
                String value = options.contains(a) && k + 1 < w.size() ? w.get(++k) : a.startsWith("+") ? a.substring(1) : a;
                String v = value.strip();
                for (String prefix : prefixes) {
                    if (v.startsWith(prefix) && v.length() > prefix.length()) {
                        String command = v.substring(prefix.length());
                        if (prefix.endsWith("(")) command = command.replaceFirst("^['\"]", "").replaceFirst("['\"]\\)?$", "");
                        nest(command, k);
                        break;
                    }
                }
            }
        }

        private Carrier interpreter(String program, int at) {
            Set<String> codeFlags = Programs.isPython(program) ? Set.of("-c")
                    : Programs.isPhp(program) ? Set.of("-r")
                    : Programs.isNode(program) ? Set.of("-e", "--eval", "-p", "--print")
                    : Programs.isTcl(program) ? Set.of("-c")
                    : Set.of("-e", "-E");
            Set<String> valueFlags = Set.of("-W", "-X", "-I", "-r", "--require", "--import", "-M", "-f", "-d");
            int k = at + 1;
            while (k < w.size()) {
                String a = w.get(k);
                if (a.equals("--")) {
                    k++;
                    break;
                }
                if (a.equals("-")) return new Carrier(true, false, Optional.empty());
                if (a.startsWith("-")) {
                    if (codeFlags.contains(a) || (Programs.isPerl(program) || Programs.isRuby(program))
                            && a.length() > 1 && a.charAt(1) != '-' && (a.indexOf('e') > 0 || a.indexOf('E') > 0)) {
                        return new Carrier(false, false, Optional.empty());
                    }
                    if (Programs.isPython(program) && a.length() > 1 && a.charAt(1) != '-' && a.indexOf('c') > 0) {
                        return new Carrier(false, false, Optional.empty());
                    }
                    if (Programs.isPython(program) && a.equals("-m")) {
                        return new Carrier(false, false, k + 1 < w.size() ? Optional.of(stem(w.get(k + 1))) : Optional.empty());
                    }
                    if (Programs.isPhp(program) && a.equals("-f") && k + 1 < w.size()) {
                        return new Carrier(false, false, Optional.of(stem(w.get(k + 1))));
                    }
                    k += valueFlags.contains(a) ? 2 : 1;
                    continue;
                }
                break;
            }
            if (k < w.size()) return new Carrier(false, false, Optional.of(stem(w.get(k))));
            return new Carrier(true, false, Optional.empty());
        }

        /** A script or module's base name without extension: {@code /tmp/x/dnscat2.rb} is {@code dnscat2}. */
        private static String stem(String word) {
            String name = Programs.name(word);
            int dot = name.lastIndexOf('.');
            if (dot > 0 && name.length() - dot <= 4) name = name.substring(0, dot);
            int moduleDot = name.indexOf('.');
            return moduleDot > 0 ? name.substring(0, moduleDot) : name;
        }
    }

    private record Carrier(boolean readsStdin, boolean interactive, Optional<String> scriptName) {
    }
}
