package dev.ale.core.passport;

import dev.ale.core.AleException;
import org.junit.jupiter.api.Test;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PassportImageTest {

    @Test
    void anImageNameIsReadAndWrittenBack() {
        Passport p = PassportLoader.parse("id: x\nfilesystem:\n  image: ghcr.io/org/name:tag\n", "p.yaml");
        assertThat(p.filesystem().image()).contains("ghcr.io/org/name:tag");
        assertThat(p.filesystem().rootfs()).isEmpty();
        Passport again = PassportLoader.parse(PassportWriter.toYaml(p), "again.yaml");
        assertThat(again.filesystem().image()).contains("ghcr.io/org/name:tag");
    }

    @Test
    void rootfsAndImageTogetherAreRefused() {
        assertThatThrownBy(() -> PassportLoader.parse("id: x\nfilesystem:\n  rootfs: /\n  image: debian\n", "p.yaml"))
                .isInstanceOf(AleException.class).hasMessageContaining("filesystem.image").hasMessageContaining("not both");
    }

    @Test
    void anImageNameWithSpacesIsRefused() {
        assertThatThrownBy(() -> PassportLoader.parse("id: x\nfilesystem:\n  image: \"debian bookworm\"\n", "p.yaml"))
                .isInstanceOf(AleException.class).hasMessageContaining("is not an image name");
    }

    @Test
    void withImageDropsARootfs() {
        FilesystemRules f = new FilesystemRules(Optional.of(java.nio.file.Path.of("/srv")), List.of("/secret"),
                List.of()).withImage("debian");
        assertThat(f.rootfs()).isEmpty();
        assertThat(f.image()).contains("debian");
        assertThat(f.hidden()).containsExactly("/secret");
    }
}
