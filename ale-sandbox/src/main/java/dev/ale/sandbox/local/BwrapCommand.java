package dev.ale.sandbox.local;

import dev.ale.sandbox.local.SeccompFilter.AllowOnly;
import dev.ale.sandbox.local.SeccompFilter.AllowOnlyNarrowed;
import dev.ale.sandbox.local.SeccompFilter.Refuse;
import dev.ale.sandbox.local.SeccompFilter.RefuseFlags;
import dev.ale.sandbox.local.SeccompFilter.Rule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static dev.ale.sandbox.local.SeccompFilter.EAFNOSUPPORT;
import static dev.ale.sandbox.local.SeccompFilter.ENOSYS;
import static dev.ale.sandbox.local.SeccompFilter.EPERM;
import static dev.ale.sandbox.local.SeccompFilter.EPROTONOSUPPORT;

/**
 * The command line that starts a process tree in a sandbox. Every isolation decision ALE
 * makes about a local sandbox is in this one file, in the order it takes effect:
 *
 * <ol>
 *   <li>a fixed {@code sh} script (no input is ever spliced into it) opens the seccomp filter
 *       on fd 3 and the sandbox's bubblewrap arguments on fd 4 (both root-only files), then
 *       writes its own pid into the sandbox's cgroups, so the whole tree is limited and
 *       killable from its first fork;</li>
 *   <li>{@code nsenter --net} enters the network namespace ALE made for the sandbox;</li>
 *   <li>{@code setpriv} drops to the sandbox's own unprivileged host uid, with no groups (an image's
 *       user: only its own supplementary groups, host gids of the sandbox's range), no
 *       capabilities (inheritable, bounding; root inside an image keeps {@link #ROOT_CAPS} in the
 *       bounding set) and no_new_privs — a setuid binary gains nothing, and root-only host
 *       files stay unreadable (bubblewrap started by root would leave either full capabilities or a user namespace mapped to host root);</li>
 *   <li>{@code bwrap} reads its arguments from fd 4 (so no host path of ALE's is in the argv
 *       the sandbox sees as its pid 1), unshares user, pid, ipc, uts and cgroup namespaces,
 *       forbids nested user namespaces, drops every capability inside (root inside an image gets
 *       {@link #ROOT_CAPS} back there; its user namespace is the one ALE made for the sandbox's
 *       host id range, entered on {@link #USERNS_FD}, ids 0..n-1 inside), starts a new session
 *       (no TIOCSTI into the caller's terminal), dies with its parent, and builds the root from
 *       read-only binds;</li>
 *   <li>only /workspace, /tmp and /dev/shm are writable, all three on the sandbox's one
 *       size-capped tmpfs (so is /tests, the verifier's, writable only in the verify phase), and
 *       an image sandbox's / (its overlay, whose upper layer is on that tmpfs too); /proc is the
 *       sandbox's own; /dev is minimal and read-only; the
 *       environment is cleared and rebuilt from what the caller allows;</li>
 *   <li>last, after its own setup, bubblewrap installs the seccomp filter {@link #SECCOMP_POLICY}.</li>
 * </ol>
 */
final class BwrapCommand {

    /** The uid and gid the agent has inside; it maps to the sandbox's own host uid. */
    static final int INSIDE_UID = 1000;
    /** Inside an image sandbox whose image runs as root: uid 0, mapped to the same unprivileged host uid. */
    static final int ROOT_UID = 0;

    /**
     * What root inside keeps, and only inside its own user namespace (Docker's default set less
     * NET_RAW, MKNOD, AUDIT_WRITE and SETFCAP). A capability there reaches only what that
     * namespace owns: files of the one mapped uid, its own processes; never the host's network
     * namespace, mounts or modules, which belong to the host's namespace (and seccomp refuses
     * mount, module and namespace calls anyway).
     */
    static final List<String> ROOT_CAPS = List.of("chown", "dac_override", "fowner", "fsetid", "kill", "setgid", "setuid", "setpcap",
            "net_bind_service", "sys_chroot");

    /** The fds the launcher opens for bubblewrap: the filter, and the sandbox's arguments. */
    static final int SECCOMP_FD = 3;
    static final int ARGS_FD = 4;
    /**
     * The resident init's binary, opened by the launcher and executed by bubblewrap through
     * {@code /proc/self/fd/5}: it is never in the sandbox's mount table (nothing to overwrite or
     * read), and the init closes the fd before it serves a call.
     */
    static final int INIT_FD = 5;
    /** The sandbox's own user namespace (root inside: its whole id range mapped), opened by the launcher for bubblewrap's {@code --userns}. */
    static final int USERNS_FD = 6;

