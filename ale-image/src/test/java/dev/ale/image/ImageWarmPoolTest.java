package dev.ale.image;

import dev.ale.sandbox.testing.ChildJvm;
import dev.ale.core.host.HostTools;
import dev.ale.core.passport.ByteSize;
import dev.ale.core.passport.Passport;
import dev.ale.core.passport.Resources;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.GarbageReport;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxRequest;
import dev.ale.image.registry.RegistryClient;
import dev.ale.sandbox.local.LocalSandboxBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Image sandboxes from the warm pool: a blank made ahead for an image (its id range, idmapped
 * layers, overlay and init) serves as fresh a sandbox as a cold create, is nobody's sandbox, holds
 * its image in use while it waits, and leaves nothing after close or after a killed ALE and gc.
 */
@Tag("root")
class ImageWarmPoolTest {

    @RegisterExtension
    static final LoopbackRegistry registry = new LoopbackRegistry();

    private static final Duration FILL = Duration.ofMinutes(2);
    private static final Resources LARGER = new Resources(1.0, ByteSize.parse("192MiB"), 96, Duration.ofMinutes(2), ByteSize.parse("64MiB"));

    private Path data;
    private ImageStore store;
    private String rootImage;
    private String userImage;

    @BeforeEach
    void pull() throws Exception {
        assumeTrue(HostTools.isRoot(), "the local backend needs root");
        data = Files.createTempDirectory(Path.of("/tmp"), "ale-imgpool");
        Files.setPosixFilePermissions(data, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        store = new ImageStore(data, RegistryClient.Settings.defaults());
        List<byte[]> layers = List.of(TestImages.busyboxRoot("ale-pool-test"),
                new TarBuilder().dir("bin/", 0755).symlink("bin/sleep", "busybox").symlink("bin/tr", "busybox").tar());
        registry.pushImage("test/pooled", "1", "amd64", layers, TestImages.config("FOO=from-image", "/work"));
        registry.pushImage("test/pooled", "user", "amd64", layers, TestImages.config("FOO=from-image", "/work").put("User", "1000:1000"));
        rootImage = registry.host() + "/test/pooled:1";
        userImage = registry.host() + "/test/pooled:user";
        store.pull(rootImage, PullProgress.none());
        store.pull(userImage, PullProgress.none());
    }

    @AfterEach
    void clean() throws IOException {
        if (data == null) return;
        // a test that failed half-way (or a child ALE it killed) may have left sandboxes: gc removes them before the files go
        try (LocalSandboxBackend gc = new LocalSandboxBackend(LocalSandboxBackend.Config.defaults().withDataDir(data).withWarmPool(0))) {
            gc.collectGarbage();
        }
        try (Stream<Path> w = Files.walk(data)) {
            for (Path p : w.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    static Passport passport(String image, Resources resources) {
        Passport p = Passport.defaults().withResources(resources);
        return p.withFilesystem(p.filesystem().withImage(image));
    }

    private LocalSandboxBackend pooled() {
        return new LocalSandboxBackend(LocalSandboxBackend.Config.defaults().withDataDir(data).withImages(store).withWarmPool(2));
    }

    private List<String> dirs() {
        return ImagePullTest.subdirs(data.resolve("sandboxes")).stream().map(p -> p.getFileName().toString()).toList();
    }

    private static ExecResult sh(Sandbox s, String script) {
        return ImageSandboxTest.sh(s, script);
    }

    /** The first host id of the sandbox's range, as its uid_map says. */
    private static String hostBase(Sandbox s) {
        ExecResult r = sh(s, "cat /proc/self/uid_map");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return r.stdout().strip().split("\\s+")[1];
    }

    @Test
    void aPooledImageSandboxIsFreshTakesThePassportsLimitsAndTheBlanksAreNobodys() throws Exception {
        Passport small = passport(rootImage, ImageSandboxTest.SMALL);
        try (LocalSandboxBackend backend = pooled()) {
            // two cold creates: the second starts the filling for this image
            backend.create(SandboxRequest.of(small)).destroy();
            backend.create(SandboxRequest.of(small)).destroy();
            assertThat(backend.awaitWarm(FILL)).isTrue();
            List<String> blanks = dirs();
            assertThat(blanks).as("the image's blanks, and nothing else").hasSize(2);
            for (String b : blanks) assertThat(backend.find(b)).as("a blank is not found").isEmpty();
            assertThat(backend.list()).as("nor listed").isEmpty();
            // a blank's overlay holds the image's layers: in use, not removable, not pruned, and the refusal says why
            assertThat(store.find(rootImage).orElseThrow().inUse()).isTrue();
            String rootId = store.find(rootImage).orElseThrow().id();
            assertThatThrownBy(() -> store.remove(rootId)).hasMessageContaining("warm pool");
            assertThat(store.prune(true).images()).doesNotContain(rootImage);
            assertThat(store.find(rootImage)).isPresent();

            Sandbox writer = backend.create(SandboxRequest.of(small));
            assertThat(blanks).as("made from a blank").contains(writer.id());
            ExecResult env = sh(writer, "echo $FOO; pwd; id -u");
            assertThat(env.stdout()).as(env.toString()).isEqualTo("from-image\n/work\n0\n");
            ExecResult wrote = sh(writer, "echo secret > /workspace/left && echo secret > /tmp/left && echo secret > /etc/left"
                    + " && (sleep 300 >/dev/null 2>&1 &) && echo done");
            assertThat(wrote.stdout()).as(wrote.toString()).contains("done");
            String writerBase = hostBase(writer);
            writer.destroy();

            assertThat(backend.awaitWarm(FILL)).isTrue();
            List<String> next = dirs();
            Sandbox reader = backend.create(SandboxRequest.of(passport(rootImage, LARGER)));
            try {
                assertThat(next).as("made from a blank").contains(reader.id());
                ExecResult seen = sh(reader, "ls -A /workspace /tmp; ls /etc; cat /proc/[0-9]*/cmdline | tr '\\0' ' '");
                assertThat(seen.exitCode()).as(seen.toString()).isZero();
                assertThat(seen.stdout()).doesNotContain("left").doesNotContain("sleep 300");
                assertThat(hostBase(reader)).as("an id range of its own").isNotEqualTo(writerBase);
                // the passport's limits, not the blank's (made with the first passport's)
                assertThat(limit(reader.id(), "memory", "memory.max", "memory.limit_in_bytes")).isEqualTo(String.valueOf(192L * 1024 * 1024));
                assertThat(limit(reader.id(), "pids", "pids.max", "pids.max")).isEqualTo("96");
            } finally {
                reader.destroy();
            }
        }
        // closed: the blanks are gone, and with them every mount and the image's use
        assertThat(ImageSandboxTest.mountsUnder(data)).isEmpty();
        assertThat(dirs()).isEmpty();
        assertThat(store.find(rootImage).orElseThrow().inUse()).isFalse();
        assertThat(ImagePullTest.subdirs(data.resolve("uids"))).as("no id range still claimed").isEmpty();
    }

    @Test
    void blanksAreKeptPerImageSoAUserImageIsServedItsOwnUserAndWorkspace() throws Exception {
        Passport root = passport(rootImage, ImageSandboxTest.SMALL);
        Passport user = passport(userImage, ImageSandboxTest.SMALL);
        try (LocalSandboxBackend backend = pooled()) {
            // interleaved, as a benchmark or two kinds of task do: neither shape's blanks are thrown away by the other's claims
            for (int i = 0; i < 2; i++) {
                backend.create(SandboxRequest.of(root)).destroy();
                backend.create(SandboxRequest.of(user)).destroy();
            }
            assertThat(backend.awaitWarm(FILL)).isTrue();
            List<String> blanks = dirs();
            assertThat(blanks).as("two blanks of each image").hasSize(4);
            Sandbox u = backend.create(SandboxRequest.of(user));
            Sandbox r = backend.create(SandboxRequest.of(root));
            try {
                assertThat(blanks).contains(u.id(), r.id());
                ExecResult asUser = sh(u, "id -u; id -g; stat -c %u /workspace; echo $FOO; touch /workspace/mine && echo wrote");
                assertThat(asUser.stdout()).as(asUser.toString()).isEqualTo("1000\n1000\n1000\nfrom-image\nwrote\n");
                assertThat(sh(r, "id -u").stdout()).isEqualTo("0\n");
            } finally {
                u.destroy();
                r.destroy();
            }
        }
        assertThat(ImageSandboxTest.mountsUnder(data)).isEmpty();
        assertThat(dirs()).isEmpty();
    }

    @Test
    void aKilledAleWithImageBlanksLeavesNothingGcDoesNotClear() throws Exception {
        Process ale = null;
        try {
            ChildJvm child = ChildJvm.start(PooledImageAleMain.class, data.toString(), rootImage);
            ale = child.process();
            String ids = child.firstLine(Duration.ofMinutes(3));
            List<String> sandboxes = List.of(ids.strip().split(" "));
            List<String> all = dirs();
            List<String> blanks = new ArrayList<>(all);
            blanks.removeAll(sandboxes);
            assertThat(blanks).as("the image's two blanks").hasSize(2);
            for (String b : blanks) {
                assertThat(ImageSandboxTest.mountsUnder(data.resolve("sandboxes").resolve(b)))
                        .as("a blank has its image root mounted").anyMatch(m -> m.endsWith("/root"));
            }
            assertThat(store.find(rootImage).orElseThrow().inUse()).isTrue();

            ale.destroyForcibly();
            assertThat(ale.waitFor(20, TimeUnit.SECONDS)).isTrue();

            try (LocalSandboxBackend after = new LocalSandboxBackend(LocalSandboxBackend.Config.defaults().withDataDir(data).withImages(store)
                    .withWarmPool(0))) {
                GarbageReport report = after.collectGarbage();
                assertThat(report.removed()).as("the blanks were nobody's sandbox").containsExactlyInAnyOrderElementsOf(sandboxes);
                assertThat(report.problems()).isEmpty();
            }
            assertThat(ImageSandboxTest.mountsUnder(data)).isEmpty();
            assertThat(dirs()).isEmpty();
            assertThat(Set.copyOf(cgroupsNamed(all))).isEmpty();
            assertThat(store.find(rootImage).orElseThrow().inUse()).as("data %s, overlays: %s", data, overlays()).isFalse();
            store.remove(rootImage);
            assertThat(store.find(rootImage)).isEmpty();
        } finally {
            if (ale != null) ale.destroyForcibly();
        }
    }

    private static List<String> overlays() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().filter(l -> l.contains(" - overlay ")).toList();
    }

    /** A limit of the cgroup ALE named {@code id}: in its directory (cgroup v2) or its controller's (v1). */
    private static String limit(String id, String controller, String v2File, String v1File) throws IOException {
        List<Path> found = cgroupsNamed(List.of(id));
        List<Path> files = found.stream().map(d -> d.resolve(v2File)).filter(Files::exists).toList();
        if (files.isEmpty()) {
            files = found.stream().filter(d -> d.toString().contains("/" + controller + "/")).map(d -> d.resolve(v1File)).toList();
        }
        assertThat(files).as("the %s limit of %s among %s", controller, id, found).hasSize(1);
        return Files.readString(files.getFirst()).strip();
    }

    private static List<Path> cgroupsNamed(List<String> ids) throws IOException {
        try (Stream<Path> w = Files.walk(Path.of("/sys/fs/cgroup"), 4)) {
            return w.filter(p -> ids.contains(p.getFileName() == null ? "" : p.getFileName().toString()) && Files.isDirectory(p)).toList();
        }
    }
}
