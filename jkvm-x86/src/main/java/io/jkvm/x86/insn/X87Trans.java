package io.jkvm.x86.insn;

import static io.jkvm.x86.fpu.FloatCore.*;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.fpu.FpuState;
import io.jkvm.x86.fpu.SoftFloat;

/**
 * x87 transcendental instructions: FSIN FCOS FSINCOS FPTAN FPATAN F2XM1 FYL2X FYL2XP1.
 *
 * <p>Precision: these are computed in binary64 with {@link Math} (about 53 correct bits, not the 64 of the
 * hardware) and widened back; the special operands (zeros, infinities, NaNs, the ±2^63 range limit of the
 * trigonometric instructions with C2) follow the SDM exactly. Results are therefore not bit-exact with
 * hardware — and hardware itself differs between Intel and AMD here — so the differential fuzzer does not
 * generate them. FYL2X multiplies log2(x), computed from x's exponent plus log2 of its significand, by
 * ST(1) in extended precision so that large exponents keep their accuracy.
 */
final class X87Trans {
    private X87Trans() {}

    private static final double LN2 = 0.6931471805599453;

    /** ST(i) as a double (rounded to nearest; ±∞ beyond binary64's range). */
    private static double toDouble(SoftFloat s, FpuState f, int i) {
        int flags = s.flags;                              // the narrowing is internal: its flags do not count
        s.target = F64;
        s.rc = RN;
        s.loadExtA(f.se(i), f.m(i));
        s.round();
        s.flags = flags;
        return Double.longBitsToDouble(s.packF64());
    }

    /** Stores d into ST(i) (exact widening) and marks the result inexact unless {@code exact}. */
    private static void storeDouble(SoftFloat s, FpuState f, int i, double d, boolean exact) {
        s.target = X64;
        s.loadF64A(Double.doubleToRawLongBits(d));
        s.round();
        int se = s.packExt();
        f.set(i, se, s.rSig);
        if (!exact) s.flags |= PE;
    }

    /** Classifies ST(0) for the one-operand forms; true when the instruction is finished (NaN, invalid, underflow). */
    private static boolean special0(Cpu c, SoftFloat s) {
        FpuState f = c.fpu;
        s.loadExtA(f.se(0), f.m(0));
        int cls = s.aClass();
        if (cls == QNAN || cls == SNAN || cls == BAD || cls == INF) {
            if (cls == INF) s.defaultNaN();
            else s.round();                               // quiets the NaN, IE for SNaN / unsupported
            if (cls == INF || cls == BAD) s.flags |= IE;
            if (X87.preUnmasked(f, s)) X87.flagsOnly(f, s);
            else {
                X87.store(f, s, 0);
                X87.flagsOnly(f, s);
            }
            return true;
        }
        if (s.aDenormal()) s.flags |= DE;
        return false;
    }

    private static boolean emptyAny(FpuState f, int n, boolean pushes) {
        for (int k = 0; k < n; k++) {
            if (f.empty(k)) {
                X87.stackFault(f, false);
                if (X87.imMasked(f)) {
                    f.set(0, FpuState.INDEF_SE, FpuState.INDEF_M);
                    if (pushes) f.push(FpuState.INDEF_SE, FpuState.INDEF_M);
                }
                return true;
            }
        }
        if (pushes && !f.empty(7)) {
            X87.stackFault(f, true);
            if (X87.imMasked(f)) {
                f.set(0, FpuState.INDEF_SE, FpuState.INDEF_M);
                f.push(FpuState.INDEF_SE, FpuState.INDEF_M);
            }
            return true;
        }
        return false;
    }

    /** |ST(0)| ≥ 2^63: the trigonometric instructions set C2 and leave ST(0) alone. */
    private static boolean outOfRange(FpuState f) {
        if ((f.se(0) & 0x7fff) >= 0x3fff + 63) {
            f.fsw |= FpuState.C2;
            return true;
        }
        f.fsw &= ~FpuState.C2;
        return false;
    }

    /** FSIN (sin) or FCOS. */
    static void fsinCos(Cpu c, boolean sin) {
        FpuState f = c.fpu;
        if (emptyAny(f, 1, false)) return;
        SoftFloat s = X87.sf(c);
        if (special0(c, s)) return;
        if (outOfRange(f)) return;
        double x = toDouble(s, f, 0);
        if (x == 0 && sin) {
            X87.flagsOnly(f, s);
            return;                                       // ±0 unchanged
        }
        storeDouble(s, f, 0, sin ? Math.sin(x) : Math.cos(x), x == 0);
        X87.flagsOnly(f, s);
    }

    /** FSINCOS: ST(0) ← sin, then cos is pushed. */
    static void fsincos(Cpu c) {
        FpuState f = c.fpu;
        if (emptyAny(f, 1, true)) return;
        SoftFloat s = X87.sf(c);
        if (special0(c, s)) {
            f.push(f.se(0), f.m(0));
            return;
        }
        if (outOfRange(f)) return;
        double x = toDouble(s, f, 0);
        if (x != 0) storeDouble(s, f, 0, Math.sin(x), false);
        double cos = Math.cos(x);
        f.push(0, 0);
        storeDouble(s, f, 0, cos, x == 0);
        X87.flagsOnly(f, s);
    }