    /*
     * $1: the filter, $2: the arguments file, then the files of further fds (see launcher), then
     * cgroup.procs files up to "--". `cd /` first: the shell exports PWD (and OLDPWD), which
     * bubblewrap's pid 1 keeps in its environment, and ALE's working directory (the checkout,
     * often) is not the sandbox's business. `command exec` keeps a failed redirection from ending
     * the shell before it can say exit 125.
     */
    private static final String LAUNCH = "cd / && unset OLDPWD || exit 125; command exec 3<\"$1\" 4<\"$2\" || exit 125; shift 2; "
            + "for f; do [ \"$f\" = -- ] && break; echo $$ > \"$f\" || exit 125; shift; done; shift; exec \"$@\"";

    private static final int AF_NETLINK = 16;

    /* Namespace flags of clone(2) and unshare(2); CLONE_NEWTIME shares its bit with clone's exit signal. */
    private static final int CLONE_NEWNS = 0x00020000;
    private static final int CLONE_NEWCGROUP = 0x02000000;
    private static final int CLONE_NEWUTS = 0x04000000;
    private static final int CLONE_NEWIPC = 0x08000000;
    private static final int CLONE_NEWUSER = 0x10000000;
    private static final int CLONE_NEWPID = 0x20000000;
    private static final int CLONE_NEWNET = 0x40000000;
    private static final int CLONE_NEWTIME = 0x00000080;
    private static final int NEW_NAMESPACES = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER
            | CLONE_NEWPID | CLONE_NEWNET;

    /**
     * What the seccomp filter refuses, and with which error. Everything else is allowed; a call
     * of a foreign ABI (i386 via int 0x80, x32) kills the process. docs/sandbox.md says why for
     * each line. ENOSYS where programs treat "this kernel lacks it" as the cue to fall back,
     * EPERM where they already expect to lack the privilege.
     */
    static final List<Rule> SECCOMP_POLICY = List.of(
            // namespaces: bubblewrap already made the sandbox's; a new one is only a way out or a
            // larger kernel surface (a nested user namespace grants capabilities over it)
            new RefuseFlags("clone", 0, NEW_NAMESPACES, EPERM),
            new RefuseFlags("unshare", 0, NEW_NAMESPACES | CLONE_NEWTIME, EPERM),
            new Refuse("setns", EPERM),
            // clone3 passes its flags in memory the filter cannot read; glibc and others fall back to clone on ENOSYS
            new Refuse("clone3", ENOSYS),
            // io_uring runs I/O in kernel workers beside the filter, and is a large, often-patched surface
            new Refuse("io_uring_setup", ENOSYS),
            new Refuse("io_uring_enter", ENOSYS),
            new Refuse("io_uring_register", ENOSYS),
            // only the families a network namespace confines (vsock reaches the hypervisor past it); of netlink, only the
            // protocols that answer for the sandbox's own namespace (uevents and audit are the host's, broadcast to it)
            new AllowOnlyNarrowed("socket", 0, Set.of(1 /* AF_UNIX */, 2 /* AF_INET */, 10 /* AF_INET6 */, AF_NETLINK), EAFNOSUPPORT,
                    AF_NETLINK, 2, Set.of(0 /* NETLINK_ROUTE */, 4 /* NETLINK_SOCK_DIAG */, 16 /* NETLINK_GENERIC */), EPROTONOSUPPORT),
            // ASLR stays on; only the personalities Docker allows (Linux, 32-bit, uname26, query)
            new AllowOnly("personality", 0, Set.of(0x0, 0x8, 0x20000, 0x20008, 0xffffffff), EPERM),
            // kernel keyrings are not namespaced: keys would be shared with the host's users
            new Refuse("add_key", EPERM),
            new Refuse("request_key", EPERM),
            new Refuse("keyctl", EPERM),
            // kernel attack surface with no use in a task: BPF programs, perf counters, page-fault handlers
            new Refuse("bpf", EPERM),
            new Refuse("perf_event_open", EPERM),
            new Refuse("userfaultfd", EPERM),
            // loading or replacing kernel code
            new Refuse("kexec_load", EPERM),
            new Refuse("kexec_file_load", EPERM),
            new Refuse("init_module", EPERM),
            new Refuse("finit_module", EPERM),
            new Refuse("delete_module", EPERM),
            // file handles open files by inode, past every path-based hiding
            new Refuse("open_by_handle_at", EPERM),
            new Refuse("name_to_handle_at", EPERM),
            // mounts, old and new API: the sandbox's view of the filesystem is bubblewrap's, final
            new Refuse("mount", EPERM),
            new Refuse("umount2", EPERM),
            new Refuse("pivot_root", EPERM),
            new Refuse("fsopen", EPERM),
            new Refuse("fsconfig", EPERM),
            new Refuse("fsmount", EPERM),
            new Refuse("fspick", EPERM),
            new Refuse("move_mount", EPERM),
            new Refuse("open_tree", EPERM),
            new Refuse("open_tree_attr", EPERM),
            new Refuse("mount_setattr", EPERM),
            // the machine, not the sandbox: swap, power, process accounting, quotas, the kernel log
            new Refuse("swapon", EPERM),
            new Refuse("swapoff", EPERM),
            new Refuse("reboot", EPERM),
            new Refuse("acct", EPERM),
            new Refuse("quotactl", EPERM),
            new Refuse("syslog", EPERM),
            // the clock is the host's (not namespaced)
            new Refuse("settimeofday", EPERM),
            new Refuse("clock_settime", EPERM),
            new Refuse("adjtimex", EPERM),
            new Refuse("clock_adjtime", EPERM),
            // x86 I/O ports
            new Refuse("iopl", EPERM),
            new Refuse("ioperm", EPERM));

