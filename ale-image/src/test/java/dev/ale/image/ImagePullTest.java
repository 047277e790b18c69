package dev.ale.image;

import dev.ale.core.AleException;
import dev.ale.image.registry.Credentials;
import dev.ale.image.registry.Digest;
import dev.ale.image.registry.MediaTypes;
import dev.ale.image.registry.Mirrors;
import dev.ale.image.registry.RegistryClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import java.util.Base64;
import java.util.Comparator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Pulls from Debian's real distribution registry on loopback, through ALE's own client. */
@Tag("root")
class ImagePullTest {

    @RegisterExtension
    static final LoopbackRegistry registry = new LoopbackRegistry();

    private Path data;
    private ImageStore store;

    @BeforeEach
    void open() throws IOException {
        data = Files.createTempDirectory("ale-images");
        store = new ImageStore(data, RegistryClient.Settings.defaults().withTimeout(Duration.ofSeconds(5)));
    }

    @AfterEach
    void close() throws IOException {
        try (Stream<Path> w = Files.walk(data)) {
            for (Path p : w.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    @Test
    void pullByTagUnpacksTheLayersOnceAndKeepsTheConfig() throws Exception {
        Digest digest = registry.pushImage("test/busybox", "1", "amd64", List.of(TestImages.busyboxRoot("ale-tag")),
                TestImages.config("FOO=bar", "/work"));

        StoredImage image = store.pull(registry.host() + "/test/busybox:1", PullProgress.none());

        assertThat(image.id()).isEqualTo(digest.toString());
        assertThat(image.names()).contains(registry.host() + "/test/busybox:1", registry.host() + "/test/busybox@" + digest);
        assertThat(image.env()).containsExactly("PATH=/bin", "FOO=bar");
        assertThat(image.workingDir()).contains("/work");
        var root = store.resolve(registry.host() + "/test/busybox:1");
        assertThat(root.layers()).hasSize(1);
        assertThat(Files.readString(root.layers().getFirst().resolve("etc/os-release"))).isEqualTo("ID=ale-tag\n");
        assertThat(Files.isSymbolicLink(root.layers().getFirst().resolve("bin/sh"))).isTrue();

        // by digest: the same image, no second copy of its layer
        StoredImage again = store.pull(registry.host() + "/test/busybox@" + digest, PullProgress.none());
        assertThat(again.id()).isEqualTo(image.id());
        assertThat(subdirs(store.root().resolve("layers"))).hasSize(1);
        assertThat(store.list()).hasSize(1);
    }

    @Test
    void anIndexIsResolvedByItsPlatformFieldNotByTheOrderOfItsEntries() throws Exception {
        Digest arm = registry.pushImage("test/multi", "arm", "arm64", List.of(new TarBuilder().file("arch", 0644, "arm64").tar()),
                TestImages.config("A=1", "/"));
        Digest amd = registry.pushImage("test/multi", "amd", "amd64", List.of(new TarBuilder().file("arch", 0644, "amd64").tar()),
                TestImages.config("A=1", "/"));
        long armSize = (long) registry.manifestOf("test/multi", arm.toString(), MediaTypes.OCI_MANIFEST)[1];
        long amdSize = (long) registry.manifestOf("test/multi", amd.toString(), MediaTypes.OCI_MANIFEST)[1];
        registry.putIndex("test/multi", "latest", MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST,
                List.<Object[]>of(new Object[] {arm, armSize, "arm64"}, new Object[] {amd, amdSize, "amd64"}));

        var root = store.resolve(registry.host() + "/test/multi");

        assertThat(root.digest()).isEqualTo(amd.toString());
        assertThat(Files.readString(root.layers().getFirst().resolve("arch"))).isEqualTo("amd64");
    }

    @Test
    void aDockerManifestListIsResolvedByPlatformToo() throws Exception {
        Digest arm = registry.pushDockerImage("test/dlist", "arm", "arm64", new TarBuilder().file("arch", 0644, "arm64").tar());
        Digest amd = registry.pushDockerImage("test/dlist", "amd", "amd64", new TarBuilder().file("arch", 0644, "amd64").tar());
        long armSize = (long) registry.manifestOf("test/dlist", arm.toString(), MediaTypes.DOCKER_MANIFEST)[1];
        long amdSize = (long) registry.manifestOf("test/dlist", amd.toString(), MediaTypes.DOCKER_MANIFEST)[1];
        registry.putIndex("test/dlist", "v1", MediaTypes.DOCKER_LIST, MediaTypes.DOCKER_MANIFEST,
                List.<Object[]>of(new Object[] {arm, armSize, "arm64"}, new Object[] {amd, amdSize, "amd64"}));

        var root = store.resolve(registry.host() + "/test/dlist:v1");

        assertThat(Files.readString(root.layers().getFirst().resolve("arch"))).isEqualTo("amd64");
    }

    @Test
    void anIndexWithoutThisPlatformNamesWhatItHas() throws Exception {
        Digest arm = registry.pushImage("test/armonly", "arm", "arm64", List.of(new TarBuilder().file("arch", 0644, "arm64").tar()),
                TestImages.config("A=1", "/"));
        long size = (long) registry.manifestOf("test/armonly", arm.toString(), MediaTypes.OCI_MANIFEST)[1];
        registry.putIndex("test/armonly", "latest", MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST, List.<Object[]>of(new Object[] {arm, size, "arm64"}));

        assertOneLineFailure(() -> store.pull(registry.host() + "/test/armonly", PullProgress.none()),
                "has no linux/amd64 image (it has: linux/arm64)");
        assertStoreEmpty();
    }

    @Test
    void aCorruptBlobInTheRegistryIsADigestMismatchAndLeavesNothing() throws Exception {
        byte[] tar = new TarBuilder().file("a", 0644, "the real content").tar();
        registry.pushImage("test/corrupt", "1", "amd64", List.of(tar), TestImages.config("A=1", "/"));
        Path blob = registry.blobFile(Digest.of(LoopbackRegistry.gzip(tar)));
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length / 2] ^= 0x55; // same size, different content
        Files.write(blob, bytes);

        assertOneLineFailure(() -> store.pull(registry.host() + "/test/corrupt:1", PullProgress.none()), "digest mismatch");
        assertStoreEmpty();
    }

    @Test
    void aMissingImageSaysSo() {
        assertOneLineFailure(() -> store.pull(registry.host() + "/test/nothing:1", PullProgress.none()), "not found in " + registry.host());
        assertStoreEmpty();
    }

    @Test
    @SuppressWarnings("try") // the silent socket is closed early on purpose: that ends its acceptor
    void aRegistryThatNeverAnswersTimesOutWithOneLine() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new ArrayList<>();
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) held.add(silent.accept()); // accepted, never answered
                } catch (IOException e) {
                    // closed
                }
            });
            ImageStore slow = new ImageStore(data, RegistryClient.Settings.defaults().withTimeout(Duration.ofSeconds(2))
                    .withMirrors(Mirrors.from(Optional.of("docker.io=http://127.0.0.1:" + silent.getLocalPort()), List.of())));

            assertOneLineFailure(() -> slow.pull("debian:bookworm", PullProgress.none()), "did not answer within 2s");
            assertStoreEmpty();
            silent.close();
            acceptor.join();
            for (Socket s : held) s.close();
        }
    }

    @Test
    void aMirrorServesDockerHubNamesWithTheLibraryRule() throws Exception {
        registry.pushImage("library/alpineish", "3", "amd64", List.of(new TarBuilder().file("m", 0644, "mirror").tar()),
                TestImages.config("A=1", "/"));
        ImageStore mirrored = new ImageStore(data, RegistryClient.Settings.defaults()
                .withMirrors(Mirrors.from(Optional.empty(), List.of("docker.io=" + registry.url()))));

        StoredImage image = mirrored.pull("alpineish:3", PullProgress.none());

        assertThat(image.names()).contains("docker.io/library/alpineish:3");
        assertThat(mirrored.find("docker.io/library/alpineish:3")).isPresent();
    }

    @Test
    void progressCountsEveryByteOfTheLayers() throws Exception {
        byte[] tar = TestImages.busyboxRoot("progress");
        registry.pushImage("test/progress", "1", "amd64", List.of(tar), TestImages.config("A=1", "/"));
        long[] seen = new long[2];
        store.pull(registry.host() + "/test/progress:1", new PullProgress() {
            public void started(String image, long totalBytes, int layers) {
                seen[0] = totalBytes;
            }

            public void advanced(long bytes) {
                seen[1] += bytes;
            }

            public void finished() {
            }
        });
        assertThat(seen[0]).isEqualTo(LoopbackRegistry.gzip(tar).length);
        assertThat(seen[1]).isEqualTo(seen[0]);
    }

    @Test
    void removeDropsAnImageAndTheLayersNoOtherImageShares() throws Exception {
        byte[] shared = new TarBuilder().file("shared", 0644, "s").tar();
        registry.pushImage("test/one", "1", "amd64", List.of(shared, new TarBuilder().file("one", 0644, "1").tar()), TestImages.config("A=1", "/"));
        registry.pushImage("test/two", "1", "amd64", List.of(shared, new TarBuilder().file("two", 0644, "2").tar()), TestImages.config("A=1", "/"));
        store.pull(registry.host() + "/test/one:1", PullProgress.none());
        store.pull(registry.host() + "/test/two:1", PullProgress.none());
        assertThat(subdirs(store.root().resolve("layers"))).hasSize(3);

        store.remove(registry.host() + "/test/one@" + store.find(registry.host() + "/test/one:1").orElseThrow().id());
        store.remove(registry.host() + "/test/one:1");

        assertThat(store.find(registry.host() + "/test/one:1")).isEmpty();
        assertThat(subdirs(store.root().resolve("layers"))).hasSize(2);
        assertThat(store.resolve(registry.host() + "/test/two:1").layers()).allMatch(Files::isDirectory);
        assertThat(store.prune(true).images()).containsExactly(registry.host() + "/test/two:1");
        assertStoreEmpty();
    }

    @Test
    void credentialsAreReadFromTheAuthFileAndNeverShown() throws Exception {
        Path auth = data.resolve("auth.json");
        Files.writeString(auth, "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\""
                + Base64.getEncoder().encodeToString("me:s3cret".getBytes()) + "\"}}}");
        Credentials c = Credentials.read(auth);
        assertThat(c.forHost("docker.io")).map(Credentials.Login::user).contains("me");
        assertThat(c.forHost("docker.io").orElseThrow().toString()).doesNotContain("s3cret");
        assertThat(c.toString()).doesNotContain("s3cret");
        Files.writeString(auth, "{\"auths\":{\"ghcr.io\":{\"auth\":\"not base64!\"}}}");
        assertThatThrownBy(() -> Credentials.read(auth)).hasMessageContaining("ghcr.io").hasMessageNotContaining("not base64!");
    }

    static void assertOneLineFailure(Runnable r, String expected) {
        assertThatThrownBy(r::run).isInstanceOf(AleException.class)
                .hasMessageContaining(expected)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    void assertStoreEmpty() {
        Path root = data.resolve("images");
        assertThat(subdirs(root.resolve("layers"))).isEmpty();
        assertThat(subdirs(root.resolve("records"))).isEmpty();
        assertThat(subdirs(root.resolve("tmp"))).isEmpty();
    }

    static List<Path> subdirs(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unused")
    private static final Map<String, String> NONE = Map.of();
}
