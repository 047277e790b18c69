package dev.ale.monitor.detect;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Attempts to leave the sandbox by the routes container-escape checklists try (deepce, CDK, MITRE ATT&CK
 * T1611): writing a kernel hook the host runs as root, a container runtime's socket, another namespace or
 * pid 1's root, a kernel module, a mount. The sandbox refuses every one of them (no capability, a read-only
 * {@code /proc/sys}, no {@code /sys}, no runtime socket, the seccomp filter); these rules make the attempt
 * visible. Reading a hook ({@code cat /proc/sys/kernel/core_pattern}), listing mounts or modules, and
 * ordinary {@code docker build} are not attempts.
 */
final class EscapeRules {

    /** The kernel's hooks that run a program of the writer's choosing as host root, or act on the host. */
    private static final Pattern KERNEL_HOOK = Pattern.compile(
            "(?:/proc/sys/kernel/(?:core_pattern|modprobe|hotplug)|/release_agent|/notify_on_release|/uevent_helper"
                    + "|/proc/sysrq-trigger|/binfmt_misc/[\\w.-]*)(?![\\w-])");
    private static final Pattern SYSCTL_HOOK = Pattern.compile("kernel[./](?:core_pattern|modprobe|hotplug)\\s*=|fs[./]binfmt_misc");
    /** Interpreter code that writes: an open for writing or a write call. */
    private static final Pattern CODE_WRITES = Pattern.compile("['\"][wa]\\+?['\"]|\\bwrite|>|O_WRONLY|O_RDWR|writeFile|file_put_contents|File\\.write");
    private static final Pattern RUNTIME_SOCKET = Pattern.compile(
            "(?:docker|containerd|crio|cri-dockerd|dockershim|podman|kubelet|buildkitd|containerd-shim[\\w-]*|lxd|incus)"
                    + "(?:[\\w.-]*)?\\.sock\\b|/run/containerd/|/var/run/docker\\b|/run/docker\\b|/run/podman/|/lxd/unix\\.socket");
    private static final Set<String> RUNTIMES = Set.of("docker", "podman", "nerdctl", "ctr", "crictl", "kubectl");
    private static final Pattern HOST_OPTION = Pattern.compile(
            "--privileged|--(?:pid|net|network|ipc|uts|userns|cgroupns)(?:=|$)host|--cap-add(?:=|$)(?:ALL|SYS_ADMIN|SYS_MODULE|SYS_PTRACE)"
                    + "|--security-opt(?:=|$)(?:seccomp|apparmor)[:=]unconfined|(?:^|[=,])/:/|^/:/|--device(?:=|$)/dev/"
                    + "|\"(?:hostPID|hostNetwork|hostIPC|privileged)\"\\s*:\\s*true|\"hostPath\"\\s*:");
    private static final Pattern PID_ONE_PLACE = Pattern.compile("/proc/1/(?:root|ns|cwd)(?![\\w-])|/proc/[0-9]+/ns/");
    private static final Set<String> UNSHARE_LONG = Set.of(
            "--user", "--map-root-user", "--map-current-user", "--mount", "--pid", "--net", "--ipc", "--uts", "--cgroup", "--time");
    private static final Set<String> MOUNT_TYPES = Set.of(
            "cgroup", "cgroup2", "proc", "sysfs", "debugfs", "securityfs", "tracefs", "bpf", "configfs", "devtmpfs", "devpts",
            "overlay", "tmpfs", "ext2", "ext3", "ext4", "xfs", "btrfs", "vfat", "nfs", "cifs", "fuse");
    private static final Pattern BLOCK_DEVICE = Pattern.compile("/dev/(?:[sv]d[a-z]|xvd[a-z]|nvme\\d|mmcblk\\d|dm-\\d|mapper/|loop\\d|root)\\S*");

