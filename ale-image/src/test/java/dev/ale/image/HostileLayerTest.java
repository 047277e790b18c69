package dev.ale.image;

import dev.ale.image.registry.RegistryClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.Arguments;
import java.util.Arrays;
import java.util.Comparator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Layers as an attacker would write them, imported as rootfs tarballs (the same unpacker a pull
 * uses): each is refused whole with a one-line reason, leaves nothing in the store and nothing on
 * the host; benign look-alikes unpack.
 */
@Tag("root")
class HostileLayerTest {

    private Path data;
    private ImageStore store;
    private Path outside;

    @BeforeEach
    void open() throws IOException {
        data = Files.createTempDirectory("ale-images");
        store = new ImageStore(data, RegistryClient.Settings.defaults());
        outside = Files.createTempDirectory("ale-outside");
    }

    @AfterEach
    void close() throws IOException {
        for (Path d : new Path[] {data, outside}) {
            try (Stream<Path> w = Files.walk(d)) {
                for (Path p : w.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    static Stream<Arguments> hostile() {
        return Stream.of(
                Arguments.of("dot-dot", "has a \"..\" component", (Layer) o -> new TarBuilder().file("../escaped", 0644, "x")),
                Arguments.of("dot-dot inside", "has a \"..\" component", (Layer) o -> new TarBuilder().dir("a/", 0755).file("a/../../escaped", 0644, "x")),
                Arguments.of("absolute", "is an absolute path", (Layer) o -> new TarBuilder().file(o + "/escaped", 0644, "x")),
                Arguments.of("symlink out, then through it", "goes through the symlink", (Layer) o -> new TarBuilder()
                        .symlink("link", o.toString()).file("link/escaped", 0644, "x")),
                Arguments.of("relative symlink out, then through it", "out of the image", (Layer) o -> new TarBuilder()
                        .symlink("link", "../../../../../../../../" + o).file("link/escaped", 0644, "x")),
                Arguments.of("symlink out of the root", "is a symlink out of the image", (Layer) o -> new TarBuilder()
                        .dir("usr/", 0755).symlink("usr/up", "../../etc")),
                Arguments.of("hard link to a host file", "is an absolute path", (Layer) o -> new TarBuilder().hardlink("h", "/etc/passwd")),
                Arguments.of("hard link with ..", "has a \"..\" component", (Layer) o -> new TarBuilder().hardlink("h", "../../etc/passwd")),
                Arguments.of("hard link to a symlink", "not a regular file", (Layer) o -> new TarBuilder()
                        .symlink("s", "/etc/passwd").hardlink("h", "s")),
                Arguments.of("hard link through a symlink", "through the symlink", (Layer) o -> new TarBuilder()
                        .symlink("d", o.toString()).hardlink("h", "d/target")),
                Arguments.of("not a tar", "not a tar archive, or corrupt", (Layer) o -> new TarBuilder() {
                    @Override
                    byte[] tar() {
                        byte[] junk = new byte[1024];
                        Arrays.fill(junk, (byte) 'z');
                        return junk;
                    }
                }));
    }

    /** A layer that may aim at a host directory of the test's. */
    @FunctionalInterface
    interface Layer {
        TarBuilder build(Path outside);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void aHostileLayerIsRefusedWithOneLineAndLeavesNothing(String name, String reason, Layer layer) throws IOException {
        Files.writeString(outside.resolve("target"), "host file");
        Path tar = data.resolve("layer.tar");
        Files.write(tar, layer.build(outside).tar());

        ImagePullTest.assertOneLineFailure(() -> store.importRootfs(tar, "hostile:1"), reason);

        assertThat(outside.resolve("escaped")).doesNotExist();
        assertThat(ImagePullTest.subdirs(outside)).containsExactly(outside.resolve("target"));
        assertThat(ImagePullTest.subdirs(store.root().resolve("layers"))).isEmpty();
        assertThat(ImagePullTest.subdirs(store.root().resolve("records"))).isEmpty();
        assertThat(ImagePullTest.subdirs(store.root().resolve("tmp"))).isEmpty();
        assertThat(Files.exists(Path.of("/escaped"))).isFalse();
    }

    @Test
    void benignLookAlikesUnpack() throws IOException {
        Path tar = data.resolve("layer.tar");
        Files.write(tar, new TarBuilder()
                .file("..x", 0644, "dots in a name").file("x..", 0644, "trailing dots")
                .dir("usr/", 0755).dir("usr/bin/", 0755).file("usr/bin/tool", 0755, "t")
                .symlink("bin", "usr/bin")                       // the usual merged-/usr link
                .symlink("usr/bin/abs", "/etc/alternatives/abs") // absolute: means the image's own /etc inside
                .dir("usr/lib/", 0755).symlink("usr/lib/rel", "../../usr/bin/tool") // climbs, but stays inside
                .hardlink("usr/bin/tool2", "usr/bin/tool")
                .file("./dot-slash", 0644, "leading ./")
                .tar());

        var image = store.importRootfs(tar, "benign:1");

        Path root = store.resolve("benign:1").layers().getFirst();
        assertThat(Files.readString(root.resolve("..x"))).isEqualTo("dots in a name");
        assertThat(Files.readString(root.resolve("x.."))).isEqualTo("trailing dots");
        assertThat(Files.readSymbolicLink(root.resolve("bin"))).isEqualTo(Path.of("usr/bin"));
        assertThat(Files.readSymbolicLink(root.resolve("usr/bin/abs"))).isEqualTo(Path.of("/etc/alternatives/abs"));
        assertThat(Files.getAttribute(root.resolve("usr/bin/tool2"), "unix:ino")).isEqualTo(Files.getAttribute(root.resolve("usr/bin/tool"), "unix:ino"));
        assertThat(root.resolve("dot-slash")).exists();
        assertThat(image.names()).containsExactly("docker.io/library/benign:1");
    }

    @Test
    void devicesAndFifosAreDroppedAndSetidBitsCleared() throws IOException {
        Path tar = data.resolve("layer.tar");
        Files.write(tar, new TarBuilder()
                .dir("dev/", 0755).device("dev/sda", '4').device("dev/mem", '3').device("fifo", '6')
                .dir("usr/", 0755).dir("usr/bin/", 0755)
                .entry("usr/bin/su", '0', 04755, 0, "", "su".getBytes())
                .entry("usr/bin/wall", '0', 02755, 0, "", "wall".getBytes())
                .entry("shared/", '5', 03777, 0, "", new byte[0]) // setgid+sticky directory: sticky stays
                .entry("owned", '0', 0640, 4242, "", "o".getBytes())
                .gzip());

        store.importRootfs(tar, "devices:1");

        Path root = store.resolve("devices:1").layers().getFirst();
        assertThat(ImagePullTest.subdirs(root.resolve("dev"))).isEmpty();
        assertThat(Files.exists(root.resolve("fifo"), LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(mode(root.resolve("usr/bin/su"))).isEqualTo(0755);
        assertThat(mode(root.resolve("usr/bin/wall"))).isEqualTo(0755);
        assertThat(mode(root.resolve("shared"))).isEqualTo(01777);
        assertThat(Files.getAttribute(root.resolve("owned"), "unix:uid")).isEqualTo(4242);
    }

    @Test
    void whiteoutsBecomeOverlayWhiteouts() throws IOException {
        Path tar = data.resolve("layer.tar");
        Files.write(tar, new TarBuilder().dir("keep/", 0755).file("keep/.wh..wh..opq", 0644, "").file(".wh.gone", 0644, "").tar());

        store.importRootfs(tar, "whiteouts:1");

        Path root = store.resolve("whiteouts:1").layers().getFirst();
        Map<String, Object> a = Files.readAttributes(root.resolve("gone"), "unix:mode,rdev", LinkOption.NOFOLLOW_LINKS);
        assertThat(((Integer) a.get("mode")) & 0170000).isEqualTo(0020000); // a character device
        assertThat(a.get("rdev")).isEqualTo(0L);                             // 0:0, overlayfs's whiteout
        assertThat(root.resolve(".wh.gone")).doesNotExist();
        assertThat(ImagePullTest.subdirs(root.resolve("keep"))).isEmpty();    // the marker becomes an xattr
    }

    private static int mode(Path p) throws IOException {
        return ((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)) & 07777;
    }
}
