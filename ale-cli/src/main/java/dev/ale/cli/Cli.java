package dev.ale.cli;

import dev.ale.core.passport.Passport;
import dev.ale.core.passport.PassportLoader;
import dev.ale.rollout.Containment;
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

    Cli(InputStream in, PrintStream out, PrintStream err) {
        this.in = in;
        this.out = out;
        this.err = err;
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

    void dataDir(Path dir) {
        dataDir = Optional.of(dir);
    }

    /** The data directory as the backend would use it: --data-dir, else $ALE_HOME, else /var/lib/ale. */
    Path dataDir() {
        return dataDir.orElseGet(() -> LocalSandboxBackend.Config.defaults().dataDir());
    }

    LocalSandboxBackend openBackend() {
        LocalSandboxBackend.Config config = LocalSandboxBackend.Config.defaults();
        return new LocalSandboxBackend(dataDir.map(config::withDataDir).orElse(config));
    }

    /** The gateway, monitor, kill switch and audit log around a backend in this command's data dir. */
    Containment openContainment(dev.ale.gateway.HostResolver resolver) {
        return openContainment(resolver, java.util.List.of());
    }

    /** The same, with the directories of {@code tasks} hidden from every sandbox (their solutions, verifiers). */
    Containment openContainment(dev.ale.gateway.HostResolver resolver, java.util.List<dev.ale.core.task.Task> tasks) {
        LocalSandboxBackend.Config config = LocalSandboxBackend.Config.defaults()
                .hiding(tasks.stream().map(dev.ale.core.task.Task::directory).toList());
        return Containment.open(dataDir.map(config::withDataDir).orElse(config), resolver);
    }

    /** The passport in {@code file}, or the built-in default when none is given. */
    static Passport passport(Optional<Path> file) {
        return file.map(PassportLoader::load).orElseGet(Passport::defaults);
    }
}
