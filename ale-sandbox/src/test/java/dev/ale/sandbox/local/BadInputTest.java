package dev.ale.sandbox.local;

import dev.ale.core.AleException.Fault;
import dev.ale.core.passport.Passport;
import dev.ale.core.passport.PassportLoader;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Mistakes of the caller are answered plainly: a failed command, or a SandboxException that names the problem. */
@Tag("root")
class BadInputTest {

    @RegisterExtension
    static final TestBackend tb = TestBackend.perClass();

    @Test
    void missingWorkingDirectoryOrProgramIsAFailedCommandNotAnException() {
        Sandbox s = tb.sandbox();

        ExecResult noCwd = s.exec(ExecRequest.of("true").withCwd("/workspace/nope"));
        ExecResult noProgram = s.exec(ExecRequest.of("no-such-program-here"));

        assertThat(noCwd.exitCode()).isNotZero();
        assertThat(noCwd.stderr()).contains("/workspace/nope");
        assertThat(noProgram.exitCode()).isNotZero();
        assertThat(noProgram.stderr()).contains("no-such-program-here");
        assertThat(s.exec(ExecRequest.of("echo", "fine")).stdout()).isEqualTo("fine\n");
    }

    @Test
    void readOnlyBindOfADirectoryHoldingAHiddenPathIsRefused() {
        // an earlier test's sandbox is torn down in the background, and the pool refills: count once all that settled
        assertThat(tb.backend().awaitWarm(Duration.ofMinutes(2))).isTrue();
        int before = sandboxDirs();
        for (String bind : List.of("/etc:/hostetc", "/:/host")) {
            assertThatThrownBy(() -> tb.sandbox(passportBinding(bind, List.of())))
                    .isInstanceOfSatisfying(SandboxException.class, e -> assertThat(e.fault()).isEqualTo(Fault.INPUT))
                    .hasMessageContaining(bind.substring(0, bind.indexOf(':')))
                    .hasMessageContaining("hidden");
        }
        assertThat(sandboxDirs()).as("nothing was made for a refused passport").isEqualTo(before);
    }

    @Test
    void readOnlyBindOfThePassportsOwnHiddenPathIsRefused() {
        try (HostDir dir = HostDir.create()) {
            Path secret = dir.resolve("private");
            assertThatThrownBy(() -> tb.sandbox(passportBinding(dir.path() + ":/mnt/dir", List.of(secret.toString()))))
                    .isInstanceOfSatisfying(SandboxException.class, e -> assertThat(e.fault()).isEqualTo(Fault.INPUT))
                    .hasMessageContaining(dir.path().toString());
        }
    }

    @Test
    void readOnlyBindThroughASymlinkCannotRevealAHiddenPath() throws IOException {
        try (HostDir dir = HostDir.create()) {
            Path privateDir = Files.createDirectory(dir.resolve("private"));
            Files.writeString(privateDir.resolve("notes"), "private");
            Path alias = Files.createSymbolicLink(dir.resolve("alias"), dir.path());

            assertThatThrownBy(() -> tb.sandbox(passportBinding(alias + ":/mnt/alias", List.of(privateDir.toString()))))
                    .isInstanceOfSatisfying(SandboxException.class, e -> assertThat(e.fault()).isEqualTo(Fault.INPUT))
                    .hasMessageContaining(alias.toString()).hasMessageContaining("hidden");
            // while a link to somewhere harmless is bound where it leads
            Path publicDir = Files.createDirectory(dir.resolve("public"));
            Files.writeString(publicDir.resolve("notes"), "public");
            Path publicAlias = Files.createSymbolicLink(dir.resolve("public-alias"), publicDir);
            Sandbox s = tb.sandbox(passportBinding(publicAlias + ":/mnt/alias", List.of(privateDir.toString())));
            assertThat(s.exec(ExecRequest.of("cat", "/mnt/alias/notes")).stdout()).isEqualTo("public");
        }
    }

    @Test
    void findOfAnUnknownIdIsEmpty() {
        assertThat(tb.backend().find("nonsense")).isEmpty();
        assertThat(tb.backend().find("sb-00000000")).isEmpty();
        assertThat(tb.backend().find("../../etc")).isEmpty();
    }

    @Test
    void aDestroyedSandboxSaysSo() {
        Sandbox s = tb.sandbox();
        s.destroy();

        assertThatThrownBy(() -> s.exec(ExecRequest.of("true")))
                .isInstanceOf(SandboxException.class).hasMessageContaining("has been destroyed");
        assertThatThrownBy(s::openSession)
                .isInstanceOf(SandboxException.class).hasMessageContaining("has been destroyed");
        assertThatThrownBy(() -> s.files().read("x"))
                .isInstanceOf(SandboxException.class).hasMessageContaining("has been destroyed");
        s.destroy(); // idempotent
        assertThat(tb.backend().find(s.id())).isEmpty();
    }

    private static Passport passportBinding(String bind, List<String> hidden) {
        return PassportLoader.parse("""
                id: binds
                resources: {memory: 128MiB, pids: 64, wallTime: 2m, workspaceSize: 8MiB}
                filesystem:
                  hidden: [%s]
                  readOnly: ["%s"]
                """.formatted(String.join(", ", hidden.stream().map(h -> "\"" + h + "\"").toList()), bind), "test.yaml");
    }

    private static int sandboxDirs() {
        try (Stream<Path> dirs = Files.list(tb.dataDir().resolve("sandboxes"))) {
            return (int) dirs.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void removeRefusesAnythingThatIsNotASandboxId() {
        for (String bad : List.of("../..", "sb-../../x", "", "SB-0123ABCD", "sb-0123abcd/..")) {
            assertThatThrownBy(() -> tb.backend().remove(bad))
                    .isInstanceOf(dev.ale.core.sandbox.SandboxException.class)
                    .hasMessageContaining("is not a sandbox id");
        }
        assertThat(tb.dataDir().resolve("sandboxes")).exists();
    }

    @Test
    void aBackendThatOnlyFoundASandboxDoesNotDestroyItWhenItCloses() {
        Sandbox mine = tb.sandbox();
        try (LocalSandboxBackend other = new LocalSandboxBackend(LocalSandboxBackend.Config.defaults().withDataDir(tb.dataDir()))) {
            assertThat(other.find(mine.id())).isPresent();
        }
        assertThat(mine.exec(ExecRequest.of("echo", "still here")).stdout()).isEqualTo("still here\n");
    }

    @Test
    void aCommandWhoseSandboxIsRemovedFromOutsideSaysSo() throws Exception {
        Sandbox s = tb.sandbox();
        var result = java.util.concurrent.CompletableFuture.supplyAsync(() -> s.exec(ExecRequest.of("sleep", "60")));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> s.stats().pids() > 0);
        try (LocalSandboxBackend other = new LocalSandboxBackend(LocalSandboxBackend.Config.defaults().withDataDir(tb.dataDir()))) {
            other.remove(s.id());
        }
        ExecResult r = result.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(r.killed()).isTrue();
        assertThat(r.reason()).contains("removed");
    }
}
