package io.jkvm.x86.insn;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.fpu.FpuState;

/**
 * x87 control instructions: FLDCW, FNCLEX, FNINIT (and the 8087 relics FNENI FNDISI FNSETPM, no-ops since
 * the 387), FNSTENV/FLDENV and FNSAVE/FRSTOR in the four environment layouts of SDM Vol. 1 §8.1.10
 * (16- or 32-bit operand size × real or protected mode).
 */
final class X87Control {
    private X87Control() {}

    /** FCW bits that exist: exception masks, PC, RC, X; bit 6 always reads as 1. */
    static int fcwValue(int v) {
        return (v & 0x1f3f) | 0x40;
    }

    static void fldcw(Cpu c, Insn i) {
        FpuState f = c.fpu;
        f.fcw = fcwValue((int) c.read(c.linE(i, 2, false), 2));
        f.updateEs();                                  // unmasking a pending exception arms #MF for the next waiting instruction
    }

    /** DB E0–E4: FNENI, FNDISI (ignored), FNCLEX, FNINIT, FNSETPM (ignored). */
    static void dbE0(Cpu c, int r) {
        FpuState f = c.fpu;
        switch (r) {
            case 2 -> f.fsw &= ~0x80ff;                 // exception flags, SF, ES, B
            case 3 -> f.finit();
            case 0, 1, 4 -> { }
            default -> throw c.fault(io.jkvm.x86.exc.Vector.UD);
        }
    }

    private static boolean realFormat(Cpu c) {
        return !c.protectedMode || c.vm86();
    }

    private static int envSize(Insn i) {
        return i.osize == 2 ? 14 : 28;
    }

    /** Writes the environment at {@code la}; returns its size. */
    private static int storeEnv(Cpu c, Insn i, long la) {
        FpuState f = c.fpu;
        boolean wide = i.osize != 2;
        int step = wide ? 4 : 2;
        long hiOnes = wide ? 0xffff0000L : 0;
        int tag = f.fullTagWord();
        c.write(la, step, f.fcw | hiOnes);
        c.write(la + step, step, f.fsw | hiOnes);
        c.write(la + 2L * step, step, tag | hiOnes);
        if (realFormat(c)) {
            long ip = ((long) f.fcs << 4) + (f.fip & 0xffff), dp = ((long) f.fds << 4) + (f.fdp & 0xffff);
            c.write(la + 3L * step, step, (ip & 0xffff) | hiOnes);
            c.write(la + 4L * step, step, (ip >>> 16) << 12 | f.fop);
            c.write(la + 5L * step, step, (dp & 0xffff) | hiOnes);
            c.write(la + 6L * step, step, (dp >>> 16) << 12);
        } else {
            c.write(la + 3L * step, step, f.fip);
            c.write(la + 4L * step, step, f.fcs | (wide ? (long) f.fop << 16 : 0));
            c.write(la + 5L * step, step, f.fdp);
            c.write(la + 6L * step, step, f.fds | hiOnes);
        }
        return 7 * step;
    }

    private static int loadEnv(Cpu c, Insn i, long la) {
        FpuState f = c.fpu;
        boolean wide = i.osize != 2;
        int step = wide ? 4 : 2;
        int fcw = (int) c.read(la, 2), fsw = (int) c.read(la + step, 2), tag = (int) c.read(la + 2L * step, 2);
        long w3 = c.read(la + 3L * step, step), w4 = c.read(la + 4L * step, step);
        long w5 = c.read(la + 5L * step, step), w6 = c.read(la + 6L * step, step);
        f.fcw = fcwValue(fcw);
        f.fsw = fsw;
        f.setFullTagWord(tag);
        if (realFormat(c)) {
            f.fip = (w3 & 0xffff) | ((w4 >>> 12) & 0xffff) << 16;
            f.fop = (int) w4 & 0x7ff;
            f.fdp = (w5 & 0xffff) | ((w6 >>> 12) & 0xffff) << 16;
            f.fcs = f.fds = 0;
        } else {
            f.fip = w3;
            f.fcs = (int) w4 & 0xffff;
            f.fop = wide ? (int) (w4 >>> 16) & 0x7ff : 0;     // the 16-bit layout has no opcode field
            f.fdp = w5;
            f.fds = (int) w6 & 0xffff;
        }
        f.updateEs();
        return 7 * step;
    }

    /** FNSTENV: stores the environment, then masks all exceptions. */
    static void fnstenv(Cpu c, Insn i) {
        long la = c.linE(i, envSize(i), true);
        X87.probe(c, la, envSize(i), true);
        storeEnv(c, i, la);
        FpuState f = c.fpu;
        f.fcw |= 0x3f;
        f.updateEs();
    }

    static void fldenv(Cpu c, Insn i) {
        long la = c.linE(i, envSize(i), false);
        X87.probe(c, la, envSize(i), false);
        loadEnv(c, i, la);
    }

    /** FNSAVE: environment, then ST(0)–ST(7) as 80-bit values, then FNINIT. */
    static void fnsave(Cpu c, Insn i) {
        int size = envSize(i) + 80;
        long la = c.linE(i, size, true);
        X87.probe(c, la, size, true);
        int off = storeEnv(c, i, la);
        FpuState f = c.fpu;
        for (int k = 0; k < 8; k++) {
            int p = f.phys(k);
            c.write(la + off + 10L * k, 8, f.mant[p]);
            c.write(la + off + 10L * k + 8, 2, f.sexp[p]);
        }
        f.finit();
    }

    static void frstor(Cpu c, Insn i) {
        int size = envSize(i) + 80;
        long la = c.linE(i, size, false);
        X87.probe(c, la, size, false);                  // both pages readable before anything changes
        int off = loadEnv(c, i, la);
        FpuState f = c.fpu;
        for (int k = 0; k < 8; k++) {
            int p = f.phys(k);
            f.mant[p] = c.read(la + off + 10L * k, 8);
            f.sexp[p] = (int) c.read(la + off + 10L * k + 8, 2);
        }
    }
}
