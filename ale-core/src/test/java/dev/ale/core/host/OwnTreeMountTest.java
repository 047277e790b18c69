package dev.ale.core.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("root")
class OwnTreeMountTest {

    @TempDir
    Path tmp;

    @Test
    void aTreeWithAWritableBindMountBelowItIsLeftWholeAndTheBoundFilesSurvive() throws Exception {
        Path host = Files.createDirectories(tmp.resolve("host"));
        Files.writeString(host.resolve("precious.txt"), "host data");
        Path own = Files.createDirectories(tmp.resolve("own/views/v1"));
        Files.writeString(tmp.resolve("own/mine.txt"), "x");
        run("mount", "--bind", host.toString(), own.toString());
        try {
            assertThat(OwnTree.hasMountsUnder(tmp.resolve("own"))).isTrue();

            assertThat(OwnTree.delete(tmp.resolve("own"))).isFalse();

            assertThat(host.resolve("precious.txt")).hasContent("host data");
            assertThat(tmp.resolve("own/mine.txt")).exists();
        } finally {
            run("umount", own.toString());
        }
        assertThat(OwnTree.delete(tmp.resolve("own"))).isTrue();
        assertThat(host.resolve("precious.txt")).hasContent("host data");
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(command)).inheritIO().start();
        assertThat(p.waitFor()).as(String.join(" ", command)).isZero();
    }
}
