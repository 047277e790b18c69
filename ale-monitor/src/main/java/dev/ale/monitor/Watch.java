package dev.ale.monitor;

import dev.ale.core.event.SafetyEvent;
import dev.ale.core.event.SafetyEvent.Action;
import dev.ale.monitor.hold.ApprovedAct;
import dev.ale.monitor.hold.Hold;
import dev.ale.core.net.NetworkRecord;
import dev.ale.core.passport.Passport;
import dev.ale.core.sandbox.OutputListener;
import dev.ale.core.sandbox.ProcessSnapshot;
import dev.ale.core.sandbox.ProcessSnapshot.Role;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxStats;
import dev.ale.core.sandbox.SandboxInfo;
import dev.ale.monitor.detect.CommandLineDetector;
import dev.ale.monitor.detect.Detection;
import dev.ale.monitor.integrity.ProtectedFiles;
import dev.ale.monitor.net.NetworkFinding;
import dev.ale.monitor.net.NetworkRules;
import dev.ale.monitor.rules.RuleId;
import dev.ale.monitor.sweep.CpuMeter;
import dev.ale.monitor.sweep.ProcessForest;
import dev.ale.monitor.sweep.ProcessId;
import dev.ale.monitor.sweep.ProcessRules;
import dev.ale.monitor.sweep.QuietBurn;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The monitor's view of one sandbox in one episode: pre-exec checks of each tool command, the
 * process sweep, gateway records and protected-path integrity, all attributed to the episode and
 * the current step. Each act is reported once: a process by its rule and identity (pid and start
 * time), a network act by its rule and destination, a tamper by its rule, path and new content.
 * Events carry the action the passport sets for their category; the watch itself never acts.
 */
public final class Watch implements AutoCloseable {

    private static final int MAX_EVIDENCE = 400;
    /** Larger writes are data, not scripts or configurations: judging them would cost more than it tells. */
    private static final int WRITTEN_TEXT_LIMIT = 1 << 20;
    /**
     * Sweeps a vanished process is still remembered for. Its identity never comes back, so this
     * costs only memory; it keeps a process that one sweep failed to read from being taken for a
     * new one, and its declaration (background, heavy) from being lost.
     */
    private static final long FORGET_AFTER = 50;

    /** What the watch knows of one process since it first saw it. */
    private static final class Tracked {
        /** The call it was first seen in; 0 when no call was running. */
        final int call;
        /** Started by a call declared background (or outside any call): may outlive its call. */
        final boolean mayStay;
        /** Started by a call declared CPU-heavy: its CPU use is the declared workload. */
        final boolean heavy;
        /**
         * The step whose call started it (or started the process it descends from); -1 when none
         * is known. What it does later, after its call returned, is that step's doing.
         */
        final int step;
        /** The approved held command it belongs to (or descends from), if any; {@link ApprovedAct#none()} otherwise. */
        final ApprovedAct approved;
        /** Rules the pre-exec check of its call raised as alerts: the same act, charged once already. */
        final Set<String> alerted;
        List<String> inspectedArgv = List.of();
        /** argv[0] and executable at the last sweep, and whether they were judged as one identity. */
        String identitySeen = "";
        boolean identityJudged;
        boolean persistent;
        /** The executable and argv whose files were last judged by content ({@link RunFileCheck}). */
        String runFilesJudged = "";
        long lastSeen;

        Tracked(int call, boolean mayStay, boolean heavy, int step, ApprovedAct approved, Set<String> alerted) {
            this.call = call;
            this.mayStay = mayStay;
            this.heavy = heavy;
            this.step = step;
            this.approved = approved;
            this.alerted = alerted;
        }
    }

    private static final System.Logger LOG = System.getLogger(Watch.class.getName());

    /**
     * How long a sweep holds a plain {@code /dev/tcp} finding before reporting it. Such a socket
     * leaves the sandbox only to the sink (loopback is not flagged), which never forwards a byte,
     * so waiting costs no containment; it lets the sink say what was sent, so the act is named for
     * its content: an SSH banner is a tunnel, a stratum login mining, not a reverse shell.
     */
    static final long DEV_TCP_GRACE_NANOS = 2_000_000_000L;
    private static final Pattern DEV_TCP = Pattern.compile("/dev/(?:tcp|udp)/([^/\\s'\"]+)/(\\d+)");

    /** Sandbox CPU is averaged over this long for {@code resource.cpu-sustained}: long enough to smooth 10 ms ticks. */
    static final Duration BURN_WINDOW = Duration.ofSeconds(2);
    private static final ProcessId WHOLE_SANDBOX = new ProcessId(-1, -1);
    private static final long NO_PROGRESS = Long.MIN_VALUE;


    /** A sweep's plain /dev/tcp finding, held until the sink has had its say about that destination. */
    private record HeldSocket(String destination, Detection detection, ProcessSnapshot process, long dueNanos) {
    }

