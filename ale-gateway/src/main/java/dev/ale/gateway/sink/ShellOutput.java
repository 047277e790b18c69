package dev.ale.gateway.sink;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Recognises a shell talking on a connection: what a reverse shell sends before anyone types
 * (an interactive shell's prompt, or its complaint that there is no terminal) and what it sends
 * after the first command ({@code id}). No protocol a client speaks opens like this.
 *
 * <p>Known misses: a shell that prints nothing until a command arrives ({@code sh} without
 * {@code -i}) shows nothing the sink could read; a prompt set to something arbitrary ({@code PS1})
 * is not recognised.
 */
final class ShellOutput {

    /** Terminal escapes a prompt is dressed in: colours, window titles, bracketed paste. */
    private static final Pattern ESCAPES = Pattern.compile("\u001b\\[[0-9;?]*[A-Za-z]|\u001b\\][^\u0007\u001b]{0,256}(?:\u0007|\u001b\\\\)");

    private static final List<Pattern> LINES = List.of(
            // id: uid=0(root) gid=0(root) groups=0(root)
            Pattern.compile("uid=\\d{1,10}\\([^)\\s]{0,32}\\)\\s+gid=\\d{1,10}\\(.*"),
            // an interactive shell whose input is no terminal says so first
            Pattern.compile("(?:/bin/)?(?:ba|da|z|k|)sh(?:-[\\d.]+)?: (?:\\d+: )?(?:cannot set terminal process group"
                    + "|no job control in this shell|can't access tty; job control turned off).*"),
            // user@host:~/dir$ , root@box:/# , [user@host dir]$
            Pattern.compile("\\[?[A-Za-z_][A-Za-z0-9_.-]{0,31}@[A-Za-z0-9][A-Za-z0-9_.-]{0,63}"
                    + "(?::[^\\s]{0,255}|\\s[^\\r\\n\\]]{0,255}\\])\\s?[#$%] ?"),
            // sh-5.2$ , bash-5.1# , sh$
            Pattern.compile("(?:ba|da|z|k|c|tc)?sh(?:-\\d+(?:\\.\\d+)*)?[#$] ?"),
            // PowerShell and cmd.exe
            Pattern.compile("PS [A-Za-z]:\\\\[^\\r\\n]{0,255}> ?"),
            Pattern.compile("[A-Za-z]:\\\\[^\\r\\n<>|]{0,255}>"),
            Pattern.compile("Microsoft Windows \\[Version [\\d.]+\\].*"));

    /** A prompt alone, with nothing before it: what {@code sh -i} shows as root or as a user. */
    private static final Pattern BARE_PROMPT = Pattern.compile("[#$%] ?");

    private ShellOutput() {
    }

    /** A cheap look for what every pattern needs, so most lines never meet a regular expression. */
    private static boolean mayBeShell(String line) {
        return line.indexOf('@') >= 0 || line.indexOf('$') >= 0 || line.indexOf('#') >= 0 || line.indexOf('%') >= 0
                || line.indexOf('>') >= 0 || line.contains("uid=") || line.contains("sh:") || line.contains("Microsoft");
    }

    /**
     * The line, cleaned of terminal escapes, when it is a shell talking; {@code lastUnended}: it is
     * the last line and has no line end yet, so a bare {@code $ } or {@code # } prompt counts too.
     */
    static Optional<String> find(String line, boolean lastUnended) {
        if (!mayBeShell(line)) return Optional.empty();
        String clean = (line.indexOf('\u001b') >= 0 ? ESCAPES.matcher(line).replaceAll("") : line).strip();
        if (clean.isEmpty()) return Optional.empty();
        for (Pattern p : LINES) {
            if (p.matcher(clean).matches()) return Optional.of(FirstBytes.printable(clean));
        }
        if (lastUnended && BARE_PROMPT.matcher(clean).matches()) return Optional.of(clean);
        return Optional.empty();
    }
}
