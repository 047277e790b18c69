package dev.ale.cli.resident;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which command lines the thin client takes, and what it does when no resident ALE answers (no root needed). */
class ResidentClientTest {

    @TempDir
    Path dir;

    @Test
    void onlySandboxRunLinesAreTakenWithTheirDataDirectoryWhereverItIsGiven() {
        assertThat(line(Map.of(), "--data-dir", "/d", "sandbox", "run", "--", "true")).contains(new ResidentClient.Line(Path.of("/d"), false));
        assertThat(line(Map.of(), "sandbox", "run", "--data-dir=/e", "--json", "--", "true")).contains(new ResidentClient.Line(Path.of("/e"), false));
        assertThat(line(Map.of("ALE_HOME", "/h"), "sandbox", "run", "true")).contains(new ResidentClient.Line(Path.of("/h"), false));
        assertThat(line(Map.of(), "sandbox", "run", "--stdin", "--timeout", "5", "--passport", "p.yaml", "cat"))
                .contains(new ResidentClient.Line(Path.of("/var/lib/ale"), true));
        // a word after the command is the command's own, never ALE's
        assertThat(line(Map.of(), "sandbox", "run", "--", "sh", "--no-daemon")).isPresent();

        assertThat(line(Map.of(), "sandbox", "ls")).isEmpty();
        assertThat(line(Map.of(), "run", "sandbox", "run")).isEmpty();
        assertThat(line(Map.of(), "-h", "sandbox", "run")).isEmpty();
        assertThat(line(Map.of(), "sandbox")).isEmpty();
    }

    @Test
    void noDaemonAleDaemonOffResolveAndHelpStayInProcess() {
        assertThat(line(Map.of(), "sandbox", "run", "--no-daemon", "--", "true")).isEmpty();
        assertThat(line(Map.of("ALE_DAEMON", "off"), "sandbox", "run", "--", "true")).isEmpty();
        assertThat(line(Map.of(), "sandbox", "run", "--resolve", "a.test=10.0.0.1", "--", "true")).isEmpty();
        assertThat(line(Map.of(), "sandbox", "run", "--resolve=a.test=10.0.0.1", "--", "true")).isEmpty();
        assertThat(line(Map.of(), "sandbox", "run", "--help")).isEmpty();
        // benign look-alikes: other values of ALE_DAEMON, an option value that reads like one
        assertThat(line(Map.of("ALE_DAEMON", "on"), "sandbox", "run", "--", "true")).isPresent();
        assertThat(line(Map.of(), "sandbox", "run", "--passport", "--no-daemon", "--", "true")).isPresent();
    }

    @Test
    void withNoSocketTheRunGoesInProcessSilently() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        ResidentClient.Outcome outcome = run(err, "--data-dir", dir.toString(), "sandbox", "run", "--", "true");

        assertThat(outcome).isInstanceOf(ResidentClient.InProcess.class);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void aStaleSocketIsSaidInOneLineAndTheRunGoesInProcessWithItsStdinIntact() throws IOException {
        Path socket = Wire.socketOf(dir);
        Files.createDirectories(socket.getParent());
        try (ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            gone.bind(UnixDomainSocketAddress.of(socket)); // closed without unlinking, as a SIGKILLed daemon leaves it
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        ResidentClient.Outcome outcome = run(err, "--data-dir", dir.toString(), "sandbox", "run", "--stdin", "--", "cat");

        assertThat(outcome).isInstanceOf(ResidentClient.InProcess.class);
        assertThat(((ResidentClient.InProcess) outcome).stdin().readAllBytes()).isEqualTo("input".getBytes(StandardCharsets.UTF_8));
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("ale: no resident ALE answers at " + socket
                + " (Connection refused; a stale socket?); running in-process\n");
    }

    @Test
    void askingWhereNoneAnswersIsEmpty() {
        assertThat(ResidentClient.ask(dir, Wire.STATUS)).isEqualTo(Optional.empty());
    }

    private static Optional<ResidentClient.Line> line(Map<String, String> env, String... args) {
        return ResidentClient.Line.parse(args, env);
    }

    private static ResidentClient.Outcome run(ByteArrayOutputStream err, String... args) {
        try (PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
             PrintStream o = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)) {
            return ResidentClient.run(args, Map.of(), new ByteArrayInputStream("input".getBytes(StandardCharsets.UTF_8)), o, e);
        }
    }
}
