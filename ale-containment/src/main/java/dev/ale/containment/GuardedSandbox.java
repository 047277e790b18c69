package dev.ale.containment;

import dev.ale.core.AleException;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.passport.Passport;
import dev.ale.core.passport.Phase;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecRequest.Workload;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.OutputListener;
import dev.ale.core.sandbox.ProcessSnapshot;
import dev.ale.core.sandbox.RunFile;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxException;
import dev.ale.core.sandbox.SandboxFiles;
import dev.ale.core.sandbox.SandboxInfo;
import dev.ale.core.sandbox.SandboxStats;
import dev.ale.core.sandbox.SessionRequest;
import dev.ale.core.sandbox.ShellSession;
import dev.ale.gateway.Gateway;
import dev.ale.monitor.Watch;
import dev.ale.monitor.hold.ApprovedAct;
import dev.ale.monitor.hold.Hold;
import dev.ale.monitor.hold.HoldDesk;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.function.Supplier;

/**
 * One sandbox under watch. Every command is one tool call: the pre-exec check first (a command it
 * forbids never starts, and its result names the rule), then the command, then the end of the
 * call (the gateway's last records settled, dropped packets counted, what outlived the call and
 * what changed under protected paths judged). The result carries every event the call raised.
 *
 * <p>Phases drive the watch: entering {@link Phase#AGENT} seals the protected paths (setup has put
 * them in place), entering {@link Phase#VERIFY} ends the watch (what the verifier does is not the
 * agent's act and is not judged).
 */
public final class GuardedSandbox implements Sandbox {

    private static final System.Logger LOG = System.getLogger(GuardedSandbox.class.getName());

    /** Longest wait for the sink to record a command's last connections (its first-bytes deadline is 1.5 s). */
    private static final Duration SETTLE = Duration.ofSeconds(2);
    /** How often a waiter on a hold looks whether its sandbox was killed meanwhile. */
    private static final Duration ALIVE_CHECK = Duration.ofMillis(250);
    private static final Thread.Builder HOLD_WATCHERS = Thread.ofVirtual().name("ale-hold-watch-", 0);

    private final Sandbox sandbox;
    private final Watch watch;
    private final Passport passport;
    private final Gateway gateway;
    private final Consumer<String> onDestroy;
    private final SandboxFiles files;
    private final HoldDesk holds;
    private boolean sealed;
    /** The pending run-time hold, if any: one freezes the sandbox, and later ones wait with it. */
    private Optional<String> runtimeHold = Optional.empty();

    GuardedSandbox(Sandbox sandbox, Watch watch, Passport passport, Gateway gateway, HoldDesk holds, Consumer<String> onDestroy) {
        this.sandbox = sandbox;
        this.holds = holds;
        this.watch = watch;
        this.passport = passport;
        this.gateway = gateway;
        this.onDestroy = onDestroy;
        this.files = new GuardedFiles(sandbox.files(), watch, this::awaitHold);
    }

    void startIn(Phase phase) {
        if (phase == Phase.AGENT) seal();
    }

    @Override
    public String id() {
        return sandbox.id();
    }

    @Override
    public SandboxInfo info() {
        return sandbox.info();
    }

    public Passport passport() {
        return passport;
    }

    /** Runs one command as one tool call; a {@link Workload#CPU_HEAVY} one is not taken for mining by its CPU use. */
    @Override
    public ExecResult exec(ExecRequest request) {
        // what the command prints is progress: a long quiet CPU burn is judged, a build printing as it goes is not
        return guard(() -> watch.checkCommand(request.argv()),
                () -> sandbox.exec(request.withListener(watch.progressListener(request.listener()))), request.workload());
    }

    /** A shell session whose every command line is one tool call, checked as {@link #exec} checks an argv. */
    @Override
    public GuardedSession openSession() {
        return openSession(SessionRequest.defaults());
    }

