package dev.ale.image;

import dev.ale.containment.GuardedBackend;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.host.HostTools;
import dev.ale.core.passport.ByteSize;
import dev.ale.core.passport.Passport;
import dev.ale.core.passport.Resources;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.GarbageReport;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxBackend;
import dev.ale.core.sandbox.SandboxInfo;
import dev.ale.core.sandbox.SandboxRequest;
import dev.ale.gateway.HostResolver;
import dev.ale.image.build.BuildProgress;
import dev.ale.image.build.BuildResult;
import dev.ale.image.build.DockerfileException;
import dev.ale.image.build.ImageBuilder;
import dev.ale.image.registry.RegistryClient;
import dev.ale.monitor.audit.AuditLog;
import dev.ale.monitor.audit.AuditQuery;
import dev.ale.monitor.audit.AuditRecord;
import dev.ale.sandbox.local.LocalSandboxBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import java.util.Comparator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Dockerfile builds with real parts: a base image pushed to the loopback registry, every RUN in a
 * real bubblewrap sandbox behind the gateway and monitor (the guarded backend, as the CLI wires
 * it), real overlay upper layers turned into layers of the store.
 */
@Tag("root")
class ImageBuildTest {

    @RegisterExtension
    static final LoopbackRegistry registry = new LoopbackRegistry();

    static final Resources SMALL = new Resources(1.0, ByteSize.parse("256MiB"), 128, Duration.ofMinutes(2), ByteSize.parse("64MiB"));

    static Path data;
    static ImageStore store;
    static GuardedBackend guarded;
    static Counting counting;
    static String base;
    static final List<SafetyEvent> events = Collections.synchronizedList(new ArrayList<>());

    /** Counts the sandboxes a build asks for; everything else goes to the guarded backend. */
    static final class Counting implements SandboxBackend {
        final AtomicInteger creates = new AtomicInteger();
        final List<String> ids = Collections.synchronizedList(new ArrayList<>());

        @Override
        public String name() {
            return guarded.name();
        }

        @Override
        public Sandbox create(SandboxRequest request) {
            creates.incrementAndGet();
            Sandbox s = guarded.create(request);
            ids.add(s.id());
            return s;
        }

        @Override
        public Optional<Sandbox> find(String id) {
            return guarded.find(id);
        }

        @Override
        public List<SandboxInfo> list() {
            return guarded.list();
        }

        @Override
        public void remove(String id) {
            guarded.remove(id);
        }

        @Override
        public GarbageReport collectGarbage() {
            return guarded.collectGarbage();
        }

        @Override
        public void close() {
        }
    }

