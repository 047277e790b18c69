package dev.ale.sandbox.local;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny assembler for the classic BPF that seccomp runs: loads of a 32-bit word of the
 * syscall's data, forward jumps to named labels, and returns. Output is the kernel's
 * {@code struct sock_filter} array (8 bytes an instruction) in the host's byte order, as
 * bubblewrap's {@code --seccomp FD} reads it.
 */
final class ClassicBpf {

    /** Conditional jumps the filter uses, each against a constant. */
    enum Jump {
        /** {@code A == k} */
        EQ(0x15),
        /** {@code A >= k} (unsigned) */
        GE(0x35),
        /** {@code A & k != 0} */
        ANY_BIT(0x45);

        final int opcode;

        Jump(int opcode) {
            this.opcode = opcode;
        }
    }

    static final int LOAD_WORD_ABS = 0x20;
    static final int RETURN_CONST = 0x06;
    /** The kernel's limit on a filter's length (BPF_MAXINSNS). */
    static final int MAX_INSTRUCTIONS = 4096;
    /** "Go on with the next instruction": a jump target that needs no label. */
    static final String NEXT = "";

    private record Insn(int code, String ifTrue, String ifFalse, int k) {
    }

    private final List<Insn> code = new ArrayList<>();
    private final Map<String, Integer> labels = new HashMap<>();

    /** {@code A = *(u32 *)(seccomp_data + offset)} */
    ClassicBpf load(int offset) {
        code.add(new Insn(LOAD_WORD_ABS, NEXT, NEXT, offset));
        return this;
    }

    /** Jumps forward to {@code ifTrue} or {@code ifFalse} (a label, or {@link #NEXT}). */
    ClassicBpf jump(Jump op, int k, String ifTrue, String ifFalse) {
        code.add(new Insn(op.opcode, ifTrue, ifFalse, k));
        return this;
    }

    ClassicBpf ret(int k) {
        code.add(new Insn(RETURN_CONST, NEXT, NEXT, k));
        return this;
    }

    /** Names the next instruction. */
    ClassicBpf label(String name) {
        if (name.isEmpty() || labels.putIfAbsent(name, code.size()) != null) {
            throw new IllegalArgumentException("label \"" + name + "\" is empty or defined twice");
        }
        return this;
    }

    /** The program as the kernel reads it; refuses a jump backwards, too far (over 255), or to no label. */
    byte[] assemble() {
        if (code.isEmpty() || code.size() > MAX_INSTRUCTIONS) {
            throw new IllegalStateException("a filter has 1 to " + MAX_INSTRUCTIONS + " instructions, this one " + code.size());
        }
        if (code.getLast().code() != RETURN_CONST) throw new IllegalStateException("a filter must end with a return");
        ByteBuffer out = ByteBuffer.allocate(code.size() * 8).order(ByteOrder.nativeOrder());
        for (int pc = 0; pc < code.size(); pc++) {
            Insn i = code.get(pc);
            out.putShort((short) i.code());
            out.put((byte) offset(pc, i.ifTrue()));
            out.put((byte) offset(pc, i.ifFalse()));
            out.putInt(i.k());
        }
        return out.array();
    }

    private int offset(int pc, String label) {
        if (label.equals(NEXT)) return 0;
        Integer target = labels.get(label);
        if (target == null) throw new IllegalStateException("jump to undefined label \"" + label + "\"");
        int skip = target - pc - 1;
        if (skip < 0 || skip > 255) throw new IllegalStateException("jump from " + pc + " to \"" + label + "\" spans " + skip + " instructions (0..255)");
        return skip;
    }
}
