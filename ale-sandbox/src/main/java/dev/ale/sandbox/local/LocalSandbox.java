package dev.ale.sandbox.local;

import dev.ale.core.AleException.Fault;
import dev.ale.core.passport.Passport;
import dev.ale.core.passport.Phase;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.ProcessSnapshot;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxException;
import dev.ale.core.sandbox.SandboxFiles;
import dev.ale.core.sandbox.SandboxInfo;
import dev.ale.core.sandbox.SandboxStats;
import dev.ale.core.sandbox.SessionRequest;
import dev.ale.core.sandbox.ShellSession;
import dev.ale.sandbox.cgroup.Cgroup;
import dev.ale.sandbox.cgroup.CgroupUsage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import java.util.function.Consumer;

/** A sandbox of the local backend: a network namespace, a cgroup, a tmpfs workspace and a uid. */
final class LocalSandbox implements Sandbox {

    /** Output kept per stream in an {@link ExecResult}; the listener sees all of it. */
    static final int CAPTURE_LIMIT = 8 << 20;

    private final LocalSandboxBackend backend;
    private final SandboxPaths paths;
    private final Passport passport;
    private final Cgroup cgroup;
    /** bubblewrap's arguments for this sandbox (its root, binds, namespaces), read on fd 4. */
    private final Path argsFile;
    private final dev.ale.core.sandbox.SandboxNetwork.NetworkAttachment network;
    private final Set<LocalShellSession> sessions = ConcurrentHashMap.newKeySet();
    private final Set<RunningCall> running = ConcurrentHashMap.newKeySet();
    /** Started by the first call that needs it; lives as long as the sandbox (see ResidentInit). */
    private ResidentInit resident;
    private volatile SandboxState state;
    private volatile boolean destroyed;
    private volatile boolean frozen;

    LocalSandbox(LocalSandboxBackend backend, SandboxPaths paths, SandboxState state, Passport passport,
                 Cgroup cgroup, Path argsFile, dev.ale.core.sandbox.SandboxNetwork.NetworkAttachment network) {
        this.backend = backend;
        this.paths = paths;
        this.state = state;
        this.passport = passport;
        this.cgroup = cgroup;
        this.argsFile = argsFile;
        this.network = network;
    }

    @Override
    public String id() {
        return state.id();
    }

    Passport passport() {
        return passport;
    }

    SandboxState state() {
        return state;
    }

    Cgroup cgroup() {
        return cgroup;
    }

    SandboxPaths paths() {
        return paths;
    }

    @Override
    public SandboxInfo info() {
        SandboxInfo info = state.info(backend.name(), destroyed);
        if (frozen && info.state() == SandboxInfo.State.RUNNING) {
            return new SandboxInfo(info.id(), info.backend(), info.passportId(), info.createdAt(), info.expiresAt(),
                    info.detached(), SandboxInfo.State.FROZEN, info.killReason(), info.labels());
        }
        return info;
    }

    @Override
    public synchronized void freeze() {
        if (destroyed || state.killReason() != null) {
            throw new SandboxException(Fault.INPUT, "sandbox " + id() + " is " + (destroyed ? "destroyed" : "killed") + "; there is nothing to freeze");
        }
        cgroup.freeze();
        frozen = true;
    }

    @Override
    public synchronized void thaw() {
        if (destroyed) return;
        cgroup.thaw();
        frozen = false;
    }

    /** Time left before the wall-time limit; zero or negative when it has passed. */
    Duration remaining() {
        return Duration.ofMillis(state.expiresAtMillis() - System.currentTimeMillis());
    }

    @Override
    public ExecResult exec(ExecRequest request) {
        return execCapturing(request, CAPTURE_LIMIT).result();
    }

    /** An exec result with stdout as the exact bytes (files are not text). */
    record Raw(ExecResult result, byte[] stdout) {
    }

    Raw execCapturing(ExecRequest request, int captureLimit) {
        checkUsable();
        Map<String, String> env = startEnv();
        env.putAll(request.env());
        String cwd = request.cwd().orElse(defaultCwd());
        return capture(request.timeout(), captureLimit, (out, err, deadline) -> backend.initBinary().isPresent()
                ? resident().start(request.argv(), withNetwork(env), cwd, request.stdin(), request.listener(), out, err)
                : ProcessTree.start(command(request.argv(), cwd, env), request.stdin(), request.listener(), out, err));
    }

    /** Whether the sandbox has a resident init, which does the file API's work itself (see {@link ResidentInit#write}). */
    boolean hasResidentInit() {
        return backend.initBinary().isPresent();
    }

