package io.jkvm.x86.insn;

import static io.jkvm.x86.fpu.FloatCore.*;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.exc.Vector;
import io.jkvm.x86.fpu.FpuState;
import io.jkvm.x86.fpu.SoftFloat;

/**
 * The x87 forms with a memory operand (ModRM.mod ≠ 3): arithmetic on m32fp/m64fp/m16int/m32int, and the
 * loads and stores FLD FST FSTP (m32fp m64fp m80fp), FILD FIST FISTP FISTTP (m16int m32int m64int),
 * FBLD FBSTP (m80bcd). A store computes its value, writes memory (which may fault, leaving the FPU
 * untouched) and only then updates the status word and the stack.
 */
final class X87Mem {
    private X87Mem() {}

    static final int M32FP = 0, M32INT = 1, M64FP = 2, M16INT = 3;

    static void exec(Cpu c, Insn i, int esc, int reg) {
        switch (esc) {
            case 0, 2, 4, 6 -> {                                   // D8 m32fp, DA m32int, DC m64fp, DE m16int
                int kind = esc >> 1;
                if (reg == 2 || reg == 3) X87Arith.fcomMem(c, i, kind, reg - 2);
                else X87Arith.memOp(c, i, reg, kind);
            }
            case 1 -> {
                switch (reg) {
                    case 0 -> fldFp(c, i, 4);
                    case 2, 3 -> fstFp(c, i, 4, reg == 3);
                    case 4 -> X87Control.fldenv(c, i);
                    case 5 -> X87Control.fldcw(c, i);
                    case 6 -> X87Control.fnstenv(c, i);
                    case 7 -> c.write(c.linE(i, 2, true), 2, c.fpu.fcw);          // FNSTCW
                    default -> throw c.fault(Vector.UD);
                }
            }
            case 3 -> {
                switch (reg) {
                    case 0 -> fild(c, i, 4);
                    case 1 -> fist(c, i, 4, true, true);
                    case 2, 3 -> fist(c, i, 4, false, reg == 3);
                    case 5 -> fld80(c, i);
                    case 7 -> fstp80(c, i);
                    default -> throw c.fault(Vector.UD);
                }
            }
            case 5 -> {
                switch (reg) {
                    case 0 -> fldFp(c, i, 8);
                    case 1 -> fist(c, i, 8, true, true);
                    case 2, 3 -> fstFp(c, i, 8, reg == 3);
                    case 4 -> X87Control.frstor(c, i);
                    case 6 -> X87Control.fnsave(c, i);
                    case 7 -> c.write(c.linE(i, 2, true), 2, c.fpu.fsw);          // FNSTSW m16
                    default -> throw c.fault(Vector.UD);
                }
            }
            default -> {
                switch (reg) {
                    case 0 -> fild(c, i, 2);
                    case 1 -> fist(c, i, 2, true, true);
                    case 2, 3 -> fist(c, i, 2, false, reg == 3);
                    case 4 -> fbld(c, i);
                    case 5 -> fild(c, i, 8);
                    case 6 -> fbstp(c, i);
                    default -> fist(c, i, 8, false, true);
                }
            }
        }
    }

    // ------------------------------------------------------------------ operands

    static long readOperand(Cpu c, Insn i, int kind) {
        int size = kind == M64FP ? 8 : kind == M16INT ? 2 : 4;
        return c.read(c.linE(i, size, false), size);
    }

    static void loadB(SoftFloat s, long v, int kind) {
        switch (kind) {
            case M32FP -> s.loadF32B((int) v);
            case M32INT -> s.loadIntB((int) v);
            case M64FP -> s.loadF64B(v);
            default -> s.loadIntB((short) v);
        }
    }

    // ------------------------------------------------------------------ loads

