package dev.ale.sandbox.local;

import dev.ale.core.passport.PassportLoader;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.ShellSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.ale.sandbox.local.TestBackend.bash;
import static org.assertj.core.api.Assertions.assertThat;

/** Whatever a sandbox runs, it has no privilege: no capabilities, no mounts, no namespaces, no raw sockets, no setuid. */
@Tag("root")
class PrivilegeContainmentTest {

    private static final String NONE = "0000000000000000";

    @RegisterExtension
    static final TestBackend tb = TestBackend.perClass();

    @Test
    void noCapabilitiesInside() {
        Sandbox s = tb.sandbox();

        Map<String, String> inside = statusFields(s.exec(ExecRequest.of("/bin/cat", "/proc/self/status")).stdout());

        assertThat(inside).containsEntry("CapEff", NONE).containsEntry("CapPrm", NONE).containsEntry("CapBnd", NONE)
                .containsEntry("CapInh", NONE).containsEntry("CapAmb", NONE).containsEntry("NoNewPrivs", "1");
        // Seen from the host, the same processes run as the sandbox's own unprivileged uid, never as root.
        int hostUid = HostView.hostUid(tb.dataDir(), s.id());
        assertThat(hostUid).isNotZero();
        try (ShellSession sh = s.openSession()) {
            sh.run("sleep 30 >/dev/null 2>&1 &");
            Set<Integer> pids = HostView.pids(s);
            assertThat(pids).isNotEmpty();
            assertThat(pids).allSatisfy(pid -> HostView.status(pid).ifPresent(st -> {
                assertThat(st.get("Uid").split("\\s+")).as("uids of host pid %d", pid).containsOnly(String.valueOf(hostUid));
                assertThat(st.get("NoNewPrivs")).isEqualTo("1");
            }));
        }
    }

    @Test
    void cannotMount() throws IOException {
        Sandbox s = tb.sandbox();
        String id = s.id();
        int mountsBefore = HostView.mountsMentioning(id).size();

        ExecResult tool = bash(s, "mkdir -p /workspace/m && mount -t tmpfs none /workspace/m");
        // the mount(2) call itself, not only the mount tool's own check
        ExecResult syscall = s.exec(ExecRequest.of("/usr/bin/python3", "-c", """
                import ctypes, os, sys
                libc = ctypes.CDLL(None, use_errno=True)
                os.makedirs("/workspace/m", exist_ok=True)
                if libc.mount(b"none", b"/workspace/m", b"tmpfs", 0, None) != 0:
                    sys.exit(os.strerror(ctypes.get_errno()))
                """));
        ExecResult mounted = bash(s, "grep -c ' /workspace/m ' /proc/self/mountinfo");

        assertThat(tool.exitCode()).isNotZero();
        assertThat(syscall.exitCode()).as(syscall.toString()).isNotZero();
        assertThat(syscall.stderr()).contains("Operation not permitted");
        assertThat(mounted.stdout().strip()).isEqualTo("0");
        assertThat(HostView.mountsMentioning(id)).hasSize(mountsBefore);
    }

    @Test
    void cannotCreateUserNamespace() throws IOException {
        String hostLimitBefore = Files.readString(Path.of("/proc/sys/user/max_user_namespaces")).strip();
        Sandbox s = tb.sandbox();

        ExecResult r = s.exec(ExecRequest.of("unshare", "-U", "true"));
        ExecResult mapped = s.exec(ExecRequest.of("unshare", "-r", "id", "-u"));

        assertThat(r.exitCode()).as(r.toString()).isNotZero();
        assertThat(mapped.exitCode()).as(mapped.toString()).isNotZero();
        assertThat(mapped.stdout()).isBlank();
        // the nested-namespace ban is the sandbox's own; the host's setting is untouched
        assertThat(Files.readString(Path.of("/proc/sys/user/max_user_namespaces")).strip()).isEqualTo(hostLimitBefore);
    }

    @Test
    void cannotOpenRawSocket() {
        Sandbox s = tb.sandbox();

        ExecResult perl = s.exec(ExecRequest.of("perl", "-MSocket", "-e", "socket(my $s, PF_INET, SOCK_RAW, 1) or die \"$!\""));
        ExecResult python = s.exec(ExecRequest.of("/usr/bin/python3", "-c",
                "import socket; socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)"));
        ExecResult packet = s.exec(ExecRequest.of("/usr/bin/python3", "-c",
                "import socket; socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)"));

        assertThat(perl.exitCode()).as(perl.toString()).isNotZero();
        assertThat(perl.stderr()).contains("Operation not permitted");
        assertThat(python.exitCode()).as(python.toString()).isNotZero();
        assertThat(python.stderr()).contains("PermissionError");
        assertThat(packet.exitCode()).as(packet.toString()).isNotZero();
        // packet sockets are a family the seccomp filter refuses outright (the kernel would say EPERM)
        assertThat(packet.stderr()).contains("[Errno 97] Address family not supported");
        // and the sandbox is still in its own network namespace, so even a raw socket would see only lo
        assertThat(bash(s, "ip -o link | cut -d: -f2").stdout().strip()).isEqualTo("lo");
    }

    @Test
    void setuidGainsNothing() throws IOException {
        try (HostDir dir = HostDir.create()) {
            Path id = dir.resolve("id");
            Files.copy(Path.of("/usr/bin/id"), id, StandardCopyOption.COPY_ATTRIBUTES);
            Files.setAttribute(id, "unix:uid", 0);
            Files.setAttribute(id, "unix:mode", 04755);
            Sandbox s = tb.sandbox(PassportLoader.parse("""
                    id: suid
                    resources: {memory: 128MiB, pids: 64, wallTime: 2m, workspaceSize: 8MiB}
                    filesystem:
                      readOnly: ["%s:/opt/suid"]
                    """.formatted(dir.path()), "test.yaml"));

            ExecResult mode = s.exec(ExecRequest.of("stat", "-c", "%a %u", "/opt/suid/id"));
            ExecResult euid = s.exec(ExecRequest.of("/opt/suid/id", "-u"));
            ExecResult full = s.exec(ExecRequest.of("/opt/suid/id"));

            assertThat(mode.stdout().strip()).as("the setuid bit is visible inside, so the test means something").startsWith("4755");
            assertThat(euid.stdout().strip()).isEqualTo("1000");
            assertThat(full.stdout()).startsWith("uid=1000(agent)").doesNotContain("euid");
            assertThat(Files.getPosixFilePermissions(id)).isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
            assertThat((Integer) Files.getAttribute(id, "unix:mode") & 07777).isEqualTo(04755);
        }
    }

    private static Map<String, String> statusFields(String status) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : status.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) fields.put(line.substring(0, colon), line.substring(colon + 1).strip());
        }
        return fields;
    }
}