    /** Namespace, mount and ptrace system calls made from interpreter code: what nsenter, unshare, mount and gdb -p do. */
    private static final Pattern CODE_SYSCALL = Pattern.compile(
            "\\bos\\.(?:unshare|setns)\\s*\\("
                    + "|\\b(?:libc|ctypes\\.\\w+\\([^)]*\\)|cdll\\.\\w+)\\s*\\.\\s*(?:unshare|setns|ptrace|mount|pivot_root)\\s*\\(");

    private EscapeRules() {
    }

    static void inspect(Invocation inv, Scope scope) {
        kernelHook(inv, scope);
        runtime(inv, scope);
        namespace(inv, scope);
        module(inv, scope);
        mount(inv, scope);
        if (Programs.isInterpreter(inv.program())) {
            Matcher m = CODE_SYSCALL.matcher(ReverseShellRules.inlineCode(inv));
            if (m.find()) scope.report(m.group().toLowerCase(Locale.ROOT).contains("mount") ? Rule.MOUNT : Rule.HOST_NAMESPACE, m.group(), inv);
        }
        if (inv.program().equals("mknod") && inv.args().stream().anyMatch(a -> a.equals("b"))) {
            scope.report(Rule.MOUNT, inv.shown(), inv); // a block device node: the host's disk, for debugfs or mount
        }
    }

    private static void kernelHook(Invocation inv, Scope scope) {
        for (String target : Writes.targets(inv)) {
            Matcher m = KERNEL_HOOK.matcher(target);
            if (m.find()) {
                scope.report(Rule.KERNEL_HOOK, target, inv);
                return;
            }
        }
        String p = inv.program();
        if (p.equals("sysctl")) {
            for (String a : inv.args()) {
                if (SYSCTL_HOOK.matcher(a).find()) {
                    scope.report(Rule.KERNEL_HOOK, a, inv);
                    return;
                }
            }
        }
        if (Programs.isInterpreter(p) || p.equals("awk") || p.equals("gawk")) {
            for (String text : inv.args()) {
                Matcher m = KERNEL_HOOK.matcher(text);
                if (m.find() && CODE_WRITES.matcher(text).find()) {
                    scope.report(Rule.KERNEL_HOOK, m.group(), inv);
                    return;
                }
            }
        }
    }

