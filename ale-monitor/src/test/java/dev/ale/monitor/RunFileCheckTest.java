package dev.ale.monitor;

import dev.ale.core.passport.Phase;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.ProcessSnapshot;
import dev.ale.core.sandbox.RunFile;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxFiles;
import dev.ale.core.sandbox.SandboxInfo;
import dev.ale.core.sandbox.SandboxStats;
import dev.ale.core.sandbox.SessionRequest;
import dev.ale.core.sandbox.ShellSession;
import dev.ale.monitor.detect.CommandLineDetector;
import dev.ale.monitor.detect.Detection;
import dev.ale.monitor.rules.RuleId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What an executable carries is remembered by the identity that was read, and judged only against the process that runs it. */
class RunFileCheckTest {

    private static final byte[] MINER = "ELF... stratum+tcp://pool mining.subscribe XMRig".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] SHELL = "ELF... GNU bash, version 5.2".getBytes(StandardCharsets.ISO_8859_1);

    @Test
    void aForkThatExecdAMinerDuringTheReadIsNotJudgedAsItsShellAndTheMinerIsKnownWithoutAnotherRead() {
        Files disk = new Files();
        disk.files.put("id-miner", MINER);
        RunFileCheck check = new RunFileCheck(CommandLineDetector.standard());
        // the snapshot's process ran bash when asked, and the miner by the time its executable was opened
        ProcessSnapshot fork = process(100, "/usr/bin/bash");
        disk.asked.put(100L, "id-bash");
        disk.opened.put(100L, "id-miner");
        ProcessSnapshot miner = process(101, "/tmp/.w");
        disk.asked.put(101L, "id-miner");
        disk.opened.put(101L, "id-miner");

        List<Detection> asShell = check.judge(disk, fork);
        List<Detection> asItself = check.judge(disk, miner);

        assertThat(asShell).as("the miner's marks are not reported under /usr/bin/bash").isEmpty();
        assertThat(asItself).singleElement().satisfies(d -> {
            assertThat(d.rule()).isEqualTo(RuleId.MINING_EXE_MINER_MARKS);
            assertThat(d.evidence()).containsEntry("file", "/tmp/.w");
        });
        assertThat(disk.reads).as("the miner's content was read once, when the fork was asked about").isEqualTo(1);
    }

    @Test
    void anExecutableReadOnceIsNotReadAgainForTheNextProcessOfTheSameIdentity() {
        Files disk = new Files();
        disk.files.put("id-bash", SHELL);
        RunFileCheck check = new RunFileCheck(CommandLineDetector.standard());
        for (long pid = 200; pid < 205; pid++) {
            disk.asked.put(pid, "id-bash");
            disk.opened.put(pid, "id-bash");
            assertThat(check.judge(disk, process(pid, "/usr/bin/bash"))).isEmpty();
        }
        assertThat(disk.reads).isEqualTo(1);
    }

    private static ProcessSnapshot process(long pid, String exe) {
        return new ProcessSnapshot(pid, 1, 1, pid, exe.substring(exe.lastIndexOf('/') + 1), List.of(exe), Duration.ZERO, List.of(), List.of(),
                ProcessSnapshot.Role.WORKLOAD, Optional.of(exe));
    }

    /** A sandbox that only shows executables: the identity each pid runs when asked, and the one its read opened. */
    private static final class Files implements Sandbox {
        final Map<String, byte[]> files = new HashMap<>();
        final Map<Long, String> asked = new HashMap<>();
        final Map<Long, String> opened = new HashMap<>();
        int reads;

        @Override
        public Optional<String> executableIdentity(ProcessSnapshot process) {
            return Optional.ofNullable(asked.get(process.pid()));
        }

        @Override
        public Optional<RunFile> executable(ProcessSnapshot process, int maxBytes) {
            reads++;
            String identity = opened.get(process.pid());
            byte[] content = files.get(identity);
            return Optional.of(new RunFile(process.exe().orElseThrow(), identity, content.length, content));
        }

        @Override
        public String id() {
            return "files";
        }

        @Override
        public SandboxInfo info() {
            throw new UnsupportedOperationException();
        }

        @Override
        public ExecResult exec(ExecRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ShellSession openSession(SessionRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public SandboxFiles files() {
            throw new UnsupportedOperationException();
        }

        @Override
        public SandboxStats stats() {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<ProcessSnapshot> processes() {
            return List.of();
        }

        @Override
        public Phase phase() {
            return Phase.AGENT;
        }

        @Override
        public void enterPhase(Phase phase) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void freeze() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void thaw() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void kill(String reason) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void destroy() {
            throw new UnsupportedOperationException();
        }
    }
}
