package dev.ale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Only the command named on the line is built: it must still be the command of that name, and help must still list them all. */
class CommandTreeTest {

    private static final List<String> COMMANDS = List.of("run", "train", "serve", "export", "report", "sandbox", "passport", "image",
            "demo", "bench", "audit", "events", "cluster", "daemon");

    @Test
    void eachCommandBuiltAloneAnswersToItsOwnName() {
        for (String name : COMMANDS) {
            Ale.Result r = Ale.runWithoutDataDir(name, "--help");

            assertThat(r.exit()).as(name + ": " + r.err()).isZero();
            assertThat(r.out()).as(name).startsWith("Usage: ale " + name);
        }
    }

    @Test
    void helpWithNoCommandListsEveryCommand() {
        Ale.Result r = Ale.runWithoutDataDir("--help");

        assertThat(r.exit()).isZero();
        for (String name : COMMANDS) assertThat(r.out()).as(name).containsPattern("(?m)^  " + name + "\\b");
        assertThat(r.out()).contains("bench cli", "bench scale", "sandbox run", "cluster certs");
    }

    @Test
    void theCommandNameSkipsTheDataDirOptionAndItsValue() {
        assertThat(Main.commandName(new String[] {"--data-dir", "sandbox", "bench", "cli"})).contains("bench");
        assertThat(Main.commandName(new String[] {"--data-dir=/x", "sandbox", "run"})).contains("sandbox");
        assertThat(Main.commandName(new String[] {"-h"})).isEqualTo(Optional.empty());
    }

    @Test
    void anUnknownCommandIsAUsageErrorThatStillSuggestsTheKnownOnes() {
        Ale.Result r = Ale.runWithoutDataDir("sandbx", "run");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("sandbx");
    }

    @Test
    void theCliBenchWithALauncherThatIsNotThereIsAnInputError() {
        Ale.Result r = Ale.runWithoutDataDir("bench", "cli", "--launcher", "/nonexistent/ale", "--runs", "1");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("/nonexistent/ale is not an executable file");
    }

    @Test
    void theScaleBenchRefusesMoreActiveSandboxesThanThereAre() {
        Ale.Result r = Ale.runWithoutDataDir("bench", "scale", "--sandboxes", "2", "--active", "3");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--active", "more than --sandboxes 2");
    }
}