    private BwrapCommand() {
    }

    /** What every process tree of one sandbox shares: written once to its arguments file. */
    record SandboxSpec(List<String> rootfsArgs, Root root, Path workspace, Path tmp, Path shm, Path tests, List<String> gpuDevices,
                       int insideUid, int insideGid, UserNamespace userns) {
    }

    /**
     * What / inside is: a tmpfs of read-only binds of the base (the host root, a rootfs), made
     * read-only itself; or the sandbox's own overlay (an image root), writable, its writes in the
     * sandbox's upper layer on its tmpfs.
     */
    enum Root { READ_ONLY_BINDS, OWN_OVERLAY }

    /**
     * Whose user namespace a sandbox runs in: one bubblewrap makes, mapping only the sandbox's one
     * host uid; or the one ALE made for the sandbox's id range (root inside), which bubblewrap enters.
     */
    enum UserNamespace { BWRAP_SINGLE_UID, ALE_RANGE }

    /** One process tree: the sandbox's files and cgroups, and what this command runs. */
    record Spec(
            String sandboxId,
            List<Path> cgroupProcsFiles,
            Path netnsFile,
            int hostUid,
            int hostGid,
            List<Integer> hostGroups,
            int insideUid,
            Path seccompFile,
            Path argsFile,
            Optional<Path> userns,
            String cwd,
            Map<String, String> env,
            List<String> argv) {
    }

    /**
     * The host command line of a sandbox's resident init: the same launcher, namespace, uid drop
     * and bubblewrap arguments as every command, but bubblewrap installs no reaper of its own
     * ({@code --as-pid-1}): the init is pid 1, which no process inside can kill (the kernel drops
     * every signal sent to a namespace's init from inside it that the init has no handler for).
     */
    static List<String> buildResident(Spec s, Path initBinary) {
        List<String> cmd = command(s, Optional.of(initBinary));
        int end = cmd.lastIndexOf("--");
        cmd.add(end, "--as-pid-1");
        return cmd;
    }

    /** Whether the root's binds bring in the host's /var/tmp: bound itself, or inside a whole /var (an image's root binds / whole). */
    static boolean hostVarTmp(List<String> rootfsArgs) {
        for (int i = 0; i + 2 < rootfsArgs.size(); i++) {
            String op = rootfsArgs.get(i);
            if (!op.equals("--ro-bind") && !op.equals("--bind")) continue;
            String target = rootfsArgs.get(i + 2);
            if (target.equals("/var/tmp")) return true;
            if (target.equals("/var") && Files.isDirectory(Path.of(rootfsArgs.get(i + 1), "tmp"))) return true;
        }
        return false;
    }

