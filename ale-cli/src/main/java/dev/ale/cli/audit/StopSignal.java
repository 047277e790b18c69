package dev.ale.cli.audit;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C (SIGINT) and SIGTERM as a request to stop, for a command whose normal end is being
 * interrupted: it finishes the line it is printing and exits 0, where the JVM's default would
 * exit 130 or 143 from wherever it was.
 *
 * <p>A shutdown hook is the JDK's supported way to see those signals ({@code sun.misc.Signal} is
 * internal API, and the build refuses warnings). The hook asks the command to stop, waits for it
 * to leave its loop (this object closed), and then halts with status 0: once shutdown has begun
 * the command's own {@code System.exit} would wait for the hooks forever.
 */
final class StopSignal implements AutoCloseable {

    /** Longest wait for the command to finish its line once a signal came. */
    private static final Duration FINISH = Duration.ofSeconds(5);

    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread hook = new Thread(this::onSignal, "ale-stop-signal");

    static StopSignal install() {
        StopSignal s = new StopSignal();
        Runtime.getRuntime().addShutdownHook(s.hook);
        return s;
    }

    private void onSignal() {
        stop.countDown();
        try {
            if (closed.await(FINISH.toMillis(), TimeUnit.MILLISECONDS)) {
                System.out.flush();
                Runtime.getRuntime().halt(0);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits up to {@code d}; true once a stop was asked for (or this thread was interrupted). */
    boolean await(Duration d) {
        try {
            return stop.await(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    @Override
    public void close() {
        closed.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutting down already: the hook is running and halts once it sees this close
        }
    }
}
