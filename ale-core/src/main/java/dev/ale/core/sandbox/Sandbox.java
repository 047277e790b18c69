package dev.ale.core.sandbox;

import dev.ale.core.passport.Phase;
import java.util.List;
import java.util.Optional;

/**
 * One isolated process tree with its own namespaces, cgroup and workspace. Every command runs
 * as an unprivileged user with no capabilities; {@link #kill} stops all of them at once.
 */
public interface Sandbox extends AutoCloseable {

    String id();

    SandboxInfo info();

    /** Runs one command to completion (or its timeout) in a fresh process tree in this sandbox. */
    ExecResult exec(ExecRequest request);

    /** A shell whose working directory and environment persist between commands. */
    default ShellSession openSession() {
        return openSession(SessionRequest.defaults());
    }

    /** A shell that starts in the request's directory with its variables (the start is no command of its own). */
    ShellSession openSession(SessionRequest request);

    SandboxFiles files();

    SandboxStats stats();

    /** Every process in the sandbox now, read from the host (for the monitor's sweep). */
    List<ProcessSnapshot> processes();

    /**
     * What identifies the file a process of this sandbox executes (see {@link RunFile#identity()}),
     * read through the process's own link to it: renaming or copying the file does not hide it.
     * Empty when the process is gone, has no executable, or the backend cannot read it.
     */
    default Optional<String> executableIdentity(ProcessSnapshot process) {
        return Optional.empty();
    }

    /**
     * The file a process executes when asked, its first {@code maxBytes} at most; empty as for
     * {@link #executableIdentity}. The content is that of the file its identity names, which the
     * process may have left by the time this returns: compare with {@link #executableIdentity}.
     */
    default Optional<RunFile> executable(ProcessSnapshot process, int maxBytes) {
        return Optional.empty();
    }

    /**
     * A regular file as a process sees it ({@code path} absolute or from its working directory), its
     * first {@code maxBytes} at most: the script an interpreter was given. Empty when it cannot be
     * read without following a link (the host must never read a file outside the sandbox for it).
     */
    default Optional<RunFile> scriptOf(ProcessSnapshot process, String path, int maxBytes) {
        return Optional.empty();
    }

    /** Where this sandbox's writes over its image land, on the host; empty when it is not rooted in an image (or the backend cannot say). */
    default Optional<ImageWrites> imageWrites() {
        return Optional.empty();
    }

    /** The phase whose egress allowlist is in force. */
    Phase phase();

    /** Switches to another phase's egress allowlist (setup, agent, verify). */
    void enterPhase(Phase phase);

    /**
     * Stops every process in the sandbox where it is (a hold at run time); its wall-time clock keeps
     * running, and a kill (a deny, the wall time) still ends it.
     */
    void freeze();

    /** Lets a frozen sandbox's processes run on. */
    void thaw();

    /**
     * Freezes and kills every process in the sandbox; later commands are refused. The reason
     * ({@code timeout}, {@code memory}, {@code pids}, or a monitor rule id) is reported by
     * every command that was running.
     */
    void kill(String reason);

    /** Kills everything and removes every trace of the sandbox from the host. Idempotent. */
    void destroy();

    @Override
    default void close() {
        destroy();
    }
}
