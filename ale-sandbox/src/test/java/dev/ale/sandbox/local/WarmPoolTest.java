package dev.ale.sandbox.local;

import dev.ale.sandbox.testing.ChildJvm;
import dev.ale.core.passport.ByteSize;
import dev.ale.core.passport.Passport;
import dev.ale.core.passport.Resources;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.GarbageReport;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxException;
import dev.ale.core.sandbox.SandboxRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The warm pool: a claimed blank is as fresh and as contained as a sandbox made cold, blanks
 * are nobody's sandbox, and a killed ALE with a full pool leaves nothing that gc does not clear.
 */
@Tag("root")
class WarmPoolTest {

    private static final Passport SMALL = Passport.defaults().withResources(TestBackend.SMALL);
    private static final Duration FILL = Duration.ofMinutes(2);

    @Test
    void aPooledSandboxNeverSeesWhatTheSandboxBeforeItLeft() throws IOException {
        try (Pooled p = Pooled.of(2)) {
            Sandbox first = p.create(SMALL);
            p.create(SMALL); // the second create starts the filling
            assertThat(p.backend().awaitWarm(FILL)).isTrue();
            List<String> blanks = p.backend().warmPoolIds();
            Sandbox writer = p.create(SMALL);
            assertThat(blanks).as("made from a blank").contains(writer.id());
            ExecResult wrote = TestBackend.bash(writer, "echo secret > /workspace/left && echo secret > /tmp/left"
                    + " && echo secret > /dev/shm/left && (sleep 300 >/dev/null 2>&1 &) && echo done");
            assertThat(wrote.stdout()).as(wrote.toString()).contains("done");
            String writerCgroup = ((LocalSandbox) writer).cgroup().name();
            int writerUid = HostView.hostUid(p.dataDir(), writer.id());
            writer.destroy();

            assertThat(p.backend().awaitWarm(FILL)).isTrue();
            List<String> next = p.backend().warmPoolIds();
            Sandbox reader = p.create(SMALL);

            assertThat(next).as("made from a blank").contains(reader.id());
            assertThat(reader.id()).isNotEqualTo(writer.id());
            ExecResult seen = TestBackend.bash(reader, "ls -A /workspace /tmp /dev/shm; cat /proc/[0-9]*/cmdline | tr '\\0' ' '");
            assertThat(seen.exitCode()).as(seen.toString()).isZero();
            assertThat(seen.stdout()).doesNotContain("left").doesNotContain("sleep 300");
            LocalSandbox r = (LocalSandbox) reader;
            assertThat(r.cgroup().name()).isEqualTo(reader.id()).isNotEqualTo(writerCgroup);
            assertThat(HostView.pids(reader)).as("no process in the new cgroup but its init").isEmpty();
            assertThat(HostView.hostUid(p.dataDir(), reader.id())).as("a uid of its own").isNotEqualTo(writerUid);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(HostView.traces(p.dataDir(), writer.id(), writerUid)).as("the writer is gone entirely").isEmpty());
            first.destroy();
            reader.destroy();
        }
    }

    @Test
    void thePassportsLimitsApplyToAPooledSandboxAndAnotherShapeIsMadeCold() throws IOException {
        Passport tight = Passport.defaults().withResources(new Resources(0.5, ByteSize.parse("96MiB"), 24, Duration.ofMinutes(2),
                TestBackend.SMALL.workspaceBytes()));
        try (Pooled p = Pooled.of(2)) {
            p.create(SMALL);
            p.create(SMALL);
            assertThat(p.backend().awaitWarm(FILL)).isTrue();
            List<String> blanks = p.backend().warmPoolIds();
            Instant before = Instant.now();
            Sandbox s = p.create(tight);

            assertThat(blanks).as("made from a blank shaped for another passport's limits").contains(s.id());
            assertThat(s.info().createdAt()).as("created when claimed").isAfterOrEqualTo(before.minusMillis(1));
            assertThat(Duration.between(s.info().createdAt(), s.info().expiresAt())).isEqualTo(Duration.ofMinutes(2));
            assertThat(s.info().passportId()).isEqualTo(tight.id());
            assertThat(cgroupValue(s.id(), "memory.limit_in_bytes", "memory.max")).isEqualTo(String.valueOf(ByteSize.parse("96MiB")));
            assertThat(cgroupValue(s.id(), "pids.max", "pids.max")).isEqualTo("24");
            ExecResult bomb = s.exec(ExecRequest.of("/bin/bash", "-c", "for i in $(seq 60); do sleep 30 & done; wait")
                    .withTimeout(Duration.ofSeconds(60)));
            assertThat(bomb.killed()).as(bomb.toString()).isTrue();
            assertThat(bomb.reason()).contains("pids");

            Passport roomier = Passport.defaults().withResources(new Resources(1.0, ByteSize.parse("256MiB"), 128, Duration.ofMinutes(2),
                    ByteSize.parse("48MiB")));
            List<String> nowReady = p.backend().warmPoolIds();
            Sandbox other = p.create(roomier);
            assertThat(nowReady).as("a workspace of another size is made cold").doesNotContain(other.id());
            ExecResult size = other.exec(ExecRequest.of("stat", "-f", "-c", "%b %S", "/workspace"));
            String[] f = size.stdout().strip().split(" ");
            assertThat(Long.parseLong(f[0]) * Long.parseLong(f[1])).isEqualTo(ByteSize.parse("48MiB"));
        }
    }

    @Test
    void blanksAreNeitherListedNorFoundNorRemovable() throws IOException {
        try (Pooled p = Pooled.of(2)) {
            Sandbox s = p.create(SMALL);
            assertThat(p.backend().awaitWarm(FILL)).isTrue();
            assertThat(p.backend().warmPoolIds()).as("one create does not start the filling").isEmpty();
            Sandbox t = p.create(SMALL);
            assertThat(p.backend().awaitWarm(FILL)).isTrue();
            List<String> blanks = p.backend().warmPoolIds();
            assertThat(blanks).hasSize(2);

            assertThat(p.backend().list()).extracting(i -> i.id()).containsExactlyInAnyOrder(s.id(), t.id());
            for (String blank : blanks) {
                assertThat(p.backend().find(blank)).isEmpty();
                assertThatThrownBy(() -> p.backend().remove(blank)).isInstanceOf(SandboxException.class).hasMessageContaining("no sandbox " + blank);
            }
            assertThat(p.backend().collectGarbage().removed()).isEmpty();
            assertThat(p.backend().warmPoolIds()).as("gc leaves a live process's blanks alone").containsExactlyElementsOf(blanks);
        }
    }

    @Test
    void aSandboxIsKilledWhenDestroyReturnsAndGoneSoonAfter() throws IOException {
        try (Pooled p = Pooled.of(1)) {
            p.create(SMALL);
            p.create(SMALL);
            assertThat(p.backend().awaitWarm(FILL)).isTrue();
            Sandbox s = p.create(SMALL);
            TestBackend.bash(s, "(sleep 300 >/dev/null 2>&1 &)");
            int uid = HostView.hostUid(p.dataDir(), s.id());

            s.destroy();

            // a SIGKILLed process that the scheduler has not yet run to its exit still shows "R": it runs no instruction of its own
            assertThat(HostView.processesOfUid(uid)).as("every process of the sandbox is dead, a zombie, or has SIGKILL pending")
                    .allSatisfy(pid -> assertThat(HostView.status(pid)).satisfiesAnyOf(
                            st -> assertThat(st).isEmpty(),
                            st -> assertThat(st.orElseThrow().get("State")).matches("[ZX].*"),
                            st -> assertThat(HostView.sigkillPending(st.orElseThrow())).isTrue()));
            assertThat(p.backend().list()).extracting(i -> i.id()).doesNotContain(s.id());
            assertThat(p.backend().find(s.id())).isEmpty();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(HostView.traces(p.dataDir(), s.id(), uid)).isEmpty());
        }
    }

    @Test
    void blanksAreKeptPerShapeAndBoundedInAllTheShapeAskedForLeastRecentlyGivingWay() throws IOException {
        try (Pooled p = Pooled.of(1)) { // one blank per shape, four in all
            List<Passport> shapes = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                // the workspace's size cap is part of a blank's shape
                shapes.add(SMALL.withResources(new Resources(1.0, ByteSize.parse("256MiB"), 128, Duration.ofMinutes(2),
                        ByteSize.parse((16 + i) + "MiB"))));
            }
            for (Passport shape : shapes) {
                p.create(shape).destroy();
                p.create(shape).destroy(); // the second create of a shape starts its filling
            }
            assertThat(p.backend().awaitWarm(FILL)).isTrue();
            List<String> blanks = p.backend().warmPoolIds();
            assertThat(blanks).as("at most four blanks, whatever the number of shapes").hasSize(4);
            Sandbox newest = p.create(shapes.get(4));
            Sandbox second = p.create(shapes.get(1));
            Sandbox oldest = p.create(shapes.get(0));
            assertThat(blanks).as("the shapes asked for last were served from their blanks").contains(newest.id(), second.id());
            assertThat(blanks).as("the shape asked for least recently gave its blank up").doesNotContain(oldest.id());
            newest.destroy();
            second.destroy();
            oldest.destroy();
        }
    }

    @Test
    void withThePoolOffEverySandboxIsMadeColdAndRemovedBeforeDestroyReturns() throws IOException {
        try (Pooled p = Pooled.of(0)) {
            Sandbox s = p.create(SMALL);
            assertThat(TestBackend.bash(s, "echo hi").stdout()).isEqualTo("hi\n");
            assertThat(p.backend().warmPoolIds()).isEmpty();
            try (var dirs = Files.list(p.dataDir().resolve("sandboxes"))) {
                assertThat(dirs.map(d -> d.getFileName().toString()).toList()).as("no blank made").containsExactly(s.id());
            }

            s.destroy();

            assertThat(HostView.netnsFile(s.id())).doesNotExist();
            assertThat(HostView.sandboxDir(p.dataDir(), s.id())).doesNotExist();
            assertThat(HostView.cgroupDirs(s.id())).isEmpty();
            assertThat(HostView.mountsMentioning(s.id())).isEmpty();
        }
    }

    @Test
    void aKilledAleWithAFullPoolLeavesNothingThatGcDoesNotClear() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("/tmp"), "ale-test-pool-killed");
        Process ale = null;
        try {
            ChildJvm child = ChildJvm.start(FullPoolAleMain.class, dataDir.toString());
            ale = child.process();
            String ids = child.firstLine(Duration.ofMinutes(3));
            List<String> all = List.of(ids.strip().split(" "));
            assertThat(all).as("its two sandboxes and three blanks").hasSize(5).allMatch(id -> id.matches("sb-[0-9a-f]{8}"));
            Map<String, Integer> uids = new LinkedHashMap<>();
            for (String id : all) uids.put(id, HostView.hostUid(dataDir, id));
            for (String blank : all.subList(2, 5)) {
                assertThat(HostView.traces(dataDir, blank, uids.get(blank))).as("a blank has all a sandbox has, its init running")
                        .anyMatch(t -> t.startsWith("network namespace")).anyMatch(t -> t.startsWith("cgroup"))
                        .anyMatch(t -> t.startsWith("mount")).anyMatch(t -> t.startsWith("process"));
            }

            ale.destroyForcibly();
            assertThat(ale.waitFor(20, TimeUnit.SECONDS)).isTrue();

            try (TestBackend after = TestBackend.on(LocalSandboxBackend.Config.defaults().withDataDir(dataDir).withWarmPool(0))) {
                GarbageReport report = after.backend().collectGarbage();
                assertThat(report.removed()).as("the blanks were nobody's sandbox").containsExactlyInAnyOrder(all.get(0), all.get(1));
                assertThat(report.problems()).isEmpty();
                for (String id : all) {
                    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(HostView.traces(dataDir, id, uids.get(id))).isEmpty());
                }
                assertThat(HostView.mountsMentioning(dataDir.toString())).isEmpty();
                try (var dirs = Files.list(dataDir.resolve("sandboxes"))) {
                    assertThat(dirs.toList()).isEmpty();
                }
            }
        } finally {
            if (ale != null) ale.destroyForcibly().waitFor();
            new LocalSandboxBackend(LocalSandboxBackend.Config.defaults().withDataDir(dataDir).withWarmPool(0)).close();
            TestBackend.deleteTree(dataDir);
        }
    }

    /** A cgroup file of the sandbox: the v1 name under its controller, or the v2 name in the unified tree. */
    private static String cgroupValue(String id, String v1, String v2) throws IOException {
        String controller = v1.substring(0, v1.indexOf('.'));
        Path v1File = Path.of("/sys/fs/cgroup", controller, "ale", id, v1);
        return Files.readString(Files.exists(v1File) ? v1File : Path.of("/sys/fs/cgroup/ale", id, v2)).strip();
    }

    /** A backend with a warm pool of {@code size} on a fresh data directory; closing it removes both. */
    private record Pooled(TestBackend tb, List<Sandbox> made) implements AutoCloseable {

        static Pooled of(int size) throws IOException {
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "ale-test-pool");
            return new Pooled(TestBackend.on(LocalSandboxBackend.Config.defaults().withDataDir(dir).withWarmPool(size)), new ArrayList<>());
        }

        LocalSandboxBackend backend() {
            return tb.backend();
        }

        Path dataDir() {
            return tb.dataDir();
        }

        Sandbox create(Passport passport) {
            Sandbox s = backend().create(SandboxRequest.of(passport));
            made.add(s);
            return s;
        }

        @Override
        public void close() {
            try {
                made.forEach(Sandbox::destroy);
                tb.close();
            } finally {
                TestBackend.deleteTree(dataDir());
            }
        }
    }
}
