package dev.ale.monitor.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Shell commands that interpreter code hands to a shell or runs as a program: {@code os.system("…")},
 * {@code subprocess.call(["nc", "-e", …])}, node's {@code child_process.exec("…")}, perl's and ruby's
 * {@code system}, backticks and {@code qx{}}, php's {@code shell_exec}. Only string literals are read; a
 * command put together at run time stays unseen. Literals are scanned by hand, not by a regular
 * expression: an alternation repeated per character recurses per character, and a long literal would
 * overflow the stack.
 */
final class InterpreterCommands {

    private static final Pattern CALL = Pattern.compile(
            "\\b(system|popen|getoutput|getstatusoutput|check_output|check_call|call|run|Popen|exec|execSync|spawn|spawnSync"
                    + "|execFile|execFileSync|shell_exec|passthru|proc_open|execute|execl|execlp|execle|execv|execvp|execve|spawnl|spawnlp"
                    + "|spawnv|spawnvp|capture2|capture2e|capture3|qx)\\b\\s*+[({]?\\s*+");
    private static final int MAX_COMMANDS = 64;
    private static final Pattern TCL_RUN = Pattern.compile("(?:^|[\\[;{\\n])\\s*(?:exec|spawn)\\s+(?:-\\S+\\s+)*([^;\\]\\n}]+)");

    private InterpreterCommands() {
    }

    /** The command lines in {@code code}, each as a shell would read it. */
    static List<String> of(String code) {
        List<String> out = new ArrayList<>();
        if (code.isBlank()) return out;
        Matcher m = CALL.matcher(code);
        while (m.find() && out.size() < MAX_COMMANDS) {
            if (m.group(1).equals("qx")) {
                int close = code.indexOf('}', m.end());
                if (m.group().contains("{") && close > m.end()) out.add(code.substring(m.end(), close));
                continue;
            }
            List<String> words = arguments(code, m.end());
            if (words.isEmpty()) continue;
            // execl("/bin/sh", "sh", "-c", …) and spawnl(mode, path, argv0, …): the path comes before argv[0]
            if (m.group(1).startsWith("execl") || m.group(1).startsWith("spawnl")) words.removeFirst();
            boolean list = code.charAt(m.end()) == '[' || words.size() > 1;
            if (!words.isEmpty()) out.add(list ? Invocation.join(words) : words.getFirst());
        }
        // backticks run a command in perl and ruby (in node they make a template literal, read above as an argument)
        for (int at = code.indexOf('`'); at >= 0 && out.size() < MAX_COMMANDS; at = code.indexOf('`', at + 1)) {
            boolean argument = at > 0 && "([,".indexOf(previousNonBlank(code, at)) >= 0;
            Optional<Literal> lit = literal(code, at);
            if (lit.isEmpty()) break;
            if (!argument && !lit.get().text().isBlank()) out.add(lit.get().text());
            at = lit.get().end() - 1;
        }
        return out;
    }

    /** Tcl's {@code exec cmd args} and expect's {@code spawn cmd args}: the rest of the statement runs as a program. */
    static List<String> tcl(String code) {
        List<String> out = new ArrayList<>();
        Matcher m = TCL_RUN.matcher(code);
        while (m.find() && out.size() < MAX_COMMANDS) {
            String command = m.group(1).replaceAll("\\s[<>]@\\S*", " ").strip();
            if (!command.isEmpty()) out.add(command);
        }
        return out;
    }

    private record Literal(String text, int end) {
    }

    /** The literals at {@code from}: one, several separated by commas, or a {@code [ … ]} list of them. */
    private static List<String> arguments(String code, int from) {
        List<String> words = new ArrayList<>();
        int i = from;
        boolean list = i < code.length() && code.charAt(i) == '[';
        if (list) i = skipBlanks(code, i + 1);
        while (i < code.length() && words.size() < 256) {
            Optional<Literal> lit = literal(code, i);
            if (lit.isEmpty()) break;
            words.add(lit.get().text());
            i = skipBlanks(code, lit.get().end());
            if (i >= code.length() || code.charAt(i) != ',') break;
            i = skipBlanks(code, i + 1);
        }
        return words;
    }

    /** A quoted literal starting at {@code at} (', " or `), its escapes undone. */
    private static Optional<Literal> literal(String code, int at) {
        if (at >= code.length()) return Optional.empty();
        char quote = code.charAt(at);
        if (quote != '\'' && quote != '"' && quote != '`') return Optional.empty();
        StringBuilder sb = new StringBuilder();
        for (int i = at + 1; i < code.length(); i++) {
            char c = code.charAt(i);
            if (c == quote) return Optional.of(new Literal(sb.toString(), i + 1));
            if (c == '\\' && i + 1 < code.length()) {
                char n = code.charAt(++i);
                sb.append(switch (n) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    default -> n;
                });
            } else {
                sb.append(c);
            }
        }
        return Optional.empty();
    }

    private static int skipBlanks(String code, int i) {
        while (i < code.length() && Character.isWhitespace(code.charAt(i))) i++;
        return i;
    }

    private static char previousNonBlank(String code, int at) {
        for (int i = at - 1; i >= 0; i--) {
            if (!Character.isWhitespace(code.charAt(i))) return code.charAt(i);
        }
        return ' ';
    }
}