    /** FPTAN: ST(0) ← tan, then 1.0 is pushed. */
    static void fptan(Cpu c) {
        FpuState f = c.fpu;
        if (emptyAny(f, 1, true)) return;
        SoftFloat s = X87.sf(c);
        if (special0(c, s)) return;
        if (outOfRange(f)) return;
        double x = toDouble(s, f, 0);
        if (x != 0) storeDouble(s, f, 0, Math.tan(x), false);
        f.push(0x3fff, 1L << 63);
        X87.flagsOnly(f, s);
    }

    /** F2XM1: 2^ST(0) − 1 for ST(0) in [−1, 1]. */
    static void f2xm1(Cpu c) {
        FpuState f = c.fpu;
        if (emptyAny(f, 1, false)) return;
        SoftFloat s = X87.sf(c);
        s.loadExtA(f.se(0), f.m(0));
        if (s.aClass() == INF) {                          // 2^+∞ − 1 = +∞, 2^−∞ − 1 = −1
            if ((f.se(0) & 0x8000) != 0) f.set(0, 0xbfff, 1L << 63);
            return;
        }
        if (special0(c, s)) return;
        double x = toDouble(s, f, 0);
        if (x == 0) return;
        storeDouble(s, f, 0, Math.expm1(x * LN2), false);
        X87.flagsOnly(f, s);
    }

    /** FPATAN: ST(1) ← arctan(ST(1)/ST(0)) with the quadrant of atan2, then pop. */
    static void fpatan(Cpu c) {
        FpuState f = c.fpu;
        if (emptyAny(f, 2, false)) return;
        SoftFloat s = X87.sf(c);
        s.loadExtA(f.se(1), f.m(1));
        s.loadExtB(f.se(0), f.m(0));
        if (nan2(f, s, 1)) return;
        // scale both by the same power of two so that doubles can hold them: atan2 depends on the ratio
        int ea = f.se(1) & 0x7fff, eb = f.se(0) & 0x7fff;
        int shift = Math.max(ea, eb) - 0x3fff;
        double y = scaled(s, f.se(1), f.m(1), shift), x = scaled(s, f.se(0), f.m(0), shift);
        double r = Math.atan2(y, x);
        storeDouble(s, f, 1, r, r == 0);
        f.pop();
        X87.flagsOnly(f, s);
    }

    /** FYL2X: ST(1) ← ST(1) × log2(ST(0)); FYL2XP1: ST(1) × log2(ST(0) + 1). Then pop. */
    static void fyl2x(Cpu c, boolean plus1) {
        FpuState f = c.fpu;
        if (emptyAny(f, 2, false)) return;
        SoftFloat s = X87.sf(c);
        s.loadExtA(f.se(0), f.m(0));
        s.loadExtB(f.se(1), f.m(1));
        if (nan2(f, s, 1)) return;
        double x = toDouble(s, f, 0);
        double lg;
        if (plus1) {
            lg = Math.log1p(x) / LN2;
        } else {
            if (x < 0 || (x == 0 && (f.se(1) & 0x7fff) == 0 && f.m(1) == 0)) {
                invalid1(f, s);
                return;
            }
            if (x == 0) {
                s.flags |= ZE;
                if (X87.preUnmasked(f, s)) {
                    X87.flagsOnly(f, s);
                    return;
                }
                lg = Double.NEGATIVE_INFINITY;
            } else {
                int e = (f.se(0) & 0x7fff) - 0x3fff;          // log2(m·2^e) = e + log2(m), m in [1, 2)
                double m = Double.longBitsToDouble(0x3ff0000000000000L | (f.m(0) << 1) >>> 12);
                if ((f.se(0) & 0x7fff) == 0) lg = Math.log(x) / LN2;
                else lg = e + Math.log(m) / LN2;
            }
        }
        s.setX87(f.fcw);
        s.target = X64;
        s.loadF64A(Double.doubleToRawLongBits(lg));
        s.loadExtB(f.se(1), f.m(1));
        s.mul();
        s.flags |= PE;
        X87.store(f, s, 1);
        f.pop();
        X87.commit(f, s);
    }

    private static void invalid1(FpuState f, SoftFloat s) {
        s.flags |= IE;
        if (X87.preUnmasked(f, s)) {
            X87.flagsOnly(f, s);
            return;
        }
        f.set(1, FpuState.INDEF_SE, FpuState.INDEF_M);
        f.pop();
        X87.flagsOnly(f, s);
    }

    /** NaN operands of the two-operand forms: the propagated NaN goes to ST(dst), then pop. */
    private static boolean nan2(FpuState f, SoftFloat s, int dst) {
        int a = s.aClass(), b = s.bClass();
        boolean nan = a == QNAN || a == SNAN || a == BAD || b == QNAN || b == SNAN || b == BAD;
        if (!nan) return false;
        s.add(false);                                     // any arithmetic on a NaN yields the propagated NaN
        if (X87.preUnmasked(f, s)) {
            X87.flagsOnly(f, s);
            return true;
        }
        X87.store(f, s, dst);
        f.pop();
        X87.flagsOnly(f, s);
        return true;
    }

    private static double scaled(SoftFloat s, int se, long m, int shift) {
        int e = se & 0x7fff;
        if (e == 0x7fff) return (se & 0x8000) != 0 ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        if (m == 0) return (se & 0x8000) != 0 ? -0.0 : 0.0;
        int ne = Math.max(0, Math.min(0x7ffe, e - shift));
        int flags = s.flags;
        s.target = F64;
        s.rc = RN;
        s.loadExtA((se & 0x8000) | ne, m);
        s.round();
        s.flags = flags;
        return Double.longBitsToDouble(s.packF64());
    }
}
