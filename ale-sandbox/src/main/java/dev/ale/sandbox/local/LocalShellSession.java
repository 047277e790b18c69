package dev.ale.sandbox.local;

import dev.ale.core.AleException.Fault;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.OutputListener;
import dev.ale.core.sandbox.SandboxException;
import dev.ale.core.sandbox.ShellSession;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.Arrays;
import java.util.function.Function;

/**
 * A long-lived bash in the sandbox. Each command is sent as a length-prefixed block that a
 * shell function reads exactly and evals with stdin from /dev/null, so the command's text needs
 * no quoting and cannot read the protocol; a marker with a fresh nonce then ends its output on
 * both streams and carries its exit status. The bash is a call the sandbox's resident init keeps
 * open (its stdin streamed), or, on the per-call path, a bubblewrap of its own.
 */
final class LocalShellSession implements ShellSession {

    /*
     * On a timeout the host sends SIGUSR1 and kills the shell's children. The trap returns from
     * the function running the command and sets a DEBUG trap (inherited by functions, set -T)
     * that returns from every function above it, so nothing more of the command runs — not the
     * rest of a list, not a loop of builtins, not the caller of a function — and the marker is
     * still printed: the shell, its directory and its variables live on.
     */
    private static final String PRELUDE = """
            __ale_unwind='[ "${FUNCNAME[0]}" = __ale_run ] || return 137'
            trap '[ -z "$__ale_busy" ] || [ "${FUNCNAME[0]}" = __ale_run ] || { __ale_stopped=1; set -T; trap "$__ale_unwind" DEBUG; return 137; }' USR1
            __ale_exec() {
              eval "$__ale_cmd" </dev/null
            }
            __ale_run() {
              LC_ALL=C IFS= read -r -N "$1" __ale_cmd || exit 0
              __ale_busy=1
              __ale_exec
              __ale_status=$?
              __ale_busy=
              if [ -n "$__ale_stopped" ]; then trap - DEBUG; set +T; __ale_stopped=; fi
              printf '\\n\\036%s %d\\n' "$2" "$__ale_status"
              printf '\\n\\036%s\\n' "$2" >&2
            }
            """;

    /** How long a timed-out command gets to unwind before the whole session is ended instead. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(3);
    private static final Duration STOP_RETRY = Duration.ofMillis(100);

    private static final List<String> BASH = List.of("/bin/bash", "--noprofile", "--norc");
    private static final int SIGUSR1 = 10;

    private final LocalSandbox sandbox;
    private final String id;
    private final Shell bash;
    private final MarkedStream out = new MarkedStream();
    private final MarkedStream err = new MarkedStream();
    private volatile boolean open = true;

    private LocalShellSession(LocalSandbox sandbox, String id, Function<LocalShellSession, Shell> start) {
        this.sandbox = sandbox;
        this.id = id;
        this.bash = start.apply(this);
    }

    /** A bash in {@code cwd} with {@code env} over the sandbox's start environment, served by the resident init when there is one. */
    static LocalShellSession open(LocalSandbox sandbox, String cwd, Map<String, String> env, Optional<ResidentInit> resident) {
        String id = "sess-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        LocalShellSession session = new LocalShellSession(sandbox, id, s -> resident.isPresent()
                ? s.new ResidentShell(resident.get().open(BASH, env, cwd, s::output))
                : s.new BwrapShell(sandbox.command(BASH, cwd, env)));
        try {
            session.send(PRELUDE.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            session.close();
            throw new SandboxException(Fault.ENVIRONMENT, "cannot start a shell in sandbox " + sandbox.id() + ": " + e.getMessage(), e);
        }
        return session;
    }

