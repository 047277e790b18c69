package dev.ale.cli.audit;

import static dev.ale.cli.audit.AuditCli.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ale.cli.Main;
import dev.ale.cli.TestProcesses;
import dev.ale.core.event.Category;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.event.SafetyEvent.Action;
import dev.ale.monitor.audit.AuditLog;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ale events tail} follows the log while another writer appends. The tail starts at the
 * end of the log at a moment the test cannot see, so the test keeps appending until the tail
 * prints; records from before it started must never show.
 */
class EventsTailCommandTest {

    /** Generous: a slow machine makes the test slower, never red. */
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    Path file;

    @BeforeEach
    void fiveRecords() {
        file = dir.resolve("audit.db");
        AuditCli.seed(file);
    }

    private CompletableFuture<AuditCli.Result> tail(ByteArrayOutputStream out, String... more) {
        List<String> args = new ArrayList<>(List.of("events", "tail", "--audit", file.toString()));
        args.addAll(List.of(more));
        return CompletableFuture.supplyAsync(() -> run(out, args.toArray(String[]::new)));
    }

    private static List<String> lines(ByteArrayOutputStream out) {
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void recordsAppendedAfterTheTailStartsArePrintedOneLineEachUntilMax() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CompletableFuture<AuditCli.Result> tail = tail(out, "--max", "2");

        try (AuditLog log = AuditLog.open(file)) {
            int[] step = {100};
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(250)).until(() -> {
                AuditCli.step(log, "sb-1", "ep-1", step[0]++, "echo new");
                return tail.isDone();
            });
        }

        AuditCli.Result r = tail.get(30, TimeUnit.SECONDS);
        assertThat(r.exit()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(lines(out)).hasSize(2).allSatisfy(line -> assertThat(line)
                .matches("\\S+Z  \\d+  sb-1  ep-1/\\d+  -  -  -  step \\{\"command\":\"echo new\",\"tool\":\"shell\"\\}"));
        assertThat(lines(out)).extracting(l -> Long.parseLong(l.split("  ")[1]))
                .as("only records after the five that were there before").allMatch(seq -> seq > 5);
    }

    @Test
    void filtersLetOnlyMatchingRecordsThrough() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CompletableFuture<AuditCli.Result> tail = tail(out, "--sandbox", "sb-2", "--category", "mining", "--max", "1");

        try (AuditLog log = AuditLog.open(file)) {
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(250)).until(() -> {
                AuditCli.step(log, "sb-2", "ep-2", 1, "make");
                log.append(AuditCli.event("stratum-login", Category.MINING,
                        Action.KILL, "sb-1", "ep-1", 1, "a miner elsewhere"));
                log.append(AuditCli.event("stratum-login", Category.MINING,
                        Action.KILL, "sb-2", "ep-2", 2, "xmrig --url pool.example"));
                return tail.isDone();
            });
        }

        assertThat(tail.get(30, TimeUnit.SECONDS).exit()).isZero();
        assertThat(lines(out)).singleElement().asString()
                .contains("  sb-2  ep-2/2  mining  stratum-login  kill  xmrig --url pool.example");
    }

    @Test
    void aHeldActAndItsDecisionAreTailedAsTheyAreWritten() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CompletableFuture<AuditCli.Result> tail = tail(out, "--sandbox", "sb-9", "--max", "2");

        try (AuditLog log = AuditLog.open(file)) {
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(250)).until(() -> {
                log.append(AuditCli.event("tunnel.ssh.remote-forward", Category.TUNNEL, Action.HOLD, "sb-9", "ep-9", 1, "ssh -R held"));
                SafetyEvent held = AuditCli.event("tunnel.ssh.remote-forward", Category.TUNNEL, Action.BLOCK, "sb-9", "ep-9", 1,
                        "hold hold-0123456789ab denied by alice: ssh -R held");
                log.append(new SafetyEvent(held.rule(), held.category(), held.severity(), held.action(), held.sandbox(), held.episode(),
                        held.step(), held.passportId(), held.passportFingerprint(), held.time(), held.detail(),
                        Map.of("hold", "hold-0123456789ab", "decision", "denied", "decidedBy", "alice", "decidedAt", held.time().toString())));
                return tail.isDone();
            });
        }

        assertThat(tail.get(30, TimeUnit.SECONDS).exit()).isZero();
        assertThat(lines(out)).hasSize(2);
        assertThat(lines(out).get(0)).contains("  sb-9  ep-9/1  tunnel  tunnel.ssh.remote-forward  hold  ssh -R held");
        assertThat(lines(out).get(1)).contains("  block  hold hold-0123456789ab denied by alice");
    }

    @Test
    void fromStartPrintsTheRecordsAlreadyThere() {
        AuditCli.Result r = run("events", "tail", "--audit", file.toString(), "--from-start", "--max", "5");

        assertThat(r.exit()).isZero();
        assertThat(r.out().lines()).extracting(l -> l.split("  ")[1]).containsExactly("1", "2", "3", "4", "5");
    }

    @Test
    void jsonPrintsEachRecordAsTheExportDoes() {
        AuditCli.Result tail = run("events", "tail", "--audit", file.toString(), "--from-start", "--max", "3", "--json");
        AuditCli.Result export = run("audit", "export", "--audit", file.toString(), "--limit", "3");

        assertThat(tail.exit()).isZero();
        assertThat(tail.out()).isEqualTo(export.out());
    }

    /** The signal is sent only after the tail printed a record, so its handlers are in place by then. */
    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void aSignalEndsTheTailWithStatusZero(String signal) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process tail = new ProcessBuilder(TestProcesses.withDefaultSigint(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "events", "tail", "--audit", file.toString()))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(tail.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<String> firstLine = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            try (AuditLog log = AuditLog.open(file)) {
                await().atMost(PATIENCE).pollInterval(Duration.ofMillis(250)).until(() -> {
                    AuditCli.step(log, "sb-1", "ep-1", 9, "sleep 1");
                    return firstLine.isDone();
                });
            }
            assertThat(firstLine.get()).contains("sb-1  ep-1/9");

            assertThat(new ProcessBuilder("kill", "-" + signal, String.valueOf(tail.pid())).start().waitFor()).isZero();

            assertThat(tail.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(tail.exitValue()).isZero();
        } finally {
            tail.destroyForcibly();
        }
    }
}
