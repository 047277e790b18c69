package dev.ale.server;

import dev.ale.core.AleException.Fault;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.sandbox.SandboxRequest;
import dev.ale.containment.GuardedBackend;
import dev.ale.containment.GuardedSandbox;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The sandboxes this server made, by id, with who may reach each: an admin reaches all, an env
 * token only its own (another's answers 404, so ids do not leak). Sandboxes left idle past
 * their idle timeout are destroyed, so a client that vanishes leaks nothing.
 */
final class Sandboxes implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Sandboxes.class.getName());

    private final GuardedBackend containment;
    private final Metrics metrics;
    private final Map<String, Hosted> byId = new ConcurrentHashMap<>();
    private final Quota quota;
    private final ScheduledExecutorService reaper;

    private final ModelLedgers ledgers;
    /** Set by close: a start still in flight (ROCK's start_async) then makes nothing. */
    private volatile boolean closed;

    Sandboxes(GuardedBackend containment, Quota quota, Metrics metrics, Duration reapPeriod, ModelLedgers ledgers) {
        this.containment = containment;
        this.ledgers = ledgers;
        this.quota = quota;
        this.metrics = metrics;
        this.reaper = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("ale-server-reaper").factory());
        containment.listen(this::onEvent);
        long period = Math.max(50, reapPeriod.toMillis());
        reaper.scheduleWithFixedDelay(this::reapIdle, period, period, TimeUnit.MILLISECONDS);
    }

    int count() {
        return byId.size();
    }

    Hosted create(Caller caller, SandboxRequest request, Duration idleTimeout) {
        reserve(caller);
        return createReserved(caller, request, idleTimeout);
    }

    /** Takes one of the caller's quota slots now for a sandbox {@link #createReserved} makes later (ROCK's start_async); 429 as create. */
    void reserve(Caller caller) {
        quota.acquire(caller);
    }

    /** Gives back a slot {@link #reserve} took for a sandbox that will not be made. */
    void unreserve(Caller caller) {
        quota.release(caller.name());
    }

    /** As create, on a slot already reserved; the slot is given back if it fails. After {@link #close} nothing more is made. */
    Hosted createReserved(Caller caller, SandboxRequest request, Duration idleTimeout) {
        boolean held = false;
        try {
            if (closed) throw new ServerException(Fault.ENVIRONMENT, "the server is stopping; no sandbox is made");
            GuardedSandbox guarded = containment.create(request);
            Hosted hosted = new Hosted(guarded, caller.name(), request.labels(), idleTimeout,
                    containment.modelToken(guarded.id()));
            byId.put(hosted.id(), hosted);
            held = true; // from here the slot goes back with the sandbox (destroy)
            metrics.sandboxCreated();
            if (closed) {
                // close() may have swept byId before this one went in: it must not outlive the server
                destroy(hosted);
                throw new ServerException(Fault.ENVIRONMENT, "the server is stopping; no sandbox is made");
            }
            return hosted;
        } catch (RuntimeException e) {
            if (!held) quota.release(caller.name());
            throw e;
        }
    }

    /** The sandbox {@code id} if the caller may reach it; 404 otherwise, the same answer as for no such id. */
    Hosted find(Caller caller, String id) {
        Hosted h = byId.get(id);
        if (h == null || h.closed() || !caller.reaches(h.owner())) throw ApiError.notFound("no sandbox " + id);
        return h;
    }

    /** The sandbox {@code id}, whoever owns it: for the model proxy, whose caller is the sandbox itself. */
    Optional<Hosted> byId(String id) {
        Hosted h = byId.get(id);
        return h == null || h.closed() ? Optional.empty() : Optional.of(h);
    }

    List<Hosted> list(Caller caller) {
        List<Hosted> out = new ArrayList<>();
        for (Hosted h : byId.values()) if (!h.closed() && caller.reaches(h.owner())) out.add(h);
        out.sort(Comparator.comparing(h -> h.guarded().info().createdAt()));
        return List.copyOf(out);
    }

    void destroy(Hosted hosted) {
        if (byId.remove(hosted.id(), hosted)) quota.release(hosted.owner());
        try {
            hosted.close();
        } finally {
            ledgers.forget(hosted.id());
        }
    }

    private void onEvent(SafetyEvent event) {
        metrics.event(event);
        Hosted h = byId.get(event.sandbox());
        if (h != null) h.signal();
    }

    private void reapIdle() {
        Instant now = Instant.now();
        for (Hosted h : byId.values()) {
            if (!h.idle(now)) continue;
            try {
                LOG.log(System.Logger.Level.INFO, "destroying sandbox " + h.id() + ": idle for " + h.idleTimeout().toSeconds() + " s");
                destroy(h);
                metrics.sandboxReaped();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "could not destroy idle sandbox " + h.id(), e);
            }
        }
    }

    /** Destroys every sandbox this server made. */
    @Override
    public void close() {
        closed = true;
        reaper.shutdownNow();
        for (Hosted h : List.copyOf(byId.values())) {
            try {
                destroy(h);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "could not destroy sandbox " + h.id(), e);
            }
        }
    }
}
