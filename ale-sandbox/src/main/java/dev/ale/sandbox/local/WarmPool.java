package dev.ale.sandbox.local;

import dev.ale.core.passport.FilesystemRules;
import dev.ale.core.passport.Passport;
import dev.ale.core.sandbox.ImageRoot;
import dev.ale.core.sandbox.SandboxNetwork.PreparedLink;
import dev.ale.sandbox.cgroup.Cgroup;
import dev.ale.sandbox.cgroup.CgroupLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Blank sandboxes made ahead of time: a uid (an id range for an image), a fresh cgroup, tmpfs
 * workspace and network namespace (an image's root mounted), and a started resident init, each
 * used by at most one sandbox and never again. Blanks are kept per {@link Shape} (what their mounts
 * depend on), bounded in total; the passport's limits and network are applied when one is claimed.
 * One background thread refills them.
 */
final class WarmPool implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(WarmPool.class.getName());

    /** How long the target stays raised after the pool last ran dry. */
    private static final Duration DEMAND_MEMORY = Duration.ofSeconds(60);
    /** A shape nobody asked for in this long loses its blanks (an image's layers are then no longer held). */
    static final Duration IDLE_SHAPE = Duration.ofSeconds(60);
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(2);

    /**
     * What a blank's bubblewrap mounts depend on, so a blank serves only a passport of its shape:
     * the layout the passport's filesystem rules come to (base, effective hidden paths, binds: two
     * episodes whose own task directories lie in the hidden checkout have one shape), GPU devices,
     * the workspace's size cap, and for an image what its root is made of.
     */
    record Shape(Path base, Set<Path> hidden, Map<Path, Path> binds, boolean gpu, long workspaceBytes, Optional<ImageShape> image) {

        Shape {
            hidden = Set.copyOf(hidden);
            binds = Map.copyOf(binds);
        }

        /** {@code layout}: the passport's, without the sandbox's own files. */
        static Shape of(RootfsLayout layout, Passport passport) {
            return new Shape(layout.base(), layout.hidden(), layout.replacements(), passport.devices().gpu(),
                    passport.resources().workspaceBytes(), Optional.empty());
        }

        /** An image sandbox's: its layout is made from {@code image}'s root, so the rules that shape it are part of the key. */
        static Shape of(ImageShape image, Passport passport) {
            return new Shape(Path.of("/"), Set.of(), Map.of(), passport.devices().gpu(), passport.resources().workspaceBytes(),
                    Optional.of(image));
        }
    }

    /**
     * What an image sandbox's blank is made of: the image as resolved (its digest, layers,
     * {@code User}, {@code Env}, {@code WorkingDir}: the root's mounts, the id range's user, the
     * state) and the passport's filesystem rules (hidden paths and binds over that root).
     */
    record ImageShape(ImageRoot root, FilesystemRules rules) {
    }

    /**
     * One prepared sandbox without a passport yet, its cgroup holding {@code limits} (the template's);
     * {@code state} is the blank's (an image's user, id range and {@code Env} kept at claim);
     * {@code link} is what its network made ahead (the gateway's link and rules). {@code lost} is
     * set if its init ends while it waits; {@code onLost} is where the init's end is reported once a
     * sandbox owns it.
     */
    record Blank(String id, SandboxPaths paths, int uid, SandboxState state, Cgroup cgroup, CgroupLimits limits, Path argsFile,
                 Optional<ResidentInit> init, Optional<PreparedLink> link, boolean resolvConfPlaceholder, Shape shape, AtomicBoolean lost,
                 AtomicReference<Consumer<String>> onLost) {
    }

    /** What makes and unmakes blanks (the backend). */
    interface Maker {

        /** A new blank shaped for {@code template} (its shape {@code shape}). */
        Blank prepare(Passport template, Shape shape);

        /** Removes a blank that will never be used (torn down in the background where the backend can). */
        void discard(Blank blank);
    }

    /** The blanks of one shape and what decides how many it keeps. */
    private static final class Kind {
        final Shape shape;
        final Deque<Blank> ready = new ArrayDeque<>();
        Passport template;
        int claims;
        boolean filling;
        int target;
        long raisedUntilNanos;
        long lastAskedNanos;

        Kind(Shape shape, int target) {
            this.shape = shape;
            this.target = target;
        }
    }

    private final int size;
    private final int maxSize;
    private final Maker maker;
    /** Every shape asked for recently, least recently asked first. */
    private final Map<Shape, Kind> kinds = new LinkedHashMap<>();
    private final Thread filler;
    private boolean started;
    private boolean closed;

    /**
     * {@code size}: blanks kept ready per shape; demand (claims that found none) raises a shape's
     * target to at most four times that, which is also the bound on all blanks together.
     */
    WarmPool(int size, Maker maker) {
        this.size = size;
        this.maxSize = Math.max(size, size * 4);
        this.maker = maker;
        this.filler = Thread.ofPlatform().daemon().name("ale-warm-pool").unstarted(this::fill);
    }

    /**
     * A blank of {@code passport}'s shape, if one is ready. The second call for a shape starts its
     * filling (a command that makes one sandbox, such as {@code ale sandbox run}, pays nothing for
     * the pool); shapes not asked for in {@link #IDLE_SHAPE} lose their blanks.
     */
    Optional<Blank> take(Passport passport, Shape shape) {
        List<Blank> stale = new ArrayList<>();
        Optional<Blank> found = Optional.empty();
        synchronized (this) {
            if (closed) return Optional.empty();
            long now = System.nanoTime();
            Kind kind = kinds.remove(shape);
            if (kind == null) kind = new Kind(shape, size);
            kinds.put(shape, kind); // last: the most recently asked
            kind.template = passport;
            kind.lastAskedNanos = now;
            while (!kind.ready.isEmpty()) {
                Blank b = kind.ready.pollFirst();
                if (b.lost().get()) stale.add(b);
                else {
                    found = Optional.of(b);
                    break;
                }
            }
            if (found.isEmpty() && kind.filling) {
                // ran dry (not merely a claim before the filling started): keep more ready for a while
                kind.target = Math.min(maxSize, kind.target + 1);
                kind.raisedUntilNanos = now + DEMAND_MEMORY.toNanos();
            }
            if (!kind.filling && ++kind.claims >= 2) {
                kind.filling = true;
                if (!started) {
                    started = true;
                    filler.start();
                }
            }
            stale.addAll(expire(now));
            notifyAll();
        }
        stale.forEach(this::discardQuietly);
        return found;
    }

    /** Forgets shapes nobody asked for recently, and lowers targets raised long ago; returns the blanks to discard. */
    private List<Blank> expire(long now) {
        List<Blank> stale = new ArrayList<>();
        for (Iterator<Kind> it = kinds.values().iterator(); it.hasNext(); ) {
            Kind k = it.next();
            if (now - k.lastAskedNanos > IDLE_SHAPE.toNanos()) {
                stale.addAll(k.ready);
                it.remove();
            } else if (k.raisedUntilNanos != 0 && now > k.raisedUntilNanos) {
                k.target = size;
                k.raisedUntilNanos = 0;
            }
        }
        return stale;
    }

    private int total() {
        int n = 0;
        for (Kind k : kinds.values()) n += k.ready.size();
        return n;
    }

    /** The ids of the blanks ready now, of every shape. */
    synchronized List<String> ids() {
        return kinds.values().stream().flatMap(k -> k.ready.stream()).map(Blank::id).toList();
    }

    /**
     * Waits until every shape being filled holds its target (or all blanks together the bound; at
     * once when nothing is filled), or the time is up; says which.
     */
    synchronized boolean awaitFull(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!closed && needy().isPresent()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            wait(Math.max(1, left / 1_000_000));
        }
        return !closed;
    }

    /** The most recently asked shape being filled that holds fewer than its target. */
    private Optional<Kind> wanting() {
        Kind pick = null;
        for (Kind k : kinds.values()) {
            if (k.filling && k.ready.size() < k.target) pick = k;
        }
        return Optional.ofNullable(pick);
    }

    /** A shape to make a blank for now: one {@link #wanting()}, while all blanks together are under the bound. */
    private Optional<Kind> needy() {
        return total() >= maxSize ? Optional.empty() : wanting();
    }

    /**
     * At the bound, a blank of a shape asked for less recently than {@code want}, taken out to make
     * room (the oldest shape's first): what is asked for now goes before what was asked for before.
     */
    private Optional<Blank> room(Kind want) {
        if (total() < maxSize) return Optional.empty();
        for (Kind k : kinds.values()) {
            if (k == want || k.lastAskedNanos >= want.lastAskedNanos) break;
            if (!k.ready.isEmpty()) return Optional.of(k.ready.pollFirst());
        }
        return Optional.empty();
    }

    private void fill() {
        while (true) {
            Passport shapeOf;
            Shape shape;
            List<Blank> stale;
            synchronized (this) {
                Optional<Kind> next;
                while (true) {
                    if (closed) return;
                    stale = new ArrayList<>(expire(System.nanoTime()));
                    wanting().flatMap(this::room).ifPresent(stale::add);
                    if (!stale.isEmpty()) break;
                    next = needy();
                    if (next.isPresent()) break;
                    try {
                        // wakes to forget idle shapes and lower raised targets
                        wait(kinds.isEmpty() ? 0 : 1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (!stale.isEmpty()) {
                    shapeOf = null;
                    shape = null;
                } else {
                    Kind k = needy().orElseThrow();
                    shapeOf = k.template;
                    shape = k.shape;
                }
                notifyAll();
            }
            if (shape == null) {
                stale.forEach(this::discardQuietly);
                continue;
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
                Kind k = kinds.get(blank.shape());
                keep = !closed && k != null;
                if (keep) {
                    k.ready.addLast(blank);
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
        List<Blank> left = new ArrayList<>();
        synchronized (this) {
            if (closed) return;
            closed = true;
            kinds.values().forEach(k -> left.addAll(k.ready));
            kinds.clear();
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
