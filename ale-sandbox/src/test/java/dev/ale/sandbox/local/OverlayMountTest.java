package dev.ale.sandbox.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image root's overlay, mounted both ways ALE mounts one: fsconfig with one {@code lowerdir+} per layer
 * (Linux 6.8 and later), and mount(2) with every layer in one option string (older kernels, forced here).
 */
@Tag("root")
class OverlayMountTest {

    @TempDir
    Path dir;

    @AfterEach
    void backToTheKernelsChoice() {
        IdmappedLayers.classicOverlayOnly = false;
    }

    private Path layers() throws IOException {
        Files.createDirectories(dir.resolve("l/top"));
        Files.createDirectories(dir.resolve("l/base/etc"));
        Files.writeString(dir.resolve("l/base/etc/os-release"), "base\n");
        Files.writeString(dir.resolve("l/base/shadowed"), "base\n");
        Files.writeString(dir.resolve("l/top/shadowed"), "top\n");
        Files.createDirectories(dir.resolve("upper"));
        Files.createDirectories(dir.resolve("work"));
        return Files.createDirectories(dir.resolve("root"));
    }

    @ParameterizedTest(name = "classic mount(2) only: {0}")
    @ValueSource(booleans = {false, true})
    void theTopLayerWinsWritesGoUpAndTheTableNamesNoHostPath(boolean classic) throws IOException {
        IdmappedLayers.classicOverlayOnly = classic;
        Path root = layers();

        IdmappedLayers.mountOverlay("ale-test", dir, List.of("l/top", "l/base"), Optional.of("upper"), Optional.of("work"), root);
        try {
            assertThat(root.resolve("shadowed")).hasContent("top");
            assertThat(root.resolve("etc/os-release")).hasContent("base");
            Files.createDirectories(root.resolve("data"));
            Files.writeString(root.resolve("data/new"), "written");
            assertThat(dir.resolve("upper/data/new")).hasContent("written");
            assertThat(dir.resolve("l/base/data")).doesNotExist();
            String line = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().filter(l -> l.contains(" " + root + " "))
                    .findFirst().orElseThrow();
            assertThat(line).contains("overlay").contains("nosuid").contains("nodev").doesNotContain(dir.resolve("l").toString());
        } finally {
            assertThat(IdmappedLayers.umount(root)).isEmpty();
        }
        assertThat(HostCommands.isMountPoint(root)).isFalse();
    }

    @ParameterizedTest(name = "classic mount(2) only: {0}")
    @ValueSource(booleans = {false, true})
    void withoutAnUpperLayerTheOverlayIsReadOnly(boolean classic) throws IOException {
        IdmappedLayers.classicOverlayOnly = classic;
        Path root = layers();

        IdmappedLayers.mountOverlay("ale-test", dir, List.of("l/top", "l/base"), Optional.empty(), Optional.empty(), root);
        try {
            assertThat(root.resolve("shadowed")).hasContent("top");
            assertThatThrownBy(() -> Files.writeString(root.resolve("new"), "x")).isInstanceOf(FileSystemException.class)
                    .hasMessageContaining("Read-only file system");
            assertThat(dir.resolve("l/top/new")).doesNotExist();
        } finally {
            assertThat(IdmappedLayers.umount(root)).isEmpty();
        }
    }
}
