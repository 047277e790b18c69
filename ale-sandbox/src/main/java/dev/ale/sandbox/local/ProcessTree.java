package dev.ale.sandbox.local;

import dev.ale.core.AleException.Fault;
import dev.ale.core.sandbox.OutputListener;
import dev.ale.core.sandbox.SandboxException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One started sandbox command: feeds stdin, pumps both outputs to captures and a listener, waits. */
final class ProcessTree implements RunningCall {

    /**
     * Pipe I/O gets platform threads: a blocking read on a process pipe pins a virtual thread's
     * carrier, and 128 idle shells (two pipes each) would then stall every virtual thread in the
     * JVM (found by the 200-sandbox benchmark). Small stacks keep hundreds of them cheap.
     */
    static final Thread.Builder PIPE_THREADS = Thread.ofPlatform().daemon().stackSize(256 * 1024).name("ale-pipe-", 0);

    private final Process process;
    private final Thread outPump;
    private final Thread errPump;

    private ProcessTree(Process process, Thread outPump, Thread errPump) {
        this.process = process;
        this.outPump = outPump;
        this.errPump = errPump;
    }

    static ProcessTree start(List<String> command, byte[] stdin, OutputListener listener,
                             CapturedOutput out, CapturedOutput err) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.environment().put("PATH", HostCommands.PATH);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new SandboxException(Fault.ENVIRONMENT, "cannot start the sandbox command: " + e.getMessage(), e);
        }
        PIPE_THREADS.start(() -> feed(p.getOutputStream(), stdin));
        Thread o = PIPE_THREADS.start(() -> pump(p.getInputStream(), OutputListener.Stream.STDOUT, listener, out));
        Thread e = PIPE_THREADS.start(() -> pump(p.getErrorStream(), OutputListener.Stream.STDERR, listener, err));
        return new ProcessTree(p, o, e);
    }

    Process process() {
        return process;
    }

    @Override
    public boolean waitFor(Duration limit) {
        try {
            return process.waitFor(Math.max(0, limit.toMillis()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Kills the tree: SIGKILL to bwrap, whose --die-with-parent takes the sandbox's pid 1 and
     * with it every process of this command's pid namespace.
     */
    @Override
    public void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** Exit code after the pumps have drained (bounded, a grandchild may hold the pipes). */
    @Override
    public int finish() {
        try {
            int code = process.waitFor();
            outPump.join(Duration.ofSeconds(5));
            errPump.join(Duration.ofSeconds(5));
            return code;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static void feed(OutputStream in, byte[] data) {
        try (in) {
            in.write(data);
        } catch (IOException e) {
            // the command closed its stdin early; that is its business
        }
    }

    private static void pump(InputStream stream, OutputListener.Stream which, OutputListener listener, CapturedOutput capture) {
        byte[] buf = new byte[8192];
        try (stream) {
            int n;
            while ((n = stream.read(buf)) > 0) {
                capture.append(buf, n);
                listener.onOutput(which, buf, n);
            }
        } catch (IOException e) {
            // process gone
        }
    }
}
