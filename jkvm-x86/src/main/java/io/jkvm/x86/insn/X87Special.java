package io.jkvm.x86.insn;

import static io.jkvm.x86.fpu.FloatCore.*;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.fpu.FpuState;
import io.jkvm.x86.fpu.SoftFloat;

/**
 * x87 single-register and exact operations: FCHS FABS FTST FXAM FSQRT FRNDINT FSCALE FXTRACT FPREM FPREM1.
 * FSQRT follows precision control; FRNDINT, FSCALE and FPREM round (when at all) to extended precision.
 */
final class X87Special {
    private X87Special() {}

    /** True when ST(0) is empty: records the underflow and, when masked, puts the indefinite in ST(0). */
    private static boolean underflow0(FpuState f) {
        if (!f.empty(0)) return false;
        X87.stackFault(f, false);
        if (X87.imMasked(f)) f.set(0, FpuState.INDEF_SE, FpuState.INDEF_M);
        return true;
    }

    /** FCHS (flip the sign) or FABS (clear it): no exception but stack underflow. */
    static void fchsFabs(FpuState f, boolean chs) {
        if (underflow0(f)) return;
        int se = f.se(0);
        f.set(0, chs ? se ^ 0x8000 : se & 0x7fff, f.m(0));
        f.fsw &= ~FpuState.C1;
    }

    /** FTST: compares ST(0) with +0.0 (a NaN is invalid). */
    static void ftst(Cpu c) {
        FpuState f = c.fpu;
        if (f.empty(0)) {
            X87.stackFault(f, false);
            X87Arith.setCompare(f, UN);              // written even when the invalid exception is unmasked
            return;
        }
        SoftFloat s = X87.sf(c);
        s.loadExtA(f.se(0), f.m(0));
        s.loadIntB(0);
        int rel = s.compare(true);
        X87Arith.setCompare(f, rel);
        f.raise(s.flags);
        f.updateEs();
    }

    /** FXAM: classifies ST(0) into C3 C2 C0 and copies its sign into C1 (the register may be empty). */
    static void fxam(FpuState f) {
        int p = f.phys(0);
        int se = f.sexp[p], e = se & 0x7fff;
        long m = f.mant[p];
        int c320;                                      // C3 C2 C0 as bits 2 1 0
        if ((f.ftw & (1 << p)) == 0) c320 = 0b101;     // empty
        else if (e == 0x7fff) c320 = m >= 0 ? 0b000 : (m << 1) == 0 ? 0b011 : 0b001;
        else if (e == 0) c320 = m == 0 ? 0b100 : 0b110;
        else c320 = m < 0 ? 0b010 : 0b000;             // normal, or unnormal (unsupported)
        int cc = (c320 & 4) << 1 | (c320 & 2) << 1 | ((se & 0x8000) != 0 ? 2 : 0) | (c320 & 1);
        f.setCc(cc);
    }

    static void fsqrt(Cpu c) {
        FpuState f = c.fpu;
        if (underflow0(f)) return;
        SoftFloat s = X87.sf(c);
        s.loadExtA(f.se(0), f.m(0));
        s.sqrt();
        store0(f, s);
    }

    /** FRNDINT: ST(0) rounded to an integral value by FCW.RC. */
    static void frndint(Cpu c) {
        FpuState f = c.fpu;
        if (underflow0(f)) return;
        SoftFloat s = X87.sf(c);
        s.target = X64;
        s.loadExtA(f.se(0), f.m(0));
        s.roundToIntegral(s.rc, false);
        store0(f, s);
    }

    private static void store0(FpuState f, SoftFloat s) {
        if (X87.preUnmasked(f, s)) {
            X87.flagsOnly(f, s);
            return;
        }
        X87.store(f, s, 0);
        X87.commit(f, s);
    }

    /** FSCALE: ST(0) × 2^trunc(ST(1)), rounded to extended precision. */
    static void fscale(Cpu c) {
        FpuState f = c.fpu;
        if (f.empty(0) || f.empty(1)) {
            X87.stackFault(f, false);
            if (X87.imMasked(f)) f.set(0, FpuState.INDEF_SE, FpuState.INDEF_M);
            return;
        }
        SoftFloat s = X87.sf(c);
        s.target = X64;
        s.loadExtA(f.se(0), f.m(0));
        s.loadExtB(f.se(1), f.m(1));
        s.scale();
        store0(f, s);
    }

    /** FXTRACT: ST(0) becomes its unbiased exponent, then its significand (exponent 0) is pushed. */
    static void fxtract(Cpu c) {
        FpuState f = c.fpu;
        if (f.empty(0)) {                              // underflow: the only fault reported, even on a full stack
            X87.stackFault(f, false);
            if (!X87.imMasked(f)) return;
            f.set(0, FpuState.INDEF_SE, FpuState.INDEF_M);
            f.push(FpuState.INDEF_SE, FpuState.INDEF_M);
            return;
        }
        if (!f.empty(7)) {
            X87.stackFault(f, true);
            if (!X87.imMasked(f)) return;
            f.set(0, FpuState.INDEF_SE, FpuState.INDEF_M);
            f.push(FpuState.INDEF_SE, FpuState.INDEF_M);
            return;
        }
        SoftFloat s = X87.sf(c);
        s.target = X64;
        s.loadExtA(f.se(0), f.m(0));
        s.extract();
        if (X87.preUnmasked(f, s)) {
            X87.flagsOnly(f, s);
            return;
        }
        int sigSe = s.packExt();
        long sig = s.rSig;
        f.set(0, s.exSe, s.exM);
        f.push(sigSe, sig);
        X87.commit(f, s);
    }

    /** FPREM (truncating quotient) / FPREM1 (IEEE, nearest): exact partial remainder, quotient bits to C0 C3 C1. */
    static void fprem(Cpu c, boolean ieee) {
        FpuState f = c.fpu;
        if (f.empty(0) || f.empty(1)) {
            X87.stackFault(f, false);
            f.fsw &= ~FpuState.C2;
            if (X87.imMasked(f)) f.set(0, FpuState.INDEF_SE, FpuState.INDEF_M);
            return;
        }
        SoftFloat s = X87.sf(c);
        s.target = X64;
        s.loadExtA(f.se(0), f.m(0));
        s.loadExtB(f.se(1), f.m(1));
        int q = s.remainder(ieee);
        if (X87.preUnmasked(f, s)) {
            f.fsw &= ~FpuState.C2;
            X87.flagsOnly(f, s);
            return;
        }
        X87.store(f, s, 0);
        f.raise(s.flags);
        if (q >= 0) {                                 // C0 = Q2, C3 = Q1, C1 = Q0; C2 = incomplete
            if ((q & SoftFloat.PARTIAL) != 0) f.setCc(4);   // incomplete: the quotient bits are not reported
            else f.setCc(((q & 4) != 0 ? 1 : 0) | ((q & 2) != 0 ? 8 : 0) | ((q & 1) != 0 ? 2 : 0));
        } else {
            f.fsw &= ~(FpuState.C2 | FpuState.C1);
        }
        f.updateEs();
    }
}
