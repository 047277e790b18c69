package dev.ale.monitor.sweep;

import dev.ale.monitor.detect.Detection;
import dev.ale.monitor.rules.RuleId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** What a process runs is judged by its content: a miner's marks, whatever the file is called; benign binaries carry none. */
class RunFileRulesTest {

    @TempDir
    Path dir;

    @Test
    void aMinerBuiltHereCarriesMarksOfSeveralKindsWhateverItIsCalled() throws Exception {
        Path miner = FakeMiner.build(dir, "kworker-helper");
        List<String> marks = RunFileRules.marksIn(Files.readAllBytes(miner));
        assertThat(marks).hasSizeGreaterThanOrEqualTo(4);
        Optional<Detection> d = RunFileRules.minerMarks("/tmp/kworker-helper", marks, "the executable");
        assertThat(d).hasValueSatisfying(x -> {
            assertThat(x.rule()).isEqualTo(RuleId.MINING_EXE_MINER_MARKS);
            assertThat(x.detail()).contains("/tmp/kworker-helper").contains("stratum+tcp://");
        });
    }

    @Test
    void oneKindOfMarkAloneIsNotAMiner() {
        byte[] scanner = "probes: http ssh stratum+tcp:// smtp; stratum+ssl://".getBytes(StandardCharsets.ISO_8859_1);
        byte[] benchmark = "hash benchmarks: sha256 blake2 RandomX cryptonight".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(RunFileRules.marksIn(scanner)).hasSize(1);
        assertThat(RunFileRules.minerMarks("/usr/bin/scanner", RunFileRules.marksIn(scanner), "the executable")).isEmpty();
        assertThat(RunFileRules.minerMarks("/usr/bin/bench", RunFileRules.marksIn(benchmark), "the executable")).isEmpty();
    }

    @Test
    void compilersInterpretersGitAndCryptoLibrariesCarryNoMinersMarks() throws IOException {
        List<String> candidates = List.of("/usr/bin/gcc", "/usr/bin/git", "/usr/bin/openssl", "/usr/bin/sha256sum", "/usr/bin/perl",
                "/usr/bin/python3", "/usr/bin/node", "/usr/bin/curl", "/usr/bin/ssh",
                "/usr/lib/x86_64-linux-gnu/libssl.so.3", "/usr/lib/x86_64-linux-gnu/libcrypto.so.3");
        List<String> read = new ArrayList<>();
        for (String c : candidates) {
            Path p = Path.of(c);
            if (!Files.isRegularFile(p)) continue;
            byte[] head;
            try (InputStream in = Files.newInputStream(p)) {
                head = in.readNBytes(RunFileRules.MAX_EXECUTABLE_BYTES);
            }
            assertThat(RunFileRules.marksIn(head)).as(c).hasSizeLessThan(2);
            read.add(c);
        }
        assertThat(read).as("benign binaries found on this machine").hasSizeGreaterThanOrEqualTo(6);
    }

    @Test
    void aProgramWithPoolAndHashInItsStringsIsNoMiner() throws Exception {
        Path lookalike = FakeMiner.compile(dir, "pool-hash", """
                #include <stdio.h>
                int main(int argc, char **argv) {
                    if (argc > 3) printf("thread pool of %d workers; sha256 hash of the block; connection pool; hashrate %s\\n", 4, argv[1]);
                    return 0;
                }
                """);
        assertThat(RunFileRules.marksIn(Files.readAllBytes(lookalike))).isEmpty();
    }

    @Test
    void theScriptAnInterpreterRunsIsFoundPastItsOptions() {
        assertThat(RunFileRules.scriptOf(List.of("python3", "-u", "miner.py", "--fast"), Optional.of("/usr/bin/python3.11")))
                .contains("miner.py");
        assertThat(RunFileRules.scriptOf(List.of("/usr/bin/python3", "-W", "ignore", "/workspace/x.py"), Optional.empty()))
                .contains("/workspace/x.py");
        assertThat(RunFileRules.scriptOf(List.of("node", "-r", "ts-node/register", "app.js"), Optional.of("/usr/bin/node"))).contains("app.js");
        assertThat(RunFileRules.scriptOf(List.of("perl", "x.pl"), Optional.of("/usr/bin/perl"))).contains("x.pl");
        assertThat(RunFileRules.scriptOf(List.of("bash", "--", "run.sh"), Optional.of("/usr/bin/bash"))).contains("run.sh");
        // a renamed interpreter is still one: its executable says so
        assertThat(RunFileRules.scriptOf(List.of("updater", "job.py"), Optional.of("/usr/bin/python3.11"))).contains("job.py");
    }

    @Test
    void noScriptForCodeOnTheCommandLineAModuleOrAPlainProgram() {
        assertThat(RunFileRules.scriptOf(List.of("python3", "-c", "print(1)"), Optional.of("/usr/bin/python3"))).isEmpty();
        assertThat(RunFileRules.scriptOf(List.of("python3", "-Bc", "print(1)"), Optional.of("/usr/bin/python3"))).isEmpty();
        assertThat(RunFileRules.scriptOf(List.of("python3", "-m", "http.server"), Optional.of("/usr/bin/python3"))).isEmpty();
        assertThat(RunFileRules.scriptOf(List.of("sh", "-ec", "echo hi"), Optional.of("/usr/bin/dash"))).isEmpty();
        assertThat(RunFileRules.scriptOf(List.of("perl", "-le", "print 1"), Optional.of("/usr/bin/perl"))).isEmpty();
        assertThat(RunFileRules.scriptOf(List.of("node", "--eval", "1"), Optional.of("/usr/bin/node"))).isEmpty();
        assertThat(RunFileRules.scriptOf(List.of("python3"), Optional.of("/usr/bin/python3"))).isEmpty();
        assertThat(RunFileRules.scriptOf(List.of("gcc", "main.c"), Optional.of("/usr/bin/gcc"))).isEmpty();
        assertThat(RunFileRules.scriptOf(List.of("cat", "x.py"), Optional.of("/usr/bin/cat"))).isEmpty();
    }
}
