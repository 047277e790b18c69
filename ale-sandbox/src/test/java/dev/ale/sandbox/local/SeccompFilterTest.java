package dev.ale.sandbox.local;

import dev.ale.sandbox.local.SeccompFilter.Arch;
import dev.ale.sandbox.local.SeccompFilter.Refuse;
import dev.ale.sandbox.local.SeccompFilter.Rule;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import java.util.HashSet;
import java.util.Set;

import static dev.ale.sandbox.local.SeccompFilter.EAFNOSUPPORT;
import static dev.ale.sandbox.local.SeccompFilter.EPROTONOSUPPORT;
import static dev.ale.sandbox.local.SeccompFilter.ENOSYS;
import static dev.ale.sandbox.local.SeccompFilter.EPERM;
import static dev.ale.sandbox.local.SeccompFilter.RET_ALLOW;
import static dev.ale.sandbox.local.SeccompFilter.RET_ERRNO;
import static dev.ale.sandbox.local.SeccompFilter.RET_KILL_PROCESS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The compiled filter, run by a classic-BPF interpreter written here from the kernel's
 * definition of the instructions: what it answers for each call, argument and ABI. Whether the
 * kernel accepts it and sandboxes behave so is {@link SyscallFilterTest}'s part.
 */
class SeccompFilterTest {

    /** What docs/sandbox.md promises, written out again so that a rule dropped from the policy fails here. */
    private static final Map<String, Integer> ALWAYS_REFUSED = Map.ofEntries(
            Map.entry("setns", EPERM), Map.entry("clone3", ENOSYS),
            Map.entry("io_uring_setup", ENOSYS), Map.entry("io_uring_enter", ENOSYS), Map.entry("io_uring_register", ENOSYS),
            Map.entry("add_key", EPERM), Map.entry("request_key", EPERM), Map.entry("keyctl", EPERM),
            Map.entry("bpf", EPERM), Map.entry("perf_event_open", EPERM), Map.entry("userfaultfd", EPERM),
            Map.entry("kexec_load", EPERM), Map.entry("kexec_file_load", EPERM),
            Map.entry("init_module", EPERM), Map.entry("finit_module", EPERM), Map.entry("delete_module", EPERM),
            Map.entry("open_by_handle_at", EPERM), Map.entry("name_to_handle_at", EPERM),
            Map.entry("mount", EPERM), Map.entry("umount2", EPERM), Map.entry("pivot_root", EPERM),
            Map.entry("fsopen", EPERM), Map.entry("fsconfig", EPERM), Map.entry("fsmount", EPERM), Map.entry("fspick", EPERM),
            Map.entry("move_mount", EPERM), Map.entry("open_tree", EPERM), Map.entry("open_tree_attr", EPERM),
            Map.entry("mount_setattr", EPERM),
            Map.entry("swapon", EPERM), Map.entry("swapoff", EPERM), Map.entry("reboot", EPERM), Map.entry("acct", EPERM),
            Map.entry("quotactl", EPERM), Map.entry("syslog", EPERM),
            Map.entry("settimeofday", EPERM), Map.entry("clock_settime", EPERM), Map.entry("adjtimex", EPERM),
            Map.entry("clock_adjtime", EPERM), Map.entry("iopl", EPERM), Map.entry("ioperm", EPERM));
    private static final List<String> DEPENDS_ON_ARGUMENTS = List.of("clone", "unshare", "socket", "personality");

    private static final long CLONE_NEWUSER = 0x10000000L;
    private static final long FORK_FLAGS = 0x01200011L; // CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD
    private static final long THREAD_FLAGS = 0x003d0f00L; // what glibc's pthread_create passes

