package io.jkvm.testkit.fuzz;

import io.jkvm.api.uapi.Fpu;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How a case ended on one backend: at the end marker, in an exception handler (vector, error code and the
 * frame the CPU pushed), or with some other exit; plus the registers and the user-writable memory.
 */
public record Outcome(String kind, int vector, long errorCode, boolean hasErrorCode, long rip, long rflags, long rsp,
                      long cr2, long[] gprs, byte[] memory, String detail, Fpu fpu) {

    static final String END = "end", EXCEPTION = "exception", OTHER = "other";

    private static final String[] NAMES = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};

    /** Differences from {@code o}, ignoring what {@code l} leaves to the processor; empty when they agree. */
    public List<String> diff(Outcome o, Licence l, int nregs) {
        List<String> d = new ArrayList<>();
        if (!kind.equals(o.kind)) d.add("kind " + describe() + " vs " + o.describe());
        if (!detail.equals(o.detail)) d.add("exit " + detail + " vs " + o.detail);
        if (vector != o.vector) d.add("vector " + vector + " vs " + o.vector);
        if (hasErrorCode != o.hasErrorCode || errorCode != o.errorCode)
            d.add(String.format("error code %s vs %s", hasErrorCode ? Long.toHexString(errorCode) : "-", o.hasErrorCode ? Long.toHexString(o.errorCode) : "-"));
        if (rip != o.rip) d.add(String.format("rip %#x vs %#x", rip, o.rip));
        long mask = ~(l.undefinedFlags() | 0x10000L);   // RF is set in fault frames by some CPUs only
        if ((rflags & mask) != (o.rflags & mask)) d.add(String.format("rflags %#x vs %#x (undefined %#x)", rflags, o.rflags, l.undefinedFlags()));
        if (rsp != o.rsp) d.add(String.format("rsp %#x vs %#x", rsp, o.rsp));
        if (vector == 14 && cr2 != o.cr2) d.add(String.format("cr2 %#x vs %#x", cr2, o.cr2));
        for (int k = 0; k < nregs; k++) {
            if (k == 4) continue;
            if (gprs[k] != o.gprs[k]) d.add(String.format("%s %#x vs %#x", NAMES[k], gprs[k], o.gprs[k]));
        }
        int first = Arrays.mismatch(memory, o.memory);
        if (first >= 0) d.add(String.format("memory differs first at offset %#x (%02x vs %02x)", first, memory[first] & 0xff, o.memory[first] & 0xff));
        if (fpu != null && o.fpu != null) {
            if (l.mmxTransitionAtFault()) fpuDiff(afterMmxTransition(fpu), afterMmxTransition(o.fpu), l, d);
            else fpuDiff(fpu, o.fpu, l, d);
        }
        return d;
    }

    /** The x87 state once TOP is 0 and every tag valid: ST(i) is then physical register i. */
    private static Fpu afterMmxTransition(Fpu f) {
        int top = f.fsw() >> 11 & 7;
        byte[] physical = new byte[f.fpr().length];
        for (int i = 0; i < 8; i++) System.arraycopy(f.fpr(), 16 * i, physical, 16 * ((i + top) & 7), 16);
        return new Fpu(physical, f.fcw(), f.fsw() & ~(7 << 11), 0xff, f.last_opcode(), f.last_ip(), f.last_dp(),
                f.xmm(), f.mxcsr());
    }

    private static void fpuDiff(Fpu a, Fpu b, Licence l, List<String> d) {
        int undefinedFsw = l.undefinedFsw();
        if (a.fcw() != b.fcw()) d.add(String.format("fcw %#x vs %#x", a.fcw(), b.fcw()));
        if ((a.fsw() & ~undefinedFsw) != (b.fsw() & ~undefinedFsw))
            d.add(String.format("fsw %#x vs %#x (undefined %#x)", a.fsw(), b.fsw(), undefinedFsw));
        if (a.ftwx() != b.ftwx()) d.add(String.format("ftw %#x vs %#x", a.ftwx(), b.ftwx()));
        if (a.mxcsr() != b.mxcsr()) d.add(String.format("mxcsr %#x vs %#x", a.mxcsr(), b.mxcsr()));
        // AMD's FXSAVE/XSAVE store the x87 error pointers only while an exception is pending (FSW.ES = 1);
        // with ES = 0 the reference reports zeros, which says nothing about them. FDP is not compared: the SDM
        // leaves it undefined after an instruction without a memory operand, and this AMD part keeps or
        // clears it by rules of its own (jkvm keeps it; Intel parts with FDP_EXCPTN_ONLY update it only on
        // unmasked exceptions).
        // Zeros from the reference are also skipped: when the host preempts the guest while ES = 0 and a later
        // FLDCW/FLDENV sets ES, the pointers were already lost by the host's XSAVE.
        // FOP is not compared: whether it is stored for an instruction that raised no unmasked exception is
        // the processor's choice (SDM vol. 1 §8.1.9.1, fopcode compatibility mode, off by default on Intel):
        // an Intel host keeps the FOP of the last faulting instruction, AMD and jkvm that of the last one.
        if ((a.last_opcode() != 0 || a.last_ip() != 0) && a.last_ip() != b.last_ip())
            d.add(String.format("fip %#x vs %#x", a.last_ip(), b.last_ip()));
        byte[] fa = a.fpr(), fb = b.fpr();
        for (int i = 0; i < 8; i++) {
            if (!Arrays.equals(fa, 16 * i, 16 * i + 10, fb, 16 * i, 16 * i + 10))
                d.add(String.format("st%d %s vs %s", i, hex80(fa, 16 * i), hex80(fb, 16 * i)));
        }
        byte[] xa = a.xmm(), xb = b.xmm();
        for (int i = 0; i < 16; i++) {
            if (!Arrays.equals(xa, 16 * i, 16 * i + 16, xb, 16 * i, 16 * i + 16))
                d.add(String.format("xmm%d %s vs %s", i, hex128(xa, 16 * i), hex128(xb, 16 * i)));
        }
    }

    private static String hex80(byte[] b, int o) {
        StringBuilder s = new StringBuilder();
        for (int k = 9; k >= 0; k--) {
            s.append(String.format("%02x", b[o + k] & 0xff));
            if (k == 8) s.append(':');
        }
        return s.toString();
    }

    private static String hex128(byte[] b, int o) {
        StringBuilder s = new StringBuilder();
        for (int k = 15; k >= 0; k--) {
            s.append(String.format("%02x", b[o + k] & 0xff));
            if (k == 8) s.append('_');
        }
        return s.toString();
    }

    public String describe() {
        return switch (kind) {
            case EXCEPTION -> "exception " + vector + (hasErrorCode ? "(" + Long.toHexString(errorCode) + ")" : "")
                    + String.format(" at rip %#x", rip);
            case END -> "end";
            default -> "other: " + detail;
        };
    }
}
