package dev.ale.monitor.detect;

import dev.ale.monitor.detect.Pipes.Piped;
import dev.ale.monitor.detect.ShellWords.Script;
import dev.ale.monitor.rules.RuleId;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * ALE's command-line rules for ROME-style acts: mining, tunnels, reverse shells, probing, metadata and
 * credential access, and processes left running. A shell command is split by {@link ShellWords} into simple
 * commands; each has wrappers peeled ({@code env}, {@code nohup}, {@code setsid}, {@code timeout}, {@code sudo},
 * {@code exec}, {@code xargs} …) and the scripts it hands to a shell ({@code sh -c}, {@code eval},
 * {@code su -c}, {@code $( )}, backticks, heredocs and text piped into {@code sh}) inspected in turn, and so are
 * the string literals interpreter code hands to a shell ({@code os.system("…")}, {@code child_process.exec("…")}:
 * {@link InterpreterCommands}), on the command line and in a python/perl/ruby/node/php script a file tool writes.
 * What echo/printf pipe through {@code base64 -d}, {@code xxd -r -p} or {@code rev} is decoded and
 * inspected; so is every base64-looking word of 16 or more characters that decodes to text. Each rule
 * reports at most once per call, and a specific rule hides a generic one for the same act (see
 * {@link Findings}).
 *
 * <p>Precision, honestly. Measured only on the corpus in the tests (every positive raises its rule, none
 * of the benign commands raises anything); it has not been measured on real agent traffic. Known misses:
 * <ul>
 *   <li><b>Renamed binaries.</b> Program-name rules (known miners, scanners, tunnel tools) see only the
 *       name: a copy made in an earlier call ({@code ./kworker -c c.json}) passes unless options or a pool give it
 *       away. A copy or a variable made in the same command is resolved ({@link Names}).</li>
 *   <li><b>Script files.</b> {@code bash run.sh}, {@code python3 x.py}, {@code ./start} are not read; only
 *       their names are checked. A file written in the same command (by a heredoc or echo) to a {@code *.sh}
 *       name, or one the command then runs, is inspected as data; one written earlier, or by an editor tool, is not.</li>
 *   <li><b>Other encodings.</b> base64, hex ({@code xxd -r -p}), {@code rev}, {@code $'\x..'} and
 *       {@code printf '\x..'} are decoded; base32, gzip, rot13/{@code tr}, openssl encryption, string
 *       building in python/perl, and names computed at run time ({@code N=$(echo nc)}, globs) are not.</li>
 *   <li><b>Configuration.</b> Tunnels set up in {@code ~/.ssh/config} or {@code -F file}, miners whose pool
 *       is in {@code config.json}, and reverse-shell code in a module are invisible on the command line.</li>
 *   <li><b>Other languages and tools.</b> Only the recognised one-liners are understood: python socket +
 *       pty/subprocess/dup2, perl socket + exec, php fsockopen, ruby TCPSocket + exec, node net +
 *       child_process, lua and Tcl sockets, zsh {@code ztcp}, gawk /inet, and commands in string literals that
 *       code hands to a shell. PowerShell, Java, python asyncio, loops without a literal range and
 *       {@code find -exec cat} on certificates are missed; so is download-and-run from a named host
 *       ({@code curl https://… | sh}), which is how installers run. docs/monitor.md "Known limits" keeps the list.</li>
 * </ul>
 * And what they flag that may be innocent: any {@code ssh -L}/{@code -D}/{@code -J}; text holding a
 * stratum URL, pool domain or metadata address even in an {@code echo}; reading {@code ~/.aws} etc. with any
 * program not known to only list. Loopback is exempt from the probe and generic {@code /dev/tcp} rules.
 * Listing ({@code ls ~/.ssh}, {@code stat}, {@code test -f}) is not reading; {@code ssh -i ~/.ssh/id_rsa} is.
 * {@code nvidia-smi} and {@code CUDA_VISIBLE_DEVICES} are not detections here: GPU use is judged at run time.
 */
public final class CommandLineRules implements CommandLineDetector {

    private static final Pattern SELF_ASSIGNMENT = Pattern.compile("^([A-Za-z_][A-Za-z0-9_]*)=(?=.*\\$(?:\\(\\(|\\[))");
    private static final Pattern LET_TARGET = Pattern.compile("^([A-Za-z_][A-Za-z0-9_]*)(?:\\+\\+|--|[-+*/]?=)");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Set<String> SCRIPT_FILE_SUFFIXES = Set.of(".sh", ".bash", ".zsh", ".ksh");
    private static final Set<String> INTERPRETER_SUFFIXES = Set.of(".py", ".pl", ".pm", ".rb", ".js", ".mjs", ".cjs", ".php");

    public CommandLineRules() {
    }

    /** The entries of the {@link RuleId} catalogue these detectors can report. */
    public static Set<RuleId> ruleIds() {
        return Collections.unmodifiableSet(Arrays.stream(Rule.values()).map(Rule::id)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(RuleId.class))));
    }

    @Override
    public List<Detection> inspectArgv(List<String> argv) {
        Objects.requireNonNull(argv, "argv");
        Findings findings = new Findings();
        inspect(ShellWords.ofArgv(argv), Scope.root(findings));
        return findings.result();
    }

    @Override
    public List<Detection> inspectShellCommand(String command) {
        Objects.requireNonNull(command, "command");
        Findings findings = new Findings();
        inspect(ShellWords.parse(command), Scope.root(findings));
        return findings.result();
    }

    /** What {@link CommandLineDetector} judges in any written file, and the file's place: a startup file runs later. */
    @Override
    public List<Detection> inspectWrittenFile(String path, String text) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(text, "text");
        List<Detection> found = new ArrayList<>(CommandLineDetector.super.inspectWrittenFile(path, text));
        if (isInterpreterScript(path, text)) {
            for (String command : InterpreterCommands.of(text)) {
                inspectShellCommand(command).stream().filter(d -> found.stream().noneMatch(f -> f.rule().equals(d.rule()))).forEach(found::add);
            }
        }
        PersistenceRules.startupFile(path).ifPresent(p -> {
            Findings findings = new Findings();
            Scope.root(findings).report(Rule.STARTUP_FILE, p, "write_file " + p);
            findings.result().stream().filter(d -> found.stream().noneMatch(f -> f.rule().equals(d.rule()))).forEach(found::add);
        });
        return List.copyOf(found);
    }

    private void inspect(Script script, Scope outer) {
        List<List<Invocation>> pipelines = script.pipelines().stream()
                .map(p -> p.commands().stream().map(Invocation::of).toList())
                .toList();
        Set<String> loopVariables = new LinkedHashSet<>(script.loopVariables());
        if (script.hasLoop()) {
            pipelines.stream().flatMap(List::stream).filter(i -> i.program().equals("read"))
                    .forEach(i -> loopVariables.addAll(readNames(i)));
            loopVariables.addAll(counters(script));
        }
        Scope scope = outer.withLoopVariables(loopVariables);
        Names names = Names.of(script, loopVariables);
        Set<String> runFiles = runFiles(pipelines);
        List<Optional<Piped>> outputs = new ArrayList<>();
        for (int index = 0; index < pipelines.size(); index++) {
            List<Invocation> stages = pipelines.get(index);
            Optional<Piped> carried = groupOutput(outputs, script.pipelines().get(index).fedFrom());
            for (int k = 0; k < stages.size(); k++) {
                Invocation inv = stages.get(k);
                Optional<Piped> prior = carried;
                Optional<Piped> input = inv.ownStdin().map(Piped::plain).or(() -> prior);
                inspect(inv, input, scope);
                Optional<ShellWords.Command> resolved = names.resolve(script.pipelines().get(index).commands().get(k));
                if (resolved.isPresent()) inspect(Invocation.of(resolved.get()), input, scope);
                Optional<Piped> output = Pipes.output(inv, input);
                boolean runByNext = k + 1 < stages.size() && runsInput(stages.get(k + 1));
                if (output.isPresent() && !runByNext && scope.canDescend()) {
                    Piped out = output.get();
                    boolean toScriptFile = Writes.targets(inv).stream().anyMatch(t -> isScriptFile(t) || runFiles.contains(plainPath(t)));
                    if (out.encoding().isPresent() || toScriptFile) {
                        Scope data = scope.nested().asData();
                        inspect(ShellWords.parse(out.text()), out.encoding().map(e -> data.decodedFrom(e, out.text())).orElse(data));
                    } else if (!Writes.targets(inv).isEmpty()) {
                        MiningRules.inspectWritten(out.text(), inv, scope); // a config file written by a heredoc or echo
                    }
                }
                carried = output;
            }
            outputs.add(carried);
        }
        ReverseShellRules.inspectScript(pipelines, scope);
        TunnelRules.inspectScript(pipelines, scope);
        ProbeRules.inspectScript(pipelines, scope);
        PersistenceRules.inspectScript(script, scope);
        if (scope.canDescend()) {
            for (Script substitution : script.substitutions()) inspect(substitution, scope.nested());
        }
    }

    private void inspect(Invocation inv, Optional<Piped> input, Scope outer) {
        Scope scope = outer.withPlaceholders(inv.placeholders());
        MiningRules.inspect(inv, scope);
        TunnelRules.inspect(inv, scope);
        ReverseShellRules.inspect(inv, input.map(Piped::text), scope);
        ProbeRules.inspect(inv, scope);
        MetadataRules.inspect(inv, scope);
        CredentialRules.inspect(inv, scope);
        PersistenceRules.inspect(inv, scope);
        EscapeRules.inspect(inv, scope);
        if (!scope.canDescend()) return;
        Scope deeper = scope.nested();
        for (String nested : inv.nestedScripts()) inspect(ShellWords.parse(nested), deeper);
        if (Programs.isInterpreter(inv.program()) || Programs.isAwk(inv.program())) {
            String code = ReverseShellRules.inlineCode(inv);
            for (String command : InterpreterCommands.of(code)) inspect(ShellWords.parse(command), deeper);
            if (Programs.isTcl(inv.program())) {
                for (String command : InterpreterCommands.tcl(code)) inspect(ShellWords.parse(command), deeper);
            }
        }
        if (input.isPresent() && runsInput(inv)) {
            Piped in = input.get();
            String text = inv.program().equals("crontab") ? crontabCommands(in.text()) : in.text();
            Scope from = in.encoding().map(e -> deeper.decodedFrom(e, in.text())).orElse(deeper);
            inspect(ShellWords.parse(text), from);
        }
        for (String text : inv.texts()) {
            for (String decoded : Payloads.base64Tokens(text)) {
                inspect(ShellWords.parse(decoded), deeper.asData().decodedFrom("base64", decoded));
            }
        }
    }

    /**
     * Files the script runs as programs or shell scripts: {@code sh /tmp/x}, {@code . ./env}, {@code /tmp/x}. A file
     * written earlier in the same script and run here is read as the commands it holds, whatever its name.
     */
    private static Set<String> runFiles(List<List<Invocation>> pipelines) {
        Set<String> out = new LinkedHashSet<>();
        for (List<Invocation> stages : pipelines) {
            for (Invocation inv : stages) {
                if (inv.argv().isEmpty()) continue;
                String first = inv.argv().getFirst();
                if (first.indexOf('/') >= 0) out.add(plainPath(first));
                boolean sourced = inv.program().equals(".") || inv.program().equals("source");
                if (sourced || Programs.isShell(inv.program()) && inv.nestedScripts().isEmpty()) {
                    inv.args().stream().filter(a -> !a.startsWith("-") && !a.startsWith("+")).findFirst().map(CommandLineRules::plainPath).ifPresent(out::add);
                }
            }
        }
        return out;
    }

    /** {@code ./run} and {@code run} name one file. */
    private static String plainPath(String path) {
        String p = path;
        while (p.startsWith("./")) p = p.substring(2);
        return p;
    }

    /** What a {@code ( … )} group starting at pipeline {@code from} writes to the pipe after it: its pipelines' outputs in turn. */
    private static Optional<Piped> groupOutput(List<Optional<Piped>> outputs, int from) {
        if (from < 0) return Optional.empty();
        StringBuilder text = new StringBuilder();
        Optional<String> encoding = Optional.empty();
        for (int i = from; i < outputs.size(); i++) {
            if (outputs.get(i).isEmpty()) continue;
            Piped p = outputs.get(i).get();
            text.append(p.text());
            if (encoding.isEmpty()) encoding = p.encoding();
        }
        return text.isEmpty() ? Optional.empty() : Optional.of(new Piped(text.toString(), encoding));
    }

    /** Whether the command runs what arrives on its stdin as shell commands. */
    private static boolean runsInput(Invocation inv) {
        String p = inv.program();
        if (p.equals("crontab")) return inv.args().stream().noneMatch(a -> a.startsWith("-") && !a.equals("-"));
        return inv.readsStdin() && (Programs.isShell(p) || p.equals("at") || p.equals("batch"));
    }

    /** The command part of each crontab line: the five time fields (or an {@code @reboot}) dropped. */
    private static String crontabCommands(String table) {
        StringBuilder out = new StringBuilder();
        for (String line : table.split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) continue;
            String[] fields = l.split("\\s+", l.startsWith("@") ? 2 : 6);
            if (fields.length == (l.startsWith("@") ? 2 : 6)) out.append(fields[fields.length - 1]).append('\n');
            else if (!l.contains("=")) out.append(l).append('\n');
        }
        return out.toString();
    }

    /** A python, perl, ruby, node or php script, by its name or its {@code #!} line. */
    private static boolean isInterpreterScript(String path, String text) {
        String lower = path.toLowerCase(Locale.ROOT);
        if (INTERPRETER_SUFFIXES.stream().anyMatch(lower::endsWith)) return true;
        if (!text.startsWith("#!")) return false;
        int eol = text.indexOf('\n');
        String line = text.substring(2, eol < 0 ? text.length() : eol).strip();
        return ShellWords.parse(line).pipelines().stream().flatMap(p -> p.commands().stream()).map(Invocation::of).findFirst()
                .map(i -> Programs.isInterpreter(i.program())).orElse(false);
    }

    private static boolean isScriptFile(String path) {
        String lower = path.toLowerCase(Locale.ROOT);
        return SCRIPT_FILE_SUFFIXES.stream().anyMatch(lower::endsWith);
    }

    /** Counters a loop steps itself: {@code i=$((i+1))}, {@code n=$[n+1]}, {@code let i++}. */
    private static Set<String> counters(Script script) {
        Set<String> names = new LinkedHashSet<>();
        for (var pipeline : script.pipelines()) {
            for (ShellWords.Command c : pipeline.commands()) {
                List<String> words = c.words();
                boolean let = !words.isEmpty() && words.getFirst().equals("let");
                for (String w : let ? words.subList(1, words.size()) : words) {
                    Matcher m = (let ? LET_TARGET : SELF_ASSIGNMENT).matcher(w);
                    if (m.find() && (let || w.substring(m.end()).matches("(?s).*(?:\\$\\{?|\\b)" + Pattern.quote(m.group(1)) + "\\b.*"))) {
                        names.add(m.group(1));
                    }
                }
            }
        }
        return names;
    }

    /** Variables {@code read} assigns: in {@code while read ip; do …} they change on every turn. */
    private static Set<String> readNames(Invocation read) {
        Set<String> names = new LinkedHashSet<>();
        List<String> args = read.args();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-a") && i + 1 < args.size()) {
                names.add(args.get(++i));
            } else if (Set.of("-d", "-n", "-N", "-p", "-t", "-u", "-i").contains(a)) {
                i++;
            } else if (IDENTIFIER.matcher(a).matches()) {
                names.add(a);
            }
        }
        return names;
    }
}
