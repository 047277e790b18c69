package dev.ale.sandbox.local;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The command line that starts a process tree in a sandbox. Every isolation decision ALE
 * makes about a local sandbox is in this one file, in the order it takes effect:
 *
 * <ol>
 *   <li>a fixed {@code sh} script (no input is ever spliced into it) writes its own pid into
 *       the sandbox's cgroups, so the whole tree is limited and killable from its first fork;</li>
 *   <li>{@code nsenter --net} enters the network namespace ALE made for the sandbox;</li>
 *   <li>{@code setpriv} drops to the sandbox's own unprivileged host uid, with no groups, no
 *       capabilities (inheritable, bounding) and no_new_privs — a setuid binary gains nothing,
 *       and root-only host files stay unreadable (bubblewrap started by root would leave
 *       either full capabilities or a user namespace mapped to host root);</li>
 *   <li>{@code bwrap} unshares user, pid, ipc, uts and cgroup namespaces, forbids nested user
 *       namespaces, drops every capability inside, starts a new session (no TIOCSTI into the
 *       caller's terminal), dies with its parent, and builds the root from read-only binds;</li>
 *   <li>only /workspace and /tmp are writable; /proc is the sandbox's own; /dev is minimal;
 *       the environment is cleared and rebuilt from what the caller allows.</li>
 * </ol>
 */
final class BwrapCommand {

    /** The uid and gid the agent has inside; it maps to the sandbox's own host uid. */
    static final int INSIDE_UID = 1000;

    private static final String JOIN_CGROUPS =
            "for f; do [ \"$f\" = -- ] && break; echo $$ > \"$f\" || exit 125; shift; done; shift; exec \"$@\"";

    private BwrapCommand() {
    }

    record Spec(
            String sandboxId,
            List<Path> cgroupProcsFiles,
            Path netnsFile,
            int hostUid,
            List<String> rootfsArgs,
            Path workspace,
            Path tmp,
            List<String> gpuDevices,
            String cwd,
            Map<String, String> env,
            List<String> argv) {
    }

    static List<String> build(Spec s) {
        List<String> cmd = new ArrayList<>();
        cmd.addAll(List.of("/bin/sh", "-c", JOIN_CGROUPS, "ale-join"));
        s.cgroupProcsFiles().forEach(p -> cmd.add(p.toString()));
        cmd.add("--");
        cmd.addAll(List.of("nsenter", "--net=" + s.netnsFile(), "--"));
        cmd.addAll(List.of("setpriv", "--reuid=" + s.hostUid(), "--regid=" + s.hostUid(), "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"));
        cmd.addAll(List.of("bwrap",
                "--unshare-user", "--uid", String.valueOf(INSIDE_UID), "--gid", String.valueOf(INSIDE_UID),
                "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup",
                "--disable-userns", "--cap-drop", "ALL",
                "--die-with-parent", "--new-session",
                "--hostname", s.sandboxId()));
        cmd.addAll(s.rootfsArgs());
        // /run is an empty read-only directory, as it is to any unprivileged user on a real host
        cmd.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--dir", "/run"));
        for (String device : s.gpuDevices()) cmd.addAll(List.of("--dev-bind", device, device));
        cmd.addAll(List.of("--bind", s.workspace().toString(), "/workspace", "--bind", s.tmp().toString(), "/tmp"));
        cmd.addAll(List.of("--remount-ro", "/", "--chdir", s.cwd(), "--clearenv"));
        s.env().forEach((k, v) -> cmd.addAll(List.of("--setenv", k, v)));
        cmd.add("--");
        cmd.addAll(s.argv());
        return cmd;
    }

    /** The environment every sandbox process starts with; the caller's extra variables go on top. */
    static Map<String, String> baseEnv(String sandboxId) {
        return Map.of(
                "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "HOME", "/workspace",
                "USER", "agent",
                "LOGNAME", "agent",
                "SHELL", "/bin/bash",
                "LANG", "C.UTF-8",
                "TERM", "dumb",
                "TMPDIR", "/tmp",
                "ALE_SANDBOX", sandboxId);
    }
}