    private static void runtime(Invocation inv, Scope scope) {
        for (String text : inv.texts()) {
            Matcher m = RUNTIME_SOCKET.matcher(text);
            if (m.find()) {
                scope.report(Rule.RUNTIME_SOCKET, m.group(), inv);
                return;
            }
        }
        if (!RUNTIMES.contains(inv.program())) return;
        List<String> args = inv.args();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String joined = i + 1 < args.size() && !a.contains("=") && a.startsWith("--") ? a + "=" + args.get(i + 1) : a;
            if (HOST_OPTION.matcher(joined).find() || HOST_OPTION.matcher(a).find()) {
                scope.report(Rule.RUNTIME_SOCKET, inv.program() + " " + joined, inv);
                return;
            }
        }
    }

    private static void namespace(Invocation inv, Scope scope) {
        String p = inv.program();
        List<String> args = inv.args();
        // ALE's own launcher names a network namespace file (nsenter --net=/run/netns/…); a target pid or /proc is another process's
        Optional<List<String>> nsenter = options(inv, "nsenter");
        if (nsenter.isPresent() && nsenter.get().stream().anyMatch(a -> a.equals("-a") || a.equals("--all") || a.startsWith("--target")
                || (a.startsWith("-t") && !a.startsWith("--")) || a.contains("/proc/"))) {
            scope.report(Rule.HOST_NAMESPACE, "nsenter " + String.join(" ", nsenter.get()), inv);
            return;
        }
        Optional<List<String>> unshare = options(inv, "unshare");
        if (unshare.isPresent() && unshare.get().stream().anyMatch(a -> UNSHARE_LONG.stream().anyMatch(o -> a.equals(o) || a.startsWith(o + "="))
                || (a.length() > 1 && a.charAt(0) == '-' && a.charAt(1) != '-' && a.chars().skip(1).anyMatch(c -> "UrmpniuCTc".indexOf(c) >= 0)))) {
            scope.report(Rule.HOST_NAMESPACE, "unshare " + String.join(" ", unshare.get()), inv);
            return;
        }
        switch (p) {
            case "gdb", "strace", "ltrace", "pstack", "gcore" -> {
                for (int i = 0; i < args.size(); i++) {
                    String a = args.get(i);
                    boolean pidOne = a.equals("-p1") || a.equals("--pid=1")
                            || (Set.of("-p", "--pid", "--attach").contains(a) && i + 1 < args.size() && args.get(i + 1).equals("1"))
                            || (p.equals("gcore") && a.equals("1"));
                    if (pidOne) {
                        scope.report(Rule.HOST_NAMESPACE, p + " attaches to pid 1", inv);
                        return;
                    }
                }
            }
            default -> {
            }
        }
        for (String text : inv.texts()) {
            Matcher m = PID_ONE_PLACE.matcher(text);
            if (m.find()) {
                scope.report(Rule.HOST_NAMESPACE, m.group(), inv);
                return;
            }
        }
    }

    /** The words a wrapper such as {@code nsenter} was given before the command it runs, or its arguments when it runs none. */
    private static Optional<List<String>> options(Invocation inv, String wrapper) {
        if (inv.program().equals(wrapper)) return Optional.of(inv.args());
        if (!inv.wrappers().contains(wrapper)) return Optional.empty();
        List<String> words = inv.words();
        int end = words.size() - inv.argv().size();
        for (int i = 0; i < end; i++) {
            if (Programs.name(words.get(i)).equals(wrapper)) return Optional.of(words.subList(i + 1, end));
        }
        return Optional.empty();
    }

    private static void module(Invocation inv, Scope scope) {
        String p = inv.program();
        List<String> operands = inv.args().stream().filter(a -> !a.startsWith("-")).toList();
        switch (p) {
            case "insmod", "rmmod", "kexec" -> {
                if (!inv.hasOption("--help", "-h", "--version", "-V")) scope.report(Rule.KERNEL_MODULE, inv.shown(), inv);
            }
            case "modprobe" -> {
                boolean inspects = inv.hasOption("-n", "--dry-run", "-c", "--showconfig", "--show-depends", "-D", "--help", "-h",
                        "--version", "-V", "-l", "--list") || inv.hasShortFlag('n');
                boolean msr = operands.stream().anyMatch(o -> o.equals("msr") || o.startsWith("msr.")); // mining.host.msr says it
                if (!inspects && !msr && !operands.isEmpty()) scope.report(Rule.KERNEL_MODULE, inv.shown(), inv);
            }
            default -> {
            }
        }
    }

    private static void mount(Invocation inv, Scope scope) {
        String p = inv.program();
        List<String> args = inv.args();
        if (p.equals("debugfs") && args.stream().anyMatch(a -> BLOCK_DEVICE.matcher(a).matches())) {
            scope.report(Rule.MOUNT, inv.shown(), inv);
            return;
        }
        if (!p.equals("mount")) return;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String type = a.equals("-t") && i + 1 < args.size() ? args.get(i + 1)
                    : a.startsWith("--types=") ? a.substring(8) : a.startsWith("-t") && a.length() > 2 ? a.substring(2) : "";
            boolean knownType = Set.of(type.split(",")).stream().anyMatch(MOUNT_TYPES::contains);
            boolean bind = a.equals("--bind") || a.equals("--rbind") || a.equals("-B") || a.equals("-R")
                    || (a.equals("-o") && i + 1 < args.size() && args.get(i + 1).matches("(?:.*,)?r?bind(?:,.*)?"));
            if (knownType || bind || BLOCK_DEVICE.matcher(a).matches()) {
                scope.report(Rule.MOUNT, inv.shown(), inv);
                return;
            }
        }
    }
}
