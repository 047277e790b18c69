package dev.ale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ale.core.passport.PassportLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PassportCheckCommandTest {

    @TempDir
    Path dir;

    @Test
    void passportCheckPrintsEffectivePassport() throws IOException {
        Path file = Files.writeString(dir.resolve("coder.yaml"), "id: coder-1\nresources:\n  memory: 256MiB\n");

        Ale.Result r = Ale.runWithoutDataDir("passport", "check", file.toString());

        assertThat(r.exit()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out())
                .contains("id: \"coder-1\"")
                .contains("memory: 256MiB")
                .as("defaults written out").contains("pids: 256").contains("wallTime: 10m").contains("gpu: false");
        assertThat(PassportLoader.parse(r.out(), "printed")).isEqualTo(PassportLoader.load(file));
    }

    @Test
    void passportCheckExitsTwoWithTheLoadersMessage() throws IOException {
        Path file = Files.writeString(dir.resolve("bad.yaml"), "id: coder-1\nresources:\n  pids: many\n");

        Ale.Result r = Ale.runWithoutDataDir("passport", "check", file.toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines().toList()).singleElement().asString()
                .startsWith("ale: " + file + ": resources.pids: must be a whole number");
    }
}
