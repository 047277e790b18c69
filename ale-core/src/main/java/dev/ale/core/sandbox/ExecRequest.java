package dev.ale.core.sandbox;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One command: an argument vector (never a shell string), extra environment, working
 * directory inside the sandbox, bytes for stdin, a timeout, and a listener that sees output
 * as it comes, and the workload it declares. The sandbox's wall time bounds every timeout.
 */
public record ExecRequest(
        List<String> argv,
        Map<String, String> env,
        Optional<String> cwd,
        byte[] stdin,
        Optional<Duration> timeout,
        OutputListener listener,
        Workload workload) {

    /**
     * What a command declares it will do with the CPU. A {@code CPU_HEAVY} command (a build, a test
     * suite, the user's own command) is not taken for a miner because it keeps a core busy.
     */
    public enum Workload { ORDINARY, CPU_HEAVY }

    public ExecRequest(List<String> argv, Map<String, String> env, Optional<String> cwd, byte[] stdin, Optional<Duration> timeout,
                       OutputListener listener) {
        this(argv, env, cwd, stdin, timeout, listener, Workload.ORDINARY);
    }

    public ExecRequest {
        argv = List.copyOf(argv);
        if (argv.isEmpty()) throw new IllegalArgumentException("argv must not be empty");
        env = Map.copyOf(env);
        cwd = cwd == null ? Optional.empty() : cwd;
        stdin = stdin == null ? new byte[0] : stdin;
        timeout = timeout == null ? Optional.empty() : timeout;
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(workload, "workload");
    }

    public static ExecRequest of(String... argv) {
        return new ExecRequest(List.of(argv), Map.of(), Optional.empty(), new byte[0], Optional.empty(), OutputListener.NONE);
    }

    public static ExecRequest of(List<String> argv) {
        return new ExecRequest(argv, Map.of(), Optional.empty(), new byte[0], Optional.empty(), OutputListener.NONE);
    }

    public ExecRequest withTimeout(Duration newTimeout) {
        return new ExecRequest(argv, env, cwd, stdin, Optional.of(newTimeout), listener, workload);
    }

    public ExecRequest withStdin(byte[] newStdin) {
        return new ExecRequest(argv, env, cwd, newStdin, timeout, listener, workload);
    }

    public ExecRequest withEnv(Map<String, String> newEnv) {
        return new ExecRequest(argv, newEnv, cwd, stdin, timeout, listener, workload);
    }

    public ExecRequest withCwd(String newCwd) {
        return new ExecRequest(argv, env, Optional.of(newCwd), stdin, timeout, listener, workload);
    }

    public ExecRequest withListener(OutputListener newListener) {
        return new ExecRequest(argv, env, cwd, stdin, timeout, newListener, workload);
    }

    public ExecRequest withWorkload(Workload newWorkload) {
        return new ExecRequest(argv, env, cwd, stdin, timeout, listener, newWorkload);
    }
}
