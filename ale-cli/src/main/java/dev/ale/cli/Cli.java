package dev.ale.cli;

import dev.ale.core.passport.Passport;
import dev.ale.core.passport.PassportLoader;
import dev.ale.containment.GuardedBackend;
import dev.ale.containment.GuardedSandbox;
import java.util.List;
import dev.ale.core.task.Task;
import dev.ale.gateway.HostResolver;
import dev.ale.image.ImageStore;
import dev.ale.image.registry.Credentials;
import dev.ale.image.registry.Mirrors;
import dev.ale.image.registry.RegistryClient;
import dev.ale.sandbox.cgroup.CgroupDriver;
import dev.ale.sandbox.local.LocalSandboxBackend;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What every command shares: the streams, whether stdout is a terminal, and how to open the
 * sandbox backend. The backend is opened only by the commands that need one, after the
 * command line (with its {@code --data-dir}) has been read.
 */
final class Cli {

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;
    private Optional<Path> dataDir = Optional.empty();
    private List<String> registryMirrors = List.of();
    private Optional<Uids> uids = Optional.empty();

    private record Uids(int base, int count) { }

    private Optional<String> cgroupParent = Optional.empty();
    private final Optional<Resident> resident;

    /**
     * What a command run inside a resident ALE ({@code ale daemon}) for a thin client gets instead of
     * its own backend: the daemon's, the client's directory, and two moments the client must hear of.
     */
    interface Resident {
        GuardedBackend containment();

        /** The client's working directory: relative paths on its command line are relative to it. */
        Path workdir();

        /** The command's sandbox exists: should the client go (Ctrl-C), it is killed. */
        void running(GuardedSandbox sandbox);

        /** The command ended and its output is out: the client gets this status now, the teardown follows off its path. */
        void ended(int status);
    }

    Cli(InputStream in, PrintStream out, PrintStream err) {
        this(in, out, err, Optional.empty());
    }

    Cli(InputStream in, PrintStream out, PrintStream err, Optional<Resident> resident) {
        this.in = in;
        this.out = out;
        this.err = err;
        this.resident = resident;
        // Captured streams (tests, pipes) never get colour, cursor moves or a prompt.
        this.terminal = out == System.out && System.console() != null && System.console().isTerminal();
    }

    InputStream in() {
        return in;
    }

    PrintStream out() {
        return out;
    }

    PrintStream err() {
        return err;
    }

    /** True when stdout and stdin are the user's terminal. */
    boolean terminal() {
        return terminal;
    }

    /** Host uids for sandboxes ({@code ale serve --uid-base/--uid-count}), instead of the default range. */
    void uids(int base, int count) {
        uids = Optional.of(new Uids(base, count));
    }

    /** The cgroup subtree for sandboxes ({@code ale serve --cgroup-parent}), instead of {@code ale/}. */
    void cgroupParent(String parent) {
        cgroupParent = Optional.of(CgroupDriver.checkParent(parent)); // a bad path fails here, before the server starts
    }

    void dataDir(Path dir) {
        dataDir = Optional.of(dir);
    }

    /** The data directory as the backend would use it: --data-dir, else $ALE_HOME, else /var/lib/ale. */
    Path dataDir() {
        return dataDir.orElseGet(() -> LocalSandboxBackend.Config.defaults().dataDir());
    }

    LocalSandboxBackend openBackend() {
        LocalSandboxBackend.Config config = LocalSandboxBackend.Config.defaults();
        return new LocalSandboxBackend(withImages(dataDir.map(config::withDataDir).orElse(config)));
    }

    /**
     * Like {@link #openBackend()}, on the given exec path and with a warm pool of the given size whatever
     * $ALE_SANDBOX_EXEC and $ALE_WARM_POOL say (the benchmark measures each).
     */
    LocalSandboxBackend openBackend(LocalSandboxBackend.ExecPath path, int warmPool) {
        LocalSandboxBackend.Config config = LocalSandboxBackend.Config.defaults().withExecPath(path).withWarmPool(warmPool);
        return new LocalSandboxBackend(withImages(dataDir.map(config::withDataDir).orElse(config)));
    }

    /** {@code --registry-mirror REGISTRY=URL} flags, on top of {@value Mirrors#ENV}. */
    void registryMirrors(List<String> flags) {
        registryMirrors = List.copyOf(flags);
    }

    /** The image store in the data directory, reaching registries through the configured mirrors and logins. */
    ImageStore images() {
        Mirrors mirrors = Mirrors.from(Optional.ofNullable(System.getenv(Mirrors.ENV)), registryMirrors);
        return new ImageStore(dataDir(), RegistryClient.Settings.defaults().withMirrors(mirrors)
                .withCredentials(Credentials.fromEnvironment()));
    }

    /** Passports may name an image; the store is opened only when one does. */
    private LocalSandboxBackend.Config withImages(LocalSandboxBackend.Config config) {
        LocalSandboxBackend.Config uided = uids.map(u -> config.withUids(u.base(), u.count())).orElse(config);
        LocalSandboxBackend.Config ranged = cgroupParent.map(uided::withCgroupParent).orElse(uided);
        return ranged.withImages(reference -> images().resolve(reference));
    }

    /** The local backend in this command's data dir, guarded: see {@link #openGuardedBackend(HostResolver, List)}. */
    GuardedBackend openGuardedBackend(HostResolver resolver) {
        return openGuardedBackend(resolver, List.of());
    }

    /**
     * The local backend in this command's data dir, guarded: the gateway, monitor, kill switch and
     * audit log ({@code <data dir>/audit.db}) around it, with the directories of {@code tasks}
     * hidden from every sandbox (their solutions, verifiers). One of the two places that pick a
     * backend (the other is {@link #openBackend} for sandboxes poked at by hand).
     */
    GuardedBackend openGuardedBackend(HostResolver resolver, List<Task> tasks) {
        LocalSandboxBackend.Config defaults = LocalSandboxBackend.Config.defaults().hiding(tasks.stream().map(Task::directory).toList());
        LocalSandboxBackend.Config config = withImages(dataDir.map(defaults::withDataDir).orElse(defaults));
        return GuardedBackend.open(config.dataDir().resolve("audit.db"), resolver,
                network -> new LocalSandboxBackend(config.withNetwork(network)));
    }

    /** Set when this command runs inside a resident ALE for a thin client. */
    Optional<Resident> resident() {
        return resident;
    }

    /** {@link #passport(Optional)}, with a relative path taken from the thin client's directory, and named as it gave it. */
    Passport passportOf(Optional<Path> file) {
        if (file.isPresent() && !file.get().isAbsolute() && resident.isPresent()) {
            return PassportLoader.load(resident.get().workdir().resolve(file.get()), file.get().toString());
        }
        return passport(file);
    }

    /** The passport in {@code file}, or the built-in default when none is given. */
    static Passport passport(Optional<Path> file) {
        return file.map(PassportLoader::load).orElseGet(Passport::defaults);
    }
}
