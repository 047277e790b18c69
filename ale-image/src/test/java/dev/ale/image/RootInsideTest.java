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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Root inside an image sandbox (an image without USER, as Terminal-Bench's are): uid 0 inside,
 * the image's files their owners' through idmapped layers, and on the host nothing but the
 * sandbox's own range of unprivileged ids: no mount, no module, no change to its network
 * namespace, no id of another sandbox.
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
        for (String t : new String[] {"mount", "ip", "insmod", "chown", "chmod", "grep", "head", "cut", "hostname", "su", "unshare"}) {
            tools.symlink("bin/" + t, "busybox");
        }
        // the image's own accounts: inside they are the sandbox's, never the host's
        tools.dir("etc/", 0755).file("etc/passwd", 0644, "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/opt/app:/bin/sh\n"
                + "nobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n").file("etc/group", 0644, "root:x:0:\napp:x:1000:\nnogroup:x:65534:\n");
        byte[] owned = tools.dir("opt/", 0755).dir("opt/app/", 0755).file("opt/app/main.txt", 0644, "v1\n")
                .dir("var/", 0755).entry("var/other", '0', 0644, 100, "", "not root's\n".getBytes()).tar();
        // util-linux's setpriv (busybox's cannot change uids)
        List<byte[]> layers = List.of(TestImages.busyboxRoot("root-inside"), owned, TestImages.hostPrograms("/usr/bin/setpriv"));
        registry.pushImage("test/rootin", "1", "amd64", layers, TestImages.config("A=1", "/opt/app"));
        var asUser = TestImages.config("A=1", "/opt/app").put("User", "1000");
        registry.pushImage("test/userin", "1", "amd64", layers, asUser);
        rootImage = registry.host() + "/test/rootin:1";
        userImage = registry.host() + "/test/userin:1";
        // accounts of the image's own beyond uid 1000, and a directory that is one of theirs
        byte[] accounts = new TarBuilder().dir("etc/", 0755)
                .file("etc/passwd", 0644, "root:x:0:0:root:/root:/bin/sh\nsvc:x:1234:2345::/opt/svc:/bin/sh\n"
                        + "nobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n")
                // svc is a member of staff and of ops; "svcs" and "svc2" only look like it
                .file("etc/group", 0644, "root:x:0:\nstaff:x:50:svc\ngrp:x:2345:\nops:x:60:app,svc\nlook:x:70:svcs,svc2, svc x\n"
                        + "nogroup:x:65534:\n")
                .entry("opt/svc/", '5', 0755, 1234, "", new byte[0])
                // a file only uid 60 and group ops (60) may read: svc reads it through its supplementary group
                .entry("opt/ops.txt", '0', 0640, 60, "", "ops only\n".getBytes()).tar();
        List<byte[]> userLayers = List.of(TestImages.busyboxRoot("users"), owned, accounts, TestImages.hostPrograms("/usr/bin/setpriv"));
        for (String user : List.of("svc", "1234", "4321", "1234:1234", "svc:staff", "nobody", "ghost", "svc:wheel", "70000")) {
            registry.pushImage("test/user", tag(user), "amd64", userLayers, TestImages.config("A=1", "/").put("User", user));
        }
        // the image's own HOME wins over the passwd entry's; an empty one does not, as runc reads it
        registry.pushImage("test/user", "home-set", "amd64", userLayers, TestImages.config("HOME=/data", "/").put("User", "svc"));
        registry.pushImage("test/user", "home-empty", "amd64", userLayers, TestImages.config("HOME=", "/").put("User", "svc"));
        store.pull(rootImage, PullProgress.none());
        store.pull(userImage, PullProgress.none());
        backend = new LocalSandboxBackend(LocalSandboxBackend.Config.defaults().withDataDir(data).withImages(store));
    }

    /** The tag of the test image whose USER is {@code user}. */
    static String tag(String user) {
        return "u-" + user.replace(':', '-');
    }

    static String imageAs(String user) {
        return registry.host() + "/test/user:" + tag(user);
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

    /** The sandbox's host uid: the owner of its workspace on the host (its range's first id when it is root inside). */
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
    void rootInsideMakesNewTopLevelDirectoriesInItsUpperLayerWhileTheMountsOfTheSandboxStayFixed() throws IOException {
        try (Sandbox s = backend.create(SandboxRequest.of(passport(rootImage)))) {
            ExecResult r = sh(s, "mkdir /data2 && echo x > /data2/f && mkdir -p /srv/a/b && touch /top && stat -c '%u %g' / /data2/f && cat /data2/f");
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            assertThat(r.stdout()).isEqualTo("0 0\n0 0\nx\n");
            int uid = hostUid(s);
            Path upper = data.resolve("sandboxes").resolve(s.id()).resolve("fs/upper");
            for (String made : List.of("data2/f", "srv/a/b", "top")) {
                assertThat(Files.getAttribute(upper.resolve(made), "unix:uid", LinkOption.NOFOLLOW_LINKS)).as(made).isEqualTo(uid);
            }
            // the sandbox's own mounts are still there, and still not root inside's to change
            assertThat(sh(s, "touch /dev/x 2>&1 || echo refused").stdout()).endsWith("refused\n");
            assertThat(sh(s, "rmdir /tests 2>/dev/null || echo refused; mv /tests /t2 2>/dev/null || echo refused").stdout())
                    .isEqualTo("refused\nrefused\n");
            assertThat(sh(s, "mv /workspace /w2 2>&1 || echo refused").stdout()).endsWith("refused\n");
            assertThat(sh(s, "stat -c %u /tests; cat /proc/1/cmdline | head -c 4 | grep -c . ; grep -c ' / ' /proc/self/mountinfo").stdout())
                    .startsWith("65534\n1\n");
            assertThat(sh(s, "mount -o remount,ro / 2>&1 || echo refused").stdout()).endsWith("refused\n");
            // ALE's data directory, the host's root and the image's layers are not reachable through the new /
            assertThat(sh(s, "ls -d " + data + " /usr/bin/java /etc/debian_version 2>/dev/null; echo end").stdout()).isEqualTo("end\n");
            // nor named in its mount table: the overlay's layers are named relative to the sandbox's directory
            assertThat(sh(s, "grep -c " + data + " /proc/self/mountinfo; grep -c 'lowerdir.*/lower/' /proc/self/mountinfo").stdout())
                    .isEqualTo("0\n1\n");
            // another sandbox of the image does not see the new directories, nor do the shared layers hold them
            try (Sandbox other = backend.create(SandboxRequest.of(passport(rootImage)))) {
                assertThat(sh(other, "ls -d /data2 /top 2>/dev/null; echo end").stdout()).isEqualTo("end\n");
            }
            for (Path layer : store.resolve(rootImage).layers()) assertThat(layer.resolve("data2")).doesNotExist();
        }
    }

    @Test
    void aUserWhoIsNotRootCannotMakeTopLevelDirectoriesAsInAContainer() {
        try (Sandbox s = backend.create(SandboxRequest.of(passport(userImage)))) {
            ExecResult r = sh(s, "mkdir /data2 2>/dev/null || echo refused; echo in-tmp > /tmp/f && cat /tmp/f");
            assertThat(r.stdout()).isEqualTo("refused\nin-tmp\n");
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
            // no namespace of its own: its user namespace allows none below it, and the filter refuses the calls
            assertThat(sh(s, "cat /proc/sys/user/max_user_namespaces").stdout()).isEqualTo("0\n");
            assertThat(sh(s, "echo 1 > /proc/sys/user/max_user_namespaces 2>&1 || echo refused").stdout()).endsWith("refused\n");
            assertThat(sh(s, "unshare -U true 2>&1 || echo refused").stdout()).endsWith("refused\n");
            assertThat(sh(s, "unshare -m true 2>&1 || echo refused").stdout()).endsWith("refused\n");
        }
    }

    /** The sandbox's id range as its uid_map says it: first host id and count (0 inside). */
    static long[] range(Sandbox s) {
        String[] f = sh(s, "cat /proc/self/uid_map").stdout().strip().split("\\s+");
        assertThat(f).hasSize(3);
        assertThat(f[0]).isEqualTo("0");
        return new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])};
    }

    @Test
    void rootInsideOwnsARangeOfHostIdsSoChownToAnotherUserIsThatUsersIdInTheRange() throws IOException {
        try (Sandbox s = backend.create(SandboxRequest.of(passport(rootImage)))) {
            int uid = hostUid(s);
            assertThat(range(s)).containsExactly(uid, 65_536);
            assertThat(sh(s, "cat /proc/self/gid_map").stdout().strip().split("\\s+")).containsExactly("0", String.valueOf(uid), "65536");
            ExecResult r = sh(s, "touch /tmp/f /opt/app/by-app && chown 1000:1000 /tmp/f /opt/app/by-app && stat -c '%u %g' /tmp/f /opt/app/by-app"
                    + " && chown 65534 /opt/app/main.txt && stat -c %u /opt/app/main.txt");
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            assertThat(r.stdout()).isEqualTo("1000 1000\n1000 1000\n65534\n");
            Path dir = data.resolve("sandboxes").resolve(s.id()).resolve("fs");
            for (Path p : List.of(dir.resolve("tmp/f"), dir.resolve("upper/opt/app/by-app"))) {
                assertThat(Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).as(p.toString()).isEqualTo(uid + 1000);
                assertThat(Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS)).as(p.toString()).isEqualTo(uid + 1000);
            }
            assertThat(Files.getAttribute(dir.resolve("upper/opt/app/main.txt"), "unix:uid")).isEqualTo(uid + 65534);
            // a file the image gives to uid 100 is 100's inside, as in the image; root changes it only by its capabilities
            assertThat(sh(s, "stat -c %u /var/other").stdout()).isEqualTo("100\n");
            assertThat(sh(s, "echo y >> /var/other && stat -c %u /var/other").stdout()).isEqualTo("100\n");
            assertThat(Files.getAttribute(dir.resolve("upper/var/other"), "unix:uid")).isEqualTo(uid + 100);
            // ids beyond the range do not exist inside
            assertThat(sh(s, "chown 65536 /tmp/f 2>&1 || echo refused").stdout()).endsWith("refused\n");
        }
    }

    @Test
    void suAndSetprivReachAnotherUserInsideWhoIsHeldToItsOwnFiles() throws IOException {
        try (Sandbox s = backend.create(SandboxRequest.of(passport(rootImage)))) {
            int uid = hostUid(s);
            ExecResult r = sh(s, "echo secret > /tmp/root-only && chmod 600 /tmp/root-only && mkdir /tmp/app && chown app:app /tmp/app"
                    + " && su -s /bin/sh app -c 'id -u; id -g; touch /tmp/app/mine; cat /tmp/root-only 2>/dev/null || echo denied;"
                    + " grep CapEff /proc/self/status | cut -f2'"
                    + " && /usr/bin/setpriv --reuid=1000 --regid=1000 --clear-groups -- sh -c 'id -u; echo x > /opt/app/main.txt 2>/dev/null || echo denied'");
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            assertThat(r.stdout()).isEqualTo("1000\n1000\ndenied\n0000000000000000\n1000\ndenied\n");
            Path mine = data.resolve("sandboxes").resolve(s.id()).resolve("fs/tmp/app/mine");
            assertThat(Files.getAttribute(mine, "unix:uid")).isEqualTo(uid + 1000);
        }
    }

    @Test
    void twoRootInsideSandboxesGetDisjointRangesAndNeitherSeesTheOthersIds() throws IOException {
        try (Sandbox a = backend.create(SandboxRequest.of(passport(rootImage)));
             Sandbox b = backend.create(SandboxRequest.of(passport(rootImage)));
             Sandbox agent = backend.create(SandboxRequest.of(Passport.defaults().withResources(SMALL)))) {
            long[] ra = range(a);
            long[] rb = range(b);
            assertThat(ra[0] + ra[1] <= rb[0] || rb[0] + rb[1] <= ra[0]).as("ranges %d+%d and %d+%d", ra[0], ra[1], rb[0], rb[1]).isTrue();
            // a host-root agent sandbox's one uid lies in neither range
            long agentUid = hostUid(agent);
            assertThat(agentUid >= ra[0] && agentUid < ra[0] + ra[1] || agentUid >= rb[0] && agentUid < rb[0] + rb[1]).isFalse();
            // a's uid 1000 is not b's uid 1000 on the host
            sh(a, "touch /tmp/f && chown 1000 /tmp/f");
            sh(b, "touch /tmp/f && chown 1000 /tmp/f");
            Object ownerA = Files.getAttribute(data.resolve("sandboxes").resolve(a.id()).resolve("fs/tmp/f"), "unix:uid");
            Object ownerB = Files.getAttribute(data.resolve("sandboxes").resolve(b.id()).resolve("fs/tmp/f"), "unix:uid");
            assertThat(ownerA).isEqualTo((int) ra[0] + 1000).isNotEqualTo(ownerB);
        }
    }

    @Test
    void aRangeIsFreedWhenItsSandboxIsDestroyedAndGarbageCollectionFreesALeakedOne() throws IOException {
        Path uids = data.resolve("uids");
        Sandbox s = backend.create(SandboxRequest.of(passport(rootImage)));
        int first = hostUid(s);
        Path dir = data.resolve("sandboxes").resolve(s.id());
        assertThat(uids.resolve("range-" + first)).hasContent(s.id());
        assertThat(dir.resolve("userns")).exists();
        s.close();
        // with the warm pool on, the unmounts and the range's release follow destroy in the background
        assertThat(backend.awaitWarm(Duration.ofMinutes(2))).isTrue();
        assertThat(uids.resolve("range-" + first)).doesNotExist();
        assertThat(dir).doesNotExist();
        assertThat(ImageSandboxTest.mountsUnder(data)).noneMatch(m -> m.contains(s.id()));

        // a detached one whose time ran out: collected with its namespace, layers and range
        Passport shortLived = passport(rootImage).withResources(new Resources(1.0, ByteSize.parse("256MiB"), 128, Duration.ofSeconds(1),
                ByteSize.parse("64MiB")));
        Sandbox detached = backend.create(new SandboxRequest(shortLived, Map.of(), true));
        String id = detached.id();
        int detachedFirst = hostUid(detached);
        assertThat(sh(detached, "id -u").stdout()).isEqualTo("0\n");
        // collected by another backend on the same data directory, as by the next ALE process
        try (LocalSandboxBackend other = new LocalSandboxBackend(LocalSandboxBackend.Config.defaults().withDataDir(data).withImages(store))) {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> other.collectGarbage().removed().contains(id));
        }
        assertThat(uids.resolve("range-" + detachedFirst)).doesNotExist();
        assertThat(data.resolve("sandboxes").resolve(id)).doesNotExist();
        assertThat(ImageSandboxTest.mountsUnder(data)).noneMatch(m -> m.contains(id));

        // a range slot whose sandbox left nothing else behind (its maker died before writing its state)
        Path leaked = uids.resolve("range-" + (1_000_000_000 + 255 * 65_536));
        Files.writeString(leaked, "sb-0000dead");
        Files.setLastModifiedTime(leaked, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 120_000));
        backend.collectGarbage();
        assertThat(leaked).doesNotExist();
    }

    @Test
    void testsIsTheVerifiersRootInsideCannotWriteItBeforeTheVerifyPhaseAndItIsFreshThen() {
        try (Sandbox s = backend.create(SandboxRequest.of(passport(rootImage)))) {
            s.enterPhase(dev.ale.core.passport.Phase.AGENT);
            // host root's: not even root inside, with its capabilities, may write or replace it
            assertThat(sh(s, "stat -c %u /tests; ls -A /tests | head -1").stdout()).isEqualTo("65534\n");
            assertThat(sh(s, "echo fake > /tests/test.sh 2>&1 || echo refused").stdout()).endsWith("refused\n");
            assertThat(sh(s, "chown 0 /tests 2>&1 || echo refused").stdout()).endsWith("refused\n");
            assertThat(sh(s, "chmod 777 /tests 2>&1 || echo refused").stdout()).endsWith("refused\n");
            assertThat(sh(s, "rmdir /tests 2>&1 || echo refused").stdout()).endsWith("refused\n");
            s.enterPhase(dev.ale.core.passport.Phase.VERIFY);
            ExecResult verify = sh(s, "stat -c %u /tests && echo real > /tests/test.sh && cat /tests/test.sh");
            assertThat(verify.stdout()).as(verify.stderr()).isEqualTo("0\nreal\n");
            // leaving the phase takes it back, emptied
            s.enterPhase(dev.ale.core.passport.Phase.AGENT);
            assertThat(sh(s, "stat -c %u /tests; ls -A /tests | head -1").stdout()).isEqualTo("65534\n");
        }
    }

    @Test
    void anImagesUserByNameUidOrUidAndGroupRunsAsThoseIdsWithNoCapabilities() {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("svc", "1234 2345");
        expected.put("1234", "1234 2345"); // a uid with an account takes its group
        expected.put("4321", "4321 0"); // one without, group 0, as Docker runs it
        expected.put("1234:1234", "1234 1234");
        expected.put("svc:staff", "1234 50");
        expected.put("nobody", "65534 65534");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            try (Sandbox s = backend.create(SandboxRequest.of(passport(imageAs(e.getKey()))))) {
                ExecResult r = sh(s, "echo $(id -u) $(id -g); grep CapEff /proc/self/status | cut -f2; cat /proc/self/uid_map | wc -l");
                assertThat(r.stdout()).as("USER " + e.getKey() + ": " + r.stderr()).isEqualTo(e.getValue() + "\n0000000000000000\n1\n");
            }
        }
    }

    @Test
    void anImagesUserGetsItsPasswdHomeAndNoVariableOfTheAgentsAccountAsDockerSetsNone() {
        Map<String, String> homes = new LinkedHashMap<>();
        homes.put(rootImage, "/root"); // no USER: root's entry
        homes.put(userImage, "/opt/app"); // USER 1000: app's entry
        homes.put(imageAs("svc"), "/opt/svc");
        homes.put(imageAs("1234:1234"), "/opt/svc"); // a uid:gid still takes HOME from the uid's entry
        homes.put(imageAs("4321"), "/"); // a uid without an account
        homes.put(registry.host() + "/test/user:home-set", "/data"); // the image's own HOME wins
        homes.put(registry.host() + "/test/user:home-empty", "/opt/svc"); // an empty one is none, as runc reads it
        for (Map.Entry<String, String> e : homes.entrySet()) {
            try (Sandbox s = backend.create(SandboxRequest.of(passport(e.getKey())))) {
                ExecResult r = sh(s, "echo \"$HOME|${USER-none}|${LOGNAME-none}|${SHELL-none}\"");
                assertThat(r.stdout()).as(e.getKey() + ": " + r.stderr()).isEqualTo(e.getValue() + "|none|none|none\n");
                // the caller's own variables still go on top
                ExecResult own = s.exec(ExecRequest.of("/bin/sh", "-c", "echo $HOME $USER").withEnv(Map.of("HOME", "/tmp", "USER", "me")));
                assertThat(own.stdout()).isEqualTo("/tmp me\n");
            }
        }
    }

    @Test
    void anImagesUserHasTheSupplementaryGroupsItsGroupFileGivesItAndCannotTakeOthers() throws IOException {
        Map<String, String> expected = new LinkedHashMap<>();
        // the primary group, then staff and ops, which list svc; not "look", which lists only names like it
        expected.put("svc", "2345 50 60|ops only");
        expected.put("1234", "2345 50 60|ops only"); // a uid with an account is that account
        expected.put("svc:staff", "50|refused"); // a named group: that group alone, as runc gives it
        expected.put("1234:1234", "1234|refused");
        expected.put("4321", "0|refused"); // no account: group 0 alone
        expected.put("nobody", "65534|refused");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            try (Sandbox s = backend.create(SandboxRequest.of(passport(imageAs(e.getKey()))))) {
                ExecResult r = sh(s, "echo \"$(id -G)|$(cat /opt/ops.txt 2>/dev/null || echo refused)\";"
                        + " /usr/bin/setpriv --groups=0 id -G 2>/dev/null || echo cannot; grep CapEff /proc/self/status | cut -f2");
                assertThat(r.stdout()).as("USER " + e.getKey() + ": " + r.stderr())
                        .isEqualTo(e.getValue() + "\ncannot\n0000000000000000\n");
            }
        }
        // on the host the groups are gids of the sandbox's own range: its resident init (the user, as every process) shows them
        try (Sandbox s = backend.create(SandboxRequest.of(passport(imageAs("svc"))))) {
            long first = range(s)[0];
            assertThat(hostGroupsOfUid(first + 1234)).containsExactlyInAnyOrder(first + 50, first + 60, first + 2345);
            // and the user's namespace forbids nested ones as root's does
            assertThat(sh(s, "cat /proc/sys/user/max_user_namespaces; unshare -U true 2>/dev/null || echo refused").stdout()).isEqualTo("0\nrefused\n");
        }
    }

    /** The supplementary groups, as the host sees them, of the processes whose real uid is {@code uid} (all of them alike). */
    static List<Long> hostGroupsOfUid(long uid) throws IOException {
        List<List<Long>> seen = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList()) {
                List<String> status;
                try {
                    status = Files.readAllLines(p.resolve("status"));
                } catch (IOException gone) {
                    continue;
                }
                String uids = status.stream().filter(l -> l.startsWith("Uid:")).findFirst().orElse("");
                if (!uids.split("\\s+")[1].equals(String.valueOf(uid))) continue;
                String groups = status.stream().filter(l -> l.startsWith("Groups:")).findFirst().orElse("Groups:").substring(7).strip();
                seen.add(groups.isEmpty() ? List.of() : Arrays.stream(groups.split("\\s+")).map(Long::parseLong).toList());
            }
        }
        assertThat(seen).as("processes of host uid " + uid).isNotEmpty();
        assertThat(seen).as("every process of host uid " + uid + " has the same groups").allMatch(g -> g.equals(seen.getFirst()));
        return seen.getFirst();
    }

    @Test
    void aUserWritesItsOwnFilesAndTheWorkspaceButNotRootsAndTheVerifierRunsAsIt() throws IOException {
        try (Sandbox s = backend.create(SandboxRequest.of(passport(imageAs("svc"))))) {
            long first = range(s)[0];
            ExecResult r = sh(s, "touch /opt/svc/mine && stat -c '%u %g' /opt/svc/mine; echo w > /workspace/w && stat -c %u /workspace;"
                    + " echo x > /opt/app/main.txt 2>/dev/null || echo refused; mkdir /new 2>/dev/null || echo refused");
            assertThat(r.stdout()).as(r.stderr()).isEqualTo("1234 2345\n1234\nrefused\nrefused\n");
            Path upper = data.resolve("sandboxes").resolve(s.id()).resolve("fs/upper");
            assertThat(Files.getAttribute(upper.resolve("opt/svc/mine"), "unix:uid")).isEqualTo((int) first + 1234);
            assertThat(Files.getAttribute(upper.resolve("opt/svc/mine"), "unix:gid")).isEqualTo((int) first + 2345);
            // the workspace is the user's, on the host too
            assertThat(Files.getAttribute(data.resolve("sandboxes").resolve(s.id()).resolve("fs/workspace"), "unix:uid")).isEqualTo((int) first + 1234);
            // the verifier's /tests is the user's in the verify phase only
            assertThat(sh(s, "touch /tests/t 2>/dev/null || echo refused").stdout()).isEqualTo("refused\n");
            s.enterPhase(dev.ale.core.passport.Phase.VERIFY);
            assertThat(sh(s, "touch /tests/t && stat -c '%u %g' /tests/t").stdout()).isEqualTo("1234 2345\n");
        }
    }

    @Test
    void aUserTheImageCannotRunAsIsRefusedNamingTheImageAndLeavesNothingBehind() throws IOException {
        assertThat(backend.list()).isEmpty();
        assertThat(backend.awaitWarm(Duration.ofMinutes(2))).as("an earlier test's teardown settled").isTrue();
        List<String> rangesBefore = ranges();
        // the warm pool's blanks (of host root, and of the images earlier tests used) are all there is now
        List<String> mountsBefore = ImageSandboxTest.mountsUnder(data.resolve("sandboxes"));
        Map<String, String> refused = Map.of(
                "ghost", "USER ghost: no user \"ghost\" in the image's /etc/passwd",
                "svc:wheel", "USER svc:wheel: no group \"wheel\" in the image's /etc/group",
                "70000", "USER 70000: id 70000 is outside the 65536 ids a sandbox maps (0..65535)");
        for (Map.Entry<String, String> e : refused.entrySet()) {
            assertThatThrownBy(() -> backend.create(SandboxRequest.of(passport(imageAs(e.getKey())))))
                    .isInstanceOf(dev.ale.core.sandbox.SandboxException.class)
                    .hasMessageContaining("image " + imageAs(e.getKey()) + ": " + e.getValue())
                    .satisfies(t -> assertThat(((dev.ale.core.sandbox.SandboxException) t).fault()).isEqualTo(dev.ale.core.AleException.Fault.INPUT));
        }
        assertThat(backend.list()).isEmpty();
        assertThat(backend.awaitWarm(Duration.ofMinutes(2))).isTrue();
        assertThat(ranges()).isEqualTo(rangesBefore);
        // no overlay root, idmapped layer or user namespace of a refused sandbox: the mounts are the pool's blanks', as before
        assertThat(ImageSandboxTest.mountsUnder(data.resolve("sandboxes"))).containsExactlyInAnyOrderElementsOf(mountsBefore);
    }

    /** The id ranges claimed now. */
    static List<String> ranges() throws IOException {
        try (Stream<Path> s = Files.list(data.resolve("uids"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("range-")).sorted().toList();
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
