package dev.ale.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ale sandbox run} as a thin client of a resident ALE ({@code ale daemon start --foreground}), every
 * part a real process: the daemon, each client (a JVM of its own, started as a user would), the sandboxes.
 */
@Tag("root")
@Timeout(600)
class ResidentAleTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JAVA = ProcessHandle.current().info().command().orElseThrow();
    /** As the launcher starts every JVM of ALE (scripts/aot.sh): without them SQLite's loader warns on stderr. */
    private static final List<String> JVM_OPTIONS = List.of("--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED");

    private Ale ale;
    private Process daemon;
    /** Every sandbox id this test saw (in the data directory, in output), for the leak checks. */
    private final Set<String> seen = new HashSet<>();

    record Run(int exit, String out, String err) {
    }

    @BeforeEach
    void startDaemon() throws Exception {
        ale = Ale.withFreshDataDir();
        daemon = startDaemonProcess();
    }

    @AfterEach
    void stopDaemon() throws Exception {
        try {
            if (daemon.isAlive()) {
                noteSandboxes();
                Run stop = client(List.of("daemon", "stop"), Map.of(), "");
                assertThat(stop.exit()).as(stop.err()).isZero();
                assertThat(daemon.waitFor(120, TimeUnit.SECONDS)).as("the daemon exits on ale daemon stop").isTrue();
                noteSandboxes();
                assertNothingLeft();
                assertThat(ale.dataDir().resolve("run").resolve("ale.sock")).as("a stopped daemon removes its socket").doesNotExist();
            }
        } finally {
            daemon.destroyForcibly();
            daemon.waitFor(60, TimeUnit.SECONDS);
            ale.run("sandbox", "gc");
            ale.close();
        }
    }

    @Test
    void aThinRunGivesTheSameOutputAndStatusAsTheInProcessRun() throws Exception {
        List<String> command = List.of("sandbox", "run", "--", "sh", "-c", "echo out; echo err >&2; exit 7");
        List<String> local = new ArrayList<>(command);
        local.add(2, "--no-daemon");

        Run thin = thinClient(command, "");
        Run inProcess = client(local, Map.of(), "");

        assertThat(thin.exit()).isEqualTo(inProcess.exit()).isZero();
        assertThat(thin.out()).isEqualTo(inProcess.out()).isEqualTo("out\n");
        assertThat(normal(thin.err())).isEqualTo(normal(inProcess.err())).isEqualTo("err\n[sb-ID] exit 7 after T\n");
    }

    @Test
    void aThinRunNeedsNoClassOfPicocliJacksonOrSqlite() throws Exception {
        int before = served();
        // ale-cli's own classes and the JDK, nothing else: a class of any library would fail to load
        Process p = new ProcessBuilder(JAVA, "-cp", aleCliClasses().toString(), Main.class.getName(), "--data-dir", ale.dataDir().toString(),
                "sandbox", "run", "--", "echo", "thin").start();
        Run run = finish(p, "");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("thin\n");
        assertThat(served()).isEqualTo(before + 1);
    }

    @Test
    void aThinJsonRunWithStdinAndATimeoutCarriesEveryOption() throws Exception {
        Run thin = thinClient(List.of("sandbox", "run", "--json", "--stdin", "--timeout", "30", "--", "sh", "-c", "cat; exit 3"), "fed through\n");
        Run killed = thinClient(List.of("sandbox", "run", "--json", "--timeout", "1", "--", "sleep", "60"), "");

        assertThat(thin.exit()).as(thin.err()).isZero();
        JsonNode json = JSON.readTree(thin.out());
        assertThat(json.get("stdout").asText()).isEqualTo("fed through\n");
        assertThat(json.get("exitCode").asInt()).isEqualTo(3);
        JsonNode timedOut = JSON.readTree(killed.out());
        assertThat(timedOut.get("killed").asBoolean()).isTrue();
        assertThat(timedOut.get("reason").asText()).isEqualTo("timeout");
    }

    @Test
    void aCommandThePassportForbidsIsRefusedTheSameWayAndAuditedAgainstItsSandbox() throws Exception {
        List<String> tunnel = List.of("sandbox", "run", "--", "ssh", "-R", "9000:localhost:22", "agent@203.0.113.7");
        List<String> local = new ArrayList<>(tunnel);
        local.add(2, "--no-daemon");

        Run thin = thinClient(tunnel, "");
        Run inProcess = client(local, Map.of(), "");

        assertThat(thin.exit()).isEqualTo(inProcess.exit()).isZero();
        assertThat(thin.out()).isEqualTo(inProcess.out());
        assertThat(normal(thin.err())).isEqualTo(normal(inProcess.err())).contains("tunnel.ssh.remote-forward").contains("killed (");
        String id = sandboxIn(thin.err());
        JsonNode records = JSON.readTree(ale.run("audit", "query", "--sandbox", id, "--json").out()).get("records");
        assertThat(records.findValuesAsText("rule")).contains("tunnel.ssh.remote-forward");
        assertThat(records.toString()).contains("created");
        assertThat(records).allSatisfy(r -> assertThat(r.get("sandbox").asText()).isEqualTo(id));
    }

    @Test
    void aBadPassportFileIsTheSameInputErrorThinAsInProcess() throws Exception {
        Path passport = Files.writeString(ale.dataDir().resolve("bad.yaml"), "id: coder-1\nresources:\n  memory: lots\n");

        Run thin = thinClient(List.of("sandbox", "run", "--passport", passport.toString(), "--", "true"), "");
        Run inProcess = client(List.of("sandbox", "run", "--no-daemon", "--passport", passport.toString(), "--", "true"), Map.of(), "");

        assertThat(thin.exit()).isEqualTo(inProcess.exit()).isEqualTo(2);
        assertThat(thin.err()).isEqualTo(inProcess.err()).startsWith("ale: " + passport + ": resources.memory: ");
    }

    @Test
    void aClientOfAnotherUserIsRefusedByThePeerCredentialCheck() throws Exception {
        // The daemon's directory is 0700: to let the other user reach the socket at all, this test opens it up
        Path socket = ale.dataDir().resolve("run").resolve("ale.sock");
        Files.setPosixFilePermissions(socket.getParent(), PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        Path classes = aleCliClasses();

        // only ale-cli's own classes on the path: the thin client needs nothing but the JDK
        Process p = new ProcessBuilder("setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", JAVA, "-cp", classes.toString(),
                Main.class.getName(), "--data-dir", ale.dataDir().toString(), "sandbox", "run", "--", "true").start();
        Run run = finish(p, "");

        assertThat(run.exit()).isEqualTo(3);
        assertThat(run.err().strip()).isEqualTo("ale: the resident ALE at " + socket + " serves only its own user (root), not cloudsdk;"
                + " run as root, or pass --no-daemon");
        assertThat(served()).isZero();
    }

    @Test
    void ctrlCOfAThinClientKillsItsSandbox() throws Exception {
        int before = served();
        Process client = new ProcessBuilder(TestProcesses.withDefaultSigint(clientArgv(List.of("sandbox", "run", "--", "sh", "-c",
                "echo up; sleep 600")).toArray(String[]::new))).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("up");
        String id = await().atMost(Duration.ofSeconds(30)).until(this::runningSandbox, s -> !s.isEmpty());
        assertThat(processesNaming(id)).isNotEmpty();

        assertThat(new ProcessBuilder("kill", "-INT", String.valueOf(client.pid())).start().waitFor()).isZero();

        assertThat(client.waitFor(30, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(processesNaming(id)).as("processes of " + id).isEmpty());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(Files.exists(ale.dataDir().resolve("sandboxes").resolve(id)))
                .as(id + " destroyed by the daemon").isFalse());
        // the daemon ran it (an in-process fallback would have cleaned up by itself) and is still up
        await().atMost(Duration.ofSeconds(60)).until(() -> served() == before + 1);
        assertThat(daemon.isAlive()).isTrue();
    }

    @Test
    void aDaemonKilledBySigkillLeavesWhatGcClearsAndAStaleSocketSendsClientsInProcess() throws Exception {
        CompletableFuture<Run> cut = CompletableFuture.supplyAsync(() -> {
            try {
                return client(List.of("sandbox", "run", "--", "sh", "-c", "sleep 600"), Map.of(), "");
            } catch (IOException | InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        String id = await().atMost(Duration.ofSeconds(60)).until(this::runningSandbox, s -> !s.isEmpty());
        noteSandboxes();

        daemon.destroyForcibly();
        assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Run cutOff = cut.get(60, TimeUnit.SECONDS);
        assertThat(cutOff.exit()).isEqualTo(3);
        assertThat(cutOff.err()).contains("closed the connection before the command ended");
        assertThat(ale.dataDir().resolve("sandboxes").resolve(id)).as("the dead daemon's sandbox, left for gc").exists();

        Ale.Result gc = ale.run("sandbox", "gc");

        assertThat(gc.exit()).as(gc.err()).isZero();
        assertThat(gc.out()).contains("removed " + id);
        assertNothingLeft();

        Path socket = ale.dataDir().resolve("run").resolve("ale.sock");
        assertThat(socket).as("SIGKILL left the socket file").exists();
        Run stale = client(List.of("sandbox", "run", "--", "echo", "in-process"), Map.of(), "");
        assertThat(stale.exit()).isZero();
        assertThat(stale.out()).isEqualTo("in-process\n");
        assertThat(stale.err().lines().toList()).hasSize(2).first().asString()
                .isEqualTo("ale: no resident ALE answers at " + socket + " (Connection refused; a stale socket?); running in-process");
    }

    @Test
    void aSecondDaemonOnTheSameDataDirectoryIsRefusedAndStatusAnswers() throws Exception {
        Run second = client(List.of("daemon", "start", "--foreground"), Map.of(), "");
        Run status = client(List.of("daemon", "status"), Map.of(), "");

        assertThat(second.exit()).isEqualTo(2);
        assertThat(second.err()).startsWith("ale: already running: resident ALE pid " + daemon.pid());
        assertThat(status.exit()).isZero();
        assertThat(status.out()).startsWith("resident ALE pid " + daemon.pid() + " at ");
    }

    @Test
    void aDaemonStartedWithIdleExitEndsByItselfAndRemovesItsSocket() throws Exception {
        try (Ale other = Ale.withFreshDataDir()) {
            List<String> argv = new ArrayList<>(List.of(JAVA));
            argv.addAll(JVM_OPTIONS);
            argv.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "--data-dir", other.dataDir().toString(),
                    "daemon", "start", "--foreground", "--idle-exit", "1"));
            Process idle = new ProcessBuilder(argv).redirectErrorStream(true).start();
            try {
                String output = new String(idle.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

                assertThat(idle.waitFor(120, TimeUnit.SECONDS)).isTrue();
                assertThat(idle.exitValue()).as(output).isZero();
                assertThat(output).contains("resident ALE stopped");
                assertThat(other.dataDir().resolve("run").resolve("ale.sock")).doesNotExist();
            } finally {
                idle.destroyForcibly();
            }
        }
    }

    private static Path aleCliClasses() {
        return Stream.of(System.getProperty("java.class.path").split(":")).map(Path::of)
                .filter(p -> p.endsWith(Path.of("ale-cli", "target", "classes"))).findFirst().orElseThrow();
    }

    /** A client run that must have gone through the daemon: its count of runs served goes up by one. */
    private Run thinClient(List<String> args, String stdin) throws Exception {
        int before = served();
        Run run = client(args, Map.of(), stdin);
        assertThat(served()).as("served by the daemon: " + run.err()).isEqualTo(before + 1);
        assertThat(run.err()).doesNotContain("in-process");
        return run;
    }

    private int served() throws Exception {
        Run status = client(List.of("daemon", "status"), Map.of(), "");
        Matcher m = Pattern.compile("(\\d+) runs served").matcher(status.out());
        assertThat(m.find()).as(status.out() + status.err()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private Process startDaemonProcess() throws IOException {
        List<String> argv = new ArrayList<>(List.of(JAVA));
        argv.addAll(JVM_OPTIONS);
        argv.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "--data-dir", ale.dataDir().toString(), "daemon", "start", "--foreground"));
        Process p = new ProcessBuilder(argv)
                .redirectError(ale.dataDir().resolve("daemon-test.log").toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String first = out.readLine();
        assertThat(first).as("the daemon's first line").isNotNull().startsWith("resident ALE (pid " + p.pid() + ") serving");
        return p;
    }

    private List<String> clientArgv(List<String> args) {
        List<String> argv = new ArrayList<>(List.of(JAVA));
        argv.addAll(JVM_OPTIONS);
        argv.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "--data-dir", ale.dataDir().toString()));
        argv.addAll(args);
        return argv;
    }

    private Run client(List<String> args, Map<String, String> env, String stdin) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(clientArgv(args));
        pb.environment().remove("ALE_DAEMON");
        pb.environment().putAll(env);
        Run run = finish(pb.start(), stdin);
        Matcher ids = Pattern.compile("sb-[0-9a-f]{8}").matcher(run.out() + run.err());
        while (ids.find()) seen.add(ids.group());
        return run;
    }

    private static Run finish(Process p, String stdin) throws IOException, InterruptedException {
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out, err.join());
    }

    /** Sandbox ids and durations differ from run to run; nothing else may. */
    private static String normal(String text) {
        return text.replaceAll("sb-[0-9a-f]{8}", "sb-ID").replaceAll("after \\d+(\\.\\d+)? (ms|s)|after \\d+m \\d+s", "after T");
    }

    private static String sandboxIn(String text) {
        Matcher m = Pattern.compile("sb-[0-9a-f]{8}").matcher(text);
        assertThat(m.find()).as(text).isTrue();
        return m.group();
    }

    /** The sandbox a run took (the pool's blanks are not listed until taken). */
    private String runningSandbox() throws IOException {
        noteSandboxes();
        List<String> listed = ale.listed();
        return listed.isEmpty() ? "" : listed.getFirst();
    }

    private void noteSandboxes() throws IOException {
        Path dir = ale.dataDir().resolve("sandboxes");
        if (!Files.isDirectory(dir)) return;
        try (Stream<Path> all = Files.list(dir)) {
            all.map(p -> p.getFileName().toString()).filter(n -> n.matches("sb-[0-9a-f]{8}")).forEach(seen::add);
        }
    }

    private void assertNothingLeft() throws IOException, InterruptedException {
        for (String id : seen) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(processesNaming(id)).as("processes of " + id).isEmpty());
        }
        Process ns = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
        List<String> namespaces = new String(ns.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        ns.waitFor();
        assertThat(namespaces).noneMatch(n -> seen.stream().anyMatch(n::contains));
        assertThat(Files.readAllLines(Path.of("/proc/self/mountinfo"))).noneMatch(m -> m.contains(ale.dataDir().toString()));
    }

    /** Command lines of host processes that name the sandbox id (bwrap is started with --hostname ID). */
    private static List<String> processesNaming(String id) throws IOException {
        try (Stream<Path> proc = Files.list(Path.of("/proc"))) {
            return proc.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .map(p -> cmdline(p))
                    .filter(cmd -> List.of(cmd.split("\0")).contains(id))
                    .toList();
        }
    }

    private static String cmdline(Path process) {
        try {
            return Files.readString(process.resolve("cmdline"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
