package dev.ale.sandbox.local;

import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxException;
import dev.ale.core.sandbox.SandboxFiles;
import dev.ale.core.sandbox.SandboxFiles.FileEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.ThrowingConsumer;

import static dev.ale.sandbox.local.TestBackend.bash;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The file API has the agent's reach and no more: paths and symlinks that lead out of /workspace and /tmp are refused.
 * Each test runs on both exec paths: with a resident init (whose own WRITE and READ do a read and a write) and with
 * bubblewrap per call (the shell script).
 */
@Tag("root")
class SandboxFilesTest {

    @RegisterExtension
    static final TestBackend resident = TestBackend.perClass(LocalSandboxBackend.ExecPath.RESIDENT_INIT);

    @RegisterExtension
    static final TestBackend perCall = TestBackend.perClass(LocalSandboxBackend.ExecPath.BWRAP_PER_CALL);

    private static Sandbox sandbox(LocalSandboxBackend.ExecPath path) {
        TestBackend tb = tb(path);
        assertThat(tb.backend().execPath()).isEqualTo(path);
        return tb.sandbox();
    }

    @ParameterizedTest
    @EnumSource(LocalSandboxBackend.ExecPath.class)
    void symlinkTricksThroughFileApiCannotEscape(LocalSandboxBackend.ExecPath path) throws IOException {
        Sandbox s = sandbox(path);
        SandboxFiles files = s.files();
        assertThat(bash(s, "ln -s /etc/passwd /workspace/link && ln -s / /workspace/root && ln -s /workspace /tmp/back").exitCode()).isZero();
        String probe = "ale-probe-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        byte[] hostPasswd = Files.readAllBytes(Path.of("/etc/passwd"));
        Path hostTarget = Files.createTempFile("ale-test-download", ".bin");
        try {
            List<ThrowingConsumer<SandboxFiles>> escapes = List.of(
                    f -> f.read("link"),
                    f -> f.read("root/etc/hostname"),
                    f -> f.write("root/tmp/../etc/" + probe, new byte[] {1}),
                    f -> f.write("link", new byte[] {1}),
                    f -> f.read("../etc/passwd"),
                    f -> f.read("/etc/passwd"),
                    f -> f.list("root"),
                    f -> f.list("/"),
                    f -> f.download("root/etc/passwd", hostTarget),
                    f -> f.upload(hostTarget, "root/usr/" + probe));
            for (ThrowingConsumer<SandboxFiles> escape : escapes) {
                assertThatThrownBy(() -> escape.accept(files)).isInstanceOf(SandboxException.class).hasMessageContaining("outside");
            }
            // a symlink that stays inside is followed
            files.write("inside.txt", "in".getBytes(StandardCharsets.UTF_8));
            assertThat(files.read("/tmp/back/inside.txt")).isEqualTo("in".getBytes(StandardCharsets.UTF_8));
            // the host is untouched
            assertThat(Path.of("/etc", probe)).doesNotExist();
            assertThat(Path.of("/usr", probe)).doesNotExist();
            assertThat(Files.readAllBytes(Path.of("/etc/passwd"))).isEqualTo(hostPasswd);
            assertThat(Files.size(hostTarget)).isZero();
        } finally {
            Files.deleteIfExists(hostTarget);
        }
    }