    /** A file written by the resident init's WRITE, with an exec's limits, waits and reasons (exit 86: out of reach). */
    Raw residentWrite(String path, byte[] content, Duration timeout, int captureLimit) {
        checkUsable();
        return capture(Optional.of(timeout), captureLimit, (out, err, deadline) -> resident().write(path, content, deadline, out, err));
    }

    /** A file read by the resident init's READ: its bytes on stdout, truncated past {@code limit}. */
    Raw residentRead(String path, int limit, Duration timeout) {
        checkUsable();
        return capture(Optional.of(timeout), limit, (out, err, deadline) -> resident().read(path, limit, out, err));
    }

    /** Starts a call whose output goes to the two captures; {@code deadline} ({@link System#nanoTime}) is when it times out. */
    @FunctionalInterface
    private interface CallStart {
        RunningCall start(CapturedOutput out, CapturedOutput err, long deadline);
    }

    /** Runs a call to its end or its time limit, and says how it ended: the one place an exec's result is made. */
    private Raw capture(Optional<Duration> timeout, int captureLimit, CallStart starter) {
        CapturedOutput out = new CapturedOutput(captureLimit);
        CapturedOutput err = new CapturedOutput(captureLimit);
        long oomBefore = cgroup.oomKills();
        long pidsHitsBefore = cgroup.pidsLimitHits();
        long start = System.nanoTime();
        Duration limit = timeout.filter(t -> t.compareTo(remaining()) < 0).orElse(remaining());
        RunningCall call = starter.start(out, err, start + limit.toNanos());
        running.add(call);
        try {
            boolean timedOut = !call.waitFor(limit.minusNanos(System.nanoTime() - start));
            if (timedOut) {
                if (remaining().isNegative() || remaining().isZero()) kill("timeout");
                call.kill();
            }
            int exit = call.finish();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            if (call instanceof ResidentCall rc) checkResidentCall(rc);
            Optional<String> reason = state.killReasonOptional();
            if (reason.isEmpty() && timedOut) reason = Optional.of("timeout");
            if (reason.isEmpty() && exit > 128) reason = killedElsewhere();
            if (reason.isEmpty() && cgroup.oomKills() > oomBefore) reason = Optional.of("memory");
            if (reason.isEmpty() && cgroup.pidsLimitHits() > pidsHitsBefore) reason = killedForPids();
            if (exit == 125 && reason.isEmpty() && err.text().contains("ale-join")) {
                throw new SandboxException(Fault.ENVIRONMENT, "sandbox " + id() + ": cannot join its cgroup: " + err.text().strip());
            }
            return new Raw(new ExecResult(exit, reason.isPresent(), reason, took, out.text(), err.text(),
                    out.truncated() || err.truncated(), List.of()), out.bytes());
        } finally {
            running.remove(call);
        }
    }

    /** The reason a sandbox is killed with when its resident init ends under it. */
    static final String INIT_LOST = "init-lost";

    /**
     * A call whose init ended under it, or could not start it, says nothing about its command: the
     * caller hears why. (A sandbox killed on purpose ends its init too; that call is merely killed.)
     */
    private void checkResidentCall(ResidentCall rc) {
        if (rc.wasLost() && INIT_LOST.equals(state.killReason())) {
            throw resident.lostError("no reason known");
        }
        if (!rc.failure().isEmpty()) {
            throw new SandboxException(Fault.ENVIRONMENT, "sandbox " + id() + ": cannot start the command: " + rc.failure());
        }
    }

    /**
     * The sandbox's resident init, started on first use if create did not start it. Requests queue in
     * its pipe while bubblewrap sets it up, so nobody waits for it to be ready.
     */
    synchronized ResidentInit resident() {
        if (resident == null) {
            resident = launchResident(backend, id(), cgroup, paths, state, argsFile, userns(),
                    this::residentLost);
        }
        return resident;
    }

    /** Starts the resident init now (at create), so the first call does not pay bubblewrap's start; nothing without one. */
    void startResident() {
        if (backend.initBinary().isPresent()) resident();
    }

    /** Takes over an init a warm pool started for this sandbox's blank. */
    synchronized void adoptResident(ResidentInit init) {
        resident = init;
    }

    /** The launcher and bubblewrap of a sandbox's resident init, with the init as pid 1 inside. */
    static ResidentInit launchResident(LocalSandboxBackend backend, String id, Cgroup cgroup, SandboxPaths paths, SandboxState state,
                                       Path argsFile, Optional<Path> userns, Consumer<String> onLost) {
        Path binary = backend.initBinary().orElseThrow();
        List<String> launch = BwrapCommand.buildResident(new BwrapCommand.Spec(
                id, cgroup.procsFiles(), paths.netnsFile(), state.userHostUid(), state.userHostGid(), state.userHostGroups(), state.insideUidOrAgent(),
                backend.seccompFile(), argsFile,
                userns, "/", Map.of(), List.of("/proc/self/fd/" + BwrapCommand.INIT_FD)), binary);
        return ResidentInit.start(id, launch, paths.dir().resolve("init.log"), onLost);
    }

