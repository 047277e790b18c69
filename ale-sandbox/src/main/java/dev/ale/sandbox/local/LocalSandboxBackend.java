package dev.ale.sandbox.local;

import dev.ale.core.host.OwnTree;
import dev.ale.core.host.HostTools;
import dev.ale.core.AleException;
import dev.ale.core.AleException.Fault;
import dev.ale.core.passport.FilesystemRules;
import dev.ale.core.passport.Passport;
import dev.ale.core.passport.PassportLoader;
import dev.ale.core.passport.PassportWriter;
import dev.ale.core.passport.Phase;
import dev.ale.core.passport.Resources;
import dev.ale.core.sandbox.GarbageReport;
import dev.ale.core.sandbox.ImageResolver;
import dev.ale.core.sandbox.ImageAccounts;
import dev.ale.core.sandbox.ImageRoot;
import dev.ale.core.sandbox.OutputListener;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxBackend;
import dev.ale.core.sandbox.SandboxException;
import dev.ale.core.sandbox.SandboxFiles;
import dev.ale.core.sandbox.SandboxInfo;
import dev.ale.core.sandbox.SandboxNetwork;
import dev.ale.core.sandbox.SandboxNetwork.NetworkAttachment;
import dev.ale.core.sandbox.SandboxRequest;
import dev.ale.sandbox.cgroup.Cgroup;
import dev.ale.sandbox.cgroup.CgroupDriver;
import dev.ale.sandbox.cgroup.CgroupLimits;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Objects;
import java.util.Set;

/**
 * Sandboxes on this machine: bubblewrap in a network namespace and cgroup that ALE makes, each
 * as its own unprivileged host uid, with a tmpfs workspace. Everything a sandbox owns is named
 * in its state file before it is made, so {@link #collectGarbage()} can always undo a crash.
 */
public final class LocalSandboxBackend implements SandboxBackend {

    private static final System.Logger LOG = System.getLogger(LocalSandboxBackend.class.getName());

