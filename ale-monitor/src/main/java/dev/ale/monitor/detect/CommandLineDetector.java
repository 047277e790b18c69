package dev.ale.monitor.detect;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Looks at a command line for signs of mining, tunnels, reverse shells, probing, metadata and credential
 * access, and processes left running. Pure: no I/O, no state; the same input gives the same answer.
 */
public interface CommandLineDetector {

    /** {@code /bin/sh}, {@code /usr/bin/env bash}, {@code /bin/bash -e}: a shell runs the file. */
    Pattern SHEBANG_SHELL = Pattern.compile("^(?:\\S*/)?(?:env\\s+(?:-\\S+\\s+)*)?(?:ba|da|z|k|mk|a|y)?sh(?:\\s|$)");

    /** A process's argv as found by a sweep ({@code /proc/<pid>/cmdline}); no shell syntax is interpreted. */
    List<Detection> inspectArgv(List<String> argv);

    /** A shell command line a tool is about to run, as the agent wrote it. */
    List<Detection> inspectShellCommand(String command);

    /**
     * A file the agent's file tool writes, before it lands: a shell script is judged as the commands
     * it holds (what {@code bash script.sh} would run later, beyond the pre-exec check's sight), any
     * other text as one argument of a command (a miner's options moved into its config file).
     */
    default List<Detection> inspectWrittenFile(String path, String text) {
        if (isShellScript(path, text)) return inspectShellCommand(text);
        return inspectArgv(List.of("write_file", text));
    }

    /** A {@code #!} line naming a shell, or a name a shell script goes by. */
    static boolean isShellScript(String path, String text) {
        if (text.startsWith("#!")) {
            int eol = text.indexOf('\n');
            String interpreter = text.substring(2, eol < 0 ? text.length() : eol).strip();
            return SHEBANG_SHELL.matcher(interpreter).find();
        }
        return path.endsWith(".sh") || path.endsWith(".bash");
    }

    /** The rules ALE ships: {@link CommandLineRules}. */
    static CommandLineDetector standard() {
        return new CommandLineRules();
    }
}