    /**
     * A shell session that starts in the request's directory with its variables. The start is judged
     * as the command line that used to make it ({@code cd DIR && export K=V ...}) would be, so a
     * directory the passport forbids is refused (with the same event) before any shell starts.
     */
    @Override
    public GuardedSession openSession(SessionRequest request) {
        if (!watch.isClosed() && (request.cwd().isPresent() || !request.env().isEmpty())) {
            String start = startLine(request);
            List<SafetyEvent> verdict = watch.checkShellCommand(start);
            Optional<SafetyEvent> refusal = Watch.forbids(verdict) ? Optional.of(decisive(verdict)) : refusalOfHold(verdict);
            if (refusal.isPresent()) {
                throw new SandboxException(AleException.Fault.INPUT, "a shell session in " + request.cwd().orElse("the default directory")
                        + " refused by rule " + refusal.get().rule() + ": " + refusal.get().detail());
            }
        }
        return new GuardedSession(this, sandbox.openSession(request));
    }

    /** The shell line a session's start stands for: what the monitor judges. */
    static String startLine(SessionRequest request) {
        StringBuilder line = new StringBuilder(request.cwd().map(d -> "cd " + quote(d)).orElse("true"));
        new TreeMap<>(request.env()).forEach((k, v) -> line.append(" && export ").append(k).append('=').append(quote(v)));
        return line.toString();
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** The sandbox's files, each operation judged like a command that names its path. */
    @Override
    public SandboxFiles files() {
        return files;
    }

    @Override
    public SandboxStats stats() {
        return sandbox.stats();
    }

    @Override
    public List<ProcessSnapshot> processes() {
        return sandbox.processes();
    }

    @Override
    public Optional<dev.ale.core.sandbox.ImageWrites> imageWrites() {
        return sandbox.imageWrites();
    }

    @Override
    public Optional<String> executableIdentity(ProcessSnapshot process) {
        return sandbox.executableIdentity(process);
    }

    @Override
    public Optional<RunFile> executable(ProcessSnapshot process, int maxBytes) {
        return sandbox.executable(process, maxBytes);
    }

    @Override
    public Optional<RunFile> scriptOf(ProcessSnapshot process, String path, int maxBytes) {
        return sandbox.scriptOf(process, path, maxBytes);
    }

    @Override
    public Phase phase() {
        return sandbox.phase();
    }

    @Override
    public void enterPhase(Phase phase) {
        sandbox.enterPhase(phase);
        switch (phase) {
            case SETUP -> { }
            case AGENT -> seal();
            // the agent's acts are over: what the verifier does is not charged to it
            case VERIFY -> watch.close();
        }
    }

    /** The step every event from now on is attributed to. */
    public void enterStep(int step) {
        watch.setStep(step);
    }

    /** Every event this sandbox has raised, in order. */
    public List<SafetyEvent> events() {
        return watch.events();
    }

    /** The rule (or limit) the sandbox was killed for, once it has been. */
    public Optional<String> killReason() {
        return sandbox.info().killReason();
    }

    @Override
    public void kill(String reason) {
        sandbox.kill(reason);
    }

    @Override
    public void freeze() {
        sandbox.freeze();
    }

    @Override
    public void thaw() {
        sandbox.thaw();
    }

    /** Every hold of this sandbox, oldest first, pending or settled. */
    public List<Hold> holds() {
        return holds.list().stream().filter(h -> h.sandboxId().equals(id())).toList();
    }

    /**
     * A run-time act held: the sandbox is frozen at once and stays so until an operator decides
     * (approve thaws it, deny or the deadline kills it). A second held act while one is pending
     * adds nothing: the sandbox is frozen already.
     */
    void holdAtRuntime(SafetyEvent event) {
        synchronized (this) {
            if (runtimeHold.isPresent() && holds.find(runtimeHold.get()).map(Hold::isPending).orElse(false)) return;
            try {
                sandbox.freeze();
            } catch (RuntimeException e) {
                // a sandbox killed or removed meanwhile holds nothing; a freeze that fails must not leave it running unseen
                if (sandbox.info().state() != SandboxInfo.State.RUNNING) return;
                LOG.log(System.Logger.Level.WARNING, "cannot freeze sandbox " + id() + " for hold of " + event.rule()
                        + " (" + e.getMessage() + "); killing it instead", e);
                sandbox.kill(event.rule());
                return;
            }
            String id = holds.open(event, Hold.Kind.RUNTIME, passport.hold().deadline()).id();
            runtimeHold = Optional.of(id);
            // nothing else waits on a run-time hold: this thread denies it should the frozen sandbox be killed meanwhile
            HOLD_WATCHERS.start(() -> {
                try {
                    awaitWhileAlive(id);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    /** Acts on a settled hold of this sandbox: records the decision, and thaws a frozen sandbox it approved. */
    void settled(Hold hold) {
        watch.settleHold(hold);
        if (hold.kind() == Hold.Kind.RUNTIME && hold.approved()) {
            try {
                sandbox.thaw();
            } catch (RuntimeException e) {
                // killed or removed meanwhile (its wall time): nothing is left to thaw
            }
        }
        // a deny's kill event went to the kill switch with the decision
    }

    @Override
    public void destroy() {
        try {
            holds.abandon(sandbox.id(), "sandbox destroyed");
            watch.close();
        } finally {
            onDestroy.accept(sandbox.id());
            sandbox.destroy();
        }
    }

    private synchronized void seal() {
        if (sealed) return;
        watch.sealProtected();
        sealed = true;
    }

    /** One tool call around {@code act}: checked, bracketed, and answered with the events it raised. */
    ExecResult guard(Supplier<List<SafetyEvent>> check, Supplier<ExecResult> act, Workload workload) {
        if (watch.isClosed()) return act.get();
        int before = watch.events().size();
        Instant start = Instant.now();
        List<SafetyEvent> verdict = check.get();
        if (Watch.forbids(verdict)) return refused(verdict, start, before);
        HoldOutcome hold = awaitHold(verdict);
        if (hold.refusal().isPresent()) return refused(List.of(hold.refusal().get()), start, before);
        // an act the operator approved: what its processes do breaking the held rules is not held a second time
        watch.callStarted(false, workload == Workload.CPU_HEAVY, hold.approved(), alertedRules(verdict));
        ExecResult result;
        try {
            result = act.get();
        } finally {
            // a connection the command made just before it ended may still be at the sink (only this sandbox's count)
            gateway.awaitQuiet(sandbox.id(), SETTLE);
            gateway.reportDrops(sandbox.id());
            watch.callEnded();
        }
        return result.withEvents(since(before));
    }

    /**
     * Waits out a hold in a pre-exec verdict: empty when nothing is held or an operator approved
     * it, else the decision event that refuses the act (a deny, or the deadline).
     */
    Optional<SafetyEvent> refusalOfHold(List<SafetyEvent> verdict) {
        return awaitHold(verdict).refusal();
    }

    /** What a pre-exec verdict's hold came to: the decision event that refuses the act, or what an operator approved of it. */
    record HoldOutcome(Optional<SafetyEvent> refusal, ApprovedAct approved) {
    }

    /** Waits out the hold a pre-exec verdict opens; a verdict that holds nothing is allowed with nothing approved. */
    HoldOutcome awaitHold(List<SafetyEvent> verdict) {
        Optional<SafetyEvent> held = verdict.stream().filter(e -> e.action() == SafetyEvent.Action.HOLD).findFirst();
        if (held.isEmpty()) return new HoldOutcome(Optional.empty(), ApprovedAct.none());
        Hold settled = awaitDecision(held.get());
        if (!settled.approved()) return new HoldOutcome(Optional.of(decisionOf(settled)), ApprovedAct.none());
        return new HoldOutcome(Optional.empty(), new ApprovedAct(settled.id(), heldRules(verdict)));
    }

    /** The rules a verdict that let the act through raised as alerts. */
    private static Set<String> alertedRules(List<SafetyEvent> verdict) {
        return verdict.stream().filter(e -> e.action() == SafetyEvent.Action.ALERT).map(SafetyEvent::rule).collect(Collectors.toSet());
    }

    /** Every rule the verdict held the act for: one hold stands for them all. */
    private static Set<String> heldRules(List<SafetyEvent> verdict) {
        return verdict.stream().filter(e -> e.action() == SafetyEvent.Action.HOLD).map(SafetyEvent::rule).collect(Collectors.toSet());
    }

    /** The command waits here until an operator approves or denies it, or its deadline denies it. */
    private Hold awaitDecision(SafetyEvent held) {
        Hold hold = holds.open(held, Hold.Kind.COMMAND, passport.hold().deadline());
        try {
            return awaitWhileAlive(hold.id());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            holds.deny(hold.id(), "ale (the waiting call was interrupted)");
            return holds.find(hold.id()).orElseThrow();
        }
    }

    /**
     * Waits for the hold's decision. A sandbox killed meanwhile (its wall time, an operator's kill,
     * another rule) has nothing left to approve: its pending holds are denied at once, rather than
     * at a deadline that may be long after the sandbox's own limits.
     */
    private Hold awaitWhileAlive(String holdId) throws InterruptedException {
        while (true) {
            Optional<Hold> settled = holds.await(holdId, ALIVE_CHECK);
            if (settled.isPresent()) return settled.get();
            gone().ifPresent(why -> holds.abandon(sandbox.id(), why));
        }
    }

    /** Why the sandbox can no longer act (killed, destroyed), or empty while it runs or is frozen. */
    private Optional<String> gone() {
        SandboxInfo info;
        try {
            info = sandbox.info();
        } catch (RuntimeException e) {
            return Optional.of("sandbox gone");
        }
        return switch (info.state()) {
            case RUNNING, FROZEN -> Optional.empty();
            case KILLED -> Optional.of("sandbox killed: " + info.killReason().orElse("unknown reason"));
            case DESTROYED -> Optional.of("sandbox destroyed");
        };
    }

    /** The event {@link #settled} recorded for this hold. */
    private SafetyEvent decisionOf(Hold hold) {
        List<SafetyEvent> all = watch.events();
        for (int i = all.size() - 1; i >= 0; i--) {
            SafetyEvent e = all.get(i);
            if (e.isHoldDecision() && hold.id().equals(e.evidence().get("hold"))) return e;
        }
        throw new IllegalStateException("hold " + hold.id() + " was settled without its decision recorded");
    }

    /** The event that stops an act the verdict forbids: a kill before a block. */
    static SafetyEvent decisive(List<SafetyEvent> verdict) {
        return verdict.stream().filter(e -> e.action() == SafetyEvent.Action.KILL).findFirst()
                .orElseGet(() -> verdict.stream().filter(e -> e.action() == SafetyEvent.Action.BLOCK).findFirst().orElseThrow());
    }

    private ExecResult refused(List<SafetyEvent> verdict, Instant start, int before) {
        SafetyEvent decisive = decisive(verdict);
        boolean killed = decisive.action() == SafetyEvent.Action.KILL;
        String stderr = "ale: not run: " + decisive.rule() + " (" + decisive.category().wire() + "): " + decisive.detail() + "\n";
        return new ExecResult(126, killed, Optional.of(decisive.rule()), Duration.between(start, Instant.now()), "", stderr,
                false, since(before));
    }

    private List<SafetyEvent> since(int index) {
        List<SafetyEvent> all = watch.events();
        return List.copyOf(new ArrayList<>(all.subList(Math.min(index, all.size()), all.size())));
    }

    /** A shell in a guarded sandbox: {@code cd} and {@code export} persist, and every command line is one tool call. */
    public static final class GuardedSession implements ShellSession {

        private final GuardedSandbox sandbox;
        private final ShellSession session;

        GuardedSession(GuardedSandbox sandbox, ShellSession session) {
            this.sandbox = sandbox;
            this.session = session;
        }

        @Override
        public String id() {
            return session.id();
        }

        @Override
        public ExecResult run(String command, Optional<Duration> timeout, OutputListener listener) {
            return run(command, timeout, Workload.ORDINARY, listener);
        }

        /** Runs a command line that declares its workload, as {@link GuardedSandbox#exec} does. */
        public ExecResult run(String command, Optional<Duration> timeout, Workload workload, OutputListener listener) {
            return sandbox.guard(() -> sandbox.watch.checkShellCommand(command),
                    () -> session.run(command, timeout, sandbox.watch.progressListener(listener)), workload);
        }

        @Override
        public boolean isOpen() {
            return session.isOpen();
        }

        @Override
        public void close() {
            session.close();
        }
    }
}
