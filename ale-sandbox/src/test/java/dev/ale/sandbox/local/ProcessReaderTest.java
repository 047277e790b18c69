package dev.ale.sandbox.local;

import dev.ale.core.sandbox.ProcessSnapshot;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.ShellSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The sweep's view of a sandbox: each process's identity, tree, command line, CPU and fds, read from /proc. */
@Tag("root")
class ProcessReaderTest {

    @RegisterExtension
    static final TestBackend tb = TestBackend.perClass();

    @Test
    void statFieldsAreCountedFromTheLastParenthesis() {
        String line = "4242 (we ird) (name) S 17 4242 99 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 123456 1000 10 18446744073709551615";

        ProcessReader.Stat s = ProcessReader.Stat.parse(line).orElseThrow();

        assertThat(s.name()).isEqualTo("we ird) (name");
        assertThat(s.parentPid()).isEqualTo(17);
        assertThat(s.sessionId()).isEqualTo(99);
        assertThat(s.cpuTicks()).isEqualTo(300);
        assertThat(s.startTicks()).isEqualTo(123456);
    }

    @Test
    void argvSplitsAtNulAndKeepsAnUnterminatedLastWord() {
        byte[] cmdline = "python3\0-c\0print('a b')\0tail".getBytes(StandardCharsets.UTF_8);

        assertThat(ProcessReader.argv(cmdline)).containsExactly("python3", "-c", "print('a b')", "tail");
        assertThat(ProcessReader.argv(new byte[0])).isEmpty();
    }

    @Test
    void aProcessThatIsGoneIsLeftOutQuietly(@TempDir Path fakeProc) throws IOException {
        // a /proc entry whose files vanished mid-read: stat present, cmdline and fd gone
        Files.createDirectories(fakeProc.resolve("77"));
        Files.writeString(fakeProc.resolve("77/stat"), "77 (sh) S 1 77 77 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 500 0 0");
        ProcessReader reader = new ProcessReader(fakeProc);

        assertThat(reader.read(77)).isEmpty();
        assertThat(reader.read(78)).isEmpty();
        assertThat(reader.read(List.of(77, 78), Set.of())).isEmpty();
    }

    @Test
    void sweepShowsABackgroundProcessWithItsArgvParentAndSession() {
        Sandbox s = tb.sandbox();
        try (ShellSession sh = s.openSession()) {
            sh.run("sleep 301 >/dev/null 2>&1 &");

            ProcessSnapshot sleep = awaitProcess(s, "301");
            ProcessSnapshot shell = s.processes().stream().filter(p -> p.pid() == sleep.parentPid()).findFirst().orElseThrow();

            assertThat(sleep.argv()).containsExactly("sleep", "301");
            assertThat(sleep.name()).isEqualTo("sleep");
            assertThat(sleep.startTicks()).isPositive();
            assertThat(sleep.openFiles()).startsWith("/dev/null", "/dev/null", "/dev/null");
            assertThat(sleep.stdioSockets()).isEmpty();
            assertThat(shell.argv()).containsExactly("/bin/bash", "--noprofile", "--norc");
            assertThat(sleep.sessionId()).isEqualTo(shell.sessionId());
        }
    }

    @Test
    void theExecutableIsReadFromTheKernelsLinkWhateverArgvSays() {
        Sandbox s = tb.sandbox();
        try (ShellSession sh = s.openSession()) {
            sh.run("cp /bin/sleep /tmp/innocent && bash -c 'exec -a kworker /tmp/innocent 302' >/dev/null 2>&1 &");

            ProcessSnapshot p = awaitProcess(s, "302");

            assertThat(p.argv()).containsExactly("kworker", "302");
            assertThat(p.name()).isEqualTo("innocent");
            assertThat(p.exe()).hasValueSatisfying(exe -> assertThat(exe).endsWith("/tmp/innocent"));
        }
    }

    @Test
    void aDeletedExecutableIsNamedWithoutTheDeletedSuffix(@TempDir Path dir) throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve("exe"), Path.of("/tmp/x (deleted)"));

        assertThat(ProcessReader.exe(link)).contains("/tmp/x");
        assertThat(ProcessReader.exe(dir.resolve("missing"))).isEmpty();
    }

    @Test
    void socketOnStandardInputIsReportedAsAStdioSocket() {
        Sandbox s = tb.sandbox();
        try (ShellSession sh = s.openSession()) {
            // a socketpair needs no network: the sleep's stdin is one end of it
            sh.run("python3 -c 'import socket,os; a,b=socket.socketpair(); os.dup2(a.fileno(),0); "
                    + "os.execvp(\"sleep\", [\"sleep\",\"302\"])' >/dev/null 2>&1 &");

            ProcessSnapshot sleep = awaitProcess(s, "302");

            assertThat(sleep.stdioSockets()).containsExactly(0);
            assertThat(sleep.openFiles().getFirst()).startsWith("socket:[");
        }
    }

    @Test
    void cpuTimeOfABusyProcessGrows() {
        Sandbox s = tb.sandbox();
        try (ShellSession sh = s.openSession()) {
            sh.run("bash -c 'while :; do :; done' busy >/dev/null 2>&1 &");

            await().atMost(Duration.ofSeconds(30)).until(() -> busy(s).map(p -> p.cpuTime().toMillis() >= 300).orElse(false));
        }
    }

    @Test
    void aDestroyedSandboxHasNoProcesses() {
        Sandbox s = tb.sandbox();
        s.destroy();

        assertThat(s.processes()).isEmpty();
    }

    private static Optional<ProcessSnapshot> busy(Sandbox s) {
        return s.processes().stream().filter(p -> p.argv().contains("busy")).findFirst();
    }

    private static ProcessSnapshot awaitProcess(Sandbox s, String lastArg) {
        return await().atMost(Duration.ofSeconds(30)).until(
                () -> s.processes().stream().filter(p -> !p.argv().isEmpty() && p.argv().getLast().equals(lastArg)
                        && p.argv().size() == 2 && !p.name().equals("python3")).findFirst(),
                Optional::isPresent).orElseThrow();
    }
}
