package dev.ale.image;

import dev.ale.core.host.HostTools;
import dev.ale.core.passport.ByteSize;
import dev.ale.core.passport.Passport;
import dev.ale.core.passport.Resources;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxException;
import dev.ale.core.sandbox.SandboxRequest;
import dev.ale.image.registry.RegistryClient;
import dev.ale.sandbox.local.LocalSandboxBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import java.util.Comparator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Real sandboxes rooted in an image pulled from the loopback registry: real overlay mounts, real bubblewrap. */
@Tag("root")
class ImageSandboxTest {

    @RegisterExtension
    static final LoopbackRegistry registry = new LoopbackRegistry();

    static final Resources SMALL = new Resources(1.0, ByteSize.parse("256MiB"), 128, Duration.ofMinutes(2), ByteSize.parse("64MiB"));

    static Path data;
    static ImageStore store;
    static LocalSandboxBackend backend;
    static String image;

    @BeforeAll
    static void pullAndOpen() throws Exception {
        assumeTrue(HostTools.isRoot(), "the local backend needs root");
        data = Files.createTempDirectory(Path.of("/tmp"), "ale-imgsb");
        Files.setPosixFilePermissions(data, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        store = new ImageStore(data, RegistryClient.Settings.defaults());
        // two layers: the second deletes /gone (whiteout) and makes /keep opaque
        registry.pushImage("test/sandboxed", "1", "amd64", List.of(TestImages.busyboxRoot("ale-image-test"),
                new TarBuilder().file(".wh.gone", 0644, "").dir("keep/", 0755).file("keep/.wh..wh..opq", 0644, "")
                        .file("keep/new", 0644, "upper\n").tar()), TestImages.config("FOO=from-image", "/work"));
        image = registry.host() + "/test/sandboxed:1";
        store.pull(image, PullProgress.none());
        // made cold, as these tests assert of each create (ImageWarmPoolTest is the pooled path): no blank holds the image
        backend = new LocalSandboxBackend(LocalSandboxBackend.Config.defaults().withDataDir(data).withImages(store).withWarmPool(0));
    }

    @AfterAll
    static void close() throws IOException {
        if (backend != null) backend.close();
        if (data != null) {
            assertThat(mountsUnder(data)).isEmpty();
            try (Stream<Path> w = Files.walk(data)) {
                for (Path p : w.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    static Passport passport() {
        Passport p = Passport.defaults().withResources(SMALL);
        return p.withFilesystem(p.filesystem().withImage(image));
    }

    static ExecResult sh(Sandbox s, String script) {
        return s.exec(ExecRequest.of("/bin/sh", "-c", script));
    }

    @Test
    void anImagesUserIsReadFromItsAccountsOnceAndAnImageWithOtherAccountsIsReadAfresh() throws Exception {
        // two images whose USER is the same name, each with accounts of its own
        for (String v : List.of("1", "2")) {
            byte[] accounts = new TarBuilder().dir("etc/", 0755).file("etc/passwd", 0644, "root:x:0:0::/root:/bin/sh\ncache:x:13" + v
                    + "0:13" + v + "0::/home/c" + v + ":/bin/sh\n").file("etc/group", 0644, "root:x:0:\nextra:x:7" + v + ":cache\n").tar();
            registry.pushImage("test/cached", v, "amd64", List.of(TestImages.busyboxRoot("cached"), accounts),
                    TestImages.config("A=1", "/").put("User", "cache"));
            store.pull(registry.host() + "/test/cached:" + v, PullProgress.none());
        }
        String one = registry.host() + "/test/cached:1";
        String two = registry.host() + "/test/cached:2";
        String script = "echo $(id -u) $(id -G) $HOME";
        try (Sandbox s = backend.create(SandboxRequest.of(passportFor(one)))) {
            assertThat(sh(s, script).stdout()).isEqualTo("1310 1310 71 /home/c1\n");
        }
        // the store's copy of image one's passwd, changed under ALE's feet: a later start of image one does not read it again
        Path passwd = store.resolve(one).layers().getLast().resolve("etc/passwd");
        String was = Files.readString(passwd);
        try {
            Files.writeString(passwd, was.replace("1310:1310::/home/c1", "1311:1311::/home/changed"));
            try (Sandbox s = backend.create(SandboxRequest.of(passportFor(one)))) {
                assertThat(sh(s, script).stdout()).isEqualTo("1310 1310 71 /home/c1\n");
            }
            // image two has the same USER string but is another image: its own accounts are read
            try (Sandbox s = backend.create(SandboxRequest.of(passportFor(two)))) {
                assertThat(sh(s, script).stdout()).isEqualTo("1320 1320 72 /home/c2\n");
            }
            // what is kept is the backend's own: a new one reads the changed file (so the change above was one a read would see)
            try (LocalSandboxBackend fresh = new LocalSandboxBackend(LocalSandboxBackend.Config.defaults().withDataDir(data).withImages(store)
                    .withWarmPool(0)); Sandbox s = fresh.create(SandboxRequest.of(passportFor(one)))) {
                assertThat(sh(s, script).stdout()).isEqualTo("1311 1311 71 /home/changed\n");
            }
        } finally {
            Files.writeString(passwd, was);
        }
    }

    static Passport passportFor(String reference) {
        Passport p = Passport.defaults().withResources(SMALL);
        return p.withFilesystem(p.filesystem().withImage(reference));
    }

    @Test
    void aSandboxRunsInTheImageWithItsEnvAndWorkingDirectory() {
        Sandbox s = backend.create(SandboxRequest.of(passport()));
        try {
            ExecResult r = sh(s, "cat /etc/os-release; echo $FOO; pwd; id -u; test -e /gone && echo gone-visible; ls /keep");
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            // the image names no USER: root inside, as Docker runs it (RootInsideTest shows what that root can do)
            assertThat(r.stdout()).isEqualTo("ID=ale-image-test\nfrom-image\n/work\n0\nnew\n");
            // the host's root is not there: no /usr/bin/java, no host /etc/debian_version
            assertThat(sh(s, "test -e /etc/debian_version || echo absent").stdout()).isEqualTo("absent\n");
        } finally {
            s.destroy();
        }
    }

    @Test
    void writesLandInTheSandboxsOwnUpperLayerAndNoOtherSandboxSeesThem() throws IOException {
        Sandbox a = backend.create(SandboxRequest.of(passport()));
        Sandbox b = backend.create(SandboxRequest.of(passport()));
        try {
            assertThat(sh(a, "echo mine > /data/note && cat /data/note").stdout()).isEqualTo("mine\n");
            assertThat(sh(b, "cat /data/note 2>&1 || echo none").stdout()).endsWith("none\n");
            // root inside changes the image's files in its own upper layer only
            assertThat(sh(a, "echo x > /etc/os-release && cat /etc/os-release").stdout()).isEqualTo("x\n");
            assertThat(sh(b, "cat /etc/os-release").stdout()).isEqualTo("ID=ale-image-test\n");
            // the shared layer itself is untouched
            for (Path layer : store.resolve(image).layers()) assertThat(layer.resolve("data/note")).doesNotExist();
        } finally {
            a.destroy();
            b.destroy();
        }
        assertThat(mountsUnder(data.resolve("sandboxes"))).isEmpty();
        assertThat(ImagePullTest.subdirs(data.resolve("sandboxes"))).isEmpty();
    }

    @Test
    void anImageInUseCannotBeRemovedAndPruneKeepsIt() {
        Sandbox s = backend.create(SandboxRequest.of(passport()));
        try {
            assertThat(store.find(image).orElseThrow().inUse()).isTrue();
            String id = store.find(image).orElseThrow().id();
            assertThatThrownBy(() -> store.remove(id)).hasMessageContaining("is in use by a sandbox");
            assertThat(store.prune(true).images()).isEmpty();
            assertThat(store.find(image)).isPresent();
        } finally {
            s.destroy();
        }
        assertThat(store.find(image).orElseThrow().inUse()).isFalse();
    }

    @Test
    void garbageCollectionUnmountsTheOverlayOfACrashedOwner() throws Exception {
        Sandbox s = backend.create(SandboxRequest.of(passport()));
        Path dir = data.resolve("sandboxes").resolve(s.id());
        // the tmpfs, the overlay root, and (root inside) its user namespace and each of the two layers and ALE's mount points
        // idmapped to its range
        assertThat(mountsUnder(dir)).hasSize(6).anyMatch(m -> m.endsWith("/userns"));
        // the state now names an owner that is gone, as after kill -9 of the ALE process that made it
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path state = dir.resolve("state.json");
        Files.writeString(state, Files.readString(state).replaceFirst("\"ownerPid\" : [0-9]+", "\"ownerPid\" : " + gone.pid()));

        try (LocalSandboxBackend other = new LocalSandboxBackend(LocalSandboxBackend.Config.defaults().withDataDir(data).withImages(store))) {
            assertThat(other.collectGarbage().removed()).contains(s.id());
        }

        assertThat(mountsUnder(dir)).isEmpty();
        assertThat(dir).doesNotExist();
    }

    @Test
    void aPassportNamingAnImageOnABackendWithoutAStoreIsRefused() {
        try (LocalSandboxBackend plain = new LocalSandboxBackend(LocalSandboxBackend.Config.defaults().withDataDir(data))) {
            assertThatThrownBy(() -> plain.create(SandboxRequest.of(passport())))
                    .isInstanceOf(SandboxException.class).hasMessageContaining("without an image store");
        }
    }

    static List<String> mountsUnder(Path dir) throws IOException {
        String prefix = (Files.exists(dir) ? dir.toRealPath() : dir.toAbsolutePath()) + "/";
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .map(l -> l.split(" ")[4]).filter(m -> m.startsWith(prefix)).toList();
    }

    @SuppressWarnings("unused")
    private static final Map<String, String> NONE = Map.of();
}
