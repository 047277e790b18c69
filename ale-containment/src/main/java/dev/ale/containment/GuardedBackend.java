package dev.ale.containment;

import dev.ale.core.AleException;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.net.NetworkRecord;
import dev.ale.core.net.ProxyRecord;
import dev.ale.core.sandbox.GarbageReport;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxBackend;
import dev.ale.core.sandbox.SandboxInfo;
import dev.ale.core.sandbox.SandboxNetwork;
import dev.ale.core.sandbox.SandboxRequest;
import dev.ale.gateway.Gateway;
import dev.ale.gateway.HostResolver;
import dev.ale.monitor.Monitor;
import dev.ale.monitor.Watch;
import dev.ale.monitor.audit.AuditLog;
import dev.ale.monitor.audit.PassportHistory;
import dev.ale.monitor.kill.KillSwitch;
import dev.ale.monitor.hold.Hold;
import dev.ale.monitor.hold.HoldDesk;
import dev.ale.monitor.hold.HoldWebhook;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Any {@link SandboxBackend} with ALE's containment around it: the gateway every sandbox's network
 * goes through, the monitor that judges what the sandbox and the gateway saw, the kill switch that
 * acts on its verdicts, and the audit log that keeps them. Every sandbox it makes is a
 * {@link GuardedSandbox}: callers only call {@code exec}, and the guard does the rest.
 *
 * <p>Events flow one way: gateway records → monitor → each event goes to the kill switch first (a
 * kill must not wait for a disk write), then the audit log, then whoever listens. Nothing here
 * knows which backend it guards; the wiring in {@code ale-cli} and {@code ale-server} picks it.
 */
public final class GuardedBackend implements SandboxBackend {

    private static final System.Logger LOG = System.getLogger(GuardedBackend.class.getName());
    private static final Thread.Builder HOLDERS = Thread.ofVirtual().name("ale-hold-", 0);

    private final AuditLog audit;
    private final KillSwitch killSwitch = new KillSwitch();
    private final List<Consumer<SafetyEvent>> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<NetworkRecord>> networkListeners = new CopyOnWriteArrayList<>();
    private final Monitor monitor;
    private final Gateway gateway;
    private final SandboxBackend backend;
    private final Map<String, GuardedSandbox> live = new ConcurrentHashMap<>();
    private final HoldDesk holds = new HoldDesk(Clock.systemUTC());
    private final Map<String, PassportName> passports = new ConcurrentHashMap<>();

    private GuardedBackend(Path auditFile, HostResolver resolver, Function<SandboxNetwork, ? extends SandboxBackend> backends) {
        // each part is made after what it reports to, so no part needs a hook set later
        this.audit = AuditLog.open(auditFile);
        Monitor m = null;
        Gateway g = null;
        try {
            m = new Monitor(this::onEvent);
            Monitor judge = m;
            g = Gateway.start(Gateway.Config.defaults().withResolver(resolver), record -> {
                judge.accept(record);
                for (Consumer<NetworkRecord> l : networkListeners) l.accept(record);
                auditReached(record);
            });
            this.backend = backends.apply(g);
        } catch (RuntimeException e) {
            if (g != null) g.close();
            if (m != null) m.close();
            audit.close();
            throw e;
        }
        this.monitor = m;
        this.gateway = g;
        holds.onSettled(this::onSettled);
    }

    /**
     * Starts the gateway, the monitor and the audit log ({@code auditFile}), then the backend that
     * {@code backends} makes on the gateway's network.
     *
     * @throws AleException (environment) when any of them cannot start; nothing is left running
     */
    public static GuardedBackend open(Path auditFile, HostResolver resolver, Function<SandboxNetwork, ? extends SandboxBackend> backends) {
        return new GuardedBackend(auditFile, resolver, backends);
    }

    @Override
    public String name() {
        return backend.name();
    }

    public Path auditFile() {
        return audit.file();
    }

    /**
     * Routes the gateway's model proxy to {@code address} (the server's own, on loopback): each
     * sandbox made from now on whose passport allows it gets a token and {@code OPENAI_BASE_URL}.
     */
    public void routeModelTo(InetSocketAddress address) {
        gateway.routeModelTo(address);
    }

    /** The sandbox a model-proxy token belongs to, while that sandbox lives. */
    public Optional<String> modelTokenHolder(String token) {
        return gateway.modelTokenHolder(token);
    }

    /** The model-proxy token of a live sandbox, if it has one. */
    public Optional<String> modelToken(String sandboxId) {
        return gateway.modelToken(sandboxId);
    }

    /** Called with every event, after the kill switch and the audit log saw it. */
    public void listen(Consumer<SafetyEvent> listener) {
        listeners.add(listener);
    }

    /** Stops calling a listener given to {@link #listen} (a resident ALE's run that ended). */
    public void unlisten(Consumer<SafetyEvent> listener) {
        listeners.remove(listener);
    }

    /** Called with every record the gateway makes, after the monitor judged it: what a sandbox tried to reach and the answer. */
    public void listenNetwork(Consumer<NetworkRecord> listener) {
        networkListeners.add(listener);
    }

