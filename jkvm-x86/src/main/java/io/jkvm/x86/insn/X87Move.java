package io.jkvm.x86.insn;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.flags.Cc;
import io.jkvm.x86.flags.LazyFlags;
import io.jkvm.x86.fpu.FpuState;

/**
 * x87 register-stack moves: FLD ST(i), FST/FSTP ST(i), FXCH, FFREE(P), FINCSTP, FDECSTP, FCMOVcc and the
 * constants FLD1 FLDL2T FLDL2E FLDPI FLDLG2 FLDLN2 FLDZ. No rounding happens here except for the
 * irrational constants, which the CPU rounds from a wider internal value by FCW.RC.
 */
final class X87Move {
    private X87Move() {}

    /** FLD ST(i): pushes a copy (an empty ST(i) is a stack underflow: the indefinite is pushed when masked). */
    static void fldReg(FpuState f, int r) {
        int se;
        long m;
        if (f.empty(r)) {                              // the underflow is the only fault reported, even on a full stack
            X87.stackFault(f, false);
            if (X87.imMasked(f)) f.push(FpuState.INDEF_SE, FpuState.INDEF_M);
            return;
        } else {
            se = f.se(r);
            m = f.m(r);
            f.fsw &= ~FpuState.C1;
        }
        X87.push(f, se, m);
    }

    static void fxch(FpuState f, int r) {
        if (f.empty(0) || f.empty(r)) {
            X87.stackFault(f, false);
            if (!X87.imMasked(f)) return;
            if (f.empty(0)) f.set(0, FpuState.INDEF_SE, FpuState.INDEF_M);
            if (f.empty(r)) f.set(r, FpuState.INDEF_SE, FpuState.INDEF_M);
        } else {
            f.fsw &= ~FpuState.C1;
        }
        int se = f.se(0);
        long m = f.m(0);
        f.set(0, f.se(r), f.m(r));
        f.set(r, se, m);
    }

    /** FST/FSTP ST(i). */
    static void fstReg(FpuState f, int r, boolean pop) {
        if (f.empty(0)) {
            X87.stackFault(f, false);
            if (!X87.imMasked(f)) return;
            f.set(r, FpuState.INDEF_SE, FpuState.INDEF_M);
        } else {
            f.set(r, f.se(0), f.m(0));
            f.fsw &= ~FpuState.C1;
        }
        if (pop) f.pop();
    }

    /** FFREE ST(i) (tag empty, TOP unchanged); FFREEP then also pops. */
    static void ffree(FpuState f, int r, boolean pop) {
        f.ftw &= ~(1 << f.phys(r));
        if (pop) f.pop();
    }

    /** FINCSTP (+1) / FDECSTP (−1): TOP moves, tags stay, C1 cleared. */
    static void fincDec(FpuState f, int d) {
        f.setTop(f.top() + d);
        f.fsw &= ~FpuState.C1;
    }

    /** FCMOVcc: cond 0 B (CF), 1 E (ZF), 2 BE (CF or ZF), 3 U (PF); {@code negate} for the DB forms. */
    static void fcmov(Cpu c, int cond, boolean negate, int r) {
        FpuState f = c.fpu;
        if (f.empty(0) || f.empty(r)) {
            X87.stackFault(f, false);
            if (X87.imMasked(f)) f.set(0, FpuState.INDEF_SE, FpuState.INDEF_M);
            return;
        }
        int cc = switch (cond) {                      // C1 is left alone (it changes only on underflow)
            case 0 -> Cc.B;
            case 1 -> Cc.E;
            case 2 -> Cc.BE;
            default -> Cc.P;
        };
        if (LazyFlags.cond(c, cc) != negate) f.set(0, f.se(r), f.m(r));
    }

    // 64-bit significands truncated from the exact constants, and whether the exact value lies above the
    // midpoint to the next significand (then round-to-nearest rounds up).
    private static final int[] CONST_SE = {0x3fff, 0x4000, 0x3fff, 0x4000, 0x3ffd, 0x3ffe, 0};
    private static final long[] CONST_M = {1L << 63, 0xd49a784bcd1b8afeL, 0xb8aa3b295c17f0bbL, 0xc90fdaa22168c234L,
        0x9a209a84fbcff798L, 0xb17217f7d1cf79abL, 0};
    private static final boolean[] ABOVE_HALF = {false, false, true, true, true, true, false};
    private static final boolean[] EXACT = {true, false, false, false, false, false, true};

    /** D9 E8+r: FLD1 FLDL2T FLDL2E FLDPI FLDLG2 FLDLN2 FLDZ. */
    static void fldConst(FpuState f, int r) {
        long m = CONST_M[r];
        if (!EXACT[r]) {
            int rc = (f.fcw >> 10) & 3;
            boolean up = rc == 2 || (rc == 0 && ABOVE_HALF[r]);       // all positive: RU rounds up, RD/RZ truncate
            if (up) m++;
        }
        boolean full = !f.empty(7);
        X87.push(f, CONST_SE[r], m);
        if (!full) f.fsw &= ~FpuState.C1;
    }
}