    private final Consumer<SafetyEvent> sink;
    private final Monitor.Config config;
    private final Sandbox sandbox;
    private final Passport passport;
    /** What every event of this watch names as its passport's fingerprint (the declared passport's, see SandboxRequest). */
    private final String fingerprint;
    private final Optional<String> episode;
    private final CommandLineDetector commandLines = CommandLineDetector.standard();
    /** One for every watch: /usr/bin/gcc is the same file in every host-root sandbox, read once. */
    private static final RunFileCheck RUN_FILES = new RunFileCheck(CommandLineDetector.standard());
    private final ProcessRules processRules;
    private final NetworkRules networkRules;
    private final CpuMeter cpu;
    private final double cpuCores;
    private final CpuMeter sandboxCpu = new CpuMeter(BURN_WINDOW);
    private final QuietBurn cpuBurn;
    private final Optional<QuietBurn> gpuBurn;
    private final GpuMeter gpuMeter;
    /** When the running command last produced output, until a sweep takes it; {@link #NO_PROGRESS} when none since. */
    private final AtomicLong pendingProgress = new AtomicLong(NO_PROGRESS);
    /** Each process's CPU time at the last sweep, to name the one burning most. Under {@link #lock}. */
    private Map<ProcessId, Long> lastCpu = Map.of();
    private final ReentrantLock lock = new ReentrantLock();
    private final ReentrantLock netLock = new ReentrantLock();
    private final ReentrantLock integrityLock = new ReentrantLock();
    private final Map<ProcessId, Tracked> processes = new HashMap<>();
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private final List<SafetyEvent> history = new CopyOnWriteArrayList<>();
    /** Under {@link #lock}. */
    private final Map<String, HeldSocket> held = new LinkedHashMap<>();
    /** Destinations the gateway named an act for (tunnel, mining, probe, metadata), as {@code host:port}. */
    private final Set<String> explained = ConcurrentHashMap.newKeySet();
    private volatile int step = -1;
    private int call;
    private long sweeps;
    /** The cgroup's usage read before the last periodic sweep; empty when the next one must not be skipped. Under {@link #lock}. */
    private Optional<SandboxStats> lastQuiet = Optional.empty();
    private long fullSweeps;
    /** The sandbox's cgroup as the last call's end read it, just before its sweep (see {@link #callStarted}). */
    private Optional<SandboxStats> atCallEnd = Optional.empty();
    private long callStartSweeps;
    private boolean inCall;
    private boolean background;
    private boolean heavy;
    /** What an operator approved of the call running now. */
    private ApprovedAct approved = ApprovedAct.none();
    /** What the pre-exec check of the call running now raised as alerts (rule ids). */
    private Set<String> alertedPreExec = Set.of();
    /**
     * An approved act that names protected paths, while it runs: the changes it makes to them are
     * what the operator allowed, and become the new seal when it ends.
     */
    private volatile ApprovedAct protectedApproval = ApprovedAct.none();
    private volatile ProtectedFiles sealed = ProtectedFiles.none();
    private volatile boolean protectedSealed;
    private volatile boolean closed;

    Watch(Consumer<SafetyEvent> sink, Monitor.Config config, Sandbox sandbox, Passport passport, String fingerprint,
          Optional<String> episode) {
        this.sink = sink;
        this.config = config;
        this.sandbox = sandbox;
        this.passport = passport;
        this.fingerprint = fingerprint;
        this.episode = episode;
        this.processRules = new ProcessRules(commandLines, passport.devices().gpu());
        this.networkRules = new NetworkRules(config.network());
        this.cpu = new CpuMeter(config.cpuWindow());
        this.cpuCores = config.cpuCores();
        Duration allowed = passport.resources().cpuSustained();
        // one core busy, or the whole quota when it is less than a core
        this.cpuBurn = new QuietBurn(config.burnShare() * Math.min(passport.resources().cpus(), 1.0), allowed);
        this.gpuBurn = passport.devices().gpu() ? Optional.of(new QuietBurn(config.burnShare(), allowed)) : Optional.empty();
        this.gpuMeter = config.gpu();
    }

    public String sandboxId() {
        return sandbox.id();
    }

    /** The step every event from now on is attributed to. */
    public void setStep(int step) {
        if (step < 0) throw new IllegalArgumentException("step must be >= 0: " + step);
        this.step = step;
    }

    /**
     * Judges an argument vector about to run. The events are already on their way to the sink;
     * the caller must not run the command when {@link #forbids} says so.
     */
    public List<SafetyEvent> checkCommand(List<String> argv) {
        String text = String.join(" ", argv);
        return preExec(withProtectedReads(commandLines.inspectArgv(argv), text), text);
    }

    /** Judges a shell command line about to run, as {@link #checkCommand} does. */
    public List<SafetyEvent> checkShellCommand(String command) {
        return preExec(withProtectedReads(commandLines.inspectShellCommand(command), command), command);
    }

