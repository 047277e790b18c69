package dev.ale.sandbox.local;

import dev.ale.core.passport.ByteSize;
import dev.ale.core.passport.Passport;
import dev.ale.core.passport.PassportLoader;
import dev.ale.core.passport.Resources;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxException;
import dev.ale.core.sandbox.ShellSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.ale.sandbox.local.TestBackend.bash;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Nothing inside a sandbox names where ALE keeps it (its data directory, the checkout, task
 * directories), and nothing inside can write past the sandbox's one size-capped tmpfs.
 */
@Tag("root")
class HostHidingTest {

    private static final Resources SMALL_WORKSPACE = new Resources(1.0, ByteSize.parse("256MiB"), 128, Duration.ofMinutes(2),
            ByteSize.parse("8MiB"));
    /** Everything a process inside can read that might name a host path: mount tables, argv, environments, links, maps. */
    private static final String EVERY_TRACE = """
            cat /proc/self/mountinfo /proc/self/mounts /proc/1/mountinfo
            for p in /proc/[0-9]*; do
              for f in cmdline environ maps; do tr '\\0' ' ' < "$p/$f" 2>/dev/null; echo; done
              for l in "$p"/cwd "$p"/root "$p"/exe "$p"/fd/*; do readlink "$l" 2>/dev/null; done
            done
            """;

    @RegisterExtension
    static final TestBackend tb = TestBackend.perClass();

    @Test
    void noHostPathOfAlesInAnyMountTableArgvEnvironmentOrLink() throws IOException {
        // a data directory in /opt (under /tmp it would be out of sight anyway)
        try (HostDir dir = HostDir.create(); TestBackend opt = TestBackend.on(dir.resolve("data"))) {
            Sandbox s = opt.sandbox(Passport.defaults().withResources(TestBackend.SMALL));
            String checkout = System.getProperty("user.dir");

            ExecResult exec = bash(s, EVERY_TRACE);
            String session;
            try (ShellSession sh = s.openSession()) {
                session = sh.run(EVERY_TRACE).stdout();
            }

            // the scan read pid 1's argv and the mount table, so it would have found them (a command or a session
            // on the resident path has the resident init as its pid 1; on the per-call path, a bubblewrap of its own)
            String pid1 = opt.backend().execPath() == LocalSandboxBackend.ExecPath.RESIDENT_INIT
                    ? ResidentInit.NAME : "bwrap --hostname " + s.id();
            assertThat(exec.stdout()).contains(pid1);
            assertThat(session).contains(pid1);
            for (String seen : List.of(exec.stdout(), session)) {
                assertThat(seen).contains(" /workspace ").contains("ale-view");
                assertThat(seen).doesNotContain(dir.path().toString()).doesNotContain(opt.dataDir().toRealPath().toString())
                        .doesNotContain(checkout).doesNotContain("/sandboxes/").doesNotContain("/views/");
            }
        }
    }

    @Test
    void devShmSharesTheWorkspaceCapAndDevItselfIsReadOnly() {
        Sandbox s = tb.sandbox(SMALL_WORKSPACE);

        ExecResult workspace = bash(s, "head -c 6M /dev/zero > /workspace/a");
        ExecResult shm = bash(s, "head -c 6M /dev/zero > /dev/shm/b");
        ExecResult dev = bash(s, "touch /dev/x");
        ExecResult devNull = bash(s, "echo x > /dev/null && echo ok");
        ExecResult kept = bash(s, "rm -f /dev/shm/b /workspace/a; echo kept > /dev/shm/k");
        ExecResult later = s.exec(ExecRequest.of("cat", "/dev/shm/k"));

        assertThat(workspace.exitCode()).as(workspace.toString()).isZero();
        assertThat(shm.exitCode()).isNotZero();
        assertThat(shm.stderr()).contains("No space left on device");
        assertThat(dev.exitCode()).isNotZero();
        assertThat(dev.stderr()).contains("Read-only file system");
        assertThat(devNull.stdout()).isEqualTo("ok\n");
        assertThat(kept.exitCode()).isZero();
        // like /tmp, /dev/shm lives as long as the sandbox, not one command
        assertThat(later.stdout()).isEqualTo("kept\n");
    }

