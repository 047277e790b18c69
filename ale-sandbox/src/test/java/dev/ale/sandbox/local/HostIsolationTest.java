package dev.ale.sandbox.local;

import dev.ale.core.passport.PassportLoader;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.Sandbox;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.ale.sandbox.local.TestBackend.bash;
import static org.assertj.core.api.Assertions.assertThat;

/** A sandbox sees nothing of the host it should not, and can change nothing of it. */
@Tag("root")
class HostIsolationTest {

    @RegisterExtension
    static final TestBackend tb = TestBackend.perClass();

    @Test
    void rootOnlyHostFileIsUnreadable() throws IOException {
        try (HostDir dir = HostDir.create()) {
            Path secret = dir.resolve("secret");
            String token = "token-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
            Files.writeString(secret, token);
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
            Sandbox s = tb.sandbox();

            ExecResult listed = s.exec(ExecRequest.of("ls", dir.path().toString()));
            ExecResult read = s.exec(ExecRequest.of("cat", secret.toString()));
            ExecResult overwrite = bash(s, "echo pwned > " + secret);

            assertThat(listed.stdout().strip()).as("the file is there to be read, so the test means something").isEqualTo("secret");
            assertThat(read.exitCode()).isNotZero();
            assertThat(read.stderr()).contains("Permission denied");
            assertThat(read.stdout()).doesNotContain(token);
            assertThat(overwrite.exitCode()).isNotZero();
            assertThat(Files.readString(secret)).isEqualTo(token);
            assertThat(Files.getPosixFilePermissions(secret)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        }
    }

    @Test
    void hostEnvironmentAndFileDescriptorsAbsent() throws IOException {
        Map<String, String> host = System.getenv();
        Set<String> allowed = BwrapCommand.baseEnv("x").keySet();
        assertThat(host.keySet()).as("the test JVM has variables of its own to leak").isNotEmpty().anyMatch(k -> !allowed.contains(k));
        Set<String> withPwd = new HashSet<>(allowed);
        withPwd.add("PWD");
        Path hostFile = Files.createTempFile("ale-test-fd", ".txt");
        Sandbox s = tb.sandbox();
        try (FileInputStream open = new FileInputStream(hostFile.toFile())) {

            Map<String, String> inside = parseEnv(s.exec(ExecRequest.of("/usr/bin/env", "-0")).stdout());
            ExecResult fds = s.exec(ExecRequest.of("/bin/ls", "-l", "/proc/self/fd"));

            // bwrap's --chdir adds PWD; nothing else comes from anywhere but ALE
            assertThat(inside.keySet()).containsExactlyInAnyOrderElementsOf(withPwd);
            assertThat(inside).containsEntry("ALE_SANDBOX", s.id()).containsEntry("HOME", "/workspace").containsEntry("PWD", "/workspace");
            host.forEach((k, v) -> {
                if (!withPwd.contains(k)) assertThat(inside).doesNotContainKey(k);
            });
            Map<Integer, String> fdTargets = new HashMap<>();
            for (String line : fds.stdout().split("\n")) {
                String[] f = line.strip().split("\\s+");
                int arrow = Arrays.asList(f).indexOf("->");
                if (arrow > 0) fdTargets.put(Integer.parseInt(f[arrow - 1]), f[arrow + 1]);
            }
            assertThat(fdTargets).containsKeys(0, 1, 2);
            // 3, if present, is the directory ls itself opened
            assertThat(fdTargets.keySet()).isSubsetOf(0, 1, 2, 3);
            assertThat(fdTargets.getOrDefault(3, "/proc/")).startsWith("/proc/");
            assertThat(fdTargets.values()).noneMatch(t -> t.contains(hostFile.getFileName().toString()));
            // the host still holds its file open and readable
            assertThat(open.getFD().valid()).isTrue();
            assertThat(open.read()).isEqualTo(-1);
        } finally {
            Files.deleteIfExists(hostFile);
        }
    }

    @Test
    void hostProcessesInvisibleAndUnkillable() throws Exception {
        Process hostSleep = new ProcessBuilder("sleep", "59.25").start();
        try {
            long pid = hostSleep.pid();
            Sandbox s = tb.sandbox();

            ExecResult pids = bash(s, "ls /proc | grep -E '^[0-9]+$'");
            ExecResult look = bash(s, "cat /proc/" + pid + "/cmdline 2>/dev/null | tr '\\0' ' '; true");
            ExecResult kill = s.exec(ExecRequest.of("/bin/kill", "-9", String.valueOf(pid)));
            ExecResult killAll = bash(s, "kill -9 -1; echo done");

            List<String> visible = pids.stdout().lines().toList();
            assertThat(visible).as("only the sandbox's own few processes").hasSizeLessThan(10);
            assertThat(look.stdout()).doesNotContain("59.25");
            // no such process in the sandbox's pid namespace, or only one of its own
            if (!visible.contains(String.valueOf(pid))) assertThat(kill.exitCode()).isNotZero();
            assertThat(killAll.stdout()).contains("done");
            assertThat(hostSleep.waitFor(200, TimeUnit.MILLISECONDS)).isFalse();
            assertThat(hostSleep.isAlive()).isTrue();
        } finally {
            hostSleep.destroyForcibly().waitFor();
        }
    }

    @Test
    void writesOutsideWorkspaceAndTmpFail() throws IOException {
        String name = "ale-probe-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        List<String> forbidden = List.of("/usr/" + name, "/etc/" + name, "/" + name, "/var/" + name, "/opt/" + name, "/run/" + name);
        Sandbox s = tb.sandbox();
        try {
            for (String path : forbidden) {
                ExecResult r = s.exec(ExecRequest.of("touch", path));
                assertThat(r.exitCode()).as("touch %s", path).isNotZero();
                assertThat(r.stderr()).containsAnyOf("Read-only file system", "Permission denied");
            }
            ExecResult workspace = s.exec(ExecRequest.of("touch", "/workspace/" + name));
            ExecResult tmp = s.exec(ExecRequest.of("touch", "/tmp/" + name));

            assertThat(workspace.exitCode()).as(workspace.toString()).isZero();
            assertThat(tmp.exitCode()).as(tmp.toString()).isZero();
            for (String path : forbidden) assertThat(Path.of(path)).doesNotExist();
            // what the sandbox wrote lands in its own workspace on the host, owned by its own uid
            Path written = HostView.workspace(tb.dataDir(), s.id()).resolve(name);
            assertThat(written).exists();
            assertThat((Integer) Files.getAttribute(written, "unix:uid")).isEqualTo(HostView.hostUid(tb.dataDir(), s.id())).isNotZero();
        } finally {
            for (String path : forbidden) Files.deleteIfExists(Path.of(path));
        }
    }

    @Test
    void hiddenPathsAbsent() throws IOException {
        assertThat(Path.of("/etc/shadow")).as("the host has the file, so the test means something").exists();
        try (HostDir dir = HostDir.create()) {
            Path privateDir = Files.createDirectory(dir.resolve("private"));
            Path publicDir = Files.createDirectory(dir.resolve("public"));
            Files.writeString(privateDir.resolve("notes"), "private");
            Files.writeString(publicDir.resolve("notes"), "public");
            Sandbox s = tb.sandbox(PassportLoader.parse("""
                    id: hiding
                    resources: {memory: 128MiB, pids: 64, wallTime: 2m, workspaceSize: 8MiB}
                    filesystem:
                      hidden: ["%s"]
                    """.formatted(privateDir), "test.yaml"));

            for (String path : List.of("/root", "/etc/shadow", privateDir.toString(), privateDir + "/notes")) {
                ExecResult r = s.exec(ExecRequest.of("stat", path));
                assertThat(r.exitCode()).as("stat %s", path).isNotZero();
                assertThat(r.stderr()).as("stat %s", path).contains("No such file or directory").doesNotContain("Permission denied");
            }
            assertThat(s.exec(ExecRequest.of("cat", publicDir + "/notes")).stdout()).isEqualTo("public");
            assertThat(s.exec(ExecRequest.of("ls", dir.path().toString())).stdout().strip()).isEqualTo("public");
            assertThat(Files.readString(privateDir.resolve("notes"))).isEqualTo("private");
        }
    }

    @Test
    void dataDirectoryAbsent() throws IOException {
        // a data directory under /tmp is out of sight anyway (/tmp is the sandbox's own), so this one lives in /opt
        try (HostDir dir = HostDir.create()) {
            Files.createDirectory(dir.resolve("sibling"));
            try (TestBackend opt = TestBackend.on(dir.resolve("data"))) {
                // the host root named as the rootfs is the same view as no rootfs
                String rootfsSlash = """
                        id: slash
                        resources: {memory: 128MiB, pids: 64, wallTime: 2m, workspaceSize: 8MiB}
                        filesystem: {rootfs: "/"}
                        """;
                for (Sandbox s : List.of(opt.sandbox(), opt.sandbox(PassportLoader.parse(rootfsSlash, "test.yaml")))) {
                    ExecResult data = s.exec(ExecRequest.of("stat", dir.resolve("data").toString()));
                    ExecResult listed = s.exec(ExecRequest.of("ls", dir.path().toString()));

                    assertThat(data.exitCode()).as(s.info().passportId()).isNotZero();
                    assertThat(data.stderr()).contains("No such file or directory");
                    assertThat(listed.stdout().strip()).isEqualTo("sibling");
                    assertThat(HostView.workspace(opt.dataDir(), s.id())).isDirectory();
                }
            }
        }
    }

    private static Map<String, String> parseEnv(String nulSeparated) {
        Map<String, String> env = new HashMap<>();
        for (String entry : nulSeparated.split("\0")) {
            int eq = entry.indexOf('=');
            if (eq > 0) env.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
        return env;
    }
}
