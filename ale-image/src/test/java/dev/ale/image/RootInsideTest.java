package dev.ale.image;

import dev.ale.core.host.HostTools;
import dev.ale.core.passport.ByteSize;
import dev.ale.core.passport.Passport;
import dev.ale.core.passport.Resources;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxRequest;
import dev.ale.image.registry.RegistryClient;
import dev.ale.sandbox.local.LocalSandboxBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Root inside an image sandbox (an image without USER, as Terminal-Bench's are): uid 0 inside,
 * the image's files its own through idmapped layers, and on the host nothing but the sandbox's
 * unprivileged uid: no mount, no module, no change to its network namespace, no other uid.
 */
@Tag("root")
class RootInsideTest {

    @RegisterExtension
    static final LoopbackRegistry registry = new LoopbackRegistry();

    static final Resources SMALL = new Resources(1.0, ByteSize.parse("256MiB"), 128, Duration.ofMinutes(2), ByteSize.parse("64MiB"));

    static Path data;
    static ImageStore store;
    static LocalSandboxBackend backend;
    static String rootImage;
    static String userImage;

    @BeforeAll
    static void pullAndOpen() throws Exception {
        assumeTrue(HostTools.isRoot(), "the local backend needs root");
        data = Files.createTempDirectory(Path.of("/tmp"), "ale-rootin");
        Files.setPosixFilePermissions(data, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        store = new ImageStore(data, RegistryClient.Settings.defaults());
        byte[] busybox = Files.readAllBytes(Path.of("/bin/busybox"));
        TarBuilder tools = new TarBuilder().dir("bin/", 0755);
        for (String t : new String[] {"mount", "ip", "insmod", "chown", "grep", "head", "cut", "hostname"}) tools.symlink("bin/" + t, "busybox");
        byte[] owned = tools.dir("opt/", 0755).dir("opt/app/", 0755).file("opt/app/main.txt", 0644, "v1\n")
                .dir("var/", 0755).entry("var/other", '0', 0644, 100, "", "not root's\n".getBytes()).tar();
        List<byte[]> layers = List.of(TestImages.busyboxRoot("root-inside"), owned);
        registry.pushImage("test/rootin", "1", "amd64", layers, TestImages.config("A=1", "/opt/app"));
        var asUser = TestImages.config("A=1", "/opt/app").put("User", "1000");
        registry.pushImage("test/userin", "1", "amd64", layers, asUser);
        rootImage = registry.host() + "/test/rootin:1";
        userImage = registry.host() + "/test/userin:1";
        store.pull(rootImage, PullProgress.none());
        store.pull(userImage, PullProgress.none());
        backend = new LocalSandboxBackend(LocalSandboxBackend.Config.defaults().withDataDir(data).withImages(store));
    }

    @AfterAll
    static void close() throws IOException {
        if (backend != null) backend.close();
        if (data != null) {
            assertThat(ImageSandboxTest.mountsUnder(data)).isEmpty();
            try (Stream<Path> w = Files.walk(data)) {
                for (Path p : w.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    static Passport passport(String image) {
        Passport p = Passport.defaults().withResources(SMALL);
        return p.withFilesystem(p.filesystem().withImage(image));
    }

    static ExecResult sh(Sandbox s, String script) {
        return s.exec(ExecRequest.of("/bin/sh", "-c", script));
    }

    /** The sandbox's host uid: the owner of its workspace on the host. */
    static int hostUid(Sandbox s) throws IOException {
        return (int) Files.getAttribute(data.resolve("sandboxes").resolve(s.id()).resolve("fs/workspace"), "unix:uid");
    }

    @Test
    void anImageWithoutUserRunsAsRootInsideWhoseWritesBelongToTheSandboxUidOnTheHost() throws IOException {
        try (Sandbox s = backend.create(SandboxRequest.of(passport(rootImage)))) {
            ExecResult r = sh(s, "id -u; id -g; pwd; echo v2 > main.txt && cat main.txt; echo changed >> /etc/os-release && grep changed /etc/os-release;"
                    + " mkdir /opt/new && touch /opt/new/f && stat -c '%u %g' /opt/new/f");
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            assertThat(r.stdout()).as(r.stderr()).isEqualTo("0\n0\n/opt/app\nv2\nchanged\n0 0\n");

            int uid = hostUid(s);
            assertThat(uid).isGreaterThan(0);
            Path upper = data.resolve("sandboxes").resolve(s.id()).resolve("fs/upper");
            for (String written : List.of("opt/app/main.txt", "etc/os-release", "opt/new/f")) {
                assertThat(Files.getAttribute(upper.resolve(written), "unix:uid", LinkOption.NOFOLLOW_LINKS)).as(written).isEqualTo(uid);
                assertThat(Files.getAttribute(upper.resolve(written), "unix:gid", LinkOption.NOFOLLOW_LINKS)).as(written).isEqualTo(uid);
            }
            // the shared layers are not written, and still root's
            for (Path layer : store.resolve(rootImage).layers()) {
                Path main = layer.resolve("opt/app/main.txt");
                if (Files.exists(main)) {
                    assertThat(Files.readString(main)).isEqualTo("v1\n");
                    assertThat(Files.getAttribute(main, "unix:uid")).isEqualTo(0);
                }
            }
        }
    }

    @Test
    void rootInsideHasNoPowerOverTheHost() {
        try (Sandbox s = backend.create(SandboxRequest.of(passport(rootImage)))) {
            assertThat(sh(s, "id -u").stdout()).isEqualTo("0\n");
            // its capabilities are there, but only in its own user namespace
            assertThat(sh(s, "grep CapEff /proc/self/status").stdout()).doesNotContain("0000000000000000");
            assertThat(sh(s, "mount -t tmpfs t /mnt 2>&1 || echo refused").stdout()).endsWith("refused\n");
            assertThat(sh(s, "mount -o remount,rw / 2>&1 || echo refused").stdout()).endsWith("refused\n");
            assertThat(sh(s, "echo x > /tmp/m.ko; insmod /tmp/m.ko 2>&1 || echo refused").stdout()).endsWith("refused\n");
            // the network namespace belongs to the host's user namespace: no new link, lo stays up
            assertThat(sh(s, "ip link add d0 type dummy 2>&1 || echo refused").stdout()).endsWith("refused\n");
            assertThat(sh(s, "ip link set lo down 2>&1 || echo refused").stdout()).endsWith("refused\n");
            assertThat(sh(s, "ip addr add 203.0.113.9/24 dev lo 2>&1 || echo refused").stdout()).endsWith("refused\n");
            // kernel settings and the host's clock are not the namespace's
            assertThat(sh(s, "echo 1 > /proc/sys/vm/drop_caches 2>&1 || echo refused").stdout()).endsWith("refused\n");
            assertThat(sh(s, "echo 3 > /proc/sys/kernel/printk 2>&1 || echo refused").stdout()).endsWith("refused\n");
            // no other uid exists inside: chown to one, or a file of one in the image, shows the single-uid map
            assertThat(sh(s, "touch /tmp/f; chown 100 /tmp/f 2>&1 || echo refused").stdout()).endsWith("refused\n");
            assertThat(sh(s, "stat -c %u /var/other").stdout()).isEqualTo("65534\n");
            assertThat(sh(s, "echo y >> /var/other 2>&1 || echo refused").stdout()).endsWith("refused\n");
        }
    }

    @Test
    void anImageWithAUserRunsAsTheAgentWhoCannotChangeTheImagesFiles() {
        try (Sandbox s = backend.create(SandboxRequest.of(passport(userImage)))) {
            ExecResult r = sh(s, "id -u; grep CapEff /proc/self/status | cut -f2; echo v2 > main.txt 2>/dev/null || echo refused");
            assertThat(r.stdout()).isEqualTo("1000\n0000000000000000\nrefused\n");
        }
    }
}