    @Test
    void thePolicyRefusesExactlyTheDocumentedCalls() {
        Map<String, Integer> unconditional = BwrapCommand.SECCOMP_POLICY.stream().filter(r -> r instanceof Refuse)
                .collect(Collectors.toMap(Rule::syscall, Rule::errno));
        List<String> conditional = BwrapCommand.SECCOMP_POLICY.stream().filter(r -> !(r instanceof Refuse)).map(Rule::syscall).toList();

        assertThat(unconditional).isEqualTo(ALWAYS_REFUSED);
        assertThat(conditional).containsExactlyInAnyOrderElementsOf(DEPENDS_ON_ARGUMENTS);
        assertThat(conditional).doesNotContain("ptrace");
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void everyRefusedCallGetsItsErrorWhateverItsArguments(Arch arch) {
        byte[] bpf = SeccompFilter.compile(BwrapCommand.SECCOMP_POLICY, arch);
        ALWAYS_REFUSED.forEach((call, errno) -> {
            Integer nr = arch.numbers.get(call);
            if (nr == null) return; // the architecture has no such call
            for (long arg : new long[] {0, 1, -1L, 0xffffffffL, 0x100000000L}) {
                assertThat(run(bpf, arch.auditArch, nr, arg, arg, arg)).as("%s %s(%x)", arch, call, arg).isEqualTo(RET_ERRNO | errno);
            }
        });
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void callsNotInThePolicyAreAllowed(Arch arch) {
        byte[] bpf = SeccompFilter.compile(BwrapCommand.SECCOMP_POLICY, arch);
        Set<Integer> listed = new HashSet<>(arch.numbers.values());
        for (int nr = 0; nr < 500; nr++) {
            if (listed.contains(nr)) continue;
            assertThat(run(bpf, arch.auditArch, nr, 0, 0, 0)).as("%s call %d", arch, nr).isEqualTo(RET_ALLOW);
        }
        assertThat(run(bpf, arch.auditArch, arch.numbers.get("ptrace"), 16 /* PTRACE_ATTACH */, 1, 0)).isEqualTo(RET_ALLOW);
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void namespaceFlagsAreRefusedInCloneAndUnshareButPlainForksAndThreadsPass(Arch arch) {
        byte[] bpf = SeccompFilter.compile(BwrapCommand.SECCOMP_POLICY, arch);
        int clone = arch.numbers.get("clone");
        int unshare = arch.numbers.get("unshare");

        assertThat(run(bpf, arch.auditArch, clone, FORK_FLAGS, 0, 0)).isEqualTo(RET_ALLOW);
        assertThat(run(bpf, arch.auditArch, clone, THREAD_FLAGS, 0, 0)).isEqualTo(RET_ALLOW);
        assertThat(run(bpf, arch.auditArch, clone, 0x80 | 17 /* exit signal bits, not CLONE_NEWTIME */, 0, 0)).isEqualTo(RET_ALLOW);
        assertThat(run(bpf, arch.auditArch, unshare, 0x200 | 0x400 /* CLONE_FS | CLONE_FILES */, 0, 0)).isEqualTo(RET_ALLOW);
        for (long ns : new long[] {0x00020000, 0x02000000, 0x04000000, 0x08000000, CLONE_NEWUSER, 0x20000000, 0x40000000}) {
            assertThat(run(bpf, arch.auditArch, clone, FORK_FLAGS | ns, 0, 0)).as("clone %x", ns).isEqualTo(RET_ERRNO | EPERM);
            assertThat(run(bpf, arch.auditArch, unshare, ns, 0, 0)).as("unshare %x", ns).isEqualTo(RET_ERRNO | EPERM);
            // bits above 32 are no disguise: the flag is still in the low word the kernel reads
            assertThat(run(bpf, arch.auditArch, unshare, 0xffffffff00000000L | ns, 0, 0)).isEqualTo(RET_ERRNO | EPERM);
        }
        assertThat(run(bpf, arch.auditArch, unshare, 0x80 /* CLONE_NEWTIME */, 0, 0)).isEqualTo(RET_ERRNO | EPERM);
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void onlyConfinedSocketFamiliesAndSafePersonalitiesPass(Arch arch) {
        byte[] bpf = SeccompFilter.compile(BwrapCommand.SECCOMP_POLICY, arch);
        int socket = arch.numbers.get("socket");
        int personality = arch.numbers.get("personality");

        for (long family : new long[] {1, 2, 10, 16}) {
            assertThat(run(bpf, arch.auditArch, socket, family, 1, 0)).as("family %d", family).isEqualTo(RET_ALLOW);
        }
        // netlink: only the protocols that answer for the sandbox's own namespace (route, sock_diag, generic)
        for (long protocol : new long[] {0, 4, 16, 0xffffffff00000000L}) {
            assertThat(run(bpf, arch.auditArch, socket, 16, 3, protocol)).as("netlink %x", protocol).isEqualTo(RET_ALLOW);
        }
        for (long protocol : new long[] {15 /* KOBJECT_UEVENT */, 9 /* AUDIT */, 7 /* SELINUX */, 11 /* CONNECTOR */, 12, 1, 0x10000000fL}) {
            assertThat(run(bpf, arch.auditArch, socket, 16, 3, protocol)).as("netlink %x", protocol).isEqualTo(RET_ERRNO | EPROTONOSUPPORT);
        }
        // the protocol narrows netlink alone: another family with the same protocol number passes
        assertThat(run(bpf, arch.auditArch, socket, 2, 2, 17)).isEqualTo(RET_ALLOW);
        for (long family : new long[] {0, 3, 4, 5, 17, 31, 38, 40, 44, 0x100000028L}) {
            assertThat(run(bpf, arch.auditArch, socket, family, 1, 0)).as("family %x", family).isEqualTo(RET_ERRNO | EAFNOSUPPORT);
        }
        for (long p : new long[] {0, 8, 0x20000, 0x20008, 0xffffffffL}) {
            assertThat(run(bpf, arch.auditArch, personality, p, 0, 0)).as("personality %x", p).isEqualTo(RET_ALLOW);
        }
        for (long p : new long[] {0x0040000 /* ADDR_NO_RANDOMIZE */, 0x0400000 /* READ_IMPLIES_EXEC */, 0x100040000L, 9}) {
            assertThat(run(bpf, arch.auditArch, personality, p, 0, 0)).as("personality %x", p).isEqualTo(RET_ERRNO | EPERM);
        }
    }

    @Test
    void anotherAbiKillsTheProcess() {
        byte[] x86 = SeccompFilter.compile(BwrapCommand.SECCOMP_POLICY, Arch.X86_64);
        byte[] arm = SeccompFilter.compile(BwrapCommand.SECCOMP_POLICY, Arch.AARCH64);
        int i386 = 0x40000003;
        int arm32 = 0x40000028;

        // 20 is getpid for i386 (and 39 for x86_64): allowed by number, yet the ABI is not ours
        assertThat(run(x86, i386, 20, 0, 0, 0)).isEqualTo(RET_KILL_PROCESS);
        assertThat(run(x86, Arch.AARCH64.auditArch, 172, 0, 0, 0)).isEqualTo(RET_KILL_PROCESS);
        assertThat(run(x86, Arch.X86_64.auditArch, 0x40000000 | 39, 0, 0, 0)).as("x32 getpid").isEqualTo(RET_KILL_PROCESS);
        assertThat(run(x86, Arch.X86_64.auditArch, 0x40000000 | 165, 0, 0, 0)).as("x32 mount").isEqualTo(RET_KILL_PROCESS);
        assertThat(run(arm, arm32, 20, 0, 0, 0)).isEqualTo(RET_KILL_PROCESS);
        assertThat(run(arm, Arch.X86_64.auditArch, 39, 0, 0, 0)).isEqualTo(RET_KILL_PROCESS);
        assertThat(run(x86, Arch.X86_64.auditArch, 39, 0, 0, 0)).isEqualTo(RET_ALLOW);
        assertThat(run(arm, Arch.AARCH64.auditArch, 172, 0, 0, 0)).isEqualTo(RET_ALLOW);
    }

    @Test
    void x86SyscallNumbersAreTheKernelHeaders() throws IOException {
        Map<String, Integer> header = defines(Path.of("/usr/include/x86_64-linux-gnu/asm/unistd_64.h"), "__NR_");
        assertTableMatches(Arch.X86_64, header);
    }

    @Test
    void aarch64SyscallNumbersAreTheGenericKernelHeaders() throws IOException {
        // aarch64 uses the generic table; a few calls are defined there as __NR3264_<name>
        Path generic = Path.of("/usr/include/asm-generic/unistd.h");
        Map<String, Integer> header = new HashMap<>(defines(generic, "__NR3264_"));
        header.putAll(defines(generic, "__NR_"));
        assertTableMatches(Arch.AARCH64, header);
        assertThat(header).doesNotContainKeys("iopl", "ioperm");
    }

    @Test
    void aPolicyWithATypoATwiceListedCallOrABadArgumentIsRefused() {
        assertThatThrownBy(() -> SeccompFilter.check(List.of(new Refuse("mnt", EPERM))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown system call mnt");
        assertThatThrownBy(() -> SeccompFilter.check(List.of(new Refuse("mount", EPERM), new SeccompFilter.RefuseFlags("mount", 0, 1, EPERM))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mount is in two rules");
        assertThatThrownBy(() -> SeccompFilter.check(List.of(new SeccompFilter.RefuseFlags("clone", 6, 1, EPERM))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("argument 6");
        assertThatThrownBy(() -> SeccompFilter.check(List.of(new Refuse("mount", 0))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("errno 0");
    }

    @Test
    void theAssemblerEncodesTheKernelsLayoutAndRefusesJumpsItCannotEncode() {
        byte[] one = new ClassicBpf().ret(RET_ALLOW).assemble();
        ByteBuffer b = ByteBuffer.wrap(one).order(ByteOrder.nativeOrder());
        assertThat(one).hasSize(8);
        assertThat(b.getShort(0)).isEqualTo((short) 0x06);
        assertThat(b.getInt(4)).isEqualTo(RET_ALLOW);

        ClassicBpf far = new ClassicBpf().load(0).jump(ClassicBpf.Jump.EQ, 1, "end", ClassicBpf.NEXT);
        for (int i = 0; i < 256; i++) far.load(0);
        far.label("end").ret(RET_ALLOW);
        assertThatThrownBy(far::assemble).hasMessageContaining("spans 256");
        assertThatThrownBy(() -> new ClassicBpf().label("a").ret(0).label("a")).hasMessageContaining("defined twice");
        assertThatThrownBy(() -> new ClassicBpf().jump(ClassicBpf.Jump.EQ, 1, "nowhere", ClassicBpf.NEXT).ret(0).assemble())
                .hasMessageContaining("undefined label");
        assertThatThrownBy(() -> new ClassicBpf().load(0).assemble()).hasMessageContaining("end with a return");
    }

    private static void assertTableMatches(Arch arch, Map<String, Integer> header) {
        assertThat(header).as("the header was read").hasSizeGreaterThan(250);
        arch.numbers.forEach((call, nr) -> {
            // calls newer than these headers (Debian 12's are 6.1): numbered from the kernel's own table
            if (call.equals("open_tree_attr")) assertThat(nr).isEqualTo(467);
            else assertThat(header.get(call)).as("%s %s", arch, call).isEqualTo(nr);
        });
    }

    private static Map<String, Integer> defines(Path header, String prefix) throws IOException {
        Pattern define = Pattern.compile("#define\\s+" + Pattern.quote(prefix) + "(\\w+)\\s+(\\d+)");
        Map<String, Integer> out = new HashMap<>();
        for (String line : Files.readAllLines(header)) {
            Matcher m = define.matcher(line.strip());
            if (m.matches()) out.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        return out;
    }

    /**
     * Runs a classic-BPF seccomp program over a {@code struct seccomp_data} (nr, arch,
     * instruction pointer, six 64-bit arguments, little-endian) and returns its verdict.
     */
    static int run(byte[] program, int arch, int nr, long arg0, long arg1, long arg2) {
        ByteBuffer data = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        data.putInt(0, nr).putInt(4, arch).putLong(8, 0x401000L);
        long[] args = {arg0, arg1, arg2, 0, 0, 0};
        for (int i = 0; i < 6; i++) data.putLong(16 + 8 * i, args[i]);
        ByteBuffer code = ByteBuffer.wrap(program).order(ByteOrder.nativeOrder());
        int a = 0;
        int pc = 0;
        for (int steps = 0; steps < 10_000; steps++) {
            int op = code.getShort(pc * 8) & 0xffff;
            int jt = code.get(pc * 8 + 2) & 0xff;
            int jf = code.get(pc * 8 + 3) & 0xff;
            int k = code.getInt(pc * 8 + 4);
            switch (op) {
                case 0x20 -> { // BPF_LD | BPF_W | BPF_ABS
                    if (k < 0 || k > 60 || k % 4 != 0) throw new AssertionError("load outside seccomp_data: " + k);
                    a = data.getInt(k);
                    pc++;
                }
                case 0x15 -> pc += 1 + (a == k ? jt : jf);
                case 0x35 -> pc += 1 + (Integer.compareUnsigned(a, k) >= 0 ? jt : jf);
                case 0x45 -> pc += 1 + ((a & k) != 0 ? jt : jf);
                case 0x06 -> {
                    return k;
                }
                default -> throw new AssertionError("unexpected opcode " + Integer.toHexString(op) + " at " + pc);
            }
            if (pc * 8 >= program.length) throw new AssertionError("ran off the end of the program");
        }
        throw new AssertionError("no verdict");
    }
}