    /**
     * How a local backend is set up: where it keeps state, the host uids it may use, what each
     * sandbox's network namespace is connected to (by default nothing: only loopback), and
     * host paths no sandbox on the host root may see (ALE's checkout, task directories).
     */
    public record Config(Path dataDir, int uidBase, int uidCount, SandboxNetwork network, List<Path> hiddenHostPaths,
                         Optional<ImageResolver> images, ExecPath execPath, Optional<String> cgroupParent, int warmPool) {

        /** Host uids from the base: 256 ranges for root-inside sandboxes, or as many sandboxes of one uid. */
        public static final int DEFAULT_UID_COUNT = 256 * ROOT_RANGE;

        /** Directories every sandbox on the host root runs from: hiding one of them (or / itself) would break it. */
        private static final List<Path> NEEDED = Stream.of("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
                .map(Path::of).toList();

        public Config {
            Objects.requireNonNull(dataDir, "dataDir");
            Objects.requireNonNull(network, "network");
            List<Path> paths = new ArrayList<>();
            for (Path p : hiddenHostPaths) {
                if (!p.isAbsolute()) throw new SandboxException(Fault.INPUT, "hidden host path " + p + " is not absolute");
                Path n = p.normalize();
                unhideable(n).ifPresent(needed -> {
                    throw new SandboxException(Fault.INPUT, "cannot hide " + n + " from sandboxes: every sandbox runs from "
                            + needed + "; name a directory below it");
                });
                if (!paths.contains(n)) paths.add(n);
            }
            hiddenHostPaths = List.copyOf(paths);
            images = images == null ? Optional.empty() : images;
            Objects.requireNonNull(execPath, "execPath");
            Objects.requireNonNull(cgroupParent, "cgroupParent");
            if (warmPool < 0 || warmPool > MAX_WARM_POOL) {
                throw new SandboxException(Fault.INPUT, "warm pool of " + warmPool + ": say 0 (none) to " + MAX_WARM_POOL + " sandboxes");
            }
        }

        public Config(Path dataDir, int uidBase, int uidCount, SandboxNetwork network, List<Path> hiddenHostPaths) {
            this(dataDir, uidBase, uidCount, network, hiddenHostPaths, Optional.empty(), ExecPath.RESIDENT_INIT, Optional.empty(), 0);
        }

        /**
         * Keeps {@code size} blank sandboxes ready (more while claims find none), and tears sandboxes
         * down in the background; 0: none, every sandbox is made and removed on the caller's thread.
         */
        public Config withWarmPool(int size) {
            return new Config(dataDir, uidBase, uidCount, network, hiddenHostPaths, images, execPath, cgroupParent, size);
        }

        /** Runs every command of every sandbox by {@code path}. */
        public Config withExecPath(ExecPath path) {
            return new Config(dataDir, uidBase, uidCount, network, hiddenHostPaths, images, path, cgroupParent, warmPool);
        }

        /** Lets passports name an image ({@code filesystem.image}), resolved to its layers by {@code images}. */
        public Config withImages(ImageResolver resolver) {
            return new Config(dataDir, uidBase, uidCount, network, hiddenHostPaths, Optional.of(resolver), execPath, cgroupParent, warmPool);
        }

        /**
         * $ALE_HOME (else /var/lib/ale) as data directory, and the checkout ALE runs from
         * ($ALE_REPO), every other worktree of its git repository and the working directory hidden, as far as they
         * can be; $ALE_SANDBOX_EXEC picks the exec path.
         */
        public static Config defaults() {
            String home = System.getenv("ALE_HOME");
            List<Path> hidden = hiddenByDefault(Optional.ofNullable(System.getenv("ALE_REPO")), System.getProperty("user.dir"));
            return new Config(Path.of(home == null || home.isBlank() ? "/var/lib/ale" : home), 1_000_000_000, DEFAULT_UID_COUNT,
                    SandboxNetwork.loopbackOnly(), hidden).withExecPath(execPathFromEnv(System.getenv("ALE_SANDBOX_EXEC")))
                    .withWarmPool(warmPoolFromEnv(System.getenv("ALE_WARM_POOL")));
        }

        /**
         * What {@link #defaults()} hides for a process started from {@code workdir} with $ALE_REPO {@code repo}: each
         * one's git checkout and its sibling worktrees (a resident ALE compares a client's with its own).
         */
        public static List<Path> hiddenByDefault(Optional<String> repo, String workdir) {
            List<Path> hidden = new ArrayList<>();
            for (String dir : new String[] {repo.orElse(null), workdir}) {
                if (dir == null || dir.isBlank()) continue;
                Path p = Path.of(dir);
                // a working directory of / (a service) or /usr hides nothing rather than everything
                if (!p.isAbsolute() || unhideable(p.normalize()).isPresent()) continue;
                // the checkout's sibling worktrees hold the same tasks and solutions
                for (Path tree : GitCheckouts.of(p)) {
                    if (!hidden.contains(tree) && unhideable(tree.normalize()).isEmpty()) hidden.add(tree);
                }
            }
            return List.copyOf(hidden);
        }

        /** $ALE_WARM_POOL: blank sandboxes kept ready, {@value #DEFAULT_WARM_POOL} when unset; 0 turns the pool off. */
        static int warmPoolFromEnv(String value) {
            if (value == null || value.isBlank()) return DEFAULT_WARM_POOL;
            try {
                return Integer.parseInt(value.strip());
            } catch (NumberFormatException e) {
                throw new SandboxException(Fault.INPUT, "ALE_WARM_POOL=" + value + ": say how many blank sandboxes to keep ready (0 to "
                        + MAX_WARM_POOL + "; 0 turns the warm pool off)");
            }
        }

        /** $ALE_SANDBOX_EXEC: {@code resident} (the default) or {@code per-call}. */
        static ExecPath execPathFromEnv(String value) {
            if (value == null || value.isBlank() || value.strip().equals("resident")) return ExecPath.RESIDENT_INIT;
            if (value.strip().equals("per-call")) return ExecPath.BWRAP_PER_CALL;
            throw new SandboxException(Fault.INPUT, "ALE_SANDBOX_EXEC=" + value + ": say resident (one init per sandbox forks each call) "
                    + "or per-call (a new bubblewrap for every call)");
        }

        /**
         * Host uids {@code base} to {@code base + count - 1} for sandboxes: nodes sharing a host need
         * ranges of their own, since each claims uids in its own data directory.
         */
        public Config withUids(int base, int count) {
            if (base < 1 || count < 1 || (long) base + count > Integer.MAX_VALUE) {
                throw new SandboxException(Fault.INPUT, "uid range " + base + "+" + count + ": base and count must be positive and end below 2^31");
            }
            return new Config(dataDir, base, count, network, hiddenHostPaths, images, execPath, cgroupParent, warmPool);
        }

        /**
         * Sandbox cgroups under {@code parent} (relative to the cgroup root) instead of {@code ale/}:
         * nodes sharing a host each keep theirs in a subtree of their own. The data directory
         * remembers it, so a later backend on it without this (ale sandbox gc) finds them.
         */
        public Config withCgroupParent(String parent) {
            // checked here, not only when the backend opens, so a bad path fails before anything starts
            return new Config(dataDir, uidBase, uidCount, network, hiddenHostPaths, images, execPath, Optional.of(CgroupDriver.checkParent(parent)),
                    warmPool);
        }

        public Config withDataDir(Path dir) {
            return new Config(dir, uidBase, uidCount, network, hiddenHostPaths, images, execPath, cgroupParent, warmPool);
        }

        /** Connects every sandbox's namespace to {@code n} (the gateway) instead of leaving it loopback only. */
        public Config withNetwork(SandboxNetwork n) {
            return new Config(dataDir, uidBase, uidCount, n, hiddenHostPaths, images, execPath, cgroupParent, warmPool);
        }

        /** Also hides {@code paths} (task directories, say) from every sandbox made on the host root. */
        public Config hiding(Collection<Path> paths) {
            List<Path> all = new ArrayList<>(hiddenHostPaths);
            for (Path p : paths) all.add(p.toAbsolutePath());
            return new Config(dataDir, uidBase, uidCount, network, all, images, execPath, cgroupParent, warmPool);
        }

        private static Optional<Path> unhideable(Path p) {
            if (p.getNameCount() == 0) return Optional.of(Path.of("/"));
            return NEEDED.stream().filter(needed -> needed.startsWith(p)).findFirst();
        }
    }

    /**
     * How a sandbox starts each command. {@code RESIDENT_INIT}: the sandbox's resident init forks
     * it (a call costs a fork and an exec; calls share one pid namespace, and each call's
     * processes still end with it). {@code BWRAP_PER_CALL}: every command gets its own bubblewrap,
     * with its own pid namespace and mount setup (a call sees no process of another call, at
     * about 25 ms a call). A build without the init's binary always takes the per-call path.
     */
    public enum ExecPath { RESIDENT_INIT, BWRAP_PER_CALL }

    /** Blank sandboxes kept ready when $ALE_WARM_POOL does not say. */
    public static final int DEFAULT_WARM_POOL = 2;
    static final int MAX_WARM_POOL = 256;

    private static final Duration WATCH_PERIOD = Duration.ofMillis(100);
    /** The fewest files a sandbox's tmpfs may hold, however small its byte cap. */
    static final long MIN_INODES = 65_536;
    /** Host ids a root-inside sandbox owns, mapped to 0..65535 inside (as rootless containers' subordinate ranges are sized). */
    static final int ROOT_RANGE = 65_536;
    /** Files ALE binds over a host root's but leaves to an image. */
    private static final List<Path> IMAGE_OWN_FILES = List.of(Path.of("/etc/passwd"), Path.of("/etc/group"));
    private static final String ID_PATTERN = "sb-[0-9a-f]{8}";

    private final Config config;
    private final Path dataDir;
    private final CgroupDriver cgroups;
    private final Map<String, LocalSandbox> live = new ConcurrentHashMap<>();
    /** Network attachments this backend made, closed by teardown before the namespace goes. */
    private final Map<String, NetworkAttachment> attachments = new ConcurrentHashMap<>();
    /** Ids this backend made; only these die with it (a sandbox merely found belongs to its maker). */
    private final Set<String> created = ConcurrentHashMap.newKeySet();
    private GarbageReport startupCollection;
    /** The compiled seccomp filter every sandbox's launcher opens for bubblewrap. */
    private final Path seccompFile;
    /** bubblewrap argument files this backend wrote; they name its overlay views, so they go with it. */
    private final Set<Path> argsFiles = ConcurrentHashMap.newKeySet();
    private final OverlayViews views;
    /** The lowest layer of every image sandbox's root: the mount points ALE binds over (see {@link #writeMountPoints}). */
    private final Path mountPoints;
    /** The resident init's binary when sandboxes run their commands through one. */
    private final Optional<Path> initBinary;
    private final Thread watcher;
    private final Thread shutdownHook;
    /** Blank sandboxes made ahead; empty when the configuration says 0. */
    private final Optional<WarmPool> pool;
    /** The users images run as, by image and {@code User}, so a cold start of an image mounts nothing to read its accounts again. */
    private final ImageUsers imageUsers = new ImageUsers();
    /** Where destroyed sandboxes are torn down when the pool is on (off the caller's path); one thread, in order. */
    private final Optional<ExecutorService> teardowns;
    /** Sandboxes destroyed (dead) whose teardown has not finished: neither listed nor found. */
    private final Set<String> draining = ConcurrentHashMap.newKeySet();
    private final long selfPid = ProcessHandle.current().pid();
    private final long selfStartMillis = ProcessHandle.current().info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
    private volatile boolean closed;

    public LocalSandboxBackend(Config config) {
        HostCommands.checkHost();
        this.config = config;
        this.dataDir = prepareDataDir(config.dataDir());
        this.cgroups = CgroupDriver.detect().withParent(cgroupParent(dataDir, config.cgroupParent()));
        this.seccompFile = writeSeccompFilter(dataDir);
        this.views = new OverlayViews(dataDir.resolve("views"));
        this.mountPoints = writeMountPoints(dataDir.resolve("mount-points"));
        this.initBinary = config.execPath() == ExecPath.RESIDENT_INIT ? ResidentInit.install(dataDir) : Optional.empty();
        this.startupCollection = collectGarbage();
        this.pool = config.warmPool() == 0 ? Optional.empty() : Optional.of(new WarmPool(config.warmPool(), new WarmPool.Maker() {
            @Override
            public WarmPool.Blank prepare(Passport template, WarmPool.Shape shape) {
                return prepareBlank(template, shape);
            }

            @Override
            public void discard(WarmPool.Blank blank) {
                discardBlank(blank);
            }
        }));
        this.teardowns = pool.map(p -> Executors.newSingleThreadExecutor(
                Thread.ofPlatform().daemon().name("ale-teardown").factory()));
        this.watcher = Thread.ofPlatform().daemon().name("ale-limit-watcher").start(this::watchLimits);
        this.shutdownHook = new Thread(this::close, "ale-sandbox-cleanup");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * The cgroup parent for this data directory: the one asked for (recorded in {@code cgroup-parent}),
     * else the one recorded, else {@code ale}. A data directory holding sandboxes under one parent
     * refuses another, since their cgroups would be lost to gc.
     */
    private static String cgroupParent(Path dataDir, Optional<String> asked) {
        Path file = dataDir.resolve("cgroup-parent");
        try {
            Optional<String> recorded = Files.exists(file) ? Optional.of(CgroupDriver.checkParent(Files.readString(file).strip())) : Optional.empty();
            if (asked.isEmpty()) return recorded.orElse(CgroupDriver.DEFAULT_PARENT);
            String before = recorded.orElse(CgroupDriver.DEFAULT_PARENT);
            if (!before.equals(asked.get()) && holdsSandboxes(dataDir)) {
                throw new SandboxException(Fault.INPUT, "cgroup parent " + asked.get() + ": the data directory " + dataDir
                        + " holds sandboxes under the cgroup parent " + before + "; remove them first (ale sandbox gc) or keep " + before);
            }
            if (recorded.isEmpty() && asked.get().equals(CgroupDriver.DEFAULT_PARENT)) return asked.get();
            Files.writeString(file, asked.get() + "\n");
            return asked.get();
        } catch (IOException e) {
            throw new SandboxException(Fault.ENVIRONMENT, "cannot read or write " + file + ": " + e.getMessage(), e);
        }
    }

    private static boolean holdsSandboxes(Path dataDir) throws IOException {
        Path dir = dataDir.resolve("sandboxes");
        if (!Files.isDirectory(dir)) return false;
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isPresent();
        }
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public Sandbox create(SandboxRequest request) {
        if (closed) throw new SandboxException(Fault.ENVIRONMENT, "the sandbox backend is closed");
        Passport passport = request.passport();
        // an image is resolved (pulled if need be) before anything exists; a host or rootfs base is checked now
        Optional<ImageRoot> image = passport.filesystem().image().map(this::resolveImage);
        RootfsLayout layout = image.isPresent() ? null : layoutFor(passport); // checks the passport's binds before anything exists
        // an image sandbox owns a range of host ids, mapped to 0..65535 inside: its files keep their owners (root's, _apt's,
        // its USER's), and it runs as root or as its USER's uid (resolved once its root is mounted). A host-root sandbox runs
        // as the agent, its one uid
        int idCount = image.isPresent() ? ROOT_RANGE : 1;
        // a detached sandbox outlives this process, and the pool's init with it would not: those are made cold. An image's
        // blanks are keyed by the image as resolved now, so a tag moved to another image is never served the old one
        if (pool.isPresent() && !request.detached()) {
            WarmPool.Shape shape = image.isPresent()
                    ? WarmPool.Shape.of(new WarmPool.ImageShape(image.get(), passport.filesystem()), passport)
                    : WarmPool.Shape.of(layout, passport);
            Optional<WarmPool.Blank> blank = pool.get().take(passport, shape);
            if (blank.isPresent()) {
                Optional<LocalSandbox> claimed = claim(blank.get(), request);
                if (claimed.isPresent()) return claimed.get();
            }
        }
        String id = newId();
        SandboxPaths paths = new SandboxPaths(dataDir.resolve("sandboxes").resolve(id));
        int uid = -1;
        SandboxState state = null;
        Optional<ImageUser> imageUser = Optional.empty();
        try {
            Files.createDirectories(paths.dir());
            Files.setPosixFilePermissions(paths.dir(), PosixFilePermissions.fromString("rwx--x--x"));
            uid = idCount > 1 ? allocateRange(id, idCount) : allocateUid(id);
            long now = System.currentTimeMillis();
            state = new SandboxState(id, uid, PassportWriter.toYaml(passport), passport.id(), now,
                    now + passport.resources().wallTime().toMillis(), request.detached(), selfPid, selfStartMillis, null, request.labels(),
                    Map.of(), Map.of(), null, image.isPresent() ? BwrapCommand.ROOT_UID : BwrapCommand.INSIDE_UID, idCount, false, null, List.of());
            state.write(paths.stateFile());

            Resources r = passport.resources();
            Cgroup cgroup = cgroups.create(id, new CgroupLimits(r.cpus(), r.memoryBytes(), r.pids()));
            mountWorkspace(paths, uid, r.workspaceBytes());
            if (image.isPresent()) {
                // Docker's rule: no USER (or root) is root; else the uid and group USER names, from the image's own accounts
                ImageUser user = imageUser(paths, image.get());
                state = state.withUser(user);
                state.write(paths.stateFile());
                mountImageRoot(paths, image.get(), state);
                // the workspace is the user's, as the agent's is in a host-root sandbox
                Files.setAttribute(paths.workspace(), "unix:uid", state.userHostUid());
                Files.setAttribute(paths.workspace(), "unix:gid", state.userHostGid());
                imageUser = Optional.of(user);
            }
            HostCommands.run(List.of("ip", "netns", "add", paths.netnsName()));
            HostCommands.run(List.of("ip", "-n", paths.netnsName(), "link", "set", "lo", "up"));
            NetworkAttachment network = config.network().attach(
                    new SandboxNetwork.NetworkTarget(id, paths.netnsName(), passport, request.phase()));
            attachments.put(id, network);
            writeNameFiles(paths, id, network.resolvConf());
            layout = layoutFor(passport, sandboxEtc(paths), imageBase(paths));
            state = state.withNetworkEnv(network.environment());
            if (image.isPresent()) state = state.withImage(imageEnv(image.get(), imageUser.orElseThrow()), image.get().workingDir());
            state.write(paths.stateFile());

            LocalSandbox sandbox = new LocalSandbox(this, paths, state, passport, cgroup, argsFile(paths, layout, passport, state), network);
            created.add(id);
            live.put(id, sandbox);
            if (closed) { // close() ran while we were making it: do not outlive the backend
                sandbox.destroy();
                throw new SandboxException(Fault.ENVIRONMENT, "the sandbox backend was closed while creating " + id);
            }
            // started now, not at the first call: its bubblewrap sets up while the caller goes on. Not for a detached
            // sandbox: the process that makes it (ale sandbox create) may end at once, and its calls come from others
            if (!request.detached()) sandbox.startResident();
            return sandbox;
        } catch (IOException | RuntimeException e) {
            List<String> problems = state == null ? List.of() : teardown(state, paths);
            if (state == null) {
                deleteTree(paths.dir());
                if (uid >= 0) releaseIds(uid, id);
            }
            String extra = problems.isEmpty() ? "" : " (and cleaning up: " + String.join("; ", problems) + ")";
            if (e instanceof AleException ale) {
                throw new SandboxException(ale.fault(), "cannot create a sandbox: " + ale.getMessage() + extra, e);
            }
            throw new SandboxException(Fault.ENVIRONMENT, "cannot create a sandbox: " + e.getMessage() + extra, e);
        }
    }

    @Override
    public Optional<Sandbox> find(String id) {
        LocalSandbox known = live.get(id);
        if (known != null) return Optional.of(known);
        if (!id.matches(ID_PATTERN) || draining.contains(id)) return Optional.empty();
        SandboxPaths paths = new SandboxPaths(dataDir.resolve("sandboxes").resolve(id));
        return SandboxState.read(paths.stateFile()).filter(state -> !state.pooled()).flatMap(state -> {
            Passport passport = PassportLoader.parse(state.passportYaml(), paths.stateFile().toString());
            addShm(paths, state.hostUid());
            addTests(paths);
            return cgroups.open(id).map(cgroup -> {
                // its network belongs to the process that made it: here only its phase is tracked
                NetworkAttachment network = SandboxNetwork.loopbackOnly()
                        .attach(new SandboxNetwork.NetworkTarget(id, paths.netnsName(), passport, Phase.AGENT));
                LocalSandbox s = new LocalSandbox(this, paths, state, passport, cgroup,
                        argsFile(paths, layoutFor(passport, sandboxEtc(paths), imageBase(paths)), passport, state),
                        network);
                live.put(id, s);
                return (Sandbox) s;
            });
        });
    }

    @Override
    public List<SandboxInfo> list() {
        List<SandboxInfo> result = new ArrayList<>();
        for (SandboxState s : states()) {
            if (s.pooled() || draining.contains(s.id())) continue;
            LocalSandbox known = live.get(s.id());
            result.add(known != null ? known.info() : s.info(name(), false));
        }
        result.sort(Comparator.comparing(SandboxInfo::createdAt));
        return List.copyOf(result);
    }

    /** Also reports what this backend's constructor already collected, the first time it is called. */
    @Override
    public synchronized GarbageReport collectGarbage() {
        List<String> removed = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        if (startupCollection != null) {
            removed.addAll(startupCollection.removed());
            problems.addAll(startupCollection.problems());
            startupCollection = null;
        }
        long now = System.currentTimeMillis();
        Path sandboxes = dataDir.resolve("sandboxes");
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(sandboxes)) {
            for (Path dir : dirs) {
                String id = dir.getFileName().toString();
                if (live.containsKey(id)) continue;
                SandboxPaths paths = new SandboxPaths(dir);
                Optional<SandboxState> state = SandboxState.read(paths.stateFile());
                if (state.isEmpty()) {
                    // made by a process that died before writing its state: nothing of the kernel's exists yet
                    if (olderThan(dir, Duration.ofMinutes(1))) deleteTree(dir);
                    continue;
                }
                SandboxState s = state.get();
                boolean orphan = !s.detached() && s.ownerIsGone();
                boolean expired = s.detached() && s.expiresAtMillis() < now;
                if (orphan || expired) {
                    problems.addAll(teardown(s, paths));
                    // a warm pool's blank was never anyone's sandbox: removed, not reported
                    if (!s.pooled()) removed.add(id);
                }
            }
        } catch (IOException e) {
            problems.add("cannot list " + sandboxes + ": " + e.getMessage());
        }
        releaseLeakedUids();
        OverlayViews.collectGarbage(dataDir.resolve("views"));
        try {
            problems.addAll(config.network().collectGarbage());
        } catch (RuntimeException e) {
            problems.add("network: " + e.getMessage());
        }
        return new GarbageReport(removed, problems);
    }

    /** Destroys a sandbox by id, whoever made it. */
    @Override
    public void remove(String id) {
        if (!id.matches(ID_PATTERN)) {
            throw new SandboxException(Fault.INPUT, "\"" + id + "\" is not a sandbox id (they look like sb-0123abcd)");
        }
        Sandbox s = find(id).orElseGet(() -> {
            SandboxPaths paths = new SandboxPaths(dataDir.resolve("sandboxes").resolve(id));
            SandboxState state = SandboxState.read(paths.stateFile()).filter(st -> !st.pooled())
                    .orElseThrow(() -> new SandboxException(Fault.INPUT, "no sandbox " + id + " (see: ale sandbox ls)"));
            List<String> problems = teardown(state, paths);
            if (!problems.isEmpty()) throw new SandboxException(Fault.ENVIRONMENT, String.join("; ", problems));
            return null;
        });
        if (s != null) s.destroy();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        watcher.interrupt();
        pool.ifPresent(WarmPool::close);
        for (LocalSandbox s : List.copyOf(live.values())) {
            if (created.contains(s.id()) && !s.state().detached()) {
                try {
                    s.destroy();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "could not destroy sandbox " + s.id() + ": " + e.getMessage());
                }
            }
        }
        live.clear();
        teardowns.ifPresent(t -> {
            t.shutdown();
            try {
                if (!t.awaitTermination(2, TimeUnit.MINUTES)) {
                    LOG.log(System.Logger.Level.WARNING, "sandbox teardowns still running after 2 minutes; ale sandbox gc finishes them");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        for (Path f : argsFiles) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException e) {
                // its sandbox's teardown removes it with the directory
            }
        }
        views.close();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down: this is the hook
        }
    }

    /**
     * Kills a destroyed sandbox's processes now and removes the rest: in the background when the
     * pool is on (the caller's answer waits only for the kill), else here. Returns what could not be
     * undone here.
     */
    List<String> release(LocalSandbox sandbox) {
        SandboxState state = sandbox.state();
        SandboxPaths paths = sandbox.paths();
        Cgroup cgroup = sandbox.cgroup();
        // an image sandbox's overlay marks its image in use until the background unmounts it; close() waits for that, so
        // `ale image rm` from another process finds the image free once the process that destroyed the sandbox has ended
        if (teardowns.isEmpty()) return teardown(state, paths);
        live.remove(state.id());
        draining.add(state.id());
        try {
            // say why first, so a command of another ALE process that the kill ends can tell
            state.killed("removed").write(paths.stateFile());
            // dead when this returns; their reaping and the cgroup's removal are the background's
            cgroup.killAllWithoutWaiting();
            teardowns.get().execute(() -> {
                try {
                    List<String> problems = teardown(state, paths);
                    if (!problems.isEmpty()) {
                        LOG.log(System.Logger.Level.WARNING, "sandbox " + state.id() + " was not fully removed: " + String.join("; ", problems)
                                + " (ale sandbox gc retries once this process has exited)");
                    }
                } finally {
                    draining.remove(state.id());
                }
            });
            return List.of();
        } catch (RuntimeException e) {
            // the kill did not finish, or the backend is closing: the whole teardown here, and the caller hears what is left
            draining.remove(state.id());
            return teardown(state, paths);
        }
    }

    /**
     * A blank for the warm pool, shaped for {@code template}: everything a cold create makes that
     * does not depend on the passport's limits or network, and its resident init started. Its
     * state file says {@code pooled}, so a crash leaves nothing gc does not find.
     */
    private WarmPool.Blank prepareBlank(Passport template, WarmPool.Shape shape) {
        String id = newId();
        SandboxPaths paths = new SandboxPaths(dataDir.resolve("sandboxes").resolve(id));
        int uid = -1;
        SandboxState state = null;
        Optional<SandboxNetwork.PreparedLink> link = Optional.empty();
        try {
            Files.createDirectories(paths.dir());
            Files.setPosixFilePermissions(paths.dir(), PosixFilePermissions.fromString("rwx--x--x"));
            Optional<ImageRoot> image = shape.image().map(WarmPool.ImageShape::root);
            int idCount = image.isPresent() ? ROOT_RANGE : 1;
            uid = image.isPresent() ? allocateRange(id, idCount) : allocateUid(id);
            long now = System.currentTimeMillis();
            state = new SandboxState(id, uid, PassportWriter.toYaml(template), template.id(), now, now + template.resources().wallTime().toMillis(),
                    false, selfPid, selfStartMillis, null, Map.of(), Map.of(), Map.of(), null,
                    image.isPresent() ? BwrapCommand.ROOT_UID : BwrapCommand.INSIDE_UID, idCount, true, null, List.of());
            state.write(paths.stateFile());
            Resources r = template.resources();
            CgroupLimits limits = new CgroupLimits(r.cpus(), r.memoryBytes(), r.pids());
            Cgroup cgroup = cgroups.create(id, limits);
            mountWorkspace(paths, uid, r.workspaceBytes());
            if (image.isPresent()) {
                // as a cold create does: the image's user, its root mounted (the store sees its layers in use from now)
                ImageUser user = imageUser(paths, image.get());
                state = state.withUser(user);
                state.write(paths.stateFile());
                mountImageRoot(paths, image.get(), state);
                Files.setAttribute(paths.workspace(), "unix:uid", state.userHostUid());
                Files.setAttribute(paths.workspace(), "unix:gid", state.userHostGid());
                state = state.withImage(imageEnv(image.get(), user), image.get().workingDir());
                state.write(paths.stateFile());
            }
            HostCommands.run(List.of("ip", "netns", "add", paths.netnsName()));
            HostCommands.run(List.of("ip", "-n", paths.netnsName(), "link", "set", "lo", "up"));
            link = config.network().prepare(paths.netnsName());
            // a network that names a DNS server gets its resolv.conf at claim, written into this file (bound by inode)
            boolean placeholder = config.network() != SandboxNetwork.loopbackOnly();
            writeNameFiles(paths, id, placeholder ? Optional.of("") : Optional.empty());
            RootfsLayout layout = layoutFor(template, sandboxEtc(paths), imageBase(paths));
            Path args = argsFile(paths, layout, template, state);
            AtomicBoolean lost = new AtomicBoolean();
            AtomicReference<Consumer<String>> onLost =
                    new AtomicReference<>(why -> lost.set(true));
            SandboxState blankState = state;
            // an image's blank enters the user namespace that owns its range, as its sandbox would
            Optional<Path> userns = blankState.ownsRange() ? Optional.of(paths.userns()) : Optional.empty();
            Optional<ResidentInit> init = initBinary.map(binary -> LocalSandbox.launchResident(this, id, cgroup, paths, blankState,
                    args, userns, why -> onLost.get().accept(why)));
            if (init.isPresent()) awaitInitReady(id, init.get(), image.isPresent());
            return new WarmPool.Blank(id, paths, uid, blankState, cgroup, limits, args, init, link, placeholder, shape, lost, onLost);
        } catch (IOException | RuntimeException e) {
            List<String> problems = new ArrayList<>();
            try {
                link.ifPresent(SandboxNetwork.PreparedLink::close);
            } catch (RuntimeException linkProblem) {
                problems.add(linkProblem.getMessage());
            }
            if (state != null) problems.addAll(teardown(state, paths));
            if (state == null) {
                deleteTree(paths.dir());
                if (uid >= 0) releaseIds(uid, id);
            }
            String extra = problems.isEmpty() ? "" : " (and cleaning up: " + String.join("; ", problems) + ")";
            throw new SandboxException(Fault.ENVIRONMENT, "cannot prepare a blank sandbox: " + e.getMessage() + extra, e);
        }
    }

    /**
     * Runs {@code true} through a blank's new init: a blank is offered only once its bubblewrap is set
     * up and its init answers, so the first call of the sandbox waits for neither (and a broken init
     * fails here, not in someone's sandbox).
     */
    private static void awaitInitReady(String id, ResidentInit init, boolean image) {
        CapturedOutput err = new CapturedOutput(1024);
        RunningCall call = init.start(List.of("true"), BwrapCommand.baseEnv(id), "/", new byte[0], OutputListener.NONE,
                new CapturedOutput(1024), err);
        if (!call.waitFor(Duration.ofSeconds(60))) {
            call.kill();
            throw new SandboxException(Fault.ENVIRONMENT, "the resident init of blank " + id + " did not answer in 60 s");
        }
        int exit = call.finish();
        // an image need not have `true` (a scratch image has no programs): the init's own report that it found none
        // proves as well that the init answers inside the finished root
        boolean answered = exit == 0 || image && exit == 1 && err.text().startsWith("ale-init: execvp true: ");
        if (call instanceof ResidentCall rc && (rc.wasLost() || !rc.failure().isEmpty() || !answered)) {
            throw new SandboxException(Fault.ENVIRONMENT, "the resident init of blank " + id + " cannot run `true` (exit " + exit
                    + (rc.failure().isEmpty() ? "" : ", " + rc.failure()) + ")");
        }
    }

    /** Removes a blank never claimed (its init first, which ends everything in its pid namespace). */
    private void discardBlank(WarmPool.Blank blank) {
        blank.init().ifPresent(ResidentInit::close);
        List<String> problems = new ArrayList<>();
        try {
            blank.link().ifPresent(SandboxNetwork.PreparedLink::close);
        } catch (RuntimeException e) {
            problems.add(e.getMessage());
        }
        SandboxState.read(blank.paths().stateFile()).ifPresent(state -> problems.addAll(teardown(state, blank.paths())));
        if (!problems.isEmpty()) throw new SandboxException(Fault.ENVIRONMENT, String.join("; ", problems));
    }

    /**
     * Makes a blank into the requested sandbox: the passport's limits written into its cgroup, its
     * network attached, its state (owner, passport, labels, times) written. Empty, with the blank
     * removed, when the blank cannot serve (its init ended, or the network's resolv.conf does not
     * fit what it was prepared with): the caller makes the sandbox cold.
     */
    private Optional<LocalSandbox> claim(WarmPool.Blank blank, SandboxRequest request) {
        Passport passport = request.passport();
        String id = blank.id();
        SandboxPaths paths = blank.paths();
        long now = System.currentTimeMillis();
        // the blank's user, id range and image Env stay: its mounts and init were made for them
        SandboxState made = blank.state();
        SandboxState state = new SandboxState(id, blank.uid(), PassportWriter.toYaml(passport), passport.id(), now,
                now + passport.resources().wallTime().toMillis(), false, selfPid, selfStartMillis, null, request.labels(),
                Map.of(), made.imageEnv(), made.imageWorkdir(), made.insideUid(), made.idCount(), false, made.insideGid(),
                made.groups());
        NetworkAttachment network = null;
        try {
            Resources r = passport.resources();
            CgroupLimits limits = new CgroupLimits(r.cpus(), r.memoryBytes(), r.pids());
            // the passport's limits, unless the blank was made with these very ones
            Cgroup cgroup = limits.equals(blank.limits()) ? blank.cgroup() : cgroups.create(id, limits);
            network = config.network().attach(new SandboxNetwork.NetworkTarget(id, paths.netnsName(), passport, request.phase()), blank.link());
            attachments.put(id, network);
            if (network.resolvConf().isPresent() != blank.resolvConfPlaceholder() || blank.lost().get()) {
                blank.init().ifPresent(ResidentInit::close);
                problemsLogged(teardown(state, paths));
                return Optional.empty();
            }
            if (network.resolvConf().isPresent()) {
                // in place (same inode): the init's bubblewrap bound this very file
                Files.writeString(paths.resolvConf(), network.resolvConf().get());
            }
            state = state.withNetworkEnv(network.environment());
            state.write(paths.stateFile());
            LocalSandbox sandbox = new LocalSandbox(this, paths, state, passport, cgroup, blank.argsFile(), network);
            blank.init().ifPresent(sandbox::adoptResident);
            blank.onLost().set(sandbox::residentLost);
            if (blank.lost().get()) sandbox.residentLost("it ended before the sandbox was claimed");
            created.add(id);
            live.put(id, sandbox);
            if (closed) {
                sandbox.destroy();
                throw new SandboxException(Fault.ENVIRONMENT, "the sandbox backend was closed while creating " + id);
            }
            return Optional.of(sandbox);
        } catch (IOException | RuntimeException e) {
            if (e instanceof SandboxException se && closed) throw se;
            LOG.log(System.Logger.Level.WARNING, "warm pool: cannot claim " + id + ", making the sandbox cold: " + e.getMessage());
            blank.init().ifPresent(ResidentInit::close);
            problemsLogged(teardown(state, paths));
            return Optional.empty();
        }
    }

    private static void problemsLogged(List<String> problems) {
        if (!problems.isEmpty()) LOG.log(System.Logger.Level.WARNING, "warm pool leftovers (gc removes them): " + String.join("; ", problems));
    }

    /** The ids of the warm pool's blanks ready now (none without a pool). */
    List<String> warmPoolIds() {
        return pool.map(WarmPool::ids).orElse(List.of());
    }

    /**
     * Waits until the warm pool holds its target and no teardown is pending, or the time is up;
     * says which. A benchmark calls it between runs so each measures a claim, not a pool running dry.
     */
    public boolean awaitWarm(Duration timeout) {
        if (pool.isEmpty()) return true;
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (!pool.get().awaitFull(timeout)) return false;
            while (!draining.isEmpty()) {
                if (System.nanoTime() > deadline) return false;
                Thread.sleep(1);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Undoes every part of a sandbox that exists; returns what could not be undone. */
    List<String> teardown(SandboxState state, SandboxPaths paths) {
        List<String> problems = new ArrayList<>();
        live.remove(state.id());
        // say why first, so a command of another ALE process that the kill below ends can tell
        try {
            SandboxState.read(paths.stateFile()).ifPresent(s -> s.killed("removed").write(paths.stateFile()));
        } catch (RuntimeException e) {
            // its directory is already gone: another teardown got there first
        }
        try {
            cgroups.open(state.id()).ifPresent(Cgroup::remove);
        } catch (RuntimeException e) {
            if (cgroups.open(state.id()).isPresent()) problems.add("cgroup " + state.id() + ": " + e.getMessage());
        }
        // an image root's upper layer lives on the tmpfs below: the overlay goes first
        if (HostCommands.isMountPoint(paths.root())) IdmappedLayers.umount(paths.root()).ifPresent(problems::add);
        problems.addAll(IdmappedLayers.unmount(paths.dir()));
        // the namespace's file: its layers (unmounted above) and processes (killed with the cgroup) were its last users
        if (Files.exists(paths.userns())) problems.addAll(RangeUserNamespace.remove(paths.userns()));
        if (HostCommands.isMountPoint(paths.fs())) {
            HostTools.Result r = HostCommands.tryRun(List.of("umount", paths.fs().toString()));
            if (r.exitCode() != 0) r = HostCommands.tryRun(List.of("umount", "-l", paths.fs().toString()));
            // another teardown of the same sandbox (another ALE process) may have won the race
            if (r.exitCode() != 0 && HostCommands.isMountPoint(paths.fs())) problems.add("umount " + paths.fs() + ": " + r.output().strip());
        }
        NetworkAttachment network = attachments.remove(state.id());
        if (network != null) {
            try {
                network.close(); // its link and rules go before the namespace they serve
            } catch (RuntimeException e) {
                problems.add("network of " + state.id() + ": " + e.getMessage());
            }
        }
        if (Files.exists(paths.netnsFile())) {
            HostTools.Result r = HostCommands.tryRun(List.of("ip", "netns", "del", paths.netnsName()));
            if (r.exitCode() != 0 && Files.exists(paths.netnsFile())) {
                problems.add("ip netns del " + paths.netnsName() + ": " + r.output().strip());
            }
        }
        if (problems.isEmpty()) {
            deleteTree(paths.dir());
            releaseIds(state.hostUid(), state.id());
        }
        return problems;
    }

    Path seccompFile() {
        return seccompFile;
    }

    /** The resident init's binary, when this backend's sandboxes start their commands through one. */
    Optional<Path> initBinary() {
        return initBinary;
    }

    /** The path this backend's sandboxes start commands by (per call when the init's binary is missing). */
    public ExecPath execPath() {
        return initBinary.isPresent() ? ExecPath.RESIDENT_INIT : ExecPath.BWRAP_PER_CALL;
    }

    /**
     * The files of one of this backend's sandboxes by the shell script a sandbox without a resident init
     * uses (sh, realpath, cat), whatever its exec path: what {@code ale bench sandbox} sets the init's own
     * WRITE against. Its {@code files()} is the API to use.
     */
    public SandboxFiles filesByShell(Sandbox sandbox) {
        if (!(sandbox instanceof LocalSandbox local) || local.isDestroyed()) {
            throw new SandboxException(Fault.INPUT, "sandbox " + sandbox.id() + " is not a live sandbox of this backend");
        }
        return new LocalSandboxFiles(local, LocalSandboxFiles.Route.SHELL);
    }

    /** GPU device nodes to pass through when the passport grants a GPU. */
    List<String> gpuDevices(Passport passport) {
        if (!passport.devices().gpu()) return List.of();
        try (Stream<Path> dev = Files.list(Path.of("/dev"))) {
            return dev.map(Path::toString)
                    .filter(p -> p.startsWith("/dev/nvidia") || p.equals("/dev/dri"))
                    .sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private RootfsLayout layoutFor(Passport passport) {
        return layoutFor(passport, Map.of(), Optional.empty());
    }

    private ImageRoot resolveImage(String reference) {
        ImageResolver images = config.images().orElseThrow(() -> new SandboxException(Fault.INPUT,
                "filesystem.image: " + reference + ": this sandbox backend was started without an image store"));
        ImageRoot root = images.resolve(reference);
        if (root.layers().isEmpty()) throw new SandboxException(Fault.INPUT, "filesystem.image: " + reference + " has no layers");
        return root;
    }

    private static Optional<Path> imageBase(SandboxPaths paths) {
        return HostCommands.isMountPoint(paths.root()) ? Optional.of(paths.root()) : Optional.empty();
    }

    /**
     * The sandbox's root for an image: an overlay whose lower layers are the image's (shared by
     * every sandbox of it, never written) and whose upper layer is the sandbox's own, on its tmpfs,
     * so what it writes is capped by workspaceSize and gone with it. nosuid and nodev, like the tmpfs.
     */
    private void mountImageRoot(SandboxPaths paths, ImageRoot image, SandboxState state) throws IOException {
        for (Path p : List.of(paths.upper(), paths.work(), paths.root())) {
            Files.createDirectories(p);
            Files.setAttribute(p, "unix:uid", 0);
            Files.setAttribute(p, "unix:gid", 0);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        // / inside is the upper directory's root: root inside owns it (its range's first id), as root owns / in a container
        Files.setAttribute(paths.upper(), "unix:uid", state.hostUid());
        Files.setAttribute(paths.upper(), "unix:gid", state.hostUid());
        // under the image, ALE's mount points: bubblewrap finds them there and writes nothing into the image
        List<Path> layers = new ArrayList<>();
        layers.add(mountPoints);
        layers.addAll(image.layers());
        // the image's files show with their owners inside only through layers idmapped to the sandbox's range; the namespace
        // is the user's (bubblewrap enters it as the user's host id, and only its owner may)
        RangeUserNamespace.make(paths.userns(), state.hostUid(), state.idCountOrOne(), state.insideUidOrAgent(), state.insideGidOrUid());
        List<Path> mounted = IdmappedLayers.mount(paths.dir(), layers, paths.userns());
        // named relative to the sandbox's directory: a sandbox reads the overlay's options in its mount table, and they must
        // name no host path of ALE's
        List<String> lower = new ArrayList<>();
        for (Path layer : mounted.reversed()) lower.add(paths.dir().relativize(layer).toString()); // overlayfs lists the top layer first
        IdmappedLayers.mountOverlay("ale-img-" + paths.dir().getFileName(), paths.dir(), lower,
                Optional.of(paths.dir().relativize(paths.upper()).toString()), Optional.of(paths.dir().relativize(paths.work()).toString()), paths.root());
    }

    /**
     * The user an image runs as, with its groups and HOME. Its accounts are read through a read-only
     * overlay of its layers, mounted for the look-up alone, once per image and {@code User}: what
     * came of it is kept (see {@link ImageUsers}), so later starts of the image mount nothing for it.
     */
    private ImageUser imageUser(SandboxPaths paths, ImageRoot image) throws IOException {
        ImageUsers.Key key = ImageUsers.Key.of(image);
        Optional<ImageUser> known = imageUsers.get(key);
        if (known.isPresent()) return known.get();
        ImageUser user = ImageUser.resolve(image.user(), readAccounts(paths, image), image.image());
        imageUsers.put(key, user);
        return user;
    }

    private ImageAccounts readAccounts(SandboxPaths paths, ImageRoot image) throws IOException {
        Files.createDirectories(paths.root());
        List<String> lower = new ArrayList<>();
        // the image's layers (top first) over ALE's mount points: a read-only overlay needs two layers, and an image may have one
        for (Path layer : image.layers().reversed()) lower.add(Path.of("/").relativize(layer).toString());
        lower.add(Path.of("/").relativize(mountPoints).toString());
        IdmappedLayers.mountOverlay("ale-user-" + paths.dir().getFileName(), Path.of("/"), lower, Optional.empty(), Optional.empty(), paths.root());
        try {
            return ImageAccounts.read(paths.root());
        } finally {
            IdmappedLayers.umount(paths.root()).ifPresent(problem -> LOG.log(System.Logger.Level.WARNING, problem));
        }
    }

    /**
     * A layer of empty directories and files where ALE mounts the sandbox's own (/proc, /dev, /tmp,
     * /workspace, /tests, /run, /etc/hosts, /etc/resolv.conf), the lowest of every image root: an
     * image that has them shows its own, one that lacks them (a scratch image) gets these. Host
     * root's and never written: overlayfs copies up what a sandbox changes.
     */
    private static Path writeMountPoints(Path dir) {
        try {
            for (String d : List.of("", "proc", "dev", "sys", "tmp", "run", "workspace", "tests", "etc")) {
                Path p = dir.resolve(d);
                Files.createDirectories(p);
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            // sticky and world-writable as every /tmp (the sandbox's own is mounted over it)
            Files.setAttribute(dir.resolve("tmp"), "unix:mode", 01777);
            for (String f : List.of("etc/hosts", "etc/resolv.conf")) {
                Path p = dir.resolve(f);
                try {
                    Files.createFile(p);
                } catch (FileAlreadyExistsException e) {
                    // there already, or another ALE process on this data directory made it just now
                }
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
            }
            return dir;
        } catch (IOException e) {
            throw new SandboxException(Fault.ENVIRONMENT, "cannot write " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * An image's {@code Env} ({@code K=V} each) as a map; entries without {@code =} are ignored, as runtimes do. HOME,
     * when the image sets none, is its user's passwd entry's (else {@code /}), as runc sets it.
     */
    private static Map<String, String> imageEnv(ImageRoot image, ImageUser user) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String e : image.env()) {
            int eq = e.indexOf('=');
            if (eq > 0) env.put(e.substring(0, eq), e.substring(eq + 1));
        }
        // runc's test is an empty HOME, so an image's HOME= is no HOME either
        if (env.getOrDefault("HOME", "").isEmpty()) env.put("HOME", user.home());
        return env;
    }

    /**
     * {@code sandboxFiles} are the sandbox's own /etc/hosts and /etc/resolv.conf: as replacements
     * they become plain mount points in the layout, so a host whose /etc/resolv.conf is a symlink
     * (systemd-resolved) or has none gets the same file inside.
     */
    private RootfsLayout layoutFor(Passport passport, Map<Path, Path> sandboxFiles, Optional<Path> imageRoot) {
        FilesystemRules fs = passport.filesystem();
        Path base = imageRoot.orElseGet(() -> fs.rootfs().orElse(Path.of("/")));
        List<String> hidden = new ArrayList<>(FilesystemRules.DEFAULT_HIDDEN);
        hidden.addAll(fs.hidden());
        // ALE's own data (other sandboxes' state and workspaces) never shows, whichever base the passport names
        Path realBase;
        try {
            realBase = base.toRealPath();
        } catch (IOException e) {
            throw new SandboxException(Fault.INPUT, "filesystem.rootfs: " + base + ": " + e.getMessage(), e);
        }
        List<Path> hostPaths = new ArrayList<>(config.hiddenHostPaths());
        hostPaths.add(dataDir);
        for (Path p : hostPaths) {
            Path real = realPathOrSelf(p);
            // a path above the base (a rootfs inside the checkout) has nothing of it inside
            if (real.startsWith(realBase) && !real.equals(realBase)) hidden.add("/" + realBase.relativize(real));
        }
        Map<Path, Path> replacements = new HashMap<>(sandboxFiles);
        // an image's accounts are its own (useradd in a build writes them, su reads them); the host's must not show
        if (imageRoot.isPresent()) IMAGE_OWN_FILES.forEach(replacements::remove);
        hidden = withoutNested(hidden);
        RootfsLayout probe = new RootfsLayout(base, hidden, Map.of());
        for (FilesystemRules.ReadOnlyBind bind : fs.readOnly()) {
            replacements.put(bind.target(), probe.checkBind(bind));
        }
        RootfsLayout layout = new RootfsLayout(base, hidden, replacements, Optional.of(views));
        // an image root is bound whole as a writable /: writes, new top-level directories too, land in the sandbox's own upper layer
        return imageRoot.isPresent() ? layout.ownRoot() : layout;
    }

    /**
     * The hidden paths without those inside another hidden path: hiding a directory already hides
     * all below it, and every extra level costs each command's mount setup (an episode's own task
     * directory inside the hidden checkout cost half a second an episode).
     */
    static List<String> withoutNested(List<String> hidden) {
        List<String> literal = hidden.stream().filter(h -> !h.contains("*")).map(h -> Path.of(h).normalize().toString()).toList();
        List<String> kept = new ArrayList<>();
        for (String h : hidden) {
            Path p = Path.of(h).normalize();
            boolean nested = !h.contains("*") && literal.stream().anyMatch(other -> !other.equals(p.toString()) && p.startsWith(other));
            if (!nested && kept.stream().noneMatch(k -> Path.of(k).normalize().equals(p))) kept.add(h);
        }
        return kept;
    }

    /**
     * The sandbox's own /etc files, on its tmpfs (so the mount table inside names no host path):
     * a clean identity (the agent is user 1000 "agent", and no host account names leak in),
     * /etc/hosts naming its hostname (programs such as git look it up, and a lookup that reached
     * the gateway would be an egress event for nothing), and the network's /etc/resolv.conf.
     * Readable by the sandbox's uid, which bubblewrap runs as when it binds them.
     */
    private static void writeNameFiles(SandboxPaths paths, String id, Optional<String> resolvConf) throws IOException {
        Map<Path, String> files = new LinkedHashMap<>();
        files.put(paths.hosts(), "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t" + id + "\n");
        resolvConf.ifPresent(contents -> files.put(paths.resolvConf(), contents));
        for (Map.Entry<Path, String> f : files.entrySet()) writeReadable(f.getKey(), f.getValue());
    }

    /**
     * The /etc files bound over the base's: passwd and group always (written now if a sandbox
     * made by an older ALE lacks them), hosts and resolv.conf when the sandbox has them. As
     * replacements they become plain mount points in the layout, so a host whose
     * /etc/resolv.conf is a symlink (systemd-resolved) or has none gets the same file inside.
     */
    private static Map<Path, Path> sandboxEtc(SandboxPaths paths) {
        try {
            Files.createDirectories(paths.etc());
            if (!Files.exists(paths.passwd())) writeReadable(paths.passwd(), """
                    root:x:0:0:root:/root:/usr/sbin/nologin
                    agent:x:1000:1000:ALE agent:/workspace:/bin/bash
                    nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
                    """);
            if (!Files.exists(paths.group())) writeReadable(paths.group(), """
                    root:x:0:
                    agent:x:1000:
                    nogroup:x:65534:
                    """);
        } catch (IOException e) {
            throw new SandboxException(Fault.ENVIRONMENT, "cannot write " + paths.etc() + ": " + e.getMessage(), e);
        }
        Map<Path, Path> files = new HashMap<>();
        files.put(Path.of("/etc/passwd"), paths.passwd());
        files.put(Path.of("/etc/group"), paths.group());
        if (Files.exists(paths.hosts())) files.put(Path.of("/etc/hosts"), paths.hosts());
        if (Files.exists(paths.resolvConf())) files.put(Path.of("/etc/resolv.conf"), paths.resolvConf());
        return files;
    }

    private static void writeReadable(Path file, String contents) throws IOException {
        Files.writeString(file, contents);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    }

    /**
     * Writes what bubblewrap reads on {@link BwrapCommand#ARGS_FD} for this sandbox (root-only,
     * NUL-separated), once per content: the same layout from the same backend is the same file.
     */
    private Path argsFile(SandboxPaths paths, RootfsLayout layout, Passport passport, SandboxState state) {
        List<String> args = BwrapCommand.sandboxArgs(new BwrapCommand.SandboxSpec(layout.bwrapArgs(),
                layout.isOwnRoot() ? BwrapCommand.Root.OWN_OVERLAY : BwrapCommand.Root.READ_ONLY_BINDS, paths.workspace(),
                paths.tmp(), paths.shm(), paths.tests(), gpuDevices(passport), state.insideUidOrAgent(), state.insideGidOrUid(),
                state.ownsRange() ? BwrapCommand.UserNamespace.ALE_RANGE : BwrapCommand.UserNamespace.BWRAP_SINGLE_UID));
        StringBuilder data = new StringBuilder();
        for (String a : args) {
            if (a.indexOf('\0') >= 0) throw new SandboxException(Fault.INPUT, "a sandbox argument holds a NUL byte: " + a.replace('\0', '?'));
            data.append(a).append('\0');
        }
        byte[] bytes = data.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Path file = paths.dir().resolve("bwrap-" + sha256(bytes) + ".args");
        writeOnce(file, bytes);
        argsFiles.add(file);
        return file;
    }

    /** The filter for this host's architecture, in the data directory under a name that is its hash. */
    private static Path writeSeccompFilter(Path dataDir) {
        byte[] bpf = SeccompFilter.compile(BwrapCommand.SECCOMP_POLICY, SeccompFilter.Arch.host());
        Path file = dataDir.resolve("seccomp-" + sha256(bpf) + ".bpf");
        writeOnce(file, bpf);
        return file;
    }

    /** Writes {@code file} unless it is there; readers never see it half written. */
    private static void writeOnce(Path file, byte[] bytes) {
        if (Files.exists(file)) return;
        try {
            Path tmp = Files.createTempFile(file.getParent(), ".launch", ".tmp", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
            try {
                Files.write(tmp, bytes);
                Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new SandboxException(Fault.ENVIRONMENT, "cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path realPathOrSelf(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    private void mountWorkspace(SandboxPaths paths, int uid, long bytes) throws IOException {
        Files.createDirectories(paths.fs());
        HostCommands.run(List.of("mount", "-t", "tmpfs", "-o",
                "size=" + bytes + ",nr_inodes=" + inodesFor(bytes) + ",mode=0711,uid=" + uid + ",gid=" + uid + ",nosuid,nodev",
                "ale-" + paths.dir().getFileName(), paths.fs().toString()));
        Files.createDirectory(paths.workspace());
        Files.createDirectory(paths.tmp());
        Files.createDirectory(paths.shm());
        for (Path p : List.of(paths.workspace(), paths.tmp(), paths.shm())) {
            Files.setAttribute(p, "unix:uid", uid);
            Files.setAttribute(p, "unix:gid", uid);
        }
        Files.setPosixFilePermissions(paths.workspace(), PosixFilePermissions.fromString("rwxr-xr-x"));
        // sticky, like every /tmp and /dev/shm
        Files.setAttribute(paths.tmp(), "unix:mode", 01777);
        Files.setAttribute(paths.shm(), "unix:mode", 01777);
        Files.createDirectory(paths.etc());
        Files.setPosixFilePermissions(paths.etc(), PosixFilePermissions.fromString("rwxr-xr-x"));
        addTests(paths);
    }

    /**
     * The files the sandbox's tmpfs (workspace, /tmp, /dev/shm) may hold: one per 2 KiB of its size, at least 65536. Without a
     * bound a flood of empty files costs the host kernel memory for every inode while the byte cap sees nothing written.
     */
    static long inodesFor(long bytes) {
        return Math.max(MIN_INODES, bytes / 2048);
    }

    /** /tests, host root's and empty until the verify phase (a sandbox made before it existed gets it when found). */
    private static void addTests(SandboxPaths paths) {
        if (Files.exists(paths.tests(), java.nio.file.LinkOption.NOFOLLOW_LINKS) || !HostCommands.isMountPoint(paths.fs())) return;
        try {
            Files.createDirectory(paths.tests());
            Files.setAttribute(paths.tests(), "unix:uid", 0);
            Files.setAttribute(paths.tests(), "unix:gid", 0);
            Files.setPosixFilePermissions(paths.tests(), PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            // another process made it first, or the sandbox is going: its bwrap says why
        }
    }

    /** A sandbox made before /dev/shm moved onto its tmpfs gets the directory when first found. */
    private static void addShm(SandboxPaths paths, int uid) {
        if (Files.exists(paths.shm()) || !HostCommands.isMountPoint(paths.fs())) return;
        try {
            Files.createDirectory(paths.shm());
            Files.setAttribute(paths.shm(), "unix:uid", uid);
            Files.setAttribute(paths.shm(), "unix:gid", uid);
            Files.setAttribute(paths.shm(), "unix:mode", 01777);
        } catch (IOException e) {
            // another process made it first, or the sandbox is going: its bwrap says why
        }
    }

    private void watchLimits() {
        while (!closed) {
            for (LocalSandbox s : live.values()) {
                try {
                    if (s.isDestroyed() || s.state().killReason() != null) continue;
                    if (s.remaining().isNegative()) s.kill("timeout");
                    else if (s.cgroup().pidsLimitHits() > 0) s.kill("pids");
                } catch (RuntimeException e) {
                    // a sandbox torn down while we looked at it
                }
            }
            try {
                Thread.sleep(WATCH_PERIOD);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private List<SandboxState> states() {
        List<SandboxState> result = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(dataDir.resolve("sandboxes"))) {
            for (Path dir : dirs) SandboxState.read(new SandboxPaths(dir).stateFile()).ifPresent(result::add);
        } catch (IOException e) {
            throw new SandboxException(Fault.ENVIRONMENT, "cannot list " + dataDir.resolve("sandboxes") + ": " + e.getMessage(), e);
        }
        return result;
    }

    private String newId() {
        while (true) {
            String id = "sb-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
            if (!Files.exists(dataDir.resolve("sandboxes").resolve(id))) return id;
        }
    }

    /*
     * Host ids are claimed by slot files in <data>/uids, atomically across ALE processes sharing a
     * data directory: "<uid>" for a sandbox's one uid, "range-<first>" for a root-inside sandbox's
     * range, which starts at a multiple of its size from the configured base. A claim is made
     * first and checked against the other kind after (a uid against the range around it, a range
     * against the uids in it), and withdrawn on a clash: of two racing claims at least one sees
     * the other, so no id is ever in two live sandboxes.
     */

    /** Claims one host uid outside every claimed range. */
    private int allocateUid(String id) throws IOException {
        Path uids = dataDir.resolve("uids");
        int count = config.uidCount();
        int start = ThreadLocalRandom.current().nextInt(count);
        int i = 0;
        while (i < count) {
            int uid = config.uidBase() + (start + i) % count;
            Optional<Integer> range = rangeAround(uid);
            if (range.isPresent() && Files.exists(rangeSlot(range.get()))) {
                i += range.get() + ROOT_RANGE - uid; // past the claimed range, not through each of its ids
                continue;
            }
            Path slot = uids.resolve(String.valueOf(uid));
            try {
                Files.writeString(slot, id, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException e) {
                i++;
                continue;
            }
            if (range.isPresent() && Files.exists(rangeSlot(range.get()))) { // a range was claimed meanwhile
                Files.deleteIfExists(slot);
                i++;
                continue;
            }
            return uid;
        }
        throw new SandboxException(Fault.ENVIRONMENT, "all " + config.uidCount() + " sandbox uids are in use");
    }

    /** Claims {@code size} host ids for a sandbox that is root inside; returns the first. */
    private int allocateRange(String id, int size) throws IOException {
        int ranges = config.uidCount() / size;
        if (ranges == 0) {
            throw new SandboxException(Fault.INPUT, "host uids " + config.uidBase() + "+" + config.uidCount() + " hold no range of " + size
                    + " ids for a sandbox that is root inside; give the node at least " + size + " uids (--uid-count)");
        }
        int start = ThreadLocalRandom.current().nextInt(ranges);
        for (int k = 0; k < ranges; k++) {
            int first = config.uidBase() + ((start + k) % ranges) * size;
            Path slot = rangeSlot(first);
            try {
                Files.writeString(slot, id, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException e) {
                continue;
            }
            if (uidClaimedIn(first, size)) { // a sandbox's one uid is in it
                Files.deleteIfExists(slot);
                continue;
            }
            return first;
        }
        throw new SandboxException(Fault.ENVIRONMENT, "all " + ranges + " uid ranges for root-inside sandboxes are in use (or hold a sandbox's uid)");
    }

    /** The range slot that would hold {@code uid}, when a whole range fits there in the configured ids. */
    private Optional<Integer> rangeAround(int uid) {
        int index = (uid - config.uidBase()) / ROOT_RANGE;
        if (index >= config.uidCount() / ROOT_RANGE) return Optional.empty();
        return Optional.of(config.uidBase() + index * ROOT_RANGE);
    }

    private Path rangeSlot(int first) {
        return dataDir.resolve("uids").resolve("range-" + first);
    }

    private boolean uidClaimedIn(int first, int size) throws IOException {
        try (DirectoryStream<Path> slots = Files.newDirectoryStream(dataDir.resolve("uids"))) {
            for (Path slot : slots) {
                String name = slot.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) continue;
                long uid = Long.parseLong(name);
                if (uid >= first && uid < (long) first + size) return true;
            }
        }
        return false;
    }

    /** Frees a sandbox's uid or range slot if it still belongs to {@code id} (a second teardown must not free a reused slot). */
    private void releaseIds(int first, String id) {
        for (Path slot : List.of(dataDir.resolve("uids").resolve(String.valueOf(first)), rangeSlot(first))) {
            try {
                if (Files.exists(slot) && Files.readString(slot).strip().equals(id)) Files.deleteIfExists(slot);
            } catch (IOException e) {
                // a later gc retries
            }
        }
    }

    private void releaseLeakedUids() {
        try (DirectoryStream<Path> slots = Files.newDirectoryStream(dataDir.resolve("uids"))) {
            for (Path slot : slots) {
                String owner = Files.readString(slot).strip();
                Path dir = dataDir.resolve("sandboxes").resolve(owner);
                if (!live.containsKey(owner) && !Files.exists(dir.resolve("state.json")) && olderThan(slot, Duration.ofMinutes(1))) {
                    Files.deleteIfExists(slot);
                }
            }
        } catch (IOException e) {
            // best effort; a later gc retries
        }
    }

    private static boolean olderThan(Path p, Duration age) {
        try {
            return Files.getLastModifiedTime(p).toMillis() < System.currentTimeMillis() - age.toMillis();
        } catch (IOException e) {
            return false;
        }
    }

    /** Deletes a directory tree of ALE's, never while anything is mounted in it (that would reach the host). */
    static void deleteTree(Path dir) {
        OwnTree.delete(dir); // what is left, a later gc retries
    }

    /**
     * Creates the data directory. Each sandbox's bubblewrap runs as an unprivileged uid and must
     * reach its own workspace below it, so every directory on the way must be searchable (o+x);
     * nothing in it is readable by others.
     */
    private static Path prepareDataDir(Path dir) {
        try {
            Path abs = dir.toAbsolutePath().normalize();
            Files.createDirectories(abs.resolve("sandboxes"));
            Files.createDirectories(abs.resolve("uids"));
            for (Path p : List.of(abs, abs.resolve("sandboxes"))) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx--x--x"));
            }
            Files.setPosixFilePermissions(abs.resolve("uids"), PosixFilePermissions.fromString("rwx------"));
            for (Path p = abs.getParent(); p != null; p = p.getParent()) {
                if (!Files.getPosixFilePermissions(p).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
                    throw new SandboxException(Fault.ENVIRONMENT, "data directory " + abs + ": its parent " + p
                            + " is not searchable by other users (chmod o+x " + p + "), so sandbox users cannot reach their workspace");
                }
            }
            return abs.toRealPath();
        } catch (IOException e) {
            throw new SandboxException(Fault.ENVIRONMENT, "cannot prepare data directory " + dir + ": " + e.getMessage(), e);
        }
    }
}
