package dev.ale.sandbox.local;

import dev.ale.core.AleException.Fault;
import dev.ale.core.sandbox.SandboxException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Compiles a seccomp policy (which system calls a sandbox is refused, and with which error)
 * into the classic-BPF program bubblewrap installs last, after its own setup. The policy
 * itself is {@link BwrapCommand#SECCOMP_POLICY}; this class only knows syscall numbers and
 * how to check them. Default: allow; a foreign ABI: kill the process.
 */
final class SeccompFilter {

    /** The errno values policies use (the same on every architecture here). */
    static final int EPERM = 1;
    static final int ENOSYS = 38;
    static final int EAFNOSUPPORT = 97;
    static final int EPROTONOSUPPORT = 93;

    static final int RET_KILL_PROCESS = 0x80000000;
    static final int RET_ERRNO = 0x00050000;
    static final int RET_ALLOW = 0x7fff0000;

    /** Offsets into the kernel's {@code struct seccomp_data}. */
    static final int NR_OFFSET = 0;
    static final int ARCH_OFFSET = 4;
    static final int ARGS_OFFSET = 16;

    /** x86_64 system calls of the x32 ABI have this bit set in their number. */
    static final int X32_SYSCALL_BIT = 0x40000000;

    /** What the filter does with one system call; each call appears in at most one rule. */
    sealed interface Rule {
        String syscall();

        int errno();
    }

    /** Refused whatever its arguments. */
    record Refuse(String syscall, int errno) implements Rule {
    }

    /** Refused when argument {@code arg} (its low 32 bits) has any bit of {@code mask} set. */
    record RefuseFlags(String syscall, int arg, int mask, int errno) implements Rule {
    }

    /** Refused unless argument {@code arg} (its low 32 bits) is one of {@code allowed}. */
    record AllowOnly(String syscall, int arg, Set<Integer> allowed, int errno) implements Rule {
        AllowOnly {
            allowed = Set.copyOf(allowed);
        }
    }

    /**
     * Refused unless argument {@code arg} is one of {@code allowed}; and where it is {@code narrowed},
     * also refused (with {@code thenErrno}) unless argument {@code thenArg} is one of {@code thenAllowed}.
     * Low 32 bits of each, as {@link AllowOnly}.
     */
    record AllowOnlyNarrowed(String syscall, int arg, Set<Integer> allowed, int errno, int narrowed, int thenArg,
                             Set<Integer> thenAllowed, int thenErrno) implements Rule {
        AllowOnlyNarrowed {
            allowed = Set.copyOf(allowed);
            thenAllowed = Set.copyOf(thenAllowed);
            if (!allowed.contains(narrowed)) throw new IllegalArgumentException(syscall + ": narrowed value " + narrowed + " is not allowed at all");
        }
    }

    /**
     * An architecture the filter can be made for: its audit arch (the kernel's name for the
     * calling convention) and its syscall numbers, from the kernel's tables
     * ({@code arch/x86/entry/syscalls/syscall_64.tbl}, {@code include/uapi/asm-generic/unistd.h}).
     */
    enum Arch {
        X86_64(0xC000003E, true, Map.ofEntries(
                Map.entry("clone", 56), Map.entry("clone3", 435), Map.entry("unshare", 272), Map.entry("setns", 308),
                Map.entry("socket", 41), Map.entry("personality", 135), Map.entry("ptrace", 101),
                Map.entry("io_uring_setup", 425), Map.entry("io_uring_enter", 426), Map.entry("io_uring_register", 427),
                Map.entry("add_key", 248), Map.entry("request_key", 249), Map.entry("keyctl", 250),
                Map.entry("bpf", 321), Map.entry("perf_event_open", 298), Map.entry("userfaultfd", 323),
                Map.entry("kexec_load", 246), Map.entry("kexec_file_load", 320),
                Map.entry("init_module", 175), Map.entry("finit_module", 313), Map.entry("delete_module", 176),
                Map.entry("open_by_handle_at", 304), Map.entry("name_to_handle_at", 303),
                Map.entry("mount", 165), Map.entry("umount2", 166), Map.entry("pivot_root", 155),
                Map.entry("fsopen", 430), Map.entry("fsconfig", 431), Map.entry("fsmount", 432), Map.entry("fspick", 433),
                Map.entry("move_mount", 429), Map.entry("open_tree", 428), Map.entry("mount_setattr", 442),
                Map.entry("open_tree_attr", 467),
                Map.entry("swapon", 167), Map.entry("swapoff", 168), Map.entry("reboot", 169), Map.entry("acct", 163),
                Map.entry("syslog", 103), Map.entry("quotactl", 179),
                Map.entry("settimeofday", 164), Map.entry("clock_settime", 227), Map.entry("adjtimex", 159),
                Map.entry("clock_adjtime", 305),
                Map.entry("iopl", 172), Map.entry("ioperm", 173))),
        AARCH64(0xC00000B7, false, Map.ofEntries(
                Map.entry("clone", 220), Map.entry("clone3", 435), Map.entry("unshare", 97), Map.entry("setns", 268),
                Map.entry("socket", 198), Map.entry("personality", 92), Map.entry("ptrace", 117),
                Map.entry("io_uring_setup", 425), Map.entry("io_uring_enter", 426), Map.entry("io_uring_register", 427),
                Map.entry("add_key", 217), Map.entry("request_key", 218), Map.entry("keyctl", 219),
                Map.entry("bpf", 280), Map.entry("perf_event_open", 241), Map.entry("userfaultfd", 282),
                Map.entry("kexec_load", 104), Map.entry("kexec_file_load", 294),
                Map.entry("init_module", 105), Map.entry("finit_module", 273), Map.entry("delete_module", 106),
                Map.entry("open_by_handle_at", 265), Map.entry("name_to_handle_at", 264),
                Map.entry("mount", 40), Map.entry("umount2", 39), Map.entry("pivot_root", 41),
                Map.entry("fsopen", 430), Map.entry("fsconfig", 431), Map.entry("fsmount", 432), Map.entry("fspick", 433),
                Map.entry("move_mount", 429), Map.entry("open_tree", 428), Map.entry("mount_setattr", 442),
                Map.entry("open_tree_attr", 467),
                Map.entry("swapon", 224), Map.entry("swapoff", 225), Map.entry("reboot", 142), Map.entry("acct", 89),
                Map.entry("syslog", 116), Map.entry("quotactl", 60),
                Map.entry("settimeofday", 170), Map.entry("clock_settime", 112), Map.entry("adjtimex", 171),
                Map.entry("clock_adjtime", 266)));
        // aarch64 has no iopl/ioperm: there is nothing to refuse

        final int auditArch;
        /** Whether numbers with {@link #X32_SYSCALL_BIT} reach a second ABI under the same audit arch. */
        final boolean hasX32;
        final Map<String, Integer> numbers;

        Arch(int auditArch, boolean hasX32, Map<String, Integer> numbers) {
            this.auditArch = auditArch;
            this.hasX32 = hasX32;
            this.numbers = numbers;
        }

        /** The architecture this JVM runs on. */
        static Arch host() {
            String arch = System.getProperty("os.arch");
            return switch (arch) {
                case "amd64", "x86_64" -> X86_64;
                case "aarch64" -> AARCH64;
                default -> throw new SandboxException(Fault.ENVIRONMENT, "no seccomp filter for architecture " + arch
                        + ": ALE runs sandboxes on x86_64 and aarch64");
            };
        }
    }

    private SeccompFilter() {
    }

    /**
     * The filter for {@code arch}: a call of another ABI (i386 through {@code int 0x80}, x32)
     * kills the process, since its numbers mean other calls; then each rule in order; else allow.
     * A rule naming a call the architecture does not have is left out.
     */
    static byte[] compile(List<Rule> policy, Arch arch) {
        check(policy);
        ClassicBpf bpf = new ClassicBpf()
                .load(ARCH_OFFSET)
                .jump(ClassicBpf.Jump.EQ, arch.auditArch, "native", ClassicBpf.NEXT)
                .ret(RET_KILL_PROCESS)
                .label("native")
                .load(NR_OFFSET);
        if (arch.hasX32) {
            bpf.jump(ClassicBpf.Jump.GE, X32_SYSCALL_BIT, ClassicBpf.NEXT, "rules").ret(RET_KILL_PROCESS).label("rules");
        }
        int n = 0;
        for (Rule rule : policy) {
            Integer nr = arch.numbers.get(rule.syscall());
            if (nr == null) continue;
            String next = "after-" + n++;
            bpf.jump(ClassicBpf.Jump.EQ, nr, ClassicBpf.NEXT, next);
            int refuse = RET_ERRNO | rule.errno();
            switch (rule) {
                case Refuse r -> bpf.ret(refuse);
                case RefuseFlags r -> bpf.load(argLow(r.arg()))
                        .jump(ClassicBpf.Jump.ANY_BIT, r.mask(), ClassicBpf.NEXT, next + "-allow")
                        .ret(refuse)
                        .label(next + "-allow")
                        .ret(RET_ALLOW);
                case AllowOnly r -> {
                    bpf.load(argLow(r.arg()));
                    for (int v : r.allowed().stream().sorted().toList()) bpf.jump(ClassicBpf.Jump.EQ, v, next + "-allow", ClassicBpf.NEXT);
                    bpf.ret(refuse).label(next + "-allow").ret(RET_ALLOW);
                }
                case AllowOnlyNarrowed r -> {
                    bpf.load(argLow(r.arg()));
                    for (int v : r.allowed().stream().sorted().toList()) {
                        bpf.jump(ClassicBpf.Jump.EQ, v, v == r.narrowed() ? next + "-narrow" : next + "-allow", ClassicBpf.NEXT);
                    }
                    bpf.ret(refuse).label(next + "-narrow").load(argLow(r.thenArg()));
                    for (int v : r.thenAllowed().stream().sorted().toList()) bpf.jump(ClassicBpf.Jump.EQ, v, next + "-allow", ClassicBpf.NEXT);
                    bpf.ret(RET_ERRNO | r.thenErrno()).label(next + "-allow").ret(RET_ALLOW);
                }
            }
            bpf.label(next);
        }
        return bpf.ret(RET_ALLOW).assemble();
    }

    /** Every syscall a known one, each in one rule, every errno a real one, arguments 0..5. */
    static void check(List<Rule> policy) {
        Set<String> known = new HashSet<>();
        Stream.of(Arch.values()).forEach(a -> known.addAll(a.numbers.keySet()));
        Set<String> seen = new HashSet<>();
        for (Rule rule : policy) {
            if (!known.contains(rule.syscall())) throw new IllegalArgumentException("unknown system call " + rule.syscall());
            if (!seen.add(rule.syscall())) throw new IllegalArgumentException(rule.syscall() + " is in two rules");
            if (rule.errno() < 1 || rule.errno() > 4095) throw new IllegalArgumentException(rule.syscall() + ": errno " + rule.errno());
            int arg = switch (rule) {
                case Refuse r -> 0;
                case RefuseFlags r -> r.arg();
                case AllowOnly r -> r.arg();
                case AllowOnlyNarrowed r -> r.arg();
            };
            if (arg < 0 || arg > 5) throw new IllegalArgumentException(rule.syscall() + ": argument " + arg + " (0..5)");
            if (rule instanceof AllowOnlyNarrowed r) {
                if (r.thenArg() < 0 || r.thenArg() > 5) throw new IllegalArgumentException(rule.syscall() + ": argument " + r.thenArg() + " (0..5)");
                if (r.thenErrno() < 1 || r.thenErrno() > 4095) throw new IllegalArgumentException(rule.syscall() + ": errno " + r.thenErrno());
            }
        }
    }

    /**
     * The low half of a 64-bit argument (both architectures are little-endian). Every rule
     * compares only that half, which is what the kernel itself reads of these arguments
     * (an int, an unsigned int, or flags defined in the low 32 bits).
     */
    private static int argLow(int arg) {
        return ARGS_OFFSET + 8 * arg;
    }
}