    /** FLD m32fp/m64fp: exact widening; an SNaN is quieted (IE), a denormal reports DE. */
    private static void fldFp(Cpu c, Insn i, int size) {
        FpuState f = c.fpu;
        long v = c.read(c.linE(i, size, false), size);
        if (!f.empty(7)) {
            X87.push(f, 0, 0);                                    // stack overflow path
            return;
        }
        SoftFloat s = X87.sf(c);
        s.target = X64;
        if (size == 4) s.loadF32A((int) v); else s.loadF64A(v);
        if (s.aDenormal()) s.flags |= DE;             // reported, but the value is loaded even when DE is unmasked
        s.round();
        if ((s.flags & ~f.fcw & IE) != 0) {
            X87.flagsOnly(f, s);
            return;
        }
        int se = s.packExt();
        f.push(se, s.rSig);
        X87.flagsOnly(f, s);
    }

    private static void fld80(Cpu c, Insn i) {
        long la = c.linE(i, 10, false);
        long m = c.read(la, 8);
        int se = (int) c.read(la + 8, 2);
        FpuState f = c.fpu;
        boolean full = !f.empty(7);
        X87.push(f, se, m);
        if (!full) f.fsw &= ~FpuState.C1;
    }

    private static void fild(Cpu c, Insn i, int size) {
        long v = c.read(c.linE(i, size, false), size);
        long x = size == 2 ? (short) v : size == 4 ? (int) v : v;
        SoftFloat s = X87.sf(c);
        s.target = X64;
        s.loadIntA(x);
        s.round();
        int se = s.packExt();
        FpuState f = c.fpu;
        boolean full = !f.empty(7);
        X87.push(f, se, s.rSig);
        if (!full) f.fsw &= ~FpuState.C1;
    }

    private static void fbld(Cpu c, Insn i) {
        long la = c.linE(i, 10, false);
        long lo = c.read(la, 8);
        int hi = (int) c.read(la + 8, 2);
        long v = 0;
        for (int k = 8; k >= 0; k--) {
            int b = k == 8 ? hi & 0xff : (int) (lo >>> (8 * k)) & 0xff;
            v = v * 100 + (b >> 4) * 10 + (b & 15);
        }
        SoftFloat s = X87.sf(c);
        s.target = X64;
        s.loadIntA(v);
        s.round();
        int se = s.packExt() | ((hi & 0x8000) != 0 ? 0x8000 : 0);
        X87.push(c.fpu, se, s.rSig);
    }

    // ------------------------------------------------------------------ stores

    /**
     * Which comes first when a store both faults on its memory operand and raises an unmasked numeric
     * exception (which cancels the store): on AMD parts the page fault, so it is probed before anything is
     * computed; on Intel parts the numeric exception — the store is never attempted, and a #PF can only
     * come from the write itself, which happens before the FPU state is committed.
     */
    private static void memoryFirst(Cpu c, long la, int size) {
        if (c.cpuid.amd()) X87.probe(c, la, size, true);
    }

    /** FST/FSTP m32fp|m64fp: rounded by FCW.RC to the memory format (precision control does not apply). */
    private static void fstFp(Cpu c, Insn i, int size, boolean pop) {
        FpuState f = c.fpu;
        long la = c.linE(i, size, true);
        memoryFirst(c, la, size);
        if (f.empty(0)) {
            if (X87.imMasked(f)) c.write(la, size, size == 4 ? 0xffc00000L : 0xfff8000000000000L);
            X87.stackFault(f, false);
            if (X87.imMasked(f) && pop) f.pop();
            return;
        }
        SoftFloat s = X87.sf(c);
        s.x87 = false;                                          // a memory destination gets no exponent-biased result
        s.target = size == 4 ? F32 : F64;
        s.loadExtA(f.se(0), f.m(0));
        s.round();
        if ((s.flags & ~f.fcw & (IE | OE | UE)) != 0) {           // unmasked: memory and stack unchanged
            if ((s.flags & ~f.fcw & (OE | UE)) != 0) s.flags &= ~PE;  // nothing was rounded into memory
            X87.flagsOnly(f, s);
            return;
        }
        c.write(la, size, size == 4 ? s.packF32() & 0xffffffffL : s.packF64());
        X87.commit(f, s);
        if (pop) f.pop();
    }

