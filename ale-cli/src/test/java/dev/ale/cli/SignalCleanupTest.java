package dev.ale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ctrl-C (SIGINT) and SIGTERM end {@code ale sandbox run} through the JVM's shutdown hooks, and
 * nothing of the sandbox may stay behind. The host is inspected directly before any other ale
 * runs, because opening a backend would itself clean up what a dead process left.
 */
@Tag("root")
class SignalCleanupTest {

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void signalDuringSandboxRunLeavesNothingBehind(String signal) throws Exception {
        try (Ale ale = Ale.withFreshDataDir()) {
            String java = ProcessHandle.current().info().command().orElseThrow();
            Process run = new ProcessBuilder(TestProcesses.withDefaultSigint(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                    "--data-dir", ale.dataDir().toString(), "sandbox", "run", "--", "sh", "-c", "echo up; sleep 600"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            BufferedReader out = new BufferedReader(new InputStreamReader(run.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("up");
            String id = ale.listed().getFirst();
            assertThat(processesNaming(id)).isNotEmpty();

            assertThat(new ProcessBuilder("kill", "-" + signal, String.valueOf(run.pid())).start().waitFor()).isZero();
            boolean ended = run.waitFor(20, TimeUnit.SECONDS);
            // if not, where it waits, for whoever reads the failure
            String threads = ended ? "" : String.join("\n", output(Path.of(java).resolveSibling("jcmd").toString(), String.valueOf(run.pid()),
                    "Thread.print"));
            if (!ended) run.destroyForcibly();
            assertThat(ended).as("ale sandbox run ended within 20 s of SIG%s; its threads:%n%s", signal, threads).isTrue();

            assertThat(processesNaming(id)).isEmpty();
            assertThat(output("ip", "netns", "list")).noneMatch(ns -> ns.contains(id));
            assertThat(Files.readAllLines(Path.of("/proc/self/mountinfo"))).noneMatch(m -> m.contains(ale.dataDir().toString()));
            assertThat(ale.listed()).isEmpty();
        }
    }

    /** Host processes whose command line holds the sandbox id (bwrap is started with --hostname ID). */
    private static List<String> processesNaming(String id) throws IOException {
        try (Stream<Path> proc = Files.list(Path.of("/proc"))) {
            return proc.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .filter(p -> List.of(cmdline(p).split("\0")).contains(id))
                    .map(p -> p.getFileName().toString())
                    .toList();
        }
    }

    private static String cmdline(Path process) {
        try {
            return Files.readString(process.resolve("cmdline"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return ""; // ended while we looked
        }
    }

    private static List<String> output(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        p.waitFor();
        return lines;
    }
}