    @BeforeAll
    static void open() throws Exception {
        assumeTrue(HostTools.isRoot(), "the local backend needs root");
        data = Files.createTempDirectory(Path.of("/tmp"), "ale-imgbuild");
        Files.setPosixFilePermissions(data, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        store = new ImageStore(data, RegistryClient.Settings.defaults());
        byte[] busybox = Files.readAllBytes(Path.of("/bin/busybox"));
        TarBuilder tools = new TarBuilder().dir("bin/", 0755);
        for (String t : new String[] {"nc", "mkdir", "rm", "sleep", "grep"}) tools.symlink("bin/" + t, "busybox");
        registry.pushImage("test/buildbase", "1", "amd64", List.of(TestImages.busyboxRoot("build-base"),
                tools.dir("data/", 0777).file("data/old", 0666, "base\n").file("bin/busybox", 0755, busybox).tar()),
                TestImages.config("FROM_BASE=yes", "/"));
        base = registry.host() + "/test/buildbase:1";
        // RUN steps made cold: these tests assert no mount is left under the sandboxes once a build ends, and a warm pool
        // keeps blanks of a base image that two builds ran on (ImageWarmPoolTest is the pooled path)
        LocalSandboxBackend.Config config = LocalSandboxBackend.Config.defaults().withDataDir(data).withImages(store).withWarmPool(0);
        guarded = GuardedBackend.open(data.resolve("audit.db"), HostResolver.system(),
                network -> new LocalSandboxBackend(config.withNetwork(network)));
        guarded.listen(events::add);
        counting = new Counting();
    }

    @AfterAll
    static void close() throws IOException {
        if (guarded != null) guarded.close();
        if (data != null) {
            assertThat(ImageSandboxTest.mountsUnder(data)).isEmpty();
            try (Stream<Path> w = Files.walk(data)) {
                for (Path p : w.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    static Passport passport() {
        return Passport.defaults().withResources(SMALL);
    }

    static BuildResult build(Path context, String dockerfile, String tag) throws IOException {
        return build(context, dockerfile, tag, new ArrayList<>());
    }

    static BuildResult build(Path context, String dockerfile, String tag, List<String> printed) throws IOException {
        Files.writeString(context.resolve("Dockerfile"), dockerfile);
        ImageBuilder b = new ImageBuilder(store, counting);
        return b.build(new ImageBuilder.Request(context, context.resolve("Dockerfile"), tag.isEmpty() ? List.of() : List.of(tag), Map.of(),
                passport(), Duration.ofSeconds(60)), new BuildProgress() {
                    @Override
                    public void step(int step, int steps, String where, List<String> lines) {
                        printed.addAll(lines);
                    }

                    @Override
                    public void cached() {
                        printed.add("(cached)");
                    }

                    @Override
                    public void note(String text) {
                    }

                    @Override
                    public void output(byte[] bytes, int length) {
                        printed.add("out: " + new String(bytes, 0, length, java.nio.charset.StandardCharsets.UTF_8));
                    }
                });
    }

    static ExecResult runIn(String image, String script) {
        Passport p = passport().withFilesystem(passport().filesystem().withImage(image));
        try (Sandbox s = guarded.create(SandboxRequest.of(p))) {
            return s.exec(ExecRequest.of("/bin/sh", "-c", script));
        }
    }

    /** What the store holds: image ids and layer directories, to show a refused build added nothing. */
    static List<String> storeContents() throws IOException {
        List<String> out = new ArrayList<>();
        for (String d : List.of("records", "layers")) {
            try (Stream<Path> s = Files.list(data.resolve("images").resolve(d))) {
                s.map(p -> d + "/" + p.getFileName()).sorted().forEach(out::add);
            }
        }
        return out;
    }

    @Test
    void runCopyWorkdirAndEnvBuildAnImageWhoseDeletionsAreWhiteouts(@TempDir Path ctx) throws Exception {
        Files.createDirectories(ctx.resolve("files"));
        Files.writeString(ctx.resolve("files/hello.txt"), "hello from the context\n");
        Files.writeString(ctx.resolve("run.sh"), "#!/bin/sh\necho run\n");
        List<String> printed = new ArrayList<>();
        BuildResult r = build(ctx, """
                FROM %s
                ENV GREETING=hello \\
                    OTHER="two words"
                WORKDIR /opt/app
                COPY files/ ./
                COPY --chmod=0755 run.sh /usr/local/bin/run.sh
                RUN echo "$GREETING from run" > /data/made && rm /data/old \\
                    && mkdir /data/dir && echo x > /data/dir/f
                CMD ["run.sh"]
                """.formatted(base), "built:1", printed);

        // continuation lines are printed as written
        assertThat(printed).contains("ENV GREETING=hello \\", "    OTHER=\"two words\"", "    && mkdir /data/dir && echo x > /data/dir/f");
        assertThat(r.sandboxes()).isEqualTo(1);
        StoredImage img = r.image();
        assertThat(img.names()).anyMatch(n -> n.endsWith("/built:1"));
        assertThat(img.env()).contains("GREETING=hello", "OTHER=two words", "FROM_BASE=yes");
        assertThat(img.workingDir()).contains("/opt/app");

        ExecResult in = runIn("built:1", "cat /data/made /opt/app/hello.txt /data/dir/f; test -e /data/old || echo old-gone; pwd;"
                + " stat -c %a /usr/local/bin/run.sh; test -e /etc/hosts.wh || echo clean");
        assertThat(in.exitCode()).as(in.stderr()).isZero();
        assertThat(in.stdout()).isEqualTo("hello from run\nhello from the context\nx\nold-gone\n/opt/app\n755\nclean\n");

        // the RUN's layer: the deletion is an overlayfs whiteout, the new files are root's (not the sandbox's uid)
        Path runLayer = store.resolve("built:1").layers().getLast();
        Map<String, Object> wh = Files.readAttributes(runLayer.resolve("data/old"), "unix:mode,rdev", LinkOption.NOFOLLOW_LINKS);
        assertThat((Integer) wh.get("mode") & 0170000).isEqualTo(0020000);
        assertThat(wh.get("rdev")).isEqualTo(0L);
        assertThat(Files.getAttribute(runLayer.resolve("data/made"), "unix:uid")).isEqualTo(0);
        assertThat(Files.getAttribute(runLayer.resolve("data/dir"), "unix:uid")).isEqualTo(0);
        // the step's layer holds its work and nothing of the sandbox's making (mount points, ALE's /etc files)
        try (Stream<Path> top = Files.list(runLayer)) {
            assertThat(top.map(p -> p.getFileName().toString())).containsExactly("data");
        }
        try (Stream<Path> d = Files.list(runLayer.resolve("data"))) {
            assertThat(d.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("made", "old", "dir");
        }
        // ALE's own bind targets (identity, names) are not part of the step's work
        for (String f : List.of("etc/passwd", "etc/group", "etc/hosts", "etc/resolv.conf")) {
            assertThat(runLayer.resolve(f)).doesNotExist();
        }
        // no build sandbox is left, nor the step's intermediate image
        assertThat(guarded.list()).isEmpty();
        assertThat(store.list()).noneMatch(i -> i.names().isEmpty() && i.source().startsWith("build step"));
    }

    @Test
    void aRunMakesNewTopLevelDirectoriesAndTheLayerHoldsThemAndNoMountPointOfTheSandbox(@TempDir Path ctx) throws Exception {
        BuildResult r = build(ctx, """
                FROM %s
                RUN mkdir /srv2 && echo made > /srv2/f && mkdir -p /opt2/deep/er && echo deep > /opt2/deep/er/g && touch /top-file
                """.formatted(base), "toplevel:1");
        assertThat(r.sandboxes()).isEqualTo(1);
        // the step's layer: exactly the new top-level entries, root's, and none of the mount points ALE binds (/proc, /tmp, /tests…)
        Path runLayer = store.resolve("toplevel:1").layers().getLast();
        try (Stream<Path> top = Files.list(runLayer)) {
            assertThat(top.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("srv2", "opt2", "top-file");
        }
        assertThat(runLayer.resolve("opt2/deep/er/g")).hasContent("deep");
        assertThat(Files.getAttribute(runLayer.resolve("srv2"), "unix:uid")).isEqualTo(0);
        // a sandbox of the built image has them, and makes its own beside them
        ExecResult in = runIn("toplevel:1", "cat /srv2/f /opt2/deep/er/g; mkdir /mine && echo ok > /mine/x && cat /mine/x");
        assertThat(in.exitCode()).as(in.stderr()).isZero();
        assertThat(in.stdout()).isEqualTo("made\ndeep\nok\n");
        // the base it came from has none of them
        assertThat(runIn(base, "ls -d /srv2 /opt2 /mine 2>/dev/null; echo end").stdout()).isEqualTo("end\n");
    }

    /** A base with real accounts and shadow's useradd, as a Debian image has them. */
    static String accountsBase() throws Exception {
        TarBuilder accounts = new TarBuilder().dir("bin/", 0755).symlink("bin/chown", "busybox").symlink("bin/su", "busybox")
                .symlink("bin/grep", "busybox").dir("etc/", 0755).dir("etc/default/", 0755)
                .file("etc/passwd", 0644, "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n")
                .file("etc/group", 0644, "root:x:0:\nnogroup:x:65534:\n")
                .file("etc/login.defs", 0644, Files.readString(Path.of("/etc/login.defs")))
                .file("etc/default/useradd", 0644, "SHELL=/bin/sh\n");
        registry.pushImage("test/accounts", "1", "amd64", List.of(TestImages.busyboxRoot("accounts"), accounts.tar(),
                TestImages.hostPrograms("/usr/sbin/useradd")), TestImages.config("PATH=/bin:/usr/sbin", "/"));
        return registry.host() + "/test/accounts:1";
    }

    @Test
    void runStepsAfterUserRunAsThatUsersIdsAndSoDoTheImagesSandboxes(@TempDir Path ctx) throws Exception {
        BuildResult r = build(ctx, """
                FROM %s
                RUN useradd -u 1001 -s /bin/sh app && mkdir -p /home/app && chown app:app /home/app
                USER app
                RUN echo $(id -u) $(id -g) > /home/app/id && (touch /etc/nope 2>/dev/null || echo refused >> /home/app/id)
                USER 1234:1234
                RUN echo $(id -u) $(id -g) > /tmp/ids && cat /tmp/ids
                USER app
                """.formatted(accountsBase()), "users:1");
        assertThat(r.sandboxes()).isEqualTo(3);
        Path appLayer = store.resolve("users:1").layers().getLast();
        assertThat(appLayer.resolve("home/app/id")).hasContent("1001 1001\nrefused\n");
        assertThat(Files.getAttribute(appLayer.resolve("home/app/id"), "unix:uid")).isEqualTo(1001);
        ExecResult in = runIn("users:1", "echo $(id -u) $(id -g); cat /home/app/id");
        assertThat(in.stdout()).as(in.stderr()).isEqualTo("1001 1001\n1001 1001\nrefused\n");
    }

    @Test
    void aRunAsAUserTheImageDoesNotHaveIsRefusedNamingTheRunAndTheUserLine(@TempDir Path ctx) throws Exception {
        build(ctx, "FROM " + base + "\n", ""); // the base is pulled; what follows must add nothing
        List<String> storeBefore = storeContents();
        assertThatThrownBy(() -> build(ctx, "FROM " + base + "\nUSER ghost\nRUN true\n", "ghost:1"))
                .isInstanceOf(DockerfileException.class)
                .hasMessageStartingWith(ctx.resolve("Dockerfile") + ":3: RUN cannot start as USER ghost (set at " + ctx.resolve("Dockerfile") + ":2): ")
                .hasMessageEndingWith("USER ghost: no user \"ghost\" in the image's /etc/passwd");
        assertThat(storeContents()).isEqualTo(storeBefore);
        assertThat(guarded.list()).isEmpty();
        assertThat(store.find("ghost:1")).isEmpty();
    }

    @Test
    void aRunAsRootAddsAUserWithUseraddAndChownsToItAndTheLayerKeepsTheUsersIds(@TempDir Path ctx) throws Exception {
        String accountsBase = accountsBase();
        BuildResult r = build(ctx, """
                FROM %s
                RUN useradd -u 1001 -s /bin/sh app && mkdir -p /work/app && chown app:app /work/app \\
                    && su -s /bin/sh app -c 'echo mine > /work/app/mine'
                """.formatted(accountsBase), "accounts:1");
        assertThat(r.sandboxes()).isEqualTo(1);

        // the step's layer: the new account, and the files with the ids they have inside (not the build sandbox's host ids)
        Path runLayer = store.resolve("accounts:1").layers().getLast();
        assertThat(Files.readString(runLayer.resolve("etc/passwd"))).contains("app:!:1001:1001::");
        assertThat(Files.readString(runLayer.resolve("etc/group"))).contains("app:!:1001:");
        for (String f : List.of("work/app", "work/app/mine")) {
            assertThat(Files.getAttribute(runLayer.resolve(f), "unix:uid", LinkOption.NOFOLLOW_LINKS)).as(f).isEqualTo(1001);
            assertThat(Files.getAttribute(runLayer.resolve(f), "unix:gid", LinkOption.NOFOLLOW_LINKS)).as(f).isEqualTo(1001);
        }
        assertThat(Files.getAttribute(runLayer.resolve("work"), "unix:uid")).isEqualTo(0);
        // a sandbox of the built image knows the user, and the user its files
        ExecResult in = runIn("accounts:1", "stat -c '%U %u' /work/app/mine; su -s /bin/sh app -c 'cat /work/app/mine; id -u; touch /work/app/more'"
                + " && echo done");
        assertThat(in.exitCode()).as(in.stderr()).isZero();
        assertThat(in.stdout()).isEqualTo("app 1001\nmine\n1001\ndone\n");
    }

    @Test
    void aSecondBuildOfAnUnchangedDockerfileMakesNoSandboxAndAChangedFileRerunsFromThatStep(@TempDir Path ctx) throws Exception {
        Files.writeString(ctx.resolve("input.txt"), "one\n");
        String df = """
                FROM %s
                COPY input.txt /data/input.txt
                RUN cat /data/input.txt > /data/copy && echo ran >> /data/copy
                """.formatted(base);
        BuildResult first = build(ctx, df, "cached:1");
        assertThat(first.sandboxes()).isEqualTo(1);
        int before = counting.creates.get();
        List<String> printed = new ArrayList<>();
        BuildResult second = build(ctx, df, "cached:1", printed);
        assertThat(counting.creates.get() - before).isZero();
        assertThat(second.sandboxes()).isZero();
        assertThat(second.cached()).isEqualTo(2);
        assertThat(second.steps()).isZero();
        assertThat(second.image().id()).isEqualTo(first.image().id());
        assertThat(printed).filteredOn("(cached)"::equals).hasSize(2);

        Files.writeString(ctx.resolve("input.txt"), "two\n");
        BuildResult third = build(ctx, df, "cached:1");
        assertThat(third.sandboxes()).isEqualTo(1);
        assertThat(third.image().id()).isNotEqualTo(first.image().id());
        assertThat(runIn("cached:1", "cat /data/copy").stdout()).isEqualTo("two\nran\n");
    }

    @Test
    void aMultiStageBuildCopiesFromAnEarlierStageByNameAndIndex(@TempDir Path ctx) throws Exception {
        BuildResult r = build(ctx, """
                ARG SUFFIX=one
                FROM %s AS builder
                ARG SUFFIX
                RUN mkdir -p /data/out && echo "built-$SUFFIX" > /data/out/artifact
                FROM %s
                COPY --from=builder /data/out/artifact /artifact
                COPY --from=0 /data/out /copied/
                """.formatted(base, base), "multi:1");
        assertThat(r.sandboxes()).isEqualTo(1);
        ExecResult in = runIn("multi:1", "cat /artifact /copied/artifact; test -e /data/out || echo not-in-final");
        assertThat(in.stdout()).isEqualTo("built-one\nbuilt-one\nnot-in-final\n");
    }

    @Test
    void anUnknownInstructionIsRefusedWithFileAndLineAndLeavesNothingBehind(@TempDir Path ctx) throws Exception {
        List<String> storeBefore = storeContents();
        int creates = counting.creates.get();
        assertThatThrownBy(() -> build(ctx, "FROM " + base + "\nRUN touch /data/x\nFROBNICATE now\n", "never:1"))
                .isInstanceOf(DockerfileException.class)
                .hasMessage(ctx.resolve("Dockerfile") + ":3: unknown instruction FROBNICATE");
        assertThat(counting.creates.get()).isEqualTo(creates);
        assertThat(storeContents()).isEqualTo(storeBefore);
    }

    @Test
    void addOfAUrlIsRefusedBeforeAnythingRuns(@TempDir Path ctx) throws Exception {
        int creates = counting.creates.get();
        assertThatThrownBy(() -> build(ctx, "FROM " + base + "\nRUN true\nADD http://203.0.113.5/x.tar /x\n", "never:2"))
                .hasMessageStartingWith(ctx.resolve("Dockerfile") + ":3: ADD: ADD of a URL or git repository (http://203.0.113.5/x.tar) is refused");
        assertThat(counting.creates.get()).isEqualTo(creates);
    }

    @Test
    void aFailingRunReportsItsExitCodeAndOutputTailAndLeavesNoLayer(@TempDir Path ctx) throws Exception {
        build(ctx, "FROM " + base + "\n", ""); // the base is pulled; what follows must add nothing
        List<String> storeBefore = storeContents();
        assertThatThrownBy(() -> build(ctx, "FROM " + base + "\nRUN echo some-output; echo big > /data/partial; echo to-stderr >&2; exit 3\n", "fails:1"))
                .isInstanceOf(DockerfileException.class)
                .hasMessageContaining("Dockerfile:2: RUN failed with exit code 3")
                .hasMessageContaining("some-output")
                .hasMessageContaining("to-stderr");
        assertThat(storeContents()).isEqualTo(storeBefore);
        assertThat(guarded.list()).isEmpty();
        assertThat(ImageSandboxTest.mountsUnder(data.resolve("sandboxes"))).isEmpty();
        assertThat(store.find("fails:1")).isEmpty();
    }

    @Test
    void aRunThatDialsOutsideTheSetupAllowlistIsSeenByTheGatewayAndAudited(@TempDir Path ctx) throws Exception {
        int creates = counting.creates.get();
        // 203.0.113.0/24 is only reachable here inside the test JVM's own network namespace: it lands at the gateway's sink
        List<String> printed = new ArrayList<>();
        build(ctx, "FROM " + base + "\nRUN echo hi | nc -w 3 203.0.113.7 80; echo dialed\n", "dials:1", printed);
        assertThat(counting.creates.get()).isEqualTo(creates + 1);
        assertThat(String.join("", printed)).as("the step's output").contains("dialed");
        String sandbox = counting.ids.getLast();
        assertThat(events).as(String.join("", printed)).anyMatch(e -> e.sandbox().equals(sandbox) && e.rule().startsWith("egress-denied"));
        try (AuditLog audit = AuditLog.openExisting(guarded.auditFile())) {
            List<AuditRecord> records = audit.query(AuditQuery.all());
            assertThat(records).anyMatch(a -> a.sandbox().equals(sandbox) && a.rule().orElse("").startsWith("egress-denied")
                    && a.payload().contains("203.0.113.7"));
        }
    }

    @Test
    void copyHonoursChownAndChmodAndRefusesWhatLeavesTheContextOrWouldUnpack(@TempDir Path ctx) throws Exception {
        Path inner = Files.createDirectories(ctx.resolve("inner"));
        Files.writeString(inner.resolve("tool"), "#!/bin/sh\n");
        BuildResult r = build(inner, "FROM " + base + "\nCOPY --chown=1234:5678 --chmod=0700 tool /opt/tool\n"
                + "ENTRYPOINT [\"/opt/tool\"]\n", "owned:1");
        Path layer = store.resolve("owned:1").layers().getLast();
        assertThat(Files.getAttribute(layer.resolve("opt/tool"), "unix:uid")).isEqualTo(1234);
        assertThat(Files.getAttribute(layer.resolve("opt/tool"), "unix:gid")).isEqualTo(5678);
        assertThat(Files.getPosixFilePermissions(layer.resolve("opt/tool"))).hasSize(3); // rwx------
        // the parent the image lacked is made root's 0755
        assertThat(Files.getAttribute(layer.resolve("opt"), "unix:uid")).isEqualTo(0);
        assertThat(r.sandboxes()).isZero();

        Files.writeString(ctx.resolve("secret"), "outside\n");
        Files.createSymbolicLink(inner.resolve("link"), Path.of("../secret"));
        int creates = counting.creates.get();
        assertThatThrownBy(() -> build(inner, "FROM " + base + "\nCOPY ../secret /s\n", "never:3"))
                .hasMessageContaining("Dockerfile:2: COPY: ../secret is outside the build context");
        assertThatThrownBy(() -> build(inner, "FROM " + base + "\nCOPY link /s\n", "never:3"))
                .hasMessageContaining("Dockerfile:2: COPY: link leads outside the build context");
        // a benign look-alike: a link that stays inside is followed
        Files.createSymbolicLink(inner.resolve("inside"), Path.of("tool"));
        assertThat(build(inner, "FROM " + base + "\nCOPY inside /s\n", "inside:1").image().layers()).isEqualTo(3);

        try (var gz = new java.util.zip.GZIPOutputStream(Files.newOutputStream(inner.resolve("bundle.tar.gz")))) {
            gz.write(new TarBuilder().file("a", 0644, "a").tar());
        }
        assertThatThrownBy(() -> build(inner, "FROM " + base + "\nADD bundle.tar.gz /opt/\n", "never:3"))
                .hasMessageContaining("Dockerfile:2: ADD: bundle.tar.gz is an archive, which ADD would unpack");
        assertThat(build(inner, "FROM " + base + "\nADD tool /opt/added\n", "added:1").image().layers()).isEqualTo(3);
        assertThat(counting.creates.get()).isEqualTo(creates);
        assertThat(store.find("never:3")).isEmpty();
    }

    @Test
    void copyChownNamesAreTheAccountsOfTheImageBeingBuiltReadAsBuildKitReadsThem(@TempDir Path ctx) throws Exception {
        // app's primary group (1002) is not its uid, nor the group named app (1003): each rule below shows which it took
        registry.pushImage("test/named", "1", "amd64", List.of(TestImages.busyboxRoot("named"), new TarBuilder().dir("etc/", 0755)
                .file("etc/passwd", 0644, "root:x:0:0:root:/root:/bin/sh\napp:x:1001:1002::/home/app:/bin/sh\napplication:x:1500:1500::/:/bin/sh\n")
                .file("etc/group", 0644, "root:x:0:\nappgrp:x:1002:\napp:x:1003:\nstaff:x:50:app\n").tar()), TestImages.config("A=1", "/"));
        String named = registry.host() + "/test/named:1";
        Files.writeString(ctx.resolve("f"), "x\n");
        // an account the build itself adds (here by COPY, as a RUN of useradd would) is known to the steps after it
        Files.writeString(ctx.resolve("passwd"), "root:x:0:0:root:/root:/bin/sh\nlate:x:2001:2002::/:/bin/sh\n");
        Map<String, String> owners = new LinkedHashMap<>();
        owners.put("app", "1001:1002"); // a name: its passwd entry's uid and primary group
        owners.put("app:app", "1001:1003");
        owners.put("app:staff", "1001:50");
        owners.put("1234", "1234:1234"); // a uid alone is also the gid
        owners.put("1001:50", "1001:50");
        owners.put("app:0", "1001:0");
        owners.put("root", "0:0");
        owners.put("root:root", "0:0");
        StringBuilder df = new StringBuilder("FROM " + named + "\n");
        int i = 0;
        for (String chown : owners.keySet()) df.append("COPY --chown=").append(chown).append(" f /o/").append(i++).append('\n');
        df.append("COPY passwd /etc/passwd\nCOPY --chown=late f /o/late\n");
        int creates = counting.creates.get();
        BuildResult r = build(ctx, df.toString(), "named-owners:1");
        assertThat(r.sandboxes()).isZero();
        assertThat(counting.creates.get()).isEqualTo(creates);
        List<Path> layers = store.resolve("named-owners:1").layers();
        i = 0;
        for (Map.Entry<String, String> e : owners.entrySet()) {
            Path file = layers.get(2 + i).resolve("o/" + i++);
            assertThat(Files.getAttribute(file, "unix:uid") + ":" + Files.getAttribute(file, "unix:gid")).as("--chown=" + e.getKey())
                    .isEqualTo(e.getValue());
        }
        Path late = layers.getLast().resolve("o/late");
        assertThat(Files.getAttribute(late, "unix:uid") + ":" + Files.getAttribute(late, "unix:gid")).isEqualTo("2001:2002");

        // names the image does not have, ids a sandbox does not map and malformed specs: refused naming the line, nothing built
        build(ctx, "FROM " + base + "\n", ""); // both bases are pulled; what follows must add nothing
        List<String> storeBefore = storeContents();
        Path dockerfile = ctx.resolve("Dockerfile");
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("ghost", "no user \"ghost\" in the image's /etc/passwd");
        refused.put("ap", "no user \"ap\" in the image's /etc/passwd"); // a prefix of app (and of application) is no name
        refused.put("app:wheel", "no group \"wheel\" in the image's /etc/group");
        refused.put("app:appgr", "no group \"appgr\" in the image's /etc/group");
        refused.put("70000", "id 70000 is outside the ids an image sandbox maps (0..65535)");
        refused.put("app:65536", "id 65536 is outside the ids an image sandbox maps (0..65535)");
        refused.put(":50", "say user, uid, user:group or uid:gid");
        refused.put("app:", "say user, uid, user:group or uid:gid");
        for (Map.Entry<String, String> e : refused.entrySet()) {
            assertThatThrownBy(() -> build(ctx, "FROM " + named + "\nCOPY --chown=" + e.getKey() + " f /o\n", "never:4"))
                    .isInstanceOf(DockerfileException.class)
                    .hasMessage(dockerfile + ":2: COPY: --chown=" + e.getKey() + ": " + e.getValue());
        }
        // an image without accounts: names are refused saying so, ids and root need none
        assertThatThrownBy(() -> build(ctx, "FROM " + base + "\nCOPY --chown=app f /o\n", "never:4"))
                .hasMessage(dockerfile + ":2: COPY: --chown=app: no user \"app\" in the image's /etc/passwd (the image being built has none)");
        assertThatThrownBy(() -> build(ctx, "FROM " + base + "\nCOPY --chown=0:staff f /o\n", "never:4"))
                .hasMessage(dockerfile + ":2: COPY: --chown=0:staff: no group \"staff\" in the image's /etc/group (the image being built has none)");
        assertThat(storeContents()).isEqualTo(storeBefore);
        assertThat(store.find("never:4")).isEmpty();
        BuildResult plain = build(ctx, "FROM " + base + "\nCOPY --chown=root:root f /a\nCOPY --chown=7:8 f /b\n", "plain-owners:1");
        Path b = store.resolve("plain-owners:1").layers().getLast().resolve("b");
        assertThat(Files.getAttribute(b, "unix:uid") + ":" + Files.getAttribute(b, "unix:gid")).isEqualTo("7:8");
        assertThat(plain.sandboxes()).isZero();
    }

    @Test
    void theContextsDockerignoreLeavesFilesOutOfCopy(@TempDir Path ctx) throws Exception {
        Files.createDirectories(ctx.resolve("app/cache"));
        Files.writeString(ctx.resolve("app/main.sh"), "main\n");
        Files.writeString(ctx.resolve("app/cache/big"), "junk\n");
        Files.writeString(ctx.resolve("app/cache/keep"), "kept\n");
        Files.writeString(ctx.resolve("debug.log"), "log\n");
        Files.writeString(ctx.resolve(".dockerignore"), "*.log\napp/cache\n!app/cache/keep\n");
        build(ctx, "FROM " + base + "\nCOPY . /src/\n", "ignored:1");
        Path layer = store.resolve("ignored:1").layers().getLast();
        assertThat(layer.resolve("src/app/main.sh")).exists();
        assertThat(layer.resolve("src/app/cache/keep")).exists();
        assertThat(layer.resolve("src/app/cache/big")).doesNotExist();
        assertThat(layer.resolve("src/debug.log")).doesNotExist();
        assertThatThrownBy(() -> build(ctx, "FROM " + base + "\nCOPY debug.log /x\n", "never:4"))
                .hasMessageContaining("Dockerfile:2: COPY: debug.log is excluded by the context's .dockerignore");
    }
}
