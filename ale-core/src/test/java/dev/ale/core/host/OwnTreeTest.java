package dev.ale.core.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OwnTreeTest {

    @TempDir
    Path tmp;

    @Test
    void aTreeIsDeletedWholeButALinkInItIsRemovedNotFollowed() throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("keep.txt"), "host data");
        Path own = Files.createDirectories(tmp.resolve("own/a/b"));
        Files.writeString(own.resolve("f"), "x");
        Files.createSymbolicLink(tmp.resolve("own/a/link"), outside);

        assertThat(OwnTree.delete(tmp.resolve("own"))).isTrue();

        assertThat(tmp.resolve("own")).doesNotExist();
        assertThat(outside.resolve("keep.txt")).hasContent("host data");
    }

    @Test
    void aMissingTreeCountsAsGone() {
        assertThat(OwnTree.delete(tmp.resolve("never-made"))).isTrue();
    }

    @Test
    void theMountTableNamesTheRootAsHoldingMountsButNotAFreshDirectory() throws IOException {
        assertThat(OwnTree.hasMountsUnder(Path.of("/"))).isTrue();
        assertThat(OwnTree.hasMountsUnder(Files.createDirectories(tmp.resolve("plain")))).isFalse();
    }
}
