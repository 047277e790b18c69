package dev.ale.sandbox.local;

import dev.ale.core.sandbox.GarbageReport;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.ShellSession;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A sandbox leaves nothing on the host once destroyed, nor once the ALE process that made it is killed. */
@Tag("root")
class CleanupTest {

    @RegisterExtension
    static final TestBackend tb = TestBackend.perClass();

    @Test
    void nothingLeftAfterDestroy() {
        Sandbox s = tb.sandbox();
        String id = s.id();
        int uid = HostView.hostUid(tb.dataDir(), id);
        ShellSession sh = s.openSession();
        sh.run("sleep 100 >/dev/null 2>&1 &");
        assertThat(HostView.traces(tb.dataDir(), id, uid)).as("there is something to clean up")
                .anyMatch(t -> t.startsWith("network namespace")).anyMatch(t -> t.startsWith("cgroup"))
                .anyMatch(t -> t.startsWith("mount")).anyMatch(t -> t.startsWith("process"))
                .anyMatch(t -> t.startsWith("directory")).anyMatch(t -> t.startsWith("uid slot"));

        s.destroy();

        // the JVM reaps its own dead children in the background, so a zombie may linger a moment
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(HostView.traces(tb.dataDir(), id, uid)).isEmpty());
        assertThat(sh.isOpen()).isFalse();
        assertThat(tb.backend().list()).extracting(i -> i.id()).doesNotContain(id);
    }

    @Test
    void nothingLeftAfterAleIsKilled() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("/tmp"), "ale-test-killed");
        // a second ALE process on the same data directory, alive before and after the first one dies
        try (KilledAles ales = new KilledAles(dataDir); TestBackend survivor = TestBackend.on(dataDir)) {
            KilledAle first = ales.start();
            String id = first.sandboxId();
            int uid = HostView.hostUid(dataDir, id);
            assertThat(HostView.traces(dataDir, id, uid)).anyMatch(t -> t.startsWith("process"));
            assertThat(survivor.backend().collectGarbage().removed()).as("not an orphan while its ALE lives").isEmpty();
            first.kill();

            GarbageReport report = survivor.backend().collectGarbage();

            assertThat(report.removed()).containsExactly(id);
            assertThat(report.problems()).isEmpty();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(HostView.traces(dataDir, id, uid)).isEmpty());

            // a fresh ALE process collects at start and says so once: afterwards there is nothing more to remove
            KilledAle second = ales.start();
            String secondId = second.sandboxId();
            int secondUid = HostView.hostUid(dataDir, secondId);
            second.kill();
            try (TestBackend restarted = TestBackend.on(dataDir)) {
                await().atMost(Duration.ofSeconds(20))
                        .untilAsserted(() -> assertThat(HostView.traces(dataDir, secondId, secondUid)).isEmpty());
                // the first report includes what the constructor removed; nothing is left for a second
                assertThat(restarted.backend().collectGarbage().removed()).containsExactly(secondId);
                assertThat(restarted.backend().collectGarbage().removed()).isEmpty();
                assertThat(restarted.backend().list()).isEmpty();
            }
        }
    }

    @Test
    void aSandboxFrozenForAHoldWhenAleIsKilledIsThawedAndRemovedByGc() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("/tmp"), "ale-test-frozen");
        try (KilledAles ales = new KilledAles(dataDir); TestBackend survivor = TestBackend.on(dataDir)) {
            KilledAle held = ales.start("frozen");
            String id = held.sandboxId();
            int uid = HostView.hostUid(dataDir, id);
            Path freezer = Path.of("/sys/fs/cgroup/freezer/ale", id, "freezer.state");
            Path v2freeze = Path.of("/sys/fs/cgroup/ale", id, "cgroup.freeze");
            assertThat(Files.exists(freezer) ? Files.readString(freezer).strip() : Files.readString(v2freeze).strip())
                    .as("the sandbox is frozen while its ALE lives").isIn("FROZEN", "1");
            held.kill();

            GarbageReport report = survivor.backend().collectGarbage();

            assertThat(report.removed()).containsExactly(id);
            assertThat(report.problems()).isEmpty();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(HostView.traces(dataDir, id, uid)).isEmpty());
            assertThat(freezer).doesNotExist();
            assertThat(v2freeze).doesNotExist();
        }
    }

    /** The ALE processes a test started on one data directory; on close, whatever they left is killed and removed. */
    private record KilledAles(Path dataDir, List<Process> processes) implements AutoCloseable {

        KilledAles(Path dataDir) {
            this(dataDir, new ArrayList<>());
        }

        KilledAle start(String... options) throws IOException, InterruptedException {
            return KilledAle.start(dataDir, processes, options);
        }

        @Override
        public void close() {
            for (Process p : processes) {
                try {
                    p.destroyForcibly().waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            // a backend's start collects what the killed JVMs left, whatever went wrong in the test
            new LocalSandboxBackend(LocalSandboxBackend.Config.defaults().withDataDir(dataDir)).close();
            TestBackend.deleteTree(dataDir);
        }
    }

    /** A separate JVM running {@link KilledAleMain}. */
    private record KilledAle(Process process, String sandboxId) {

        /** Starts one and waits for its sandbox id; {@code started} gets the process at once, to be killed whatever happens. */
        static KilledAle start(Path dataDir, List<Process> started, String... options) throws IOException, InterruptedException {
            String java = ProcessHandle.current().info().command().orElseThrow();
            Path log = Files.createTempFile("ale-test-killed", ".log");
            try {
                List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                        KilledAleMain.class.getName(), dataDir.toString()));
                command.addAll(List.of(options));
                Process p = new ProcessBuilder(command)
                        .redirectError(log.toFile())
                        .start();
                started.add(p);
                CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
                    try {
                        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
                    } catch (IOException e) {
                        return null;
                    }
                });
                String id;
                try {
                    id = line.get(60, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    id = null;
                }
                assertThat(id).as("sandbox id from the ALE process to kill (its stderr: %s)", Files.readString(log))
                        .isNotNull().matches("sb-[0-9a-f]{8}");
                return new KilledAle(p, id);
            } finally {
                Files.deleteIfExists(log);
            }
        }

        /** SIGKILL: no shutdown hook, no cleanup of its own. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
    }
}