    /**
     * A fresh sandbox under watch: its processes swept, its network judged, its kills carried out,
     * its events attributed to the request's episode label. Its protected paths are sealed when it
     * enters the agent phase (at once, for a sandbox that starts there).
     */
    @Override
    public GuardedSandbox create(SandboxRequest request) {
        Sandbox sandbox = backend.create(request);
        try {
            killSwitch.register(sandbox);
            String fingerprint = request.passportFingerprint();
            passports.put(sandbox.id(), new PassportName(request.passport().id(), fingerprint));
            audit.append(PassportHistory.SANDBOX_KIND, sandbox.id(), request.episode(), OptionalInt.empty(), Optional.empty(),
                    Optional.empty(), Map.of("event", "created", "passport", request.passport().id(), "passport_fingerprint", fingerprint,
                            "phase", request.phase().wire()));
            Watch watch = monitor.watch(sandbox, request.passport(), fingerprint, request.episode());
            GuardedSandbox guarded = new GuardedSandbox(sandbox, watch, request.passport(), gateway, holds, this::forget);
            live.put(sandbox.id(), guarded);
            guarded.startIn(request.phase());
            return guarded;
        } catch (RuntimeException e) {
            forget(sandbox.id());
            sandbox.destroy();
            throw e;
        }
    }

    /**
     * A sandbox by id: one this backend made comes guarded; one an earlier ALE process made
     * (detached) comes as its backend has it, without a gateway or monitor of this process.
     */
    @Override
    public Optional<Sandbox> find(String id) {
        GuardedSandbox guarded = live.get(id);
        return guarded != null ? Optional.of(guarded) : backend.find(id);
    }

    @Override
    public List<SandboxInfo> list() {
        return backend.list();
    }

    @Override
    public void remove(String id) {
        GuardedSandbox guarded = live.get(id);
        if (guarded != null) {
            guarded.destroy();
        } else {
            backend.remove(id);
        }
    }

    @Override
    public GarbageReport collectGarbage() {
        return backend.collectGarbage();
    }

    /**
     * A connection the proxy let through goes to the audit log under the sandbox's passport, so that a
     * passport's history shows the hosts its agents reached, not only those they were refused.
     */
    private void auditReached(NetworkRecord record) {
        if (!(record instanceof ProxyRecord p) || !p.allowed()) return;
        PassportName name = passports.get(p.sandbox());
        if (name == null) return;
        try {
            audit.append(PassportHistory.EGRESS_KIND, p.sandbox(), Optional.empty(), OptionalInt.empty(), Optional.empty(), Optional.empty(),
                    Map.of("host", p.host(), "port", p.port(), "method", p.method(), "passport", name.id(),
                            "passport_fingerprint", name.fingerprint()));
        } catch (RuntimeException e) {
            // the gateway's thread must go on serving; a log that cannot be written fails the next event's append loudly
            LOG.log(System.Logger.Level.WARNING, "cannot audit a connection of " + p.sandbox() + ": " + e.getMessage());
        }
    }

    /** The passport a live sandbox runs under, as its audit records name it. */
    private record PassportName(String id, String fingerprint) {
    }

    private void forget(String sandboxId) {
        passports.remove(sandboxId);
        live.remove(sandboxId);
        killSwitch.unregister(sandboxId);
    }

    /** The holds of every sandbox this backend made: approve and deny them here. */
    public HoldDesk holds() {
        return holds;
    }

    /**
     * POSTs each hold as it opens to {@code url} (an operator's webhook), each on its own virtual
     * thread and given up after {@code timeout}: a webhook that hangs delays nothing.
     */
    public HoldWebhook notifyHoldsTo(URI url, Duration timeout) {
        HoldWebhook hook = new HoldWebhook(url, timeout);
        holds.onOpened(hook);
        return hook;
    }

    private void onSettled(Hold hold) {
        GuardedSandbox guarded = live.get(hold.sandboxId());
        if (guarded != null) guarded.settled(hold);
    }

    private void onEvent(SafetyEvent event) {
        killSwitch.accept(event);
        if (event.action() == SafetyEvent.Action.HOLD && !Watch.isPreExec(event)) {
            GuardedSandbox guarded = live.get(event.sandbox());
            // at once, and off the sweep thread: a freeze waits for the kernel, and other sandboxes are being watched
            if (guarded != null) HOLDERS.start(() -> {
                try {
                    guarded.holdAtRuntime(event);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "hold of sandbox " + event.sandbox() + " for " + event.rule() + " failed", e);
                }
            });
        }
        audit.append(event);
        for (Consumer<SafetyEvent> l : listeners) l.accept(event);
    }

    @Override
    public void close() {
        // sandboxes first (their network attachments with them), then what watched them
        try {
            // nothing waits on a person once ALE goes: pending holds are denied (their sandboxes are killed with it)
            holds.close();
            backend.close();
        } finally {
            try {
                monitor.close();
            } finally {
                try {
                    gateway.close();
                } finally {
                    audit.close();
                }
            }
        }
    }
}