    @Test
    void onlyTheSandboxesOwnTmpfsIsWritable() {
        Sandbox s = tb.sandbox();

        ExecResult writable = bash(s, """
                awk '{print $5}' /proc/self/mountinfo | sort -u | while read -r m; do
                  [ -d "$m" ] || continue
                  if mkdir "$m/.ale-probe" 2>/dev/null; then echo "$m"; rmdir "$m/.ale-probe"; fi
                done
                """);
        ExecResult devices = s.exec(ExecRequest.of("stat", "-c", "%d", "/workspace", "/tmp", "/dev/shm", "/var/tmp"));

        // /var/tmp is the sandbox's own /tmp (the host's is shared by every host user)
        assertThat(writable.stdout().lines()).containsExactly("/dev/shm", "/tmp", "/var/tmp", "/workspace");
        assertThat(devices.stdout().lines().distinct()).hasSize(1);
    }

    @Test
    void taskDirectoriesAndTheCheckoutAreAbsentFromTheWholeFilesystem() throws IOException {
        String mark = "ale-task-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        try (HostDir dir = HostDir.create()) {
            Path hiddenTask = Files.createDirectories(dir.resolve("tasks").resolve(mark));
            Path checkout = Files.createDirectories(dir.resolve("checkout").resolve(mark + "-repo"));
            Path shownTask = Files.createDirectories(dir.resolve("shown").resolve(mark + "-look-alike"));
            for (Path task : List.of(hiddenTask, shownTask, checkout)) {
                Files.writeString(task.resolve("task.yaml"), "id: t\n");
                Files.writeString(task.resolve("solution.sh"), "echo solved\n");
            }
            // a link from a visible place into a hidden one leads nowhere inside
            Files.createSymbolicLink(dir.resolve("shown").resolve("link"), hiddenTask);
            LocalSandboxBackend.Config config = LocalSandboxBackend.Config.defaults().withDataDir(dir.resolve("data"))
                    .hiding(List.of(dir.resolve("tasks"), checkout));
            try (TestBackend opt = TestBackend.on(config)) {
                Sandbox s = opt.sandbox(Passport.defaults().withResources(TestBackend.SMALL));

                ExecResult found = s.exec(ExecRequest.of("/bin/sh", "-c",
                        "find / \\( -path /proc -o -path /sys \\) -prune -o \\( -name solution.sh -o -name task.yaml \\) -print 2>/dev/null; true")
                        .withTimeout(Duration.ofSeconds(100)));
                ExecResult viaLink = s.exec(ExecRequest.of("cat", dir.resolve("shown").resolve("link").resolve("solution.sh").toString()));
                ExecResult workingDir = s.exec(ExecRequest.of("stat", System.getProperty("user.dir")));

                assertThat(found.killed()).isFalse();
                // the same files where nothing hides them are found: the search works
                assertThat(found.stdout()).contains(shownTask.resolve("solution.sh").toString(), shownTask.resolve("task.yaml").toString());
                assertThat(found.stdout().lines().filter(l -> l.contains(mark)))
                        .allMatch(l -> l.startsWith(shownTask.toString())).hasSize(2);
                assertThat(viaLink.exitCode()).isNotZero();
                assertThat(viaLink.stdout()).isEmpty();
                // the tests' working directory is hidden by default, as the checkout ALE runs from would be
                assertThat(workingDir.stderr()).contains("No such file or directory");
                // a passport cannot bind it back in under another name
                assertThatThrownBy(() -> opt.sandbox(PassportLoader.parse("""
                        id: rebind
                        filesystem:
                          readOnly: ["%s:/opt/tasks"]
                        """.formatted(dir.resolve("tasks")), "test.yaml")))
                        .isInstanceOf(SandboxException.class).hasMessageContaining("would expose the hidden path");
            }
        }
    }

    @Test
    void hidingTheRootOrASystemDirectoryIsRefusedByName() {
        LocalSandboxBackend.Config d = LocalSandboxBackend.Config.defaults();

        for (String path : List.of("/", "/usr", "/lib64")) {
            assertThatThrownBy(() -> d.hiding(List.of(Path.of(path))))
                    .isInstanceOf(SandboxException.class).hasMessageContaining("cannot hide " + path);
        }
        assertThat(d.hiding(List.of(Path.of("/usr/share/doc"))).hiddenHostPaths()).contains(Path.of("/usr/share/doc"));
        assertThat(d.hiddenHostPaths()).contains(Path.of(System.getProperty("user.dir")));
    }
}
