package dev.ale.cli;

import dev.ale.cli.resident.ResidentClient;
import dev.ale.cli.resident.Wire;
import dev.ale.containment.GuardedBackend;
import dev.ale.core.AleException;
import dev.ale.core.AleException.Fault;
import dev.ale.gateway.HostResolver;
import dev.ale.sandbox.local.LocalSandboxBackend;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ale daemon start|stop|status}: the resident ALE that makes {@code ale sandbox run} a thin client.
 * Opt-in: nothing starts it but {@code ale daemon start}, and it serves only its own user, on a socket in
 * the data directory.
 */
final class DaemonCommands {

    private static final Pattern PID = Pattern.compile("pid (\\d+)");

    private DaemonCommands() {
    }

    @Command(name = "daemon", description = {"Start, stop or ask about the resident ALE that serves `ale sandbox run`.",
            "While one runs, `ale sandbox run` is a thin client of it: no JVM of ALE's own, gateway or audit log to open per run."})
    static final class Group extends GroupCommand {
    }

    @Command(name = "start", description = {"Start the resident ALE of this data directory, in the background (its log: DATA_DIR/run/daemon.log).",
            "It holds the gateway, monitor, kill switch, audit log and warm pool, and listens on DATA_DIR/run/ale.sock",
            "(directory 0700, socket 0600) for runs of its own user only."})
    static final class Start implements Callable<Integer> {

        private final Cli cli;

        @Option(names = "--foreground", description = "Serve in this process until stopped (ale daemon stop, SIGTERM, Ctrl-C).")
        private boolean foreground;

        @Option(names = "--idle-exit", paramLabel = "SECONDS", converter = Seconds.class,
                description = "Exit once this long has passed with no run going (default: never).")
        private Optional<Duration> idleExit = Optional.empty();

        Start(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            Path dataDir = cli.dataDir().toAbsolutePath().normalize();
            Optional<String> already = ResidentClient.ask(dataDir, Wire.STATUS);
            if (already.isPresent()) throw new AleException(Fault.INPUT, "already running: " + already.get());
            return foreground ? serve(dataDir) : spawn(dataDir);
        }

        private int serve(Path dataDir) {
            List<Path> hidden = LocalSandboxBackend.Config.defaults().hiddenHostPaths();
            try (GuardedBackend containment = cli.openGuardedBackend(HostResolver.system());
                 ResidentAle resident = ResidentAle.open(dataDir, containment, hidden)) {
                // SIGTERM: no new client finds the socket; the backend's own hook destroys the sandboxes
                Thread hook = new Thread(resident::close, "ale-daemon-stop");
                Runtime.getRuntime().addShutdownHook(hook);
                cli.out().println("resident ALE (pid " + ProcessHandle.current().pid() + ") serving `ale sandbox run` on " + resident.socket());
                resident.serve(idleExit);
                cli.out().println("resident ALE stopped");
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // already shutting down: the hook runs anyway
                }
            }
            return Failures.OK;
        }

        /** Starts {@code ale daemon start --foreground} in a session of its own and returns once its socket answers. */
        private int spawn(Path dataDir) {
            Path socket = Wire.socketOf(dataDir);
            Path log = socket.resolveSibling("daemon.log");
            List<String> argv = new ArrayList<>(List.of("setsid", ProcessHandle.current().info().command().orElse("java")));
            argv.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
            argv.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "--data-dir", dataDir.toString(),
                    "daemon", "start", "--foreground"));
            idleExit.ifPresent(idle -> argv.addAll(List.of("--idle-exit", String.format(Locale.ROOT, "%.3f", idle.toMillis() / 1000.0))));
            Process daemon;
            try {
                Files.createDirectories(socket.getParent());
                Files.setPosixFilePermissions(socket.getParent(), PosixFilePermissions.fromString("rwx------"));
                daemon = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new AleException(Fault.ENVIRONMENT, "cannot start the resident ALE: " + e.getMessage(), e);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline) {
                Optional<String> status = ResidentClient.ask(dataDir, Wire.STATUS);
                if (status.isPresent()) {
                    cli.out().println(status.get());
                    cli.out().println("Stop it with: ale" + dataDirOption(dataDir) + " daemon stop");
                    return Failures.OK;
                }
                if (!daemon.isAlive()) {
                    throw new AleException(Fault.ENVIRONMENT, "the resident ALE exited at start (status " + daemon.exitValue() + "): " + tail(log));
                }
                pause(Duration.ofMillis(50));
            }
            daemon.destroy();
            throw new AleException(Fault.ENVIRONMENT, "the resident ALE did not answer on " + socket + " within 120 s; its log: " + log);
        }

        private static String dataDirOption(Path dataDir) {
            return Optional.ofNullable(System.getenv("ALE_HOME")).filter(h -> !h.isBlank()).isPresent()
                    || !dataDir.equals(Path.of("/var/lib/ale")) ? " --data-dir " + dataDir : "";
        }

        private static String tail(Path log) {
            try {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                return String.join("; ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
            } catch (IOException e) {
                return "(no log at " + log + ")";
            }
        }
    }

    @Command(name = "stop", description = "Stop the resident ALE of this data directory; runs going on are killed. Waits until it has exited.")
    static final class Stop implements Callable<Integer> {

        private final Cli cli;

        Stop(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            Path dataDir = cli.dataDir().toAbsolutePath().normalize();
            Optional<String> said = ResidentClient.ask(dataDir, Wire.STOP);
            if (said.isEmpty()) {
                cli.out().println("No resident ALE answers at " + Wire.socketOf(dataDir) + ".");
                return Failures.OK;
            }
            cli.out().println(said.get());
            Matcher pid = PID.matcher(said.get());
            Optional<ProcessHandle> process = pid.find() ? ProcessHandle.of(Long.parseLong(pid.group(1))) : Optional.empty();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (process.isPresent() && process.get().isAlive()) {
                if (System.nanoTime() > deadline) throw new AleException(Fault.ENVIRONMENT, "the resident ALE did not exit within 120 s");
                pause(Duration.ofMillis(50));
            }
            return Failures.OK;
        }
    }

    @Command(name = "status", description = "Say whether a resident ALE serves this data directory (exit 0), or not (exit 3).")
    static final class Status implements Callable<Integer> {

        private final Cli cli;

        Status(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            Path dataDir = cli.dataDir().toAbsolutePath().normalize();
            Optional<String> said = ResidentClient.ask(dataDir, Wire.STATUS);
            if (said.isEmpty()) {
                cli.out().println("No resident ALE answers at " + Wire.socketOf(dataDir) + ".");
                return Failures.ENVIRONMENT;
            }
            cli.out().println(said.get());
            return Failures.OK;
        }
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AleException(Fault.ENVIRONMENT, "interrupted", e);
        }
    }
}
