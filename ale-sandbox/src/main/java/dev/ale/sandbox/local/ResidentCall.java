package dev.ale.sandbox.local;

import dev.ale.core.sandbox.OutputListener;
import java.io.IOException;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A call the resident init runs: fed by the init's reader thread, waited on by the caller. */
final class ResidentCall implements RunningCall {

    /** What a call ends with when the init is gone: it was killed with everything in its namespace. */
    static final int LOST = 128 + 9;

    /** How long a killed call's tree gets to be swept before the init itself is taken for broken. */
    private static final Duration KILL_GRACE = Duration.ofSeconds(10);

    private final ResidentInit init;
    private final int id;
    private final OutputListener listener;
    private final CapturedOutput out;
    private final CapturedOutput err;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private volatile boolean lost;
    private volatile String failure = "";

    ResidentCall(ResidentInit init, int id, OutputListener listener, CapturedOutput out, CapturedOutput err) {
        this.init = init;
        this.id = id;
        this.listener = listener;
        this.out = out;
        this.err = err;
    }

    /** The command's process, as the sandbox's pid namespace numbers it; 0 until the init says. */
    private volatile int mainPid;

    /** The inode of an open call's stdin socket, the process's end (see {@link ResidentInit#withSessionSockets}). */
    private volatile OptionalLong stdinSocket = OptionalLong.empty();
    private final CompletableFuture<Void> started = new CompletableFuture<>();

    void started(int commandPid, OptionalLong socketInode) {
        mainPid = commandPid;
        stdinSocket = socketInode;
        started.complete(null);
    }

    OptionalLong stdinSocket() {
        return stdinSocket;
    }

    /** Waits until the init has started the call (or could not, or is gone); false at the limit. */
    boolean awaitStarted(Duration limit) {
        return settledWithin(CompletableFuture.anyOf(started, exit), limit);
    }

    /** Whether {@code f} completed (normally or not) within {@code limit}; false when interrupted. */
    private static boolean settledWithin(CompletableFuture<?> f, Duration limit) {
        try {
            f.get(Math.max(0, limit.toMillis()), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }

    int mainPid() {
        return mainPid;
    }

    /** Writes to the stdin of a call the init opened for input ({@link ResidentInit#open}). */
    void input(byte[] data) throws IOException {
        init.input(id, data);
    }

    /** Ends the stdin of an open call: its process reads end of file. */
    void closeInput() {
        init.closeInput(id);
    }

    void signal(int signal) {
        init.signal(id, signal);
    }

    /** Whether the call has ended (or the init under it). */
    boolean isDone() {
        return exit.isDone();
    }

    /** Runs {@code action} once the call has ended, on the thread that learns it (at once if it has). */
    void whenDone(Runnable action) {
        exit.whenComplete((code, error) -> action.run());
    }

    void output(OutputListener.Stream which, byte[] data, int n) {
        (which == OutputListener.Stream.STDOUT ? out : err).append(data, n);
        listener.onOutput(which, data, n);
    }

    void exited(int code) {
        exit.complete(code);
        wakeWriter();
    }

    void failed(String message) {
        failure = message;
        exit.complete(126);
        wakeWriter();
    }

    void lost() {
        lost = true;
        exit.complete(LOST);
        wakeWriter();
    }

    /** Bytes of a write's data sent to the init and not yet passed on to the call's process. */
    private long unpassed;

    /** Counts {@code n} bytes of a write's data as sent (the first chunk, which needs no room). */
    synchronized void reserve(int n) {
        unpassed += n;
    }

    /** The init passed {@code n} bytes of a write's data on to the call's process. */
    synchronized void taken(int n) {
        unpassed -= n;
        notifyAll();
    }

    private synchronized void wakeWriter() {
        notifyAll();
    }

    /**
     * Waits until {@code n} more bytes fit in the init's {@code window} and counts them as sent; false,
     * sending nothing, when the call has ended or {@code deadline} ({@link System#nanoTime}) passed first.
     */
    synchronized boolean awaitRoom(int n, long window, long deadline) {
        while (unpassed + n > window) {
            long left = deadline - System.nanoTime();
            if (exit.isDone() || left <= 0) return false;
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        if (exit.isDone()) return false;
        unpassed += n;
        return true;
    }

    /** Whether the init ended under this call: its result says nothing about the command. */
    boolean wasLost() {
        return lost;
    }

    String failure() {
        return failure;
    }

    @Override
    public boolean waitFor(Duration limit) {
        return settledWithin(exit, limit);
    }

    @Override
    public void kill() {
        init.kill(id);
    }

    @Override
    public int finish() {
        if (!waitFor(KILL_GRACE)) {
            // an init that cannot end a call is not trusted with the next: it goes, and the sandbox fails closed
            init.close();
            waitFor(KILL_GRACE);
        }
        return exit.getNow(LOST);
    }
}