    private void output(OutputListener.Stream which, byte[] data, int n) {
        (which == OutputListener.Stream.STDOUT ? out : err).append(data, n);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public synchronized ExecResult run(String command, Optional<Duration> timeout, OutputListener listener) {
        // a shell that ended by itself since the last command (its directory was not there) says how when run
        if (!open) {
            throw new SandboxException(Fault.INPUT, "shell session " + id + " in sandbox " + sandbox.id() + " is closed");
        }
        String nonce = "ale" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        byte[] body = command.getBytes(StandardCharsets.UTF_8);
        long oomBefore = sandbox.cgroup().oomKills();
        long pidsHitsBefore = sandbox.cgroup().pidsLimitHits();
        long start = System.nanoTime();
        Duration limit = timeout.filter(t -> t.compareTo(sandbox.remaining()) < 0).orElse(sandbox.remaining());
        long deadline = System.nanoTime() + Math.max(0, limit.toNanos());
        try {
            send(("__ale_run " + body.length + " " + nonce + "\n").getBytes(StandardCharsets.UTF_8));
            send(body);
        } catch (IOException e) {
            close();
            throw new SandboxException(Fault.INPUT, "shell session " + id + " ended: " + e.getMessage(), e);
        }
        byte[] outMarker = ("\n\036" + nonce + " ").getBytes(StandardCharsets.UTF_8);
        byte[] errMarker = ("\n\036" + nonce + "\n").getBytes(StandardCharsets.UTF_8);
        CapturedOutput outText = new CapturedOutput(LocalSandbox.CAPTURE_LIMIT);
        CapturedOutput errText = new CapturedOutput(LocalSandbox.CAPTURE_LIMIT);
        Optional<String> reason = Optional.empty();
        Optional<String> status = out.awaitMarker(outMarker, deadline, OutputListener.Stream.STDOUT, listener, outText);
        if (status.isEmpty() && bash.isAlive() && System.nanoTime() >= deadline) {
            if (sandbox.remaining().isNegative()) sandbox.kill("timeout");
            reason = Optional.of("timeout");
            status = stopCommand(outMarker, listener, outText);
        }
        err.awaitMarker(errMarker, System.nanoTime() + Duration.ofSeconds(2).toNanos(), OutputListener.Stream.STDERR, listener, errText);
        int exit;
        if (status.isPresent()) {
            exit = Integer.parseInt(status.get().strip());
        } else {
            // the shell itself ended: `exit` in the command, or the sandbox was killed
            exit = waitExit();
            open = false;
            sandbox.forget(this);
        }
        if (sandbox.state().killReason() != null) reason = Optional.of(sandbox.state().killReason());
        if (reason.isEmpty() && sandbox.cgroup().oomKills() > oomBefore) reason = Optional.of("memory");
        if (reason.isEmpty() && sandbox.cgroup().pidsLimitHits() > pidsHitsBefore) reason = sandbox.killedForPids();
        return new ExecResult(exit, reason.isPresent(), reason, Duration.ofNanos(System.nanoTime() - start),
                outText.text(), errText.text(), outText.truncated() || errText.truncated(), List.of());
    }

    private int waitExit() {
        return bash.exitCode();
    }

    /**
     * Like Ctrl-C at a terminal, but certain: the shell is told to abandon the command and every
     * process below it is killed, again until the marker comes (a new child may have started
     * meanwhile). A command that keeps the shell from unwinding (it trapped SIGUSR1 itself) ends
     * the whole session instead; either way nothing of the command is left running.
     */
    private Optional<String> stopCommand(byte[] outMarker, OutputListener listener, CapturedOutput outText) {
        long giveUp = System.nanoTime() + STOP_GRACE.toNanos();
        while (bash.isAlive() && System.nanoTime() < giveUp) {
            bash.interrupt();
            Optional<String> status = out.awaitMarker(outMarker, System.nanoTime() + STOP_RETRY.toNanos(),
                    OutputListener.Stream.STDOUT, listener, outText);
            if (status.isPresent()) return status;
        }
        close();
        return Optional.empty();
    }

    private void send(byte[] data) throws IOException {
        bash.send(data);
    }

    @Override
    public boolean isOpen() {
        return open && bash.isAlive();
    }

    @Override
    public void close() {
        open = false;
        bash.close();
        sandbox.forget(this);
    }

    /** The session's bash, however it was started. */
    private sealed interface Shell permits BwrapShell, ResidentShell {

        void send(byte[] data) throws IOException;

        boolean isAlive();

        /** Its exit code once it has ended (it is ended if it does not within a few seconds). */
        int exitCode();

        /** SIGUSR1 to the bash (see PRELUDE), and SIGKILL to every process below it. */
        void interrupt();

        /** Kills the bash and everything it started. */
        void close();
    }

    /** A bash in a bubblewrap of its own (the per-call path): its pipes are the launcher's. */
    private final class BwrapShell implements Shell {
        private final Process process;
        private volatile ProcessHandle shell;

        BwrapShell(List<String> command) {
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().clear();
            pb.environment().put("PATH", HostCommands.PATH);
            try {
                process = pb.start();
            } catch (IOException e) {
                throw new SandboxException(Fault.ENVIRONMENT, "cannot start a shell in sandbox " + sandbox.id() + ": " + e.getMessage(), e);
            }
            out.readFrom(process.getInputStream());
            err.readFrom(process.getErrorStream());
        }

        @Override
        public void send(byte[] data) throws IOException {
            process.getOutputStream().write(data);
            process.getOutputStream().flush();
        }

        @Override
        public boolean isAlive() {
            return process.isAlive();
        }

        @Override
        public int exitCode() {
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    close();
                    process.waitFor();
                }
                return process.exitValue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }

        @Override
        public void interrupt() {
            shell().ifPresent(bash -> {
                HostCommands.tryRun(List.of("kill", "-USR1", String.valueOf(bash.pid())));
                bash.descendants().forEach(ProcessHandle::destroyForcibly);
            });
        }

        /** The session's bash (bwrap → bwrap init → bash): the first bash below the launcher. */
        private Optional<ProcessHandle> shell() {
            ProcessHandle known = shell;
            if (known != null && known.isAlive()) return Optional.of(known);
            Optional<ProcessHandle> found = process.descendants()
                    .filter(h -> h.info().command().map(c -> c.endsWith("/bash")).orElse(false))
                    .findFirst();
            found.ifPresent(h -> shell = h);
            return found;
        }

        @Override
        public void close() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    /**
     * A bash the resident init keeps open as one call: its stdin is streamed through the init, its
     * output comes as the call's, and a kill ends it as any call's tree is ended.
     */
    private final class ResidentShell implements Shell {
        private final ResidentCall call;

        ResidentShell(ResidentCall call) {
            this.call = call;
            call.whenDone(() -> {
                out.end();
                err.end();
            });
        }

        @Override
        public void send(byte[] data) throws IOException {
            // input for a shell that has ended is dropped by the init: the command's result is the shell's end
            call.input(data);
        }

        @Override
        public boolean isAlive() {
            return !call.isDone();
        }

        @Override
        public int exitCode() {
            if (!call.waitFor(Duration.ofSeconds(5))) call.kill();
            return call.finish();
        }

        @Override
        public void interrupt() {
            call.signal(SIGUSR1);
            sandbox.hostProcess(call.mainPid()).ifPresent(bash -> bash.descendants().forEach(ProcessHandle::destroyForcibly));
        }

        @Override
        public void close() {
            call.closeInput();
            call.kill();
        }
    }

    /** A stream fed (by a reader thread, or by the init's responses) into a buffer, split at markers. */
    private static final class MarkedStream {
        private final byte[] chunk = new byte[8192];
        private byte[] buffer = new byte[0];
        private boolean eof;

        /** Feeds the stream from {@code in} on a thread of its own, to its end. */
        void readFrom(InputStream in) {
            ProcessTree.PIPE_THREADS.start(() -> {
                byte[] b = new byte[8192];
                try (in) {
                    int n;
                    while ((n = in.read(b)) > 0) append(b, n);
                } catch (IOException e) {
                    // session ended
                }
                end();
            });
        }

        synchronized void end() {
            eof = true;
            notifyAll();
        }

        synchronized void append(byte[] b, int n) {
            byte[] grown = new byte[buffer.length + n];
            System.arraycopy(buffer, 0, grown, 0, buffer.length);
            System.arraycopy(b, 0, grown, buffer.length, n);
            buffer = grown;
            notifyAll();
        }

        /**
         * Hands output to the capture and listener until the marker, then returns the rest of the
         * marker's line; empty at the deadline or end of stream. Bytes that may be the start of a
         * marker are held back until it is clear they are not.
         */
        synchronized Optional<String> awaitMarker(byte[] marker, long deadlineNanos, OutputListener.Stream which,
                                                  OutputListener listener, CapturedOutput capture) {
            while (true) {
                int at = indexOf(buffer, marker);
                if (at >= 0) {
                    int lineEnd = at + marker.length;
                    while (lineEnd < buffer.length && buffer[lineEnd] != '\n') lineEnd++;
                    if (lineEnd < buffer.length || marker[marker.length - 1] == '\n') {
                        int restStart = at + marker.length;
                        String rest = new String(buffer, restStart, Math.max(0, lineEnd - restStart), StandardCharsets.UTF_8);
                        int consumed = marker[marker.length - 1] == '\n' ? restStart : Math.min(buffer.length, lineEnd + 1);
                        emit(at, which, listener, capture);
                        buffer = Arrays.copyOfRange(buffer, consumed - at, buffer.length);
                        return Optional.of(rest);
                    }
                } else {
                    emit(Math.max(0, buffer.length - marker.length), which, listener, capture);
                }
                long wait = deadlineNanos - System.nanoTime();
                if (eof) {
                    emit(buffer.length, which, listener, capture);
                    return Optional.empty();
                }
                if (wait <= 0) return Optional.empty();
                try {
                    wait(Math.max(1, wait / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Optional.empty();
                }
            }
        }

        private void emit(int upTo, OutputListener.Stream which, OutputListener listener, CapturedOutput capture) {
            int pos = 0;
            while (pos < upTo) {
                int n = Math.min(chunk.length, upTo - pos);
                System.arraycopy(buffer, pos, chunk, 0, n);
                capture.append(chunk, n);
                listener.onOutput(which, chunk, n);
                pos += n;
            }
            buffer = Arrays.copyOfRange(buffer, upTo, buffer.length);
        }

        private static int indexOf(byte[] haystack, byte[] needle) {
            outer:
            for (int i = 0; i + needle.length <= haystack.length; i++) {
                for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
                return i;
            }
            return -1;
        }
    }
}
