package dev.ale.rollout;

import dev.ale.core.event.SafetyEvent;
import dev.ale.core.net.NetworkRecord;
import dev.ale.core.passport.Passport;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.OutputListener;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxRequest;
import dev.ale.core.sandbox.ShellSession;
import dev.ale.gateway.Gateway;
import dev.ale.gateway.HostResolver;
import dev.ale.monitor.Monitor;
import dev.ale.monitor.Watch;
import dev.ale.monitor.audit.AuditLog;
import dev.ale.monitor.kill.KillSwitch;
import dev.ale.sandbox.local.LocalSandboxBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Everything that keeps an agent in, wired in one place: the gateway every sandbox's network
 * goes through, the monitor that judges what the sandbox and the gateway saw, the kill switch
 * that acts on its verdicts, and the audit log that keeps them. One per ALE command.
 *
 * <p>Events flow one way: gateway records → monitor → each event goes to the kill switch first
 * (a kill must not wait for a disk write), then the audit log, then whoever listens.
 */
public final class Containment implements AutoCloseable {

    /** Longest wait for the sink to record a command's last connections (its first-bytes deadline is 1.5 s). */
    private static final Duration SETTLE = Duration.ofSeconds(2);

    private final Gateway gateway;
    private final LocalSandboxBackend backend;
    private final AuditLog audit;
    private final KillSwitch killSwitch = new KillSwitch();
    private final Monitor monitor;
    private final List<Consumer<SafetyEvent>> listeners = new CopyOnWriteArrayList<>();
    private volatile Consumer<NetworkRecord> judge = record -> { };

    private Containment(LocalSandboxBackend.Config config, HostResolver resolver) {
        Gateway g = Gateway.start(Gateway.Config.defaults().withResolver(resolver), record -> judge.accept(record));
        LocalSandboxBackend b = null;
        AuditLog a = null;
        try {
            b = new LocalSandboxBackend(config.withNetwork(g));
            a = AuditLog.open(b.dataDir().resolve("audit.db"));
        } catch (RuntimeException e) {
            if (b != null) b.close();
            g.close();
            throw e;
        }
        this.gateway = g;
        this.backend = b;
        this.audit = a;
        this.monitor = new Monitor(this::onEvent);
        this.judge = monitor;
    }

    public static Containment open(LocalSandboxBackend.Config config, HostResolver resolver) {
        return new Containment(config, resolver);
    }

    public LocalSandboxBackend backend() {
        return backend;
    }

    public Path auditFile() {
        return audit.file();
    }

    /**
     * Routes the gateway's model proxy to {@code address} (the server's own, on loopback): each
     * sandbox made from now on whose passport allows it gets a token and {@code OPENAI_BASE_URL}.
     */
    public void routeModelTo(java.net.InetSocketAddress address) {
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

    /** A fresh sandbox under watch: its processes swept, its network judged, its kills carried out. */
    public Guarded create(SandboxRequest request, Optional<String> episode) {
        return create(request, episode, true);
    }

    /**
     * A fresh sandbox under watch whose protected paths are not sealed yet: the episode's setup
     * puts them in place first, then calls {@link Watch#sealProtected()}.
     */
    public Guarded createUnsealed(SandboxRequest request, Optional<String> episode) {
        return create(request, episode, false);
    }

    private Guarded create(SandboxRequest request, Optional<String> episode, boolean seal) {
        Sandbox sandbox = backend.create(request);
        try {
            killSwitch.register(sandbox);
            Watch watch = monitor.watch(sandbox, request.passport(), episode);
            if (seal) watch.sealProtected();
            return new Guarded(sandbox, watch, request.passport());
        } catch (RuntimeException e) {
            killSwitch.unregister(sandbox.id());
            sandbox.destroy();
            throw e;
        }
    }

    private void onEvent(SafetyEvent event) {
        killSwitch.accept(event);
        audit.append(event);
        for (Consumer<SafetyEvent> l : listeners) l.accept(event);
    }

    @Override
    public void close() {
        // sandboxes first (their network attachments with them), then what watched them
        try {
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

    /** One sandbox with its watch: commands go through the pre-exec check, then run as one tool call. */
    public final class Guarded implements AutoCloseable {

        private final Sandbox sandbox;
        private final Watch watch;
        private final Passport passport;

        private Guarded(Sandbox sandbox, Watch watch, Passport passport) {
            this.sandbox = sandbox;
            this.watch = watch;
            this.passport = passport;
        }

        public Sandbox sandbox() {
            return sandbox;
        }

        public Watch watch() {
            return watch;
        }

        /**
         * Runs one command as one tool call. A command the pre-exec check forbids never starts;
         * its result names the rule (and, for {@code kill}, the sandbox is gone too). The result
         * carries every event the sandbox raised during the call. {@code heavyCpu} declares that
         * the command itself is expected to keep a core busy (a build, a test suite), so sustained
         * CPU alone is not taken for mining.
         */
        public ExecResult exec(ExecRequest request, boolean heavyCpu) {
            return guard(() -> watch.checkCommand(request.argv()), () -> sandbox.exec(request), heavyCpu);
        }

        /** Runs one shell command line in {@code session} as one tool call, checked as {@link #exec} checks an argv. */
        public ExecResult shell(ShellSession session, String command, Duration timeout, boolean heavyCpu) {
            return guard(() -> watch.checkShellCommand(command),
                    () -> session.run(command, Optional.of(timeout), OutputListener.NONE), heavyCpu);
        }

        private ExecResult guard(Supplier<List<SafetyEvent>> check, Supplier<ExecResult> act, boolean heavyCpu) {
            int before = watch.events().size();
            Instant start = Instant.now();
            List<SafetyEvent> verdict = check.get();
            if (Watch.forbids(verdict)) {
                SafetyEvent decisive = verdict.stream().filter(e -> e.action() == SafetyEvent.Action.KILL).findFirst()
                        .orElseGet(() -> verdict.stream().filter(e -> e.action() == SafetyEvent.Action.BLOCK).findFirst().orElseThrow());
                boolean killed = decisive.action() == SafetyEvent.Action.KILL;
                String stderr = "ale: not run: " + decisive.rule() + " (" + decisive.category().wire() + "): " + decisive.detail() + "\n";
                return new ExecResult(126, killed, Optional.of(decisive.rule()), Duration.between(start, Instant.now()), "", stderr,
                        false, since(before));
            }
            watch.callStarted(false, heavyCpu);
            ExecResult result;
            try {
                result = act.get();
            } finally {
                // a connection the command made just before it ended may still be at the sink
                gateway.awaitQuiet(SETTLE);
                gateway.reportDrops(sandbox.id());
                watch.callEnded();
            }
            return result.withEvents(since(before));
        }

        /** The rule (or limit) the sandbox was killed for, once it has been. */
        public Optional<String> killReason() {
            return sandbox.info().killReason();
        }

        private List<SafetyEvent> since(int index) {
            List<SafetyEvent> all = watch.events();
            return List.copyOf(new ArrayList<>(all.subList(Math.min(index, all.size()), all.size())));
        }

        public Passport passport() {
            return passport;
        }

        @Override
        public void close() {
            try {
                watch.close();
            } finally {
                killSwitch.unregister(sandbox.id());
                sandbox.destroy();
            }
        }
    }
}