    /** bubblewrap's arguments for a sandbox, in order, as read from {@link #ARGS_FD}. */
    static List<String> sandboxArgs(SandboxSpec s) {
        List<String> args = new ArrayList<>();
        // bubblewrap's own namespace forbids nested ones with --disable-userns; ALE's has its limit set to 0 when made
        if (s.userns() == UserNamespace.ALE_RANGE) args.addAll(List.of("--userns", String.valueOf(USERNS_FD)));
        else args.add("--unshare-user");
        args.addAll(List.of("--uid", String.valueOf(s.insideUid()), "--gid", String.valueOf(s.insideGid()),
                "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup"));
        if (s.userns() == UserNamespace.BWRAP_SINGLE_UID) args.add("--disable-userns");
        args.addAll(List.of("--cap-drop", "ALL"));
        // root inside gets back its few capabilities, in its own user namespace only
        if (s.insideUid() == ROOT_UID) ROOT_CAPS.forEach(c -> args.addAll(List.of("--cap-add", "CAP_" + c.toUpperCase(Locale.ROOT))));
        args.addAll(List.of("--die-with-parent", "--new-session", "--seccomp", String.valueOf(SECCOMP_FD)));
        args.addAll(s.rootfsArgs());
        args.addAll(List.of("--proc", "/proc", "--dev", "/dev"));
        // /run is an empty read-only directory, as it is to any unprivileged user on a real host; an image keeps its own
        if (s.root() == Root.READ_ONLY_BINDS) args.addAll(List.of("--dir", "/run"));
        for (String device : s.gpuDevices()) args.addAll(List.of("--dev-bind", device, device));
        args.addAll(List.of("--bind", s.workspace().toString(), "/workspace", "--bind", s.tmp().toString(), "/tmp",
                "--bind", s.shm().toString(), "/dev/shm", "--bind", s.tests().toString(), "/tests"));
        // the host's /var/tmp is world-writable and shared: any host user could leave a file, or a unix socket (a read-only
        // mount does not stop connect), there for every sandbox. On the host root it is the sandbox's own /tmp instead
        if (hostVarTmp(s.rootfsArgs())) args.addAll(List.of("--bind", s.tmp().toString(), "/var/tmp"));
        // /dev's own tmpfs has no size limit: nothing may be written there (device nodes still work); an image's / is its
        // overlay, whose writes go to the upper layer on the sandbox's size-capped tmpfs
        if (s.root() == Root.READ_ONLY_BINDS) args.addAll(List.of("--remount-ro", "/"));
        args.addAll(List.of("--remount-ro", "/dev"));
        return args;
    }

    /** The host command line: launcher, network namespace, uid drop, bubblewrap, then the command. */
    static List<String> build(Spec s) {
        return command(s, Optional.empty());
    }

    private static List<String> command(Spec s, Optional<Path> initBinary) {
        List<Integer> fds = new ArrayList<>();
        List<String> files = new ArrayList<>();
        initBinary.ifPresent(b -> {
            fds.add(INIT_FD);
            files.add(b.toString());
        });
        s.userns().ifPresent(u -> {
            fds.add(USERNS_FD);
            files.add(u.toString());
        });
        List<String> cmd = new ArrayList<>();
        cmd.addAll(List.of("/bin/sh", "-c", launcher(fds), "ale-join", s.seccompFile().toString(), s.argsFile().toString()));
        cmd.addAll(files);
        s.cgroupProcsFiles().forEach(p -> cmd.add(p.toString()));
        cmd.add("--");
        cmd.addAll(List.of("nsenter", "--net=" + s.netnsFile(), "--"));
        // the bounding set keeps root's few capabilities only for root inside (bwrap cannot add what it lacks);
        // on the host they are worth nothing: the uid is unprivileged and no_new_privs stops every gain through exec
        String bounding = s.insideUid() == ROOT_UID ? "-all,+" + String.join(",+", ROOT_CAPS) : "-all";
        // an image's user keeps its supplementary groups, as host gids of the sandbox's own range (bubblewrap sets none:
        // they pass through its entry into the range's user namespace, where they read as the image's gids)
        String groups = s.hostGroups().isEmpty() ? "--clear-groups"
                : "--groups=" + String.join(",", s.hostGroups().stream().map(String::valueOf).toList());
        cmd.addAll(List.of("setpriv", "--reuid=" + s.hostUid(), "--regid=" + s.hostGid(), groups,
                "--inh-caps=-all", "--bounding-set=" + bounding, "--no-new-privs", "--"));
        // the id stays on the command line: the host's ps shows which sandbox a bwrap serves
        cmd.addAll(List.of("bwrap", "--hostname", s.sandboxId(), "--args", String.valueOf(ARGS_FD)));
        cmd.addAll(List.of("--chdir", s.cwd(), "--clearenv"));
        s.env().forEach((k, v) -> cmd.addAll(List.of("--setenv", k, v)));
        cmd.add("--");
        cmd.addAll(s.argv());
        return cmd;
    }

    /** The launcher script, opening the files after the arguments file on {@code fds}, in order; only ALE's constants go into it. */
    private static String launcher(List<Integer> fds) {
        if (fds.isEmpty()) return LAUNCH;
        StringBuilder open = new StringBuilder("4<\"$2\"");
        for (int i = 0; i < fds.size(); i++) open.append(' ').append(fds.get(i)).append("<\"$").append(i + 3).append('"');
        return LAUNCH.replace("4<\"$2\" || exit 125; shift 2;", open + " || exit 125; shift " + (fds.size() + 2) + ";");
    }

    /** What describes the agent's account of a host-root sandbox: an image has accounts of its own, and Docker sets none of these. */
    static final Set<String> AGENT_ACCOUNT_ENV = Set.of("HOME", "USER", "LOGNAME", "SHELL");

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
