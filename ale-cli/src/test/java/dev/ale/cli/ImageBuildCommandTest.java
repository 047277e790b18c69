package dev.ale.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.util.Comparator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code ale image build} end to end: a base imported from a busybox rootfs, a build with its progress, a cached rebuild, refusals. */
@Tag("root")
class ImageBuildCommandTest {

    private static Ale ale;

    @BeforeAll
    static void dataDir() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "sandboxes need root");
        ale = Ale.withFreshDataDir();
        Path root = Files.createTempDirectory(Path.of("/tmp"), "ale-build-rootfs");
        try {
            Files.createDirectories(root.resolve("bin"));
            Files.createDirectories(root.resolve("etc"));
            Files.createDirectories(root.resolve("data"));
            Files.setPosixFilePermissions(root.resolve("data"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
            Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
            for (String t : List.of("sh", "cat", "echo")) Files.createSymbolicLink(root.resolve("bin/" + t), Path.of("busybox"));
            Path tar = ale.dataDir().resolve("rootfs.tar");
            Process p = new ProcessBuilder("tar", "--numeric-owner", "--owner=0", "--group=0", "-C", root.toString(), "-cf", tar.toString(), ".")
                    .inheritIO().start();
            assertThat(p.waitFor()).isZero();
            Ale.Result r = ale.run("image", "import", tar.toString(), "build-base:1");
            assertThat(r.exit()).as(r.err()).isZero();
        } finally {
            try (var w = Files.walk(root)) {
                for (Path x : w.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
            }
        }
    }

    @AfterAll
    static void cleanUp() throws IOException {
        if (ale != null) ale.close();
    }

    @Test
    void aBuildPrintsEachLineAsWrittenAndASecondBuildComesFromTheCache(@TempDir Path ctx) throws IOException {
        Files.writeString(ctx.resolve("hello.txt"), "hello\n");
        Files.writeString(ctx.resolve("Dockerfile"), """
                FROM build-base:1
                COPY hello.txt /data/
                RUN cat /data/hello.txt && \\
                    echo made > /data/made
                CMD ["cat", "/data/made"]
                """);
        Ale.Result r = ale.run("image", "build", "-t", "built:1", ctx.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("  RUN cat /data/hello.txt && \\\n      echo made > /data/made\n", "  | hello\n",
                "(2 steps run, 0 from the cache, 1 sandboxes)");
        assertThat(r.out()).startsWith("docker.io/library/built:1 sha256:");

        Ale.Result again = ale.run("image", "build", "-t", "built:1", ctx.toString());
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.err()).contains("(0 steps run, 2 from the cache, 0 sandboxes)").doesNotContain("  | hello");
        assertThat(again.out()).isEqualTo(r.out());

        Ale.Result ls = ale.run("image", "ls", "--json");
        assertThat(ls.out()).contains("docker.io/library/built:1").doesNotContain("build step");
    }

    @Test
    void aRefusedLineNamesFileAndLineAndFailsAsBadInput(@TempDir Path ctx) throws IOException {
        Files.writeString(ctx.resolve("Dockerfile"), "FROM build-base:1\nHEALTHCHECK CMD true\n");
        Ale.Result r = ale.run("image", "build", ctx.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains(ctx.resolve("Dockerfile") + ":2: HEALTHCHECK: is refused: ALE does not run health checks");
    }

    @Test
    void aFailingRunExitsWithItsOutputTail(@TempDir Path ctx) throws IOException {
        Files.writeString(ctx.resolve("Dockerfile"), "FROM build-base:1\nRUN echo before-failing; exit 5\n");
        Ale.Result r = ale.run("image", "build", ctx.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains(":2: RUN failed with exit code 5", "before-failing");
        assertThat(ale.listed()).isEmpty();
    }
}
