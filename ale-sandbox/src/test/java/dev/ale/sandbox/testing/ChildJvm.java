package dev.ale.sandbox.testing;

import static org.assertj.core.api.Assertions.assertThat;

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

/** A main class run in a JVM of its own on the test's class path, as another ALE process is: a test can kill it with SIGKILL. */
public record ChildJvm(Process process, Path log) {

    /** Starts {@code main} with {@code args}; its stderr goes to a file {@link #firstLine} shows when nothing came. */
    public static ChildJvm start(Class<?> main, String... args) throws IOException {
        Path log = Files.createTempFile("ale-test-child", ".log");
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return new ChildJvm(new ProcessBuilder(command).redirectError(log.toFile()).start(), log);
    }

    /** The first line the child prints, within {@code within}; fails naming what it said on stderr when none came. */
    public String firstLine(Duration within) throws IOException, InterruptedException {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)).readLine();
            } catch (IOException e) {
                return null;
            }
        });
        String first;
        try {
            first = line.get(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            first = null;
        }
        assertThat(first).as("a line from %s (its stderr: %s)", process.info().commandLine().orElse("the child"), Files.readString(log))
                .isNotNull();
        Files.deleteIfExists(log);
        return first;
    }
}
