package dev.ale.sandbox.local;

import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.ShellSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The seccomp filter in real sandboxes: a C program (compiled here, its syscall numbers from the
 * C library's headers) makes each refused call inside a sandbox, and the same calls unfiltered on
 * the host as an unprivileged user, so a refusal the kernel would have made anyway is told apart
 * from the filter's own.
 */
@Tag("root")
class SyscallFilterTest {

    private static final String EPERM = "errno=1";
    private static final String ENOSYS = "errno=38";
    private static final String EAFNOSUPPORT = "errno=97";
    private static final String EPROTONOSUPPORT = "errno=93";
    private static final String SIGSYS = "signal=31";
    private static final boolean X86 = Set.of("amd64", "x86_64").contains(System.getProperty("os.arch"));

    /** Each refused call (and disguised variants of it) and what the sandbox must answer. */
    private static final Map<String, String> REFUSED = new LinkedHashMap<>();

    static {
        REFUSED.put("clone-newuser", EPERM);
        REFUSED.put("clone-newns-newpid", EPERM);
        REFUSED.put("unshare-newuser", EPERM);
        REFUSED.put("unshare-newuser-highbits", EPERM);
        REFUSED.put("unshare-newnet", EPERM);
        REFUSED.put("unshare-newtime", EPERM);
        REFUSED.put("setns", EPERM);
        REFUSED.put("clone3", ENOSYS);
        REFUSED.put("io_uring_setup", ENOSYS);
        REFUSED.put("io_uring_enter", ENOSYS);
        REFUSED.put("io_uring_register", ENOSYS);
        REFUSED.put("socket-vsock", EAFNOSUPPORT);
        REFUSED.put("socket-packet", EAFNOSUPPORT);
        REFUSED.put("socket-alg", EAFNOSUPPORT);
        REFUSED.put("socket-bluetooth", EAFNOSUPPORT);
        REFUSED.put("socket-family-highbits", EAFNOSUPPORT);
        REFUSED.put("socket-netlink-uevent", EPROTONOSUPPORT);
        REFUSED.put("socket-netlink-audit", EPROTONOSUPPORT);
        REFUSED.put("socket-netlink-uevent-highbits", EPROTONOSUPPORT);
        REFUSED.put("personality-no-aslr", EPERM);
        REFUSED.put("personality-read-implies-exec", EPERM);
        REFUSED.put("personality-no-aslr-highbits", EPERM);
        REFUSED.put("add_key", EPERM);
        REFUSED.put("request_key", EPERM);
        REFUSED.put("keyctl", EPERM);
        REFUSED.put("bpf", EPERM);
        REFUSED.put("perf_event_open", EPERM);
        REFUSED.put("userfaultfd", EPERM);
        REFUSED.put("kexec_load", EPERM);
        REFUSED.put("kexec_file_load", EPERM);
        REFUSED.put("init_module", EPERM);
        REFUSED.put("finit_module", EPERM);
        REFUSED.put("delete_module", EPERM);
        REFUSED.put("name_to_handle_at", EPERM);
        REFUSED.put("open_by_handle_at", EPERM);
        REFUSED.put("mount", EPERM);
        REFUSED.put("umount2", EPERM);
        REFUSED.put("pivot_root", EPERM);
        REFUSED.put("fsopen", EPERM);
        REFUSED.put("fsconfig", EPERM);
        REFUSED.put("fsmount", EPERM);
        REFUSED.put("fspick", EPERM);
        REFUSED.put("move_mount", EPERM);
        REFUSED.put("open_tree", EPERM);
        REFUSED.put("open_tree_attr", EPERM);
        REFUSED.put("mount_setattr", EPERM);
        REFUSED.put("swapon", EPERM);
        REFUSED.put("swapoff", EPERM);
        REFUSED.put("reboot", EPERM);
        REFUSED.put("acct", EPERM);
        REFUSED.put("quotactl", EPERM);
        REFUSED.put("syslog", EPERM);
        REFUSED.put("settimeofday", EPERM);
        REFUSED.put("clock_settime", EPERM);
        REFUSED.put("adjtimex", EPERM);
        REFUSED.put("clock_adjtime", EPERM);
        if (X86) {
            REFUSED.put("iopl", EPERM);
            REFUSED.put("ioperm", EPERM);
        }
    }

    /**
     * Calls an unprivileged process may get the same answer for from the kernel alone: it checks
     * privilege before the arguments, or the feature may be compiled out or switched off by a
     * sysctl. For these the sandbox's answer alone cannot show the filter at work (the filter's
     * own verdict for each is in SeccompFilterTest); for every other call it must differ.
     */
    private static final Set<String> KERNEL_MAY_ANSWER_ALIKE = Set.of(
            "clone-newuser", "unshare-newuser", "clone-newns-newpid", "unshare-newnet", "unshare-newtime", "clone3",
            "io_uring_setup", "io_uring_enter", "io_uring_register",
            "socket-vsock", "socket-alg", "socket-bluetooth", "socket-family-highbits",
            "bpf", "perf_event_open", "userfaultfd", "open_by_handle_at",
            "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
            "pivot_root", "fsopen", "fsmount", "fspick", "move_mount",
            "swapon", "swapoff", "reboot", "acct", "quotactl", "syslog");

    /** Look-alikes of refused calls that programs need: each must succeed. */
    private static final List<String> ALLOWED = List.of("getpid", "clone-fork", "pthread", "unshare-fs-files",
            "socket-unix", "socket-inet", "socket-inet6", "socket-netlink",
            "socket-netlink-sock-diag", "socket-netlink-generic",
            "personality-query", "personality-linux", "personality-uname26", "ptrace-child");

    private static final List<String> OTHER_ABI = X86 ? List.of("i386-getpid", "x32-getpid") : List.of();

    @RegisterExtension
    static final TestBackend tb = TestBackend.perClass();

    private static HostDir dir;
    private static Map<String, String> inside;
    private static Map<String, String> unfiltered;

    @BeforeAll
    static void runTheProbe() throws Exception {
        dir = HostDir.create();
        Path probe = dir.resolve("probe");
        Path source = Path.of(SyscallFilterTest.class.getResource("/seccomp/probe.c").toURI());
        run(List.of("gcc", "-O1", "-Wall", "-o", probe.toString(), source.toString(), "-lpthread"));
        List<String> calls = new ArrayList<>(REFUSED.keySet());
        calls.addAll(ALLOWED);
        calls.addAll(OTHER_ABI);
        List<String> argv = new ArrayList<>(List.of(probe.toString()));
        argv.addAll(calls);

        ExecResult r = tb.sandbox().exec(ExecRequest.of(argv));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        inside = parse(r.stdout());
        List<String> host = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"));
        host.addAll(argv);
        unfiltered = parse(run(host));
        assertThat(inside.keySet()).containsAll(calls);
        assertThat(unfiltered.keySet()).containsAll(calls);
    }

    @AfterAll
    static void removeTheProbe() {
        if (dir != null) dir.close();
    }

    static Stream<Arguments> refusedCalls() {
        return REFUSED.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0} gets {1}")
    @MethodSource("refusedCalls")
    void eachRefusedCallGetsItsErrorInsideAndTheFilterIsWhatRefusedIt(String call, String expected) {
        assertThat(inside.get(call)).as("%s inside a sandbox", call).isEqualTo(expected);
        if (!KERNEL_MAY_ANSWER_ALIKE.contains(call)) {
            assertThat(unfiltered.get(call)).as("%s unfiltered (the kernel alone answers otherwise)", call).isNotEqualTo(expected);
        }
    }

    @Test
    void mostRefusalsAreTheFiltersOwnOnThisHost() {
        // what the kernel alone says, for the record: it shows how many calls only the filter stops
        long distinct = REFUSED.keySet().stream().filter(c -> !unfiltered.get(c).equals(REFUSED.get(c))).count();
        System.out.println("syscall probe unfiltered: " + unfiltered);
        assertThat(distinct).as("calls the kernel alone would have answered differently").isGreaterThanOrEqualTo(REFUSED.size() / 2);
    }

    @Test
    void lookAlikesThatProgramsNeedStillWork() {
        for (String call : ALLOWED) assertThat(inside.get(call)).as(call).isEqualTo("ok");
    }

    @Test
    void aCallThroughAnotherAbiKillsTheProcess() {
        assumeTrue(X86, "i386 and x32 entries exist on x86_64 only");
        for (String call : OTHER_ABI) {
            assertThat(inside.get(call)).as(call).isEqualTo(SIGSYS);
            assertThat(unfiltered.get(call)).as(call + " unfiltered").isNotEqualTo(SIGSYS);
        }
    }

    @Test
    void everyProcessTreeRunsUnderTheFilter() {
        Sandbox s = tb.sandbox();

        ExecResult exec = s.exec(ExecRequest.of("grep", "^Seccomp", "/proc/self/status"));
        String session;
        try (ShellSession sh = s.openSession()) {
            session = sh.run("grep ^Seccomp /proc/self/status; grep ^Seccomp /proc/1/status").stdout();
        }

        assertThat(exec.stdout()).contains("Seccomp:\t2").contains("Seccomp_filters:\t1");
        // the shell and bubblewrap's own pid 1 of the session
        assertThat(session.lines().filter(l -> l.equals("Seccomp:\t2")).count()).isEqualTo(2);
    }

    private static Map<String, String> parse(String out) {
        Map<String, String> results = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            int space = line.indexOf(' ');
            if (space > 0) results.put(line.substring(0, space), line.substring(space + 1).strip());
        }
        return results;
    }

    private static String run(List<String> argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", argv) + ": " + out).isZero();
        return out;
    }
}