    @ParameterizedTest
    @EnumSource(LocalSandboxBackend.ExecPath.class)
    void filesRoundTripThroughTheFileApi(LocalSandboxBackend.ExecPath path) throws IOException {
        Sandbox s = sandbox(path);
        SandboxFiles files = s.files();
        byte[] every = new byte[256 * 3];
        for (int i = 0; i < every.length; i++) every[i] = (byte) i;
        Path hostDir = Files.createTempDirectory("ale-test-upload");
        Path downloaded = hostDir.resolveSibling(hostDir.getFileName() + ".download");
        try {
            Files.write(hostDir.resolve("top.bin"), every);
            Files.createDirectories(hostDir.resolve("sub dir"));
            Files.writeString(hostDir.resolve("sub dir").resolve("note.txt"), "hello\n");

            files.write("a/b/bytes.bin", every);
            files.write("/tmp/t.txt", "tmp".getBytes(StandardCharsets.UTF_8));
            files.upload(hostDir, "up");
            files.download("a/b/bytes.bin", downloaded);

            assertThat(files.read("a/b/bytes.bin")).isEqualTo(every);
            assertThat(files.read("/workspace/a/b/bytes.bin")).isEqualTo(every);
            assertThat(Files.readAllBytes(downloaded)).isEqualTo(every);
            assertThat(files.read("/tmp/t.txt")).isEqualTo("tmp".getBytes(StandardCharsets.UTF_8));
            assertThat(files.read("up/top.bin")).isEqualTo(every);
            assertThat(files.read("up/sub dir/note.txt")).isEqualTo("hello\n".getBytes(StandardCharsets.UTF_8));
            assertThat(files.list("up")).containsExactly(
                    new FileEntry("sub dir", FileEntry.Type.DIRECTORY, files.list("up").get(0).size()),
                    new FileEntry("top.bin", FileEntry.Type.FILE, every.length));
            assertThat(files.list("/workspace")).extracting(FileEntry::name).contains("a", "up");
            // written as the sandbox's user, so the agent can change what ALE wrote
            assertThat(s.exec(ExecRequest.of("stat", "-c", "%u", "/workspace/a/b/bytes.bin")).stdout().strip()).isEqualTo("1000");
            assertThat(s.exec(ExecRequest.of("sha256sum", "/workspace/up/top.bin")).stdout())
                    .startsWith(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(every)));
            assertThatThrownBy(() -> files.read("missing")).isInstanceOf(SandboxException.class).hasMessageContaining("missing");
            // a parent that is a file is refused with the shell's reason; an upload into a directory that exists adds to it
            assertThatThrownBy(() -> files.write("a/b/bytes.bin/under-a-file", new byte[] {1})).isInstanceOf(SandboxException.class)
                    .hasMessageContaining("a/b/bytes.bin");
            Files.writeString(hostDir.resolve("second.txt"), "2\n");
            files.upload(hostDir, "up");
            assertThat(files.read("up/second.txt")).isEqualTo("2\n".getBytes(StandardCharsets.UTF_8));
            assertThat(files.read("up/top.bin")).isEqualTo(every);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        } finally {
            Files.deleteIfExists(downloaded);
            TestBackend.deleteTree(hostDir);
        }
    }

    @ParameterizedTest
    @EnumSource(LocalSandboxBackend.ExecPath.class)
    void aLargeFileStreamsInAndOutWhole(LocalSandboxBackend.ExecPath path) throws NoSuchAlgorithmException {
        Sandbox s = sandbox(path);
        // many times the init's window of a write, and not a multiple of its chunk
        byte[] big = new byte[(9 << 20) + 12345];
        ThreadLocalRandom.current().nextBytes(big);
        s.files().write("big/blob.bin", big);
        assertThat(s.exec(ExecRequest.of("sha256sum", "/workspace/big/blob.bin")).stdout())
                .startsWith(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(big)));
        assertThat(s.files().read("big/blob.bin")).isEqualTo(big);
        // a second write truncates: nothing of the first is left behind
        s.files().write("big/blob.bin", "short".getBytes(StandardCharsets.UTF_8));
        assertThat(s.files().read("big/blob.bin")).isEqualTo("short".getBytes(StandardCharsets.UTF_8));
        s.files().write("empty", new byte[0]);
        assertThat(s.files().read("empty")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(LocalSandboxBackend.ExecPath.class)
    void aPathLongerThanTheKernelTakesIsRefusedAndNothingIsWrittenAtAShorterOne(LocalSandboxBackend.ExecPath path) {
        Sandbox s = sandbox(path);
        String deep = "long/" + "abcdefghij/".repeat(450) + "file.txt";
        assertThatThrownBy(() -> s.files().write(deep, new byte[] {1})).isInstanceOf(SandboxException.class)
                .hasMessageContaining("File name too long");
        assertThatThrownBy(() -> s.files().read(deep)).isInstanceOf(SandboxException.class).hasMessageContaining("File name too long");
        assertThat(bash(s, "find /workspace -type f | wc -l").stdout().strip()).isEqualTo("0");
    }

    private static TestBackend tb(LocalSandboxBackend.ExecPath path) {
        return path == LocalSandboxBackend.ExecPath.RESIDENT_INIT ? resident : perCall;
    }
}
