package dev.ale.monitor.detect;

import java.util.List;

/**
 * Looks at a command line for signs of mining, tunnels, reverse shells, probing, metadata and credential
 * access, and processes left running. Pure: no I/O, no state; the same input gives the same answer.
 */
public interface CommandLineDetector {

    /** A process's argv as found by a sweep ({@code /proc/<pid>/cmdline}); no shell syntax is interpreted. */
    List<Detection> inspectArgv(List<String> argv);

    /** A shell command line a tool is about to run, as the agent wrote it. */
    List<Detection> inspectShellCommand(String command);

    /** The rules ALE ships: {@link CommandLineRules}. */
    static CommandLineDetector standard() {
        return new CommandLineRules();
    }
}