    /** Host pids of the resident init and its launcher, which live as long as the sandbox; empty when it has none. */
    synchronized Set<Long> residentPids() {
        return resident == null ? Set.of() : resident.hostPids();
    }

    /** The init ended while the sandbox still wanted it: nothing may run in the sandbox any more (fail closed). */
    void residentLost(String why) {
        // killed on purpose, here or by another ALE process (which says so in the state file): not lost
        if (destroyed || state.killReason() != null || killedElsewhere().isPresent()) return;
        System.getLogger(LocalSandbox.class.getName()).log(System.Logger.Level.WARNING,
                "sandbox " + id() + ": its resident init ended (" + why + "); killing the sandbox");
        kill(INIT_LOST);
    }

    /** Why the sandbox was stopped by another ALE process (its state file says, or is gone), if it was. */
    private Optional<String> killedElsewhere() {
        if (!java.nio.file.Files.exists(paths.stateFile())) return Optional.of("removed");
        return SandboxState.read(paths.stateFile()).flatMap(SandboxState::killReasonOptional);
    }

    /**
     * What every process starts with before the caller's variables: ALE's base, then the image's {@code Env}. An image
     * sandbox has no USER, LOGNAME or SHELL (Docker sets none) and its HOME is its user's (in its image Env since made).
     */
    Map<String, String> startEnv() {
        Map<String, String> env = new HashMap<>(BwrapCommand.baseEnv(id()));
        if (state.imageEnv().containsKey("HOME")) env.keySet().removeAll(BwrapCommand.AGENT_ACCOUNT_ENV);
        env.putAll(state.imageEnv());
        return env;
    }

    /** The image's {@code WorkingDir} in an image sandbox, else /workspace. */
    String defaultCwd() {
        return state.imageWorkdirOptional().orElse("/workspace");
    }

    /**
     * The full host command line for a process tree in this sandbox. Every process (exec,
     * sessions, file helpers) gets its network's variables (the proxy's address) beneath the
     * caller's: an agent that unsets them only lands in the sink.
     */
    List<String> command(List<String> argv, String cwd, Map<String, String> env) {
        return BwrapCommand.build(new BwrapCommand.Spec(
                id(), cgroup.procsFiles(), paths.netnsFile(), state.userHostUid(), state.userHostGid(), state.userHostGroups(), state.insideUidOrAgent(),
                backend.seccompFile(), argsFile,
                userns(), cwd, withNetwork(env), argv));
    }

    /** The user namespace ALE made for the sandbox's id range, when it has one (root inside). */
    private Optional<Path> userns() {
        return state.ownsRange() ? Optional.of(paths.userns()) : Optional.empty();
    }

    private Map<String, String> withNetwork(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(state.networkEnv());
        all.putAll(env);
        return all;
    }

    @Override
    public ShellSession openSession(SessionRequest request) {
        checkUsable();
        Map<String, String> env = startEnv();
        env.putAll(request.env());
        Optional<ResidentInit> init = backend.initBinary().isPresent() ? Optional.of(resident()) : Optional.empty();
        // a session without a directory starts in /workspace, in an image sandbox too (as it always has)
        LocalShellSession session = LocalShellSession.open(this, request.cwd().orElse("/workspace"), withNetwork(env), init);
        sessions.add(session);
        return session;
    }

    /** The host's handle on a process of this sandbox's resident init, by its pid in the sandbox; empty once it is gone. */
    Optional<ProcessHandle> hostProcess(int sandboxPid) {
        if (sandboxPid <= 0) return Optional.empty();
        return residentPids().stream().flatMap(pid -> ProcessHandle.of(pid).stream()).flatMap(ProcessHandle::descendants)
                .filter(h -> ProcessReader.namespacePid(h.pid()).orElse(-1) == sandboxPid)
                .findFirst();
    }

    void forget(LocalShellSession session) {
        sessions.remove(session);
    }

    @Override
    public SandboxFiles files() {
        return new LocalSandboxFiles(this);
    }

    @Override
    public SandboxStats stats() {
        CgroupUsage u = cgroup.usage();
        return new SandboxStats(Duration.ofNanos(u.cpuNanos()), u.memoryBytes(), u.memoryPeakBytes(), u.pids());
    }

