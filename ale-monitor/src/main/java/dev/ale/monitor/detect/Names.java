package dev.ale.monitor.detect;

import dev.ale.monitor.detect.ShellWords.Command;
import dev.ale.monitor.detect.ShellWords.Redirect;
import dev.ale.monitor.detect.ShellWords.Script;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a script's own earlier commands make a later word mean: a variable given a plain value
 * ({@code N=nc; $N -e sh h p}, {@code a=xm; b=rig; ./$a$b}) and a copy or link of a program under another name
 * ({@code cp /bin/nc /tmp/x; /tmp/x -e sh h p}). Only literal values are followed: a value that is itself
 * computed ({@code $(…)}, another variable) and a loop's variables stay unknown.
 */
final class Names {

    private static final Pattern ASSIGNMENT = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(.*)", Pattern.DOTALL);
    private static final Pattern REFERENCE = Pattern.compile("\\$(?:\\{([A-Za-z_][A-Za-z0-9_]*)}|([A-Za-z_][A-Za-z0-9_]*))");
    private static final Set<String> COPIERS = Set.of("cp", "ln", "install", "mv", "rsync");

    private final Map<String, String> values;
    private final Map<String, String> renamed;

    private Names(Map<String, String> values, Map<String, String> renamed) {
        this.values = values;
        this.renamed = renamed;
    }

    /** The plain assignments and program copies a script makes, loop variables left out. */
    static Names of(Script script, Set<String> loopVariables) {
        Map<String, String> values = new HashMap<>();
        Map<String, String> renamed = new HashMap<>();
        for (var pipeline : script.pipelines()) {
            for (Command c : pipeline.commands()) {
                List<String> w = c.words();
                boolean onlyAssignments = !w.isEmpty() && w.stream().allMatch(x -> ASSIGNMENT.matcher(x).matches());
                if (onlyAssignments) {
                    for (String x : w) {
                        Matcher m = ASSIGNMENT.matcher(x);
                        if (m.matches() && !loopVariables.contains(m.group(1)) && m.group(2).indexOf('$') < 0 && m.group(2).indexOf('`') < 0) {
                            values.put(m.group(1), m.group(2));
                        }
                    }
                    continue;
                }
                Invocation inv = Invocation.of(c);
                if (COPIERS.contains(inv.program())) {
                    List<String> operands = inv.args().stream().filter(a -> !a.startsWith("-")).toList();
                    if (operands.size() == 2) {
                        String from = Programs.name(operands.getFirst());
                        String to = Programs.name(operands.getLast());
                        if (!from.isEmpty() && !to.isEmpty() && !from.equals(to) && !operands.getLast().endsWith("/")) renamed.put(to, from);
                    }
                }
            }
        }
        return new Names(values, renamed);
    }

    boolean isEmpty() {
        return values.isEmpty() && renamed.isEmpty();
    }

    /** The command as it runs once the script's own names are resolved, when that differs from what is written. */
    Optional<Command> resolve(Command command) {
        if (isEmpty()) return Optional.empty();
        List<String> words = new ArrayList<>();
        boolean changed = false;
        for (String w : command.words()) {
            String r = substitute(w);
            changed |= !r.equals(w);
            words.add(r);
        }
        List<Redirect> redirects = new ArrayList<>();
        for (Redirect r : command.redirects()) {
            String t = substitute(r.target());
            changed |= !t.equals(r.target());
            redirects.add(new Redirect(r.fd(), r.operator(), t, r.heredoc()));
        }
        Invocation inv = Invocation.of(new Command(words, redirects));
        String original = renamed.get(inv.program());
        if (original != null && !inv.argv().isEmpty()) {
            words.set(words.size() - inv.argv().size(), original);
            changed = true;
        }
        return changed ? Optional.of(new Command(List.copyOf(words), List.copyOf(redirects))) : Optional.empty();
    }

    private String substitute(String word) {
        if (word.indexOf('$') < 0 || values.isEmpty()) return word;
        Matcher m = REFERENCE.matcher(word);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            String value = values.get(name);
            m.appendReplacement(sb, Matcher.quoteReplacement(value != null ? value : m.group()));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
