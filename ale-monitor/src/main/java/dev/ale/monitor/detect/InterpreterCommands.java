package dev.ale.monitor.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Shell commands that interpreter code hands to a shell or runs as a program: {@code os.system("…")},
 * {@code subprocess.call(["nc", "-e", …])}, node's {@code child_process.exec("…")}, perl's and ruby's
 * {@code system}, backticks and {@code qx{}}, php's {@code shell_exec}. Only string literals are read; a
 * command put together at run time stays unseen.
 */
final class InterpreterCommands {

    private static final String LITERAL = "'(?:[^'\\\\]|\\\\.)*'|\"(?:[^\"\\\\]|\\\\.)*\"|`(?:[^`\\\\]|\\\\.)*`";
    private static final Pattern CALL = Pattern.compile(
            "\\b(system|popen|getoutput|getstatusoutput|check_output|check_call|call|run|Popen|exec|execSync|spawn|spawnSync"
                    + "|execFile|execFileSync|shell_exec|passthru|proc_open|execute|execl|execlp|execle|execv|execvp|execve|spawnl|spawnlp"
                    + "|spawnv|spawnvp|capture2|capture2e|capture3)\\s*\\(?\\s*("
                    + "\\[\\s*(?:(?:" + LITERAL + ")\\s*,?\\s*)+]|(?:" + LITERAL + ")(?:\\s*,\\s*(?:" + LITERAL + "))*)");
    private static final Pattern ONE_LITERAL = Pattern.compile(LITERAL);
    private static final Pattern BACKTICKS = Pattern.compile("(?<![\\w$])`((?:[^`\\\\]|\\\\.)+)`|\\bqx\\s*\\{([^}]*)}|%x\\(([^)]*)\\)");
    private static final int MAX_COMMANDS = 64;

    private InterpreterCommands() {
    }

    /** The command lines in {@code code}, each as a shell would read it. */
    static List<String> of(String code) {
        List<String> out = new ArrayList<>();
        if (code.isBlank()) return out;
        Matcher m = CALL.matcher(code);
        while (m.find() && out.size() < MAX_COMMANDS) {
            List<String> words = new ArrayList<>();
            Matcher lit = ONE_LITERAL.matcher(m.group(2));
            while (lit.find()) words.add(unquote(lit.group()));
            if (words.isEmpty()) continue;
            // execl("/bin/sh", "sh", "-c", …) and spawnl(mode, path, argv0, …): the path comes before argv[0]
            if (m.group(1).startsWith("execl") || m.group(1).startsWith("spawnl")) words.removeFirst();
            boolean list = m.group(2).startsWith("[") || words.size() > 1;
            out.add(list ? Invocation.join(words) : words.getFirst());
        }
        Matcher b = BACKTICKS.matcher(code);
        while (b.find() && out.size() < MAX_COMMANDS) {
            for (int g = 1; g <= 3; g++) if (b.group(g) != null) out.add(b.group(g));
        }
        return out;
    }

    private static String unquote(String literal) {
        String body = literal.substring(1, literal.length() - 1);
        StringBuilder sb = new StringBuilder(body.length());
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '\\' && i + 1 < body.length()) {
                char n = body.charAt(++i);
                sb.append(switch (n) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    default -> n;
                });
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
