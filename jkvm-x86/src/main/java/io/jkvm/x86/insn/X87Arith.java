package io.jkvm.x86.insn;

import static io.jkvm.x86.fpu.FloatCore.*;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.flags.Cc;
import io.jkvm.x86.fpu.FpuState;
import io.jkvm.x86.fpu.SoftFloat;

/**
 * x87 basic arithmetic and comparison: FADD FMUL FSUB FSUBR FDIV FDIVR in their register, popping, m32fp,
 * m64fp and integer (FIADD…) forms; FCOM FCOMP FCOMPP FUCOM FUCOMP FUCOMPP FICOM FICOMP; FCOMI FCOMIP
 * FUCOMI FUCOMIP. Results are rounded to FCW's precision and rounding control by the soft float.
 *
 * <p>Operation numbers are the ModRM.reg of the D8 forms: 0 add, 1 mul, 4 sub (dest − other), 5 subr
 * (other − dest), 6 div (dest / other), 7 divr (other / dest).
 */
final class X87Arith {
    private X87Arith() {}

    /** Runs operation {@code op} on A (destination value) and B (the other operand) already loaded. */
    private static void compute(SoftFloat s, int op) {
        if (op == 5 || op == 7) s.swap();
        switch (op) {
            case 0 -> s.add(false);
            case 1 -> s.mul();
            case 4, 5 -> s.add(true);
            default -> s.div();
        }
    }

    /** ST(dst) ← ST(dst) op ST(src), popping afterwards when asked (FADDP…). */
    static void regOp(Cpu c, int op, int dst, int src, boolean pop) {
        FpuState f = c.fpu;
        if (f.empty(dst) || f.empty(src)) {
            X87.stackFault(f, false);
            if (!X87.imMasked(f)) return;
            f.set(dst, FpuState.INDEF_SE, FpuState.INDEF_M);
            if (pop) f.pop();
            return;
        }
        SoftFloat s = X87.sf(c);
        s.loadExtA(f.se(dst), f.m(dst));
        s.loadExtB(f.se(src), f.m(src));
        compute(s, op);
        finish(f, s, dst, pop);
    }

    /** Stores the result unless a pre-computation exception is unmasked; then pops if asked. */
    private static void finish(FpuState f, SoftFloat s, int dst, boolean pop) {
        if (X87.preUnmasked(f, s)) {
            X87.flagsOnly(f, s);
            return;
        }
        X87.store(f, s, dst);
        X87.commit(f, s);
        if (pop) f.pop();
    }

    /**
     * ST(0) ← ST(0) op m: {@code kind} 0 m32fp (D8), 1 m32int (DA), 2 m64fp (DC), 3 m16int (DE). The memory
     * operand is read before any state changes.
     */
    static void memOp(Cpu c, io.jkvm.x86.decode.Insn i, int op, int kind) {
        FpuState f = c.fpu;
        long v = X87Mem.readOperand(c, i, kind);
        if (f.empty(0)) {
            X87.stackFault(f, false);
            if (X87.imMasked(f)) f.set(0, FpuState.INDEF_SE, FpuState.INDEF_M);
            return;
        }
        SoftFloat s = X87.sf(c);
        s.loadExtA(f.se(0), f.m(0));
        X87Mem.loadB(s, v, kind);
        compute(s, op);
        finish(f, s, 0, false);
    }

    // ------------------------------------------------------------------ comparisons

    /** Sets C3 C2 C0 from a comparison (C1 cleared): GT 000, LT 001, EQ 100, unordered 111. */
    static void setCompare(FpuState f, int rel) {
        int cc = switch (rel) {
            case LT -> 1;
            case EQ -> 8;
            case GT -> 0;
            default -> 8 | 4 | 1;
        };
        f.setCc(cc);
    }

    /** FCOM/FUCOM ST(src) family: {@code signaling} (FCOM: any NaN is invalid) and how many pops follow. */
    static void fcom(Cpu c, int src, boolean signaling, int pops) {
        FpuState f = c.fpu;
        if (f.empty(0) || f.empty(src)) {
            underflowCompare(f, pops);
            return;
        }
        SoftFloat s = X87.sf(c);
        s.loadExtA(f.se(0), f.m(0));
        s.loadExtB(f.se(src), f.m(src));
        compareDone(f, s, s.compare(signaling), pops);
    }

    /** FCOM/FCOMP m32fp|m64fp and FICOM/FICOMP m16int|m32int (kind as {@link #memOp}). */
    static void fcomMem(Cpu c, io.jkvm.x86.decode.Insn i, int kind, int pops) {
        FpuState f = c.fpu;
        long v = X87Mem.readOperand(c, i, kind);
        if (f.empty(0)) {
            underflowCompare(f, pops);
            return;
        }
        SoftFloat s = X87.sf(c);
        s.loadExtA(f.se(0), f.m(0));
        X87Mem.loadB(s, v, kind);
        compareDone(f, s, s.compare(true), pops);
    }

    /** An empty operand: the condition codes say "unordered" even when the invalid exception is unmasked. */
    private static void underflowCompare(FpuState f, int pops) {
        X87.stackFault(f, false);
        setCompare(f, UN);
        if (X87.imMasked(f)) popN(f, pops);
    }

    /** The condition codes are written whatever the masks; an unmasked exception only suppresses the pops. */
    private static void compareDone(FpuState f, SoftFloat s, int rel, int pops) {
        setCompare(f, rel);
        f.raise(s.flags);
        f.updateEs();
        if (!X87.preUnmasked(f, s)) popN(f, pops);
    }

    private static void popN(FpuState f, int n) {
        for (int k = 0; k < n; k++) f.pop();
    }

    /** FCOMI/FUCOMI(P): the relation goes to ZF PF CF (OF SF AF cleared); C1 cleared. */
    static void fcomi(Cpu c, int src, boolean signaling, boolean pop) {
        FpuState f = c.fpu;
        int rel;
        boolean unmasked;
        if (f.empty(0) || f.empty(src)) {
            X87.stackFault(f, false);
            unmasked = !X87.imMasked(f);
            rel = UN;
        } else {
            SoftFloat s = X87.sf(c);
            s.loadExtA(f.se(0), f.m(0));
            s.loadExtB(f.se(src), f.m(src));
            rel = s.compare(signaling);
            unmasked = X87.preUnmasked(f, s);
            f.raise(s.flags);                          // C1 is left alone
            f.updateEs();
        }
        c.setArith(relationFlags(rel));                // EFLAGS are written even when the exception is unmasked
        if (pop && !unmasked) f.pop();
    }

    /** ZF PF CF for a floating-point relation (COMISS and FCOMI share it): GT 000, LT 001, EQ 100, UN 111. */
    static int relationFlags(int rel) {
        return switch (rel) {
            case LT -> Cc.CF;
            case EQ -> Cc.ZF;
            case GT -> 0;
            default -> Cc.ZF | Cc.PF | Cc.CF;
        };
    }
}
