package dev.ale.monitor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many writers, one chain: threads in one process, two log instances, two real processes. */
class AuditConcurrencyTest {

    @TempDir
    Path dir;

    /** Runs {@code threads} writers at once, writer i appending {@code perThread} records as sandbox "t<i>". */
    private static void appendConcurrently(List<AuditLog> logs, int threads, int perThread) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                AuditLog log = logs.get(t % logs.size());
                String sandbox = "t" + t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        log.append("step", sandbox, Optional.empty(), OptionalInt.of(i), Optional.empty(),
                                Optional.empty(), Map.of("i", i));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
    }

    private static void assertOneCompleteChain(AuditLog log, int writers, int perWriter) {
        VerifyReport report = log.verify();
        assertThat(report.ok()).as("%s", report.problems()).isTrue();
        assertThat(report.checked()).isEqualTo((long) writers * perWriter);
        List<AuditRecord> all = log.query(AuditQuery.all());
        assertThat(all).extracting(AuditRecord::seq)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, (long) writers * perWriter).boxed().toList());
        Map<String, List<Integer>> stepsBySandbox = all.stream().collect(Collectors.groupingBy(AuditRecord::sandbox,
                Collectors.mapping(r -> r.step().getAsInt(), Collectors.toList())));
        assertThat(stepsBySandbox).hasSize(writers);
        // Each writer's records are all there, in the order it wrote them.
        stepsBySandbox.values().forEach(steps -> assertThat(steps).isSorted().hasSize(perWriter).doesNotHaveDuplicates());
    }

    @Test
    void eightThreadsAppendingAtOnceKeepOneChainWithoutGaps() throws Exception {
        try (AuditLog log = AuditLog.open(dir.resolve("audit.db"))) {
            appendConcurrently(List.of(log), 8, 250);

            assertOneCompleteChain(log, 8, 250);
        }
    }

    @Test
    void twoLogInstancesOnOneFileKeepOneChain() throws Exception {
        Path file = dir.resolve("audit.db");
        try (AuditLog first = AuditLog.open(file); AuditLog second = AuditLog.open(file)) {
            appendConcurrently(List.of(first, second), 8, 250);

            assertOneCompleteChain(first, 8, 250);
            assertThat(second.verify().ok()).isTrue();
            assertThat(second.headHash()).isEqualTo(first.headHash());
        }
    }

    @Test
    void twoProcessesAppendingAtOnceKeepOneChain() throws Exception {
        Path file = dir.resolve("audit.db");
        Path go = dir.resolve("go");
        int count = 500;
        List<Process> processes = new ArrayList<>();
        for (String name : List.of("proc-a", "proc-b")) {
            Process p = new ProcessBuilder(
                    ProcessHandle.current().info().command().orElseThrow(),
                    "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"),
                    AppendingProcess.class.getName(), file.toString(), Integer.toString(count), name, go.toString())
                    .redirectError(dir.resolve(name + ".err").toFile())
                    .start();
            processes.add(p);
        }
        try {
            for (Process p : processes) {
                String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
                assertThat(line).as("child said ready; stderr: %s", stderr()).isEqualTo("ready");
            }
            Files.createFile(go);
            for (Process p : processes) {
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("child finished").isTrue();
                assertThat(p.exitValue()).as("child exit; stderr: %s", stderr()).isZero();
            }
        } finally {
            processes.forEach(Process::destroyForcibly);
        }

        try (AuditLog log = AuditLog.open(file)) {
            assertOneCompleteChain(log, 2, count);
            List<String> writers = log.query(AuditQuery.all()).stream().map(AuditRecord::sandbox).toList();
            assertThat(switches(writers)).as("the two processes really interleaved").isGreaterThan(1);
        }
    }

    private String stderr() {
        StringBuilder text = new StringBuilder();
        for (String name : List.of("proc-a", "proc-b")) {
            try {
                Path err = dir.resolve(name + ".err");
                if (Files.exists(err)) {
                    text.append(name).append(": ").append(Files.readString(err)).append('\n');
                }
            } catch (IOException e) {
                text.append(name).append(": unreadable: ").append(e.getMessage());
            }
        }
        return text.toString();
    }

    /** How often consecutive records come from different writers. */
    private static long switches(List<String> writers) {
        long switches = 0;
        for (int i = 1; i < writers.size(); i++) {
            if (!writers.get(i).equals(writers.get(i - 1))) {
                switches++;
            }
        }
        return switches;
    }
}