    private static void fstp80(Cpu c, Insn i) {
        FpuState f = c.fpu;
        long la = c.linE(i, 10, true);
        memoryFirst(c, la, 10);
        int se;
        long m;
        boolean empty = f.empty(0);
        if (empty && !X87.imMasked(f)) {
            X87.stackFault(f, false);
            return;
        }
        if (empty) {
            se = FpuState.INDEF_SE;
            m = FpuState.INDEF_M;
        } else {
            se = f.se(0);
            m = f.m(0);
        }
        write80(c, la, se, m);
        if (empty) X87.stackFault(f, false);
        else f.fsw &= ~FpuState.C1;
        f.pop();
    }

    /** Writes an 80-bit value; both pages are checked first, so a fault leaves memory untouched. */
    static void write80(Cpu c, long la, int se, long m) {
        X87.probe(c, la, 10, true);
        c.write(la, 8, m);
        c.write(la + 8, 2, se);
    }

    /** FIST/FISTP (FCW.RC) and FISTTP (truncation): out of range, NaN and ∞ store the integer indefinite. */
    private static void fist(Cpu c, Insn i, int size, boolean truncate, boolean pop) {
        FpuState f = c.fpu;
        long la = c.linE(i, size, true);
        memoryFirst(c, la, size);
        long indefinite = 1L << (8 * size - 1);
        if (f.empty(0)) {
            if (X87.imMasked(f)) c.write(la, size, indefinite);
            X87.stackFault(f, false);
            if (X87.imMasked(f) && pop) f.pop();
            return;
        }
        SoftFloat s = X87.sf(c);
        s.loadExtA(f.se(0), f.m(0));
        long v = s.toInt(8 * size, truncate ? RZ : s.rc);
        if (X87.preUnmasked(f, s)) {
            X87.flagsOnly(f, s);
            return;
        }
        c.write(la, size, v);
        X87.commit(f, s);
        if (pop) f.pop();
    }

    /** FBSTP: ST(0) rounded by FCW.RC to 18 packed BCD digits and a sign byte; beyond 10^18 − 1 → BCD indefinite. */
    private static void fbstp(Cpu c, Insn i) {
        FpuState f = c.fpu;
        long la = c.linE(i, 10, true);
        memoryFirst(c, la, 10);
        long lo;
        int hi;
        SoftFloat s = X87.sf(c);
        boolean empty = f.empty(0);
        if (empty) {
            if (!X87.imMasked(f)) {
                X87.stackFault(f, false);
                return;
            }
            lo = 0xc0L << 56;
            hi = 0xffff;
        } else {
            s.loadExtA(f.se(0), f.m(0));
            long v = s.toInt(64, s.rc);
            if ((s.flags & IE) == 0 && (v >= 1_000_000_000_000_000_000L || v <= -1_000_000_000_000_000_000L)) {
                s.flags = (s.flags & ~PE) | IE;
            }
            if ((s.flags & IE) != 0) s.roundedUp = false;
            if (X87.preUnmasked(f, s)) {
                X87.flagsOnly(f, s);
                return;
            }
            if ((s.flags & IE) != 0) {
                lo = 0xc0L << 56;
                hi = 0xffff;
            } else {
                long mag = Math.abs(v);
                lo = 0;
                for (int k = 0; k < 8; k++) {
                    lo |= (mag % 10 | (mag / 10 % 10) << 4) << (8 * k);
                    mag /= 100;
                }
                hi = (int) (mag % 10 | (mag / 10 % 10) << 4) | ((f.se(0) & 0x8000) != 0 ? 0x8000 : 0);
            }
        }
        write80(c, la, hi, lo);
        if (empty) X87.stackFault(f, false);
        else X87.commit(f, s);
        f.pop();
    }
}
