package dev.ale.image;

import dev.ale.image.registry.ImageReference;
import dev.ale.image.registry.Mirrors;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReferenceTest {

    @Test
    void dockerHubNamesGetTheRegistryTheLibraryPrefixAndLatest() {
        assertThat(ImageReference.parse("debian").toString()).isEqualTo("docker.io/library/debian:latest");
        assertThat(ImageReference.parse("debian:bookworm").toString()).isEqualTo("docker.io/library/debian:bookworm");
        assertThat(ImageReference.parse("org/app:1").toString()).isEqualTo("docker.io/org/app:1");
        assertThat(ImageReference.parse("index.docker.io/library/debian:12").registry()).isEqualTo("docker.io");
    }

    @Test
    void otherRegistriesPortsAndDigestsParse() {
        String d = "sha256:" + "a".repeat(64);
        ImageReference r = ImageReference.parse("ghcr.io/org/name:tag@" + d);
        assertThat(r.registry()).isEqualTo("ghcr.io");
        assertThat(r.repository()).isEqualTo("org/name");
        assertThat(r.manifestReference()).isEqualTo(d);
        assertThat(ImageReference.parse("127.0.0.1:5000/x/y").registry()).isEqualTo("127.0.0.1:5000");
        assertThat(ImageReference.parse("localhost/x").registry()).isEqualTo("localhost");
        assertThat(ImageReference.parse("localhost/x").repository()).isEqualTo("x"); // no library/ outside Docker Hub
    }

    @Test
    void badNamesSayWhatIsWrong() {
        assertThatThrownBy(() -> ImageReference.parse("Debian")).hasMessageContaining("\"Debian\" is not a valid repository name part");
        assertThatThrownBy(() -> ImageReference.parse("debian:")).hasMessageContaining("is not a valid tag");
        assertThatThrownBy(() -> ImageReference.parse("x@sha256:abc")).hasMessageContaining("not a sha256 digest");
        assertThatThrownBy(() -> ImageReference.parse("a b")).hasMessageContaining("white space");
        assertThatThrownBy(() -> ImageReference.parse("ghcr.io/../x")).hasMessageContaining("not a valid repository name part");
    }

    @Test
    void plainHttpMirrorsOnlyOnLoopback() {
        Mirrors m = Mirrors.from(Optional.of("docker.io=http://127.0.0.1:5000, ghcr.io=https://mirror.example"), List.of("quay.io=http://[::1]:9000"));
        assertThat(m.endpoint("docker.io")).isEqualTo(URI.create("http://127.0.0.1:5000"));
        assertThat(m.endpoint("ghcr.io")).isEqualTo(URI.create("https://mirror.example"));
        assertThat(m.endpoint("gcr.io")).isEqualTo(URI.create("https://gcr.io"));
        assertThat(Mirrors.none().endpoint("docker.io")).isEqualTo(URI.create("https://registry-1.docker.io"));
        assertThat(Mirrors.none().endpoint("127.0.0.1:5000")).isEqualTo(URI.create("http://127.0.0.1:5000"));
        for (String bad : List.of("docker.io=http://10.0.0.1:5000", "docker.io=http://mirror.example", "docker.io=http://127.0.0.1.nip.io")) {
            assertThatThrownBy(() -> Mirrors.from(Optional.empty(), List.of(bad))).hasMessageContaining("plain http is allowed only to a loopback mirror");
        }
        assertThatThrownBy(() -> Mirrors.from(Optional.empty(), List.of("docker.io"))).hasMessageContaining("expected REGISTRY=URL");
    }
}
