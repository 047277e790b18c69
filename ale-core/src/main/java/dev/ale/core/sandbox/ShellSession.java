package dev.ale.core.sandbox;

import java.time.Duration;
import java.util.Optional;

/**
 * A shell kept alive in the sandbox: {@code cd} and {@code export} in one command hold for the
 * next. A command that times out is stopped with everything it started; the session lives on.
 */
public interface ShellSession extends AutoCloseable {

    String id();

    /** Runs a shell command line (the agent's own text) with stdin from /dev/null. */
    ExecResult run(String command, Optional<Duration> timeout, OutputListener listener);

    default ExecResult run(String command) {
        return run(command, Optional.empty(), OutputListener.NONE);
    }

    boolean isOpen();

    @Override
    void close();
}
