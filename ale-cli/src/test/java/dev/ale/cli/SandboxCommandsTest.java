package dev.ale.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("root")
class SandboxCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * What ALE itself puts in a sandbox's environment (and bwrap's PWD), with the gateway's proxy
     * for {@code sandbox run}; nothing else may come from the host.
     */
    private static final Set<String> SET_BY_ALE =
            Set.of("PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "TERM", "TMPDIR", "PWD", "ALE_SANDBOX",
                    "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "NO_PROXY", "no_proxy");

    private static Ale ale;

    @BeforeAll
    static void dataDir() throws IOException {
        ale = Ale.withFreshDataDir();
    }

    @AfterAll
    static void cleanUp() throws IOException {
        ale.close();
    }

    @Test
    void sandboxRunJsonPrintsExactlyOneObjectWithTheContractFields() throws IOException {
        Ale.Result r = ale.run("sandbox", "run", "--json", "--", "sh", "-c", "echo out; echo err >&2; exit 7");

        assertThat(r.exit()).as("ale's own status when the sandbox ran").isZero();
        assertThat(r.err()).isEmpty();
        JsonNode json = onlyJsonObject(r.out());
        assertThat(fieldNames(json))
                .containsExactly("sandbox", "exitCode", "killed", "reason", "durationMs", "stdout", "stderr", "events");
        assertThat(json.get("sandbox").asText()).matches("sb-[0-9a-f]{8}");
        assertThat(json.get("exitCode").isInt()).isTrue();
        assertThat(json.get("exitCode").asInt()).isEqualTo(7);
        assertThat(json.get("killed").asBoolean()).isFalse();
        assertThat(json.get("reason").isNull()).isTrue();
        assertThat(json.get("durationMs").isIntegralNumber()).isTrue();
        assertThat(json.get("stdout").asText()).isEqualTo("out\n");
        assertThat(json.get("stderr").asText()).isEqualTo("err\n");
        assertThat(json.get("events").isArray()).isTrue();
        assertThat(json.get("events")).isEmpty();
        assertThat(listedIds()).doesNotContain(json.get("sandbox").asText());
    }

    @Test
    void sandboxRunReportsTimeoutReason() throws IOException {
        Ale.Result r = ale.run("sandbox", "run", "--timeout", "1", "--json", "--", "sleep", "10");

        assertThat(r.exit()).isZero();
        JsonNode json = onlyJsonObject(r.out());
        assertThat(json.get("killed").asBoolean()).isTrue();
        assertThat(json.get("reason").asText()).isEqualTo("timeout");
        assertThat(json.get("durationMs").asLong()).isLessThan(10_000);
    }

    @Test
    void sandboxRunStreamsOutputAndEndsWithOneSummaryLineOnStderr() {
        Ale.Result r = ale.run("sandbox", "run", "--", "sh", "-c", "echo hello; exit 3");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo("hello\n");
        assertThat(r.err().lines().toList()).singleElement().asString().matches("\\[sb-[0-9a-f]{8}] exit 3 after .*");
    }

    @Test
    void badPassportExitsTwoWithFileFieldAndReason() throws IOException {
        Path passport = Files.writeString(ale.dataDir().resolve("bad-passport.yaml"), "id: coder-1\nresources:\n  memory: lots\n");

        Ale.Result r = ale.run("sandbox", "run", "--passport", passport.toString(), "--", "true");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines().toList()).singleElement().asString()
                .startsWith("ale: " + passport + ": resources.memory: ")
                .contains("\"lots\" is not a size");
    }

    @Test
    void unknownOptionExitsTwo() {
        Ale.Result r = ale.run("sandbox", "run", "--bogus", "--", "true");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().lines().toList()).singleElement().asString().startsWith("ale: ").contains("'--bogus'");
    }

    @Test
    void missingCommandAfterDashDashExitsTwo() {
        Ale.Result r = ale.run("sandbox", "run", "--json", "--");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines().toList()).singleElement().asString().startsWith("ale: ").contains("COMMAND");
    }

    @Test
    void negativeTimeoutExitsTwoNamingTheOption() {
        Ale.Result r = ale.run("sandbox", "run", "--timeout", "-1", "--", "true");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().lines().toList()).singleElement().asString().startsWith("ale: ").contains("--timeout").contains("-1");
    }

    @Test
    void createExecLsRmRoundTrip() throws IOException {
        Ale.Result created = ale.run("sandbox", "create");
        assertThat(created.exit()).isZero();
        String id = created.out().strip();
        assertThat(id).matches("sb-[0-9a-f]{8}");

        // each command is a separate ale run: the detached sandbox and its workspace outlive them
        assertThat(ale.run("sandbox", "exec", id, "--", "sh", "-c", "echo kept > /workspace/note").exit()).isZero();
        Ale.Result read = ale.run("sandbox", "exec", id, "--json", "--", "cat", "/workspace/note");
        assertThat(onlyJsonObject(read.out()).get("stdout").asText()).isEqualTo("kept\n");

        Ale.Result listed = ale.run("sandbox", "ls");
        assertThat(listed.out()).containsPattern(id + "\\s+default\\s+running\\s+.*\\s+yes");
        assertThat(listedIds()).contains(id);

        Ale.Result removed = ale.run("sandbox", "rm", id);
        assertThat(removed.exit()).isZero();
        assertThat(removed.out()).isEqualTo("removed " + id + "\n");
        assertThat(listedIds()).doesNotContain(id);
        assertThat(ale.run("sandbox", "exec", id, "--", "true").exit()).isEqualTo(2);
    }

    @Test
    void execRefusesASandboxThatBelongsToARunningSandboxRunAndLeavesItAlone() throws Exception {
        CompletableFuture<Ale.Result> running = CompletableFuture.supplyAsync(
                () -> ale.run("sandbox", "run", "--json", "--", "sleep", "30"));
        await().atMost(Duration.ofSeconds(20)).until(() -> ale.listed().size() == 1);
        String id = ale.listed().getFirst();

        Ale.Result exec = ale.run("sandbox", "exec", id, "--", "true");

        assertThat(exec.exit()).isEqualTo(2);
        assertThat(exec.err()).contains("belongs to the ale process that made it");
        assertThat(running).isNotDone();
        assertThat(ale.listed()).containsExactly(id);
        assertThat(ale.run("sandbox", "rm", id).exit()).isZero();
        // how the removed sandbox's command ends is the backend's to report; here only that it does
        assertThat(running.get(20, TimeUnit.SECONDS)).isNotNull();
    }

    @Test
    void shellKeepsDirectoryAndVariablesFromLineToLine() {
        String id = ale.run("sandbox", "create").out().strip();

        Ale.Result r = ale.runWithInput("cd /tmp\nexport GREETING=hi\necho \"$GREETING from $(pwd)\"\n", "sandbox", "shell", id);

        assertThat(r.exit()).isZero();
        assertThat(r.out()).as("no prompt when stdin is not a terminal").isEqualTo("hi from /tmp\n");
        assertThat(ale.run("sandbox", "rm", id).exit()).isZero();
    }

    @Test
    void hostEnvironmentNotVisibleThroughCli() throws IOException {
        Ale.Result r = ale.run("sandbox", "run", "--json", "--", "env");

        Set<String> inside = onlyJsonObject(r.out()).get("stdout").asText().lines()
                .filter(l -> l.contains("="))
                .map(l -> l.substring(0, l.indexOf('=')))
                .collect(Collectors.toSet());
        Set<String> fromHost = new HashSet<>(System.getenv().keySet());
        fromHost.removeAll(SET_BY_ALE);
        assertThat(fromHost).as("this JVM's environment, to compare with").isNotEmpty();
        assertThat(inside).isNotEmpty().doesNotContainAnyElementsOf(fromHost);
        assertThat(SET_BY_ALE).containsAll(inside);
    }

    @Test
    void sandboxAloneAndAleAlonePrintHelp() {
        Ale.Result top = ale.run();
        assertThat(top.exit()).isZero();
        assertThat(top.out()).contains("Usage: ale").contains("sandbox run").contains("demo").contains("bench sandbox");

        assertThat(ale.run("--version").out()).startsWith("ale ");
        assertThat(ale.run("nonsense").exit()).isEqualTo(2);
    }

    private static JsonNode onlyJsonObject(String text) throws IOException {
        try (MappingIterator<JsonNode> documents = JSON.readerFor(JsonNode.class).readValues(text)) {
            List<JsonNode> all = documents.readAll();
            assertThat(all).as("JSON documents on stdout").hasSize(1);
            assertThat(all.getFirst().isObject()).isTrue();
            return all.getFirst();
        }
    }

    private static List<String> fieldNames(JsonNode json) {
        return json.propertyStream().map(Map.Entry::getKey).toList();
    }

    private static List<String> listedIds() throws IOException {
        return ale.listed();
    }
}