    @Override
    public List<ProcessSnapshot> processes() {
        if (destroyed) return List.of();
        Set<Integer> pids;
        try {
            pids = cgroup.pids();
        } catch (SandboxException e) {
            // destroyed by another thread between the check and the read: its cgroup is gone
            if (destroyed) return List.of();
            throw e;
        }
        ResidentInit init;
        synchronized (this) {
            init = resident;
        }
        if (init == null) return BwrapRoles.assign(ProcessReader.host().read(pids, Set.of()), Optional.empty(), Set.of());
        List<ProcessSnapshot> read = init.withSessionSockets(sockets -> ProcessReader.host().read(pids, sockets));
        return BwrapRoles.assign(read, backend.initBinary().map(Path::toString), init.runningCommands());
    }

    @Override
    public Optional<String> executableIdentity(ProcessSnapshot process) {
        return ProcessFiles.host().executableIdentity(process);
    }

    @Override
    public Optional<dev.ale.core.sandbox.RunFile> executable(ProcessSnapshot process, int maxBytes) {
        return ProcessFiles.host().executable(process, maxBytes);
    }

    @Override
    public Optional<dev.ale.core.sandbox.RunFile> scriptOf(ProcessSnapshot process, String path, int maxBytes) {
        return ProcessFiles.host().script(process, path, maxBytes);
    }

    @Override
    public Optional<dev.ale.core.sandbox.ImageWrites> imageWrites() {
        if (passport.filesystem().image().isEmpty()) return Optional.empty();
        return Optional.of(new dev.ale.core.sandbox.ImageWrites(paths.upper(), state.hostUid(), state.idCountOrOne()));
    }

    @Override
    public dev.ale.core.passport.Phase phase() {
        return network.phase();
    }

    @Override
    public void enterPhase(dev.ale.core.passport.Phase phase) {
        network.enterPhase(phase);
        prepareTests(phase);
    }

    /**
     * /tests is the verifier's: emptied at every phase change, owned by host root (no one inside,
     * so nothing the agent does can put a file there) in every phase but verify, which gives it to
     * the sandbox's user for the verifier's files, copied in fresh. The work happens on the host,
     * on the sandbox's own tmpfs, without following any link in it.
     */
    private void prepareTests(Phase phase) {
        Path dir = paths.tests();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return; // made by an older ALE
        try {
            int owner = phase == Phase.VERIFY ? state.userHostUid() : 0;
            Files.setAttribute(dir, "unix:uid", 0); // closed while it is emptied
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) if (!p.equals(dir)) Files.delete(p);
            }
            Files.setAttribute(dir, "unix:gid", phase == Phase.VERIFY ? state.userHostGid() : 0);
            Files.setAttribute(dir, "unix:uid", owner);
            Files.setAttribute(dir, "unix:mode", 0755);
        } catch (IOException e) {
            throw new SandboxException(Fault.ENVIRONMENT, "sandbox " + id() + ": cannot prepare /tests for phase " + phase + ": " + e.getMessage(), e);
        }
    }

    /**
     * A command that hit the pids limit may end before the limit watcher's next look (a fork
     * bomb's first shell returns at once); the sandbox is killed now, as the watcher would, so
     * the command's result says why rather than reporting a clean exit.
     */
    Optional<String> killedForPids() {
        kill("pids");
        return state.killReasonOptional();
    }

    @Override
    public synchronized void kill(String reason) {
        if (destroyed) return;
        if (state.killReason() == null) {
            state = state.killed(reason);
            state.write(paths.stateFile());
        }
        sessions.forEach(LocalShellSession::close);
        running.forEach(RunningCall::kill);
        cgroup.killAll();
        frozen = false;
    }

    /**
     * Kills every process of the sandbox before it returns; the rest of the teardown (mounts,
     * namespace, cgroup, directory) happens in the background when the backend has a warm pool.
     */
    @Override
    public void destroy() {
        synchronized (this) {
            if (destroyed) return;
            destroyed = true;
        }
        sessions.forEach(LocalShellSession::close);
        running.forEach(RunningCall::kill);
        synchronized (this) {
            if (resident != null) resident.close();
        }
        List<String> problems = backend.release(this);
        if (!problems.isEmpty()) {
            throw new SandboxException(Fault.ENVIRONMENT, "sandbox " + id() + " was not fully removed: "
                    + String.join("; ", problems) + " (ale sandbox gc retries once this process has exited)");
        }
    }

    boolean isDestroyed() {
        return destroyed;
    }

    private void checkUsable() {
        if (destroyed) throw new SandboxException(Fault.INPUT, "sandbox " + id() + " has been destroyed");
        if (state.killReason() != null) {
            throw new SandboxException(Fault.INPUT, "sandbox " + id() + " was killed (" + state.killReason() + "); make a new one");
        }
        if (remaining().isNegative() || remaining().isZero()) {
            kill("timeout");
            throw new SandboxException(Fault.INPUT, "sandbox " + id() + " has used up its wall time (" + passport.resources().wallTime() + ")");
        }
    }
}
