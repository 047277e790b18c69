package dev.ale.sandbox.local;

import dev.ale.core.passport.Passport;
import dev.ale.core.sandbox.SandboxNetwork.PreparedLink;
import dev.ale.sandbox.cgroup.Cgroup;
import dev.ale.sandbox.cgroup.CgroupLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Blank sandboxes made ahead of time: a uid, a fresh cgroup, tmpfs workspace and network
 * namespace, and a started resident init, each used by at most one sandbox and never again. A
 * blank is made for one {@link Shape} (what its mounts depend on); the passport's limits and
 * network are applied when it is claimed. One background thread refills it.
 */
final class WarmPool implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(WarmPool.class.getName());

    /** How long the target stays raised after the pool last ran dry. */
    private static final Duration DEMAND_MEMORY = Duration.ofSeconds(60);
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(2);

    /**
     * What a blank's bubblewrap mounts depend on, so a blank serves only a passport of its shape:
     * the layout the passport's filesystem rules come to (base, effective hidden paths, binds: two
     * episodes whose own task directories lie in the hidden checkout have one shape), GPU devices
     * and the workspace's size cap.
     */
    record Shape(Path base, Set<Path> hidden, Map<Path, Path> binds, boolean gpu, long workspaceBytes) {

        Shape {
            hidden = Set.copyOf(hidden);
            binds = Map.copyOf(binds);
        }

        /** {@code layout}: the passport's, without the sandbox's own files. */
        static Shape of(RootfsLayout layout, Passport passport) {
            return new Shape(layout.base(), layout.hidden(), layout.replacements(), passport.devices().gpu(),
                    passport.resources().workspaceBytes());
        }
    }

    /**
     * One prepared sandbox without a passport yet, its cgroup holding {@code limits} (the template's);
     * {@code link} is what its network made ahead (the
     * gateway's link and rules). {@code lost} is set if its init ends while it waits;
     * {@code onLost} is where the init's end is reported once a sandbox owns it.
     */
    record Blank(String id, SandboxPaths paths, int uid, Cgroup cgroup, CgroupLimits limits, Path argsFile, Optional<ResidentInit> init,
                 Optional<PreparedLink> link, boolean resolvConfPlaceholder, Shape shape, AtomicBoolean lost,
                 AtomicReference<Consumer<String>> onLost) {
    }

    /** What makes and unmakes blanks (the backend). */
    interface Maker {

        /** A new blank shaped for {@code template} (its shape {@code shape}). */
        Blank prepare(Passport template, Shape shape);

        /** Removes a blank that will never be used (torn down in the background where the backend can). */
        void discard(Blank blank);
    }

    private final int size;
    private final int maxSize;
    private final Maker maker;
    private final Deque<Blank> ready = new ArrayDeque<>();
    private final Thread filler;
    private Passport template;
    private Shape templateShape;
    private int target;
    private long raisedUntilNanos;
    private int claims;
    private boolean started;
    private boolean closed;

    /** {@code size}: blanks kept ready; demand (claims that found none) raises the target to at most four times that. */
    WarmPool(int size, Maker maker) {
        this.size = size;
        this.maxSize = Math.max(size, size * 4);
        this.target = size;
        this.maker = maker;
        this.filler = Thread.ofPlatform().daemon().name("ale-warm-pool").unstarted(this::fill);
    }

    /**
     * A blank of {@code passport}'s shape, if one is ready. The second call starts the filling (a
     * command that makes one sandbox, such as {@code ale sandbox run}, pays nothing for the pool);
     * a claim of another shape turns the pool to that shape, so it follows what is asked for.
     */
    Optional<Blank> take(Passport passport, Shape shape) {
        List<Blank> stale = new ArrayList<>();
        Optional<Blank> found = Optional.empty();
        synchronized (this) {
            if (closed) return Optional.empty();
            if (template == null || !templateShape.equals(shape)) {
                template = passport;
                templateShape = shape;
                stale.addAll(ready);
                ready.clear();
            }
            while (!ready.isEmpty()) {
                Blank b = ready.pollFirst();
                if (b.lost().get()) stale.add(b);
                else {
                    found = Optional.of(b);
                    break;
                }
            }
            if (found.isEmpty() && started) {
                // ran dry (not merely a claim before the filling started): keep more ready for a while
                target = Math.min(maxSize, target + 1);
                raisedUntilNanos = System.nanoTime() + DEMAND_MEMORY.toNanos();
            }
            if (!started && ++claims >= 2) {
                started = true;
                filler.start();
            }
            notifyAll();
        }
        stale.forEach(this::discardQuietly);
        return found;
    }

    /** The ids of the blanks ready now, oldest first. */
    synchronized List<String> ids() {
        return ready.stream().map(Blank::id).toList();
    }

    /** Waits until the pool holds its target of blanks (at once when it has not started filling), or the time is up; says which. */
    synchronized boolean awaitFull(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!closed && started && ready.size() < target) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            wait(Math.max(1, left / 1_000_000));
        }
        return !closed;
    }

    private void fill() {
        while (true) {
            Passport shapeOf;
            Shape shape;
            synchronized (this) {
                if (!closed && raisedUntilNanos != 0 && System.nanoTime() > raisedUntilNanos) {
                    target = size;
                    raisedUntilNanos = 0;
                }
                while (!closed && ready.size() >= target) {
                    try {
                        wait(raisedUntilNanos == 0 ? 0 : Math.max(1, (raisedUntilNanos - System.nanoTime()) / 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (raisedUntilNanos != 0 && System.nanoTime() > raisedUntilNanos) {
                        target = size;
                        raisedUntilNanos = 0;
                    }
                }
                if (closed) return;
                shapeOf = template;
                shape = templateShape;
            }
            Blank blank;
            try {
                blank = maker.prepare(shapeOf, shape);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "warm pool: cannot prepare a sandbox (retrying in "
                        + RETRY_AFTER_FAILURE.toSeconds() + " s): " + e.getMessage());
                try {
                    Thread.sleep(RETRY_AFTER_FAILURE);
                } catch (InterruptedException ie) {
                    return;
                }
                continue;
            }
            boolean keep;
            synchronized (this) {
                keep = !closed && blank.shape().equals(templateShape);
                if (keep) {
                    ready.addLast(blank);
                    notifyAll();
                }
            }
            if (!keep) discardQuietly(blank);
        }
    }

    private void discardQuietly(Blank blank) {
        try {
            maker.discard(blank);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "warm pool: could not remove " + blank.id() + " (ale sandbox gc retries): " + e.getMessage());
        }
    }

    /** Stops the filling and removes every blank; waits for a blank being made, so none is left behind. */
    @Override
    public void close() {
        List<Blank> left;
        synchronized (this) {
            if (closed) return;
            closed = true;
            left = new ArrayList<>(ready);
            ready.clear();
            notifyAll();
        }
        // not interrupted: a blank half made finishes, and is then removed by the filler itself
        if (filler.isAlive()) {
            try {
                filler.join(Duration.ofSeconds(60));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        left.forEach(this::discardQuietly);
    }
}
