package dev.ale.monitor.hold;

import dev.ale.core.event.SafetyEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Every hold of one ALE process: opened from a {@link SafetyEvent.Action#HOLD} event, settled once
 * by the first of an operator's approve or deny and its deadline (which denies). A second answer is
 * told who settled it first. Whoever acts on a decision (thaw, kill, run the command) listens with
 * {@link #onSettled}; those listeners have run before {@link #await} returns.
 */
public final class HoldDesk implements AutoCloseable {

    /** How long a settled hold stays listed; a long-lived server would otherwise keep every hold it ever had. */
    public static final Duration KEEP_SETTLED = Duration.ofHours(24);

    /** Who settles a hold whose deadline passed. */
    public static final String DEADLINE = "deadline";

    private static final System.Logger LOG = System.getLogger(HoldDesk.class.getName());

    private record Entry(AtomicReference<Hold> hold, CompletableFuture<Hold> settled) {
    }

    private final Clock clock;
    private final Map<String, Entry> holds = new ConcurrentHashMap<>();
    private final List<Consumer<Hold>> opened = new CopyOnWriteArrayList<>();
    private final List<Consumer<Hold>> settled = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService deadlines =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("ale-hold-deadlines").factory());

    public HoldDesk(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Called with each hold as it opens (the webhook, streams); must not block. */
    public void onOpened(Consumer<Hold> listener) {
        opened.add(listener);
    }

    /** Called once with each hold as it is settled, on the thread that settled it, before any waiter goes on. */
    public void onSettled(Consumer<Hold> listener) {
        settled.add(listener);
    }

    /** Opens a pending hold for {@code event}; without an answer within {@code deadline} it expires, which denies it. */
    public Hold open(SafetyEvent event, Hold.Kind kind, Duration deadline) {
        if (event.action() != SafetyEvent.Action.HOLD) throw new IllegalArgumentException("not a held event: " + event.action());
        if (deadline.isNegative() || deadline.isZero()) throw new IllegalArgumentException("deadline must be positive: " + deadline);
        Instant now = clock.instant();
        Instant forgetBefore = now.minus(KEEP_SETTLED);
        holds.values().removeIf(e -> e.hold().get().decidedAt().map(t -> t.isBefore(forgetBefore)).orElse(false));
        String id = newId();
        Hold hold = new Hold(id, event, kind, now, now.plus(deadline), Hold.State.PENDING, Optional.empty(), Optional.empty());
        holds.put(id, new Entry(new AtomicReference<>(hold), new CompletableFuture<>()));
        deadlines.schedule(() -> settle(id, Hold.State.EXPIRED, DEADLINE), deadline.toNanos(), TimeUnit.NANOSECONDS);
        for (Consumer<Hold> l : opened) {
            try {
                l.accept(hold);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "a listener failed on hold " + id + ": " + e.getMessage(), e);
            }
        }
        return hold;
    }

    /** An operator lets the act go on: the command runs, the sandbox thaws. */
    public Decision approve(String id, String decider) {
        return settle(id, Hold.State.APPROVED, decider);
    }

    /** An operator stops the act: the command is blocked, the sandbox killed. */
    public Decision deny(String id, String decider) {
        return settle(id, Hold.State.DENIED, decider);
    }

    /**
     * Denies every pending hold of a sandbox that is going away (destroyed, killed for a limit), so
     * nothing waits on it and the record says why.
     */
    public void abandon(String sandboxId, String reason) {
        for (Hold h : list()) {
            if (h.isPending() && h.sandboxId().equals(sandboxId)) settle(h.id(), Hold.State.DENIED, "ale (" + reason + ")");
        }
    }

    /** Waits until the hold is settled (at the latest its deadline) and returns it. */
    public Hold await(String id) throws InterruptedException {
        Entry e = holds.get(id);
        if (e == null) throw new IllegalArgumentException("no hold " + id);
        try {
            return e.settled().get();
        } catch (ExecutionException ex) {
            throw new IllegalStateException("hold " + id + " failed to settle", ex.getCause());
        }
    }

    /**
     * Waits at most {@code timeout} for the hold to be settled: the settled hold, or empty while it
     * is still pending (so a waiter can look at its sandbox between waits).
     */
    public Optional<Hold> await(String id, Duration timeout) throws InterruptedException {
        Entry e = holds.get(id);
        if (e == null) throw new IllegalArgumentException("no hold " + id);
        try {
            return Optional.of(e.settled().get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException ex) {
            return Optional.empty();
        } catch (ExecutionException ex) {
            throw new IllegalStateException("hold " + id + " failed to settle", ex.getCause());
        }
    }

    public Optional<Hold> find(String id) {
        return Optional.ofNullable(holds.get(id)).map(e -> e.hold().get());
    }

    /** Every hold, oldest first. */
    public List<Hold> list() {
        List<Hold> all = new ArrayList<>();
        for (Entry e : holds.values()) all.add(e.hold().get());
        all.sort(Comparator.comparing(Hold::createdAt).thenComparing(Hold::id));
        return List.copyOf(all);
    }

    private Decision settle(String id, Hold.State outcome, String decider) {
        Entry e = holds.get(id);
        if (e == null) return new Decision.Unknown(id);
        Hold before = e.hold().get();
        if (!before.isPending()) return new Decision.AlreadySettled(before);
        Hold after = before.decided(outcome, decider, clock.instant());
        // one answer wins: the first to swap out the pending hold
        if (!e.hold().compareAndSet(before, after)) return new Decision.AlreadySettled(e.hold().get());
        try {
            for (Consumer<Hold> l : settled) {
                try {
                    l.accept(after);
                } catch (RuntimeException ex) {
                    LOG.log(System.Logger.Level.ERROR, "acting on the decision of hold " + id + " failed: " + ex.getMessage(), ex);
                }
            }
        } finally {
            e.settled().complete(after);
        }
        return new Decision.Settled(after);
    }

    private static String newId() {
        return "hold-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()).substring(0, 12);
    }

    /** Stops the deadline timer; pending holds are denied so nothing waits forever. */
    @Override
    public void close() {
        for (Hold h : list()) if (h.isPending()) settle(h.id(), Hold.State.DENIED, "ale (shutting down)");
        deadlines.shutdownNow();
    }
}