    /**
     * Judges what a file tool is about to write, as {@link #checkCommand} does: a shell script by the
     * commands it holds, other text by what it names. Content that is not UTF-8 text, or larger
     * than {@link #WRITTEN_TEXT_LIMIT}, is left to the sweep, which sees whatever later runs it.
     */
    public List<SafetyEvent> checkWrittenFile(String path, byte[] content) {
        if (content.length > WRITTEN_TEXT_LIMIT) return List.of();
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(content)).toString();
        } catch (CharacterCodingException binary) {
            return List.of();
        }
        List<Detection> found = commandLines.inspectWrittenFile(path, text);
        if (CommandLineDetector.isShellScript(path, text)) found = withProtectedReads(found, text);
        List<Detection> named = found.stream().map(d -> {
            Map<String, String> ev = new LinkedHashMap<>(d.evidence());
            ev.put("file", path);
            return new Detection(d.rule(), d.detail() + " (in " + path + ", written by a file tool)", ev);
        }).toList();
        return preExec(named, "write_file " + path);
    }

    /**
     * A command that names a protected path is about to read or change what the verifier relies
     * on. Only the command text is judged: a read through a path the agent assembles at run time
     * is not seen (changes are, by the integrity check).
     */
    private List<Detection> withProtectedReads(List<Detection> detections, String command) {
        if (!protectedSealed) return detections; // setup puts the verifier's files in place
        List<Detection> all = new ArrayList<>(detections);
        for (String path : passport.protectedPaths()) {
            if (Pattern.compile(Pattern.quote(path) + "(?=$|[/\\s'\";|&)<>*?])").matcher(command).find()) {
                all.add(new Detection(RuleId.TAMPER_PROTECTED_NAMED,
                        "command names protected path " + path, Map.of("path", path, "match", clip(command))));
            }
        }
        return all;
    }

    /**
     * The running command produced output: it is making progress, so its CPU use is not a quiet
     * burn. Cheap enough to call for every chunk of output.
     */
    public void progress() {
        pendingProgress.set(System.nanoTime());
    }

    /** Wraps a command's output listener so that every chunk of output also counts as {@link #progress}. */
    public OutputListener progressListener(OutputListener next) {
        return (stream, bytes, length) -> {
            progress();
            next.onOutput(stream, bytes, length);
        };
    }

    /** Whether any of these events stops the act: its action is {@code BLOCK} or {@code KILL}. */
    public static boolean forbids(List<SafetyEvent> events) {
        return events.stream().anyMatch(e -> e.action() == Action.BLOCK || e.action() == Action.KILL);
    }

    /**
     * Records how a hold of this sandbox was settled, as an event for the held rule: {@code alert}
     * when approved (the act goes on), {@code block} (a command) or {@code kill} (a frozen sandbox)
     * when denied or expired. Its evidence names the hold, the decision, who made it and when; it
     * goes to the sink like every event, so the kill switch carries out a deny.
     */
    public SafetyEvent settleHold(Hold hold) {
        SafetyEvent held = hold.event();
        Action outcome = hold.approved() ? Action.ALERT : hold.kind() == Hold.Kind.COMMAND ? Action.BLOCK : Action.KILL;
        Map<String, String> ev = new LinkedHashMap<>(held.evidence());
        ev.put(SafetyEvent.HOLD_EVIDENCE, hold.id());
        ev.put(SafetyEvent.DECISION_EVIDENCE, hold.state().wire());
        ev.put("decidedBy", hold.decidedBy().orElse(""));
        ev.put("decidedAt", hold.decidedAt().map(Object::toString).orElse(""));
        String by = hold.decidedBy().orElse("?");
        SafetyEvent e = new SafetyEvent(held.rule(), held.category(), held.severity(), outcome, held.sandbox(), held.episode(),
                held.step(), held.passportId(), held.passportFingerprint(), hold.decidedAt().orElse(Instant.now()),
                "hold " + hold.id() + " " + hold.state().wire() + " by " + by + ": " + held.detail(), ev);
        emit(e);
        return e;
    }

    /** Whether an event was raised by the pre-exec check (its act has not started), not by a sweep or the gateway. */
    public static boolean isPreExec(SafetyEvent e) {
        return "pre-exec".equals(e.evidence().get("source"));
    }

    /** A tool call begins; {@code background} means what it starts may keep running after it. */
    public void callStarted(boolean background) {
        callStarted(background, false);
    }

    /**
     * A tool call begins. {@code background}: what it starts may keep running after it.
     * {@code heavyCpu}: it declares a CPU-heavy workload (a build, a test suite), so what it starts
     * is not judged by sustained CPU.
     */
    public void callStarted(boolean background, boolean heavyCpu) {
        callStarted(background, heavyCpu, ApprovedAct.none(), Set.of());
    }

    /**
     * A tool call begins that its pre-exec check let through. {@code approvedAct}: an operator
     * approved it after a hold, so what it starts breaking the held rules is recorded as an alert
     * naming the hold, not held again. {@code alertedPreExec}: the rules that check raised as
     * alerts; the sweep seeing the call's processes break them again sees the same act, recorded
     * as such and charged once.
     */
    public void callStarted(boolean background, boolean heavyCpu, ApprovedAct approvedAct, Set<String> alertedPreExec) {
        approvedActStarted(approvedAct);
        List<SafetyEvent> out = new ArrayList<>();
        lock.lock();
        try {
            // what runs now was started before this call, and is judged as such; when nothing has run
            // since the last call's end swept, this sweep would find what that one found
            if (!quietSince(atCallEnd)) {
                sweepLocked(out);
                callStartSweeps++;
            }
            atCallEnd = Optional.empty();
            call++;
            inCall = true;
            this.background = background;
            this.heavy = heavyCpu;
            this.approved = approvedAct;
            this.alertedPreExec = Set.copyOf(alertedPreExec);
        } finally {
            lock.unlock();
        }
        out.forEach(this::emit);
    }

    /**
     * The tool call has returned. Anything it started that still runs (unless the call was declared
     * background) is persistence; protected paths are checked for tampering. Returns the events
     * these end-of-call checks raised.
     */
    public List<SafetyEvent> callEnded() {
        List<SafetyEvent> out = new ArrayList<>();
        lock.lock();
        try {
            if (!inCall) return List.of();
            if (closed) {
                inCall = false;
                return List.of();
            }
            // read before the sweep: anything that runs after this read changes what the next call start reads
            atCallEnd = statsOrEmpty();
            List<ProcessSnapshot> now = sweepLocked(out);
            List<ProcessSnapshot> outliving = outlivingCall(now);
            // a child forked by `cmd &` may not have exec'd yet: its argv is still its parent's.
            // Wait a moment for it, so the evidence names what it runs
            for (int tries = 0; tries < FORK_SETTLE_TRIES && awaitsExec(outliving, now); tries++) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                now = sweepLocked(out);
                outliving = outlivingCall(now);
            }
            for (ProcessSnapshot p : outliving) {
                processes.get(ProcessId.of(p)).persistent = true;
                processEvent(out, new Detection(RuleId.PERSISTENCE_OUTLIVED_CALL,
                        p.name() + " (pid " + p.pid() + ") was started by the tool call and still runs after it",
                        Map.of()), p);
            }
            inCall = false;
        } finally {
            lock.unlock();
        }
        out.forEach(this::emit);
        List<SafetyEvent> all = new ArrayList<>(out);
        all.addAll(checkIntegrity(true));
        approvedActEnded();
        return List.copyOf(all);
    }

    /**
     * An act an operator approved after a hold is about to run (a command, or a file operation
     * outside any call). If it was held for naming a protected path, what it changes there until
     * {@link #approvedActEnded} is recorded as alerts naming the hold, not held again.
     */
    public void approvedActStarted(ApprovedAct act) {
        if (act.covers(RuleId.TAMPER_PROTECTED_NAMED.id())) protectedApproval = act;
    }

    /**
     * The approved act is over: its changes to protected paths are checked once more (alerts
     * naming the hold), then sealed as they now are, so a later change to them is tampering again.
     */
    public void approvedActEnded() {
        if (protectedApproval.isNone()) return;
        integrityLock.lock();
        try {
            checkIntegrity(true);
            if (protectedSealed && isRunning()) sealed = ProtectedFiles.seal(sandbox.files(), passport.protectedPaths());
        } catch (RuntimeException e) {
            // killed meanwhile: there is nothing left to seal
            if (isRunning()) throw e;
        } finally {
            protectedApproval = ApprovedAct.none();
            integrityLock.unlock();
        }
    }

    private static final int FORK_SETTLE_TRIES = 5;

    /** The processes this call started that still run, and are not allowed to: what {@link #callEnded} reports. Under {@link #lock}. */
    private List<ProcessSnapshot> outlivingCall(List<ProcessSnapshot> now) {
        ProcessForest forest = new ProcessForest(now);
        return now.stream().filter(p -> {
            Tracked t = processes.get(ProcessId.of(p));
            return t != null && t.call == call && !t.mayStay && !t.persistent && !forest.isCommandRoot(p) && !isZombie(p);
        }).toList();
    }

    /**
     * Whether a process about to be reported has its parent's argv: forked, not yet exec'd. Only
     * those count: bubblewrap itself always leaves such a pair (the outer bwrap and its copy
     * inside), and waiting on it cost every tool call the whole settle time.
     */
    private static boolean awaitsExec(List<ProcessSnapshot> outliving, List<ProcessSnapshot> now) {
        if (outliving.isEmpty()) return false;
        Map<Long, ProcessSnapshot> byPid = new HashMap<>();
        for (ProcessSnapshot p : now) byPid.put(p.pid(), p);
        for (ProcessSnapshot p : outliving) {
            ProcessSnapshot parent = byPid.get(p.parentPid());
            if (parent != null && !p.argv().isEmpty() && p.argv().equals(parent.argv())) return true;
        }
        return false;
    }

    /**
     * Hashes the passport's protected paths now (after setup, before the agent's first step);
     * later changes are tamper events, found at every call's end and periodically.
     */
    public void sealProtected() {
        integrityLock.lock();
        try {
            sealed = ProtectedFiles.seal(sandbox.files(), passport.protectedPaths());
            protectedSealed = true;
        } finally {
            integrityLock.unlock();
        }
    }

    /** Every event this watch has raised, in order. */
    public List<SafetyEvent> events() {
        return List.copyOf(history);
    }

    /** Whether {@link #close} was called: the monitor drops a closed watch at its next sweep. */
    public boolean isClosed() {
        return closed;
    }

    /** Stops judging this sandbox: later acts raise nothing (the verifier may do what the agent must not). */
    @Override
    public void close() {
        // a sweep or a gateway record already being judged finishes first: what it found was done before
        // this close, while anything started after it (the verifier's commands) is never judged
        lock.lock();
        netLock.lock();
        integrityLock.lock();
        try {
            closed = true;
        } finally {
            integrityLock.unlock();
            netLock.unlock();
            lock.unlock();
        }
    }

    // ---- driven by the monitor's threads ----

    /** One sweep of the sandbox's processes (skipped while nothing in it ran: {@link #quietSinceLastSweep}); returns what it raised. */
    List<SafetyEvent> sweep() {
        if (closed) return List.of();
        List<SafetyEvent> out = new ArrayList<>();
        lock.lock();
        try {
            if (closed || quietSinceLastSweep()) return List.of();
            sweepLocked(out);
            fullSweeps++;
        } finally {
            lock.unlock();
        }
        out.forEach(this::emit);
        return out;
    }

    /**
     * Whether nothing in the sandbox has run since the last periodic sweep, read from its cgroup: the
     * same CPU time to the nanosecond and the same number of processes. A process cannot exec, open a
     * socket, fork or change anything else a sweep reads without being charged CPU time, so a sweep
     * of such a sandbox would find what the last one found. A thousand idle sandboxes cost one read
     * each per period instead of every process's /proc files. Never skipped during a call, while a
     * /dev/tcp finding waits, while a process's identity still waits for a second look, with output
     * not yet taken, or with a GPU (a GPU can work while its process sleeps). Under {@link #lock}.
     */
    private boolean quietSinceLastSweep() {
        if (!mayBeQuiet()) {
            lastQuiet = Optional.empty();
            return false;
        }
        Optional<SandboxStats> now = statsOrEmpty();
        // read before the full sweep that follows, so anything that ran after this read changes the next one
        boolean same = isSame(lastQuiet, now);
        lastQuiet = now;
        return same;
    }

    /** Whether nothing has run since {@code before} was read, as {@link #quietSinceLastSweep} judges it. Under {@link #lock}. */
    private boolean quietSince(Optional<SandboxStats> before) {
        return before.isPresent() && mayBeQuiet() && isSame(before, statsOrEmpty());
    }

    /** What must be read whatever the cgroup says (see {@link #quietSinceLastSweep}). Under {@link #lock}. */
    private boolean mayBeQuiet() {
        if (inCall || !held.isEmpty() || gpuBurn.isPresent() || pendingProgress.get() != NO_PROGRESS) return false;
        for (Tracked t : processes.values()) if (!t.identityJudged) return false;
        return true;
    }

    private Optional<SandboxStats> statsOrEmpty() {
        try {
            return Optional.of(sandbox.stats());
        } catch (RuntimeException e) {
            return Optional.empty(); // destroyed meanwhile: the full sweep finds nothing either way
        }
    }

    private static boolean isSame(Optional<SandboxStats> before, Optional<SandboxStats> now) {
        return before.isPresent() && now.isPresent() && before.get().cpuTime().equals(now.get().cpuTime())
                && before.get().pids() == now.get().pids();
    }

    /** Sweeps at a call's start that read the processes, as opposed to those skipped as quiet (for tests). */
    long callStartSweeps() {
        lock.lock();
        try {
            return callStartSweeps;
        } finally {
            lock.unlock();
        }
    }

    /** Periodic sweeps that read the processes, as opposed to those skipped as quiet (for tests). */
    long fullSweeps() {
        lock.lock();
        try {
            return fullSweeps;
        } finally {
            lock.unlock();
        }
    }

    void onRecord(NetworkRecord record) {
        if (closed) return;
        List<SafetyEvent> out = new ArrayList<>();
        netLock.lock();
        try {
            if (closed) return;
            for (NetworkFinding f : networkRules.inspect(record)) {
                String dest = f.detection().evidence().get("destination");
                if (dest != null && f.detection().category() != dev.ale.core.event.Category.EGRESS_DENIED) explained.add(dest);
                if (!reported.add(f.detection().ruleId() + "|" + f.subject())) continue;
                Map<String, String> ev = new LinkedHashMap<>(f.detection().evidence());
                ev.put("source", "gateway");
                out.add(event(f.detection(), record.time(), ev));
            }
        } finally {
            netLock.unlock();
        }
        out.forEach(this::emit);
    }

    void checkIntegrityInBackground() {
        if (!closed) checkIntegrity(false);
    }

    // ---- internals ----

    private List<SafetyEvent> preExec(List<Detection> detections, String command) {
        if (closed) return List.of();
        List<SafetyEvent> out = new ArrayList<>();
        for (Detection d : detections) {
            Map<String, String> ev = new LinkedHashMap<>(d.evidence());
            ev.putIfAbsent("command", clip(command));
            ev.put("source", "pre-exec");
            out.add(event(d, Instant.now(), ev));
        }
        out.forEach(this::emit);
        return List.copyOf(out);
    }

    /** Reads the processes, judges each, and returns them. Holds {@link #lock}. */
    private List<ProcessSnapshot> sweepLocked(List<SafetyEvent> out) {
        List<ProcessSnapshot> now = new ArrayList<>(sandbox.processes());
        // parents before children, so a child can take its parent's declaration
        now.sort(Comparator.comparingLong(ProcessSnapshot::startTicks).thenComparingLong(ProcessSnapshot::pid));
        ProcessForest forest = new ProcessForest(now);
        long nanos = System.nanoTime();
        long thisSweep = ++sweeps;
        Set<ProcessId> alive = new HashSet<>();
        for (ProcessSnapshot p : now) {
            ProcessId id = ProcessId.of(p);
            alive.add(id);
            Tracked t = processes.computeIfAbsent(id, k -> firstSight(p, forest));
            t.lastSeen = thisSweep;
            List<Detection> found = new ArrayList<>();
            String identity = p.argv().isEmpty() ? "" : p.argv().getFirst() + "\u0000" + p.exe().orElse("");
            if (!p.argv().equals(t.inspectedArgv)) {
                // an exec keeps pid and start time but brings a new command line
                t.inspectedArgv = p.argv();
                found.addAll(processRules.inspectArgv(p));
                t.identitySeen = identity;
                t.identityJudged = false;
            } else if (!t.identityJudged && identity.equals(t.identitySeen)) {
                // argv and the executable are read one after the other: a process caught mid-exec shows the
                // old argv with the new executable, so what it runs is judged once two sweeps agree
                t.identityJudged = true;
                found.addAll(processRules.inspectIdentity(p));
            } else if (!t.identityJudged) {
                t.identitySeen = identity;
            }
            String runs = p.exe().orElse("") + "\u0000" + String.join("\u0000", p.argv());
            if ((p.role() == Role.MAIN || p.role() == Role.WORKLOAD) && !p.argv().isEmpty() && !runs.equals(t.runFilesJudged)) {
                // judged again after an exec (a new executable or argv): what the file holds, whatever it is called
                t.runFilesJudged = runs;
                found.addAll(RUN_FILES.judge(sandbox, p));
            }
            for (Detection d : found) {
                Optional<String> dest = d.ruleId().equals(RuleId.REVERSE_SHELL_DEV_TCP.id()) ? devTcpDestination(d) : Optional.empty();
                if (dest.isPresent()) {
                    held.putIfAbsent(dest.get() + "@" + id, new HeldSocket(dest.get(), d, p, nanos + DEV_TCP_GRACE_NANOS));
                } else {
                    processEvent(out, d, p);
                }
            }
            processRules.inspectFds(p).forEach(d -> processEvent(out, d, p));
            OptionalDouble cores = cpu.sample(id, p.cpuTime(), nanos);
            if (!t.heavy && cores.isPresent() && cores.getAsDouble() >= cpuCores) {
                processEvent(out, new Detection(RuleId.MINING_CPU_SUSTAINED,
                        p.name() + " (pid " + p.pid() + ") used %.2f cores for %d s in a call that declared no heavy CPU work"
                                .formatted(cores.getAsDouble(), config.cpuWindow().toSeconds()),
                        Map.of("cores", "%.2f".formatted(cores.getAsDouble()))), p);
            }
            if (inCall && !t.mayStay && !t.persistent && t.call == call) {
                Optional<String> why = forest.detachment(p);
                if (why.isPresent()) {
                    t.persistent = true;
                    processEvent(out, new Detection(RuleId.PERSISTENCE_DETACHED,
                            p.name() + " (pid " + p.pid() + ") detached from its tool call: " + why.get(),
                            Map.of("detachment", why.get())), p);
                }
            }
        }
        releaseHeld(out, nanos);
        judgeBurn(out, now, nanos);
        processes.values().removeIf(t -> thisSweep - t.lastSeen > FORGET_AFTER);
        cpu.retain(alive);
        return now;
    }

    /**
     * A sandbox that keeps a core (or its GPU) busy and prints nothing for longer than the passport
     * allows. Whatever the call declared: a build may burn CPU, but it shows progress. The event
     * names the process that burned most since the last sweep. Under {@link #lock}.
     */
    private void judgeBurn(List<SafetyEvent> out, List<ProcessSnapshot> now, long nanos) {
        long progressAt = pendingProgress.getAndSet(NO_PROGRESS);
        if (progressAt != NO_PROGRESS) {
            cpuBurn.progress(progressAt);
            gpuBurn.ifPresent(g -> g.progress(progressAt));
        }
        Map<ProcessId, Long> cpuNow = new HashMap<>();
        ProcessSnapshot top = null;
        long topDelta = -1;
        for (ProcessSnapshot p : now) {
            ProcessId id = ProcessId.of(p);
            long c = p.cpuTime().toNanos();
            cpuNow.put(id, c);
            long delta = c - lastCpu.getOrDefault(id, c);
            if (delta > topDelta) {
                topDelta = delta;
                top = p;
            }
        }
        lastCpu = cpuNow;
        Optional<ProcessSnapshot> burner = Optional.ofNullable(top);
        OptionalDouble cores;
        try {
            cores = sandboxCpu.sample(WHOLE_SANDBOX, sandbox.stats().cpuTime(), nanos);
        } catch (RuntimeException e) {
            return; // destroyed meanwhile: nothing burns any more
        }
        if (cores.isPresent()) {
            double used = cores.getAsDouble();
            cpuBurn.observe(used, BURN_WINDOW, nanos).ifPresent(st -> burnEvent(out, RuleId.RESOURCE_CPU_SUSTAINED,
                    "%.2f cores".formatted(used), used, st, burner));
        }
        if (gpuBurn.isPresent()) {
            OptionalDouble gpu = gpuMeter.utilisation(sandbox, now);
            if (gpu.isPresent()) {
                double used = gpu.getAsDouble();
                gpuBurn.get().observe(used, config.sweepPeriod(), nanos).ifPresent(st -> burnEvent(out, RuleId.RESOURCE_GPU_SUSTAINED,
                        "its GPU at %.0f%%".formatted(100 * used), used, st, burner));
            }
        }
    }

    private void burnEvent(List<SafetyEvent> out, RuleId rule, String what, double used, QuietBurn.Stretch stretch,
                           Optional<ProcessSnapshot> burner) {
        if (!reported.add(rule.id() + "#" + stretch.number() + ":" + stretch.sinceNanos())) return;
        Duration allowed = passport.resources().cpuSustained();
        Map<String, String> ev = new LinkedHashMap<>();
        ev.put("used", "%.2f".formatted(used));
        ev.put("quietSeconds", String.valueOf(stretch.quietFor().toSeconds()));
        ev.put("allowed", allowed.toString());
        String who = burner.map(p -> "; most of it " + p.name() + " (pid " + p.pid() + ")").orElse("");
        Detection d = new Detection(rule, "the sandbox kept " + what + " busy for " + stretch.quietFor().toSeconds()
                + " s with no command output (cpuSustained allows " + allowed.toSeconds() + " s)" + who, ev);
        if (burner.isPresent()) {
            emitProcessEvent(out, d, burner.get());
        } else {
            ev.put("source", "sweep");
            out.add(event(d, Instant.now(), ev));
        }
    }

    /** Reports the held /dev/tcp findings whose grace is over and that the sink did not explain. Under {@link #lock}. */
    private void releaseHeld(List<SafetyEvent> out, long nanos) {
        var it = held.values().iterator();
        while (it.hasNext()) {
            HeldSocket h = it.next();
            if (explained.contains(h.destination())) {
                it.remove();
            } else if (nanos - h.dueNanos() >= 0) {
                it.remove();
                processEvent(out, h.detection(), h.process());
            }
        }
    }

    /** {@code host:port} of a /dev/tcp finding, written as the gateway writes destinations. */
    private static Optional<String> devTcpDestination(Detection d) {
        java.util.regex.Matcher m = DEV_TCP.matcher(d.evidence().getOrDefault("match", ""));
        if (!m.find()) return Optional.empty();
        String host = m.group(1);
        return Optional.of((host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + m.group(2));
    }

    /**
     * A process seen for the first time belongs to the call running now. One started by a process
     * of a background or heavy call (a server's worker, a build's compiler) shares that declaration;
     * the command roots ALE starts (a session's shell) pass nothing on.
     */
    private Tracked firstSight(ProcessSnapshot p, ProcessForest forest) {
        boolean mayStay = !inCall || background;
        boolean isHeavy = inCall && heavy;
        ApprovedAct act = inCall ? approved : ApprovedAct.none();
        Set<String> alerted = inCall ? alertedPreExec : Set.of();
        int startStep = inCall ? step : -1;
        Optional<Tracked> parent = forest.parent(p).filter(q -> !forest.isCommandRoot(q)).map(q -> processes.get(ProcessId.of(q)));
        // a daemon's grandchild is reparented to the init once its parent exits; the session its
        // parent made (setsid) still names that parent, whose step is remembered for a while
        if (parent.isEmpty()) parent = sessionLeader(p, forest);
        if (parent.isPresent()) {
            mayStay |= parent.get().mayStay;
            isHeavy |= parent.get().heavy;
            if (parent.get().step >= 0) startStep = parent.get().step;
            if (act.isNone()) act = parent.get().approved;
            if (alerted.isEmpty()) alerted = parent.get().alerted;
        }
        return new Tracked(inCall ? call : 0, mayStay, isHeavy, startStep, act, alerted);
    }

    /** The tracked leader of the process's session, when that is not one of ALE's own command roots. Under {@link #lock}. */
    private Optional<Tracked> sessionLeader(ProcessSnapshot p, ProcessForest forest) {
        if (p.sessionId() == p.pid()) return Optional.empty();
        Optional<ProcessSnapshot> live = forest.byPid(p.sessionId());
        if (live.isPresent()) {
            return forest.isCommandRoot(live.get()) ? Optional.empty() : Optional.ofNullable(processes.get(ProcessId.of(live.get())));
        }
        // gone: the newest remembered process with that pid (pids are reused, start times are not)
        return processes.entrySet().stream()
                .filter(e -> e.getKey().pid() == p.sessionId() && e.getKey().startTicks() <= p.startTicks())
                .max(Comparator.comparingLong(e -> e.getKey().startTicks()))
                .map(Map.Entry::getValue);
    }

    /**
     * An event about one process, attributed to the step that started it: a daemon left by step 1
     * that mines during step 4 is step 1's act. {@code seenAtStep} says when it was seen, if later.
     */
    private void processEvent(List<SafetyEvent> out, Detection d, ProcessSnapshot p) {
        // a script's finding is the script's: a fork of the script's shell, caught before it exec'd the line, is charged
        // with it, and what that fork then runs (the flagged command itself) is still its own event
        String from = d.evidence().containsKey("script") ? "#" + d.evidence().get("script") : "";
        if (!reported.add(d.ruleId() + "@" + p.pid() + ":" + p.startTicks() + from)) return;
        emitProcessEvent(out, d, p);
    }

    private void emitProcessEvent(List<SafetyEvent> out, Detection d, ProcessSnapshot p) {
        Map<String, String> ev = new LinkedHashMap<>(d.evidence());
        ev.put("source", "sweep");
        ev.put("pid", String.valueOf(p.pid()));
        ev.put("startTicks", String.valueOf(p.startTicks()));
        ev.put("name", p.name());
        ev.put("argv", clip(String.join(" ", p.argv())));
        int now = step;
        Tracked t = processes.get(ProcessId.of(p));
        int startStep = t != null && t.step >= 0 ? t.step : now;
        if (startStep != now && now >= 0) ev.put("seenAtStep", String.valueOf(now));
        SafetyEvent e = event(d, Instant.now(), ev, startStep);
        if (e.action() == Action.HOLD && t != null && t.approved.covers(e.rule())) e = approvedAlready(e, t.approved);
        else if (e.action() == Action.ALERT && t != null && t.alerted.contains(e.rule())) e = alertedAlready(e);
        out.add(e);
    }

    /** A finding about a process of a call whose pre-exec check raised the same rule as an alert: that act, seen running. */
    private static SafetyEvent alertedAlready(SafetyEvent e) {
        return sameAct(e, SafetyEvent.ALERTED_PRE_EXEC_EVIDENCE, "true", "the act its command's pre-exec check raised, seen running");
    }

    /** A finding about a process of an approved held command, for a rule the approval covered: an alert naming the hold. */
    private static SafetyEvent approvedAlready(SafetyEvent e, ApprovedAct act) {
        return sameAct(e, SafetyEvent.APPROVED_HOLD_EVIDENCE, act.holdId(), "part of the command hold " + act.holdId() + " approved");
    }

    /** {@code e} as an alert about an act whose own event came first: evidence {@code key} says which, the detail why. */
    private static SafetyEvent sameAct(SafetyEvent e, String key, String value, String why) {
        Map<String, String> ev = new LinkedHashMap<>(e.evidence());
        ev.put(key, value);
        return new SafetyEvent(e.rule(), e.category(), e.severity(), Action.ALERT, e.sandbox(), e.episode(), e.step(), e.passportId(),
                e.passportFingerprint(), e.time(), e.detail() + " (" + why + ")", ev);
    }

    /** Checks protected paths; raises each change once. Skipped while another check runs, unless {@code wait}. */
    private List<SafetyEvent> checkIntegrity(boolean wait) {
        ProtectedFiles seal = sealed;
        if (seal.isEmpty() || !isRunning()) return List.of();
        if (wait) {
            integrityLock.lock();
        } else if (!integrityLock.tryLock()) {
            return List.of();
        }
        List<SafetyEvent> out = new ArrayList<>();
        try {
            if (closed) return List.of();
            List<Detection> found = seal.check(sandbox.files());
            // a sandbox killed meanwhile reads as unreadable everywhere: that is not tampering
            if (!isRunning()) return List.of();
            for (Detection d : found) {
                if (!reported.add(d.ruleId() + "|" + d.evidence().get("path") + "|" + d.evidence().get("after"))) continue;
                Map<String, String> ev = new LinkedHashMap<>(d.evidence());
                ev.put("source", "integrity");
                SafetyEvent e = event(d, Instant.now(), ev);
                ApprovedAct act = protectedApproval;
                out.add(e.action() == Action.HOLD && !act.isNone() ? approvedAlready(e, act) : e);
            }
        } catch (RuntimeException e) {
            if (isRunning()) throw e;
            return List.of();
        } finally {
            integrityLock.unlock();
        }
        out.forEach(this::emit);
        return List.copyOf(out);
    }

    private boolean isRunning() {
        try {
            return sandbox.info().state() == SandboxInfo.State.RUNNING;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private SafetyEvent event(Detection d, Instant time, Map<String, String> evidence) {
        return event(d, time, evidence, step);
    }

    private SafetyEvent event(Detection d, Instant time, Map<String, String> evidence, int s) {
        return new SafetyEvent(d.ruleId(), d.category(), d.severity(), passport.detectors().actionFor(d.category()),
                sandbox.id(), episode, s < 0 ? OptionalInt.empty() : OptionalInt.of(s), passport.id(), Optional.of(fingerprint), time,
                d.detail(), evidence);
    }

    private void emit(SafetyEvent e) {
        history.add(e);
        try {
            sink.accept(e);
        } catch (RuntimeException ex) {
            // one failing consumer must not stop the sweep of every other sandbox
            LOG.log(System.Logger.Level.ERROR, "event sink failed on " + e.rule() + " in " + e.sandbox(), ex);
        }
    }

    private static boolean isZombie(ProcessSnapshot p) {
        return p.argv().isEmpty() && p.openFiles().isEmpty();
    }

    private static String clip(String s) {
        return s.length() <= MAX_EVIDENCE ? s : s.substring(0, MAX_EVIDENCE) + "…";
    }
}
