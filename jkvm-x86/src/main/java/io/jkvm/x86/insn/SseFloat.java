package io.jkvm.x86.insn;

import static io.jkvm.x86.decode.SseOp.*;
import static io.jkvm.x86.fpu.FloatCore.*;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.fpu.FpuState;
import io.jkvm.x86.fpu.SoftFloat;

/**
 * SSE/SSE2/SSE3/SSE4.1 floating-point arithmetic on packed and scalar binary32/binary64: ADD SUB MUL DIV
 * MIN MAX SQRT (PS PD SS SD), CMPcc, COMISS/UCOMISS/COMISD/UCOMISD, HADD/HSUB, ADDSUB, ROUNDPS/PD/SS/SD,
 * DPPS/DPPD, RCPPS/RCPSS/RSQRTPS/RSQRTSS. Every element goes through the soft float under MXCSR (rounding,
 * DAZ, FTZ); the flags of all elements are ORed, and an unmasked one leaves the destination unchanged
 * (see {@link Sse#mxcsrFlags}).
 *
 * <p>RCPPS/RSQRTPS and their scalar forms are approximations whose exact bits are implementation-specific
 * (Intel and AMD differ); jkvm returns the correctly rounded value truncated to 12 significand bits, within
 * the SDM's relative error bound of 1.5 × 2^-12, and the fuzzer does not compare them.
 */
final class SseFloat {
    private SseFloat() {}

    /** Flags gathered over the elements of one instruction (per CPU: in FpuState's soft float). */
    private static int pre(SoftFloat s) {
        return s.flags & (IE | DE | ZE);
    }

    private static int post(SoftFloat s) {
        return s.flags & (OE | UE | PE);
    }

    /** One element of ADD SUB MUL DIV MIN MAX SQRT; {@code acc[0]}/{@code acc[1]} gather pre/post flags. */
    private static long element(Cpu c, int op, boolean dbl, long a, long b, int[] acc) {
        SoftFloat s = c.fpu.sf;
        s.setSse(c.fpu.mxcsr, dbl ? F64 : F32);
        if (dbl) {
            s.loadF64A(a);
            s.loadF64B(b);
        } else {
            s.loadF32A((int) a);
            s.loadF32B((int) b);
        }
        long r;
        if (op == F_MIN || op == F_MAX) {
            r = minMax(s, op, dbl, a, b);
        } else {
            switch (op) {
                case F_ADD -> s.add(false);
                case F_SUB -> s.add(true);
                case F_MUL -> s.mul();
                case F_DIV -> s.div();
                default -> {
                    s.swap();                               // SQRT works on the source
                    s.sqrt();
                }
            }
            r = dbl ? s.packF64() : s.packF32() & 0xffffffffL;
        }
        acc[0] |= pre(s);
        acc[1] |= post(s);
        return r;
    }

    /** MIN/MAX: the first operand if it is strictly less (greater), else the second — also for NaNs and ±0. */
    private static long minMax(SoftFloat s, int op, boolean dbl, long a, long b) {
        int rel = s.compare(true);
        boolean first = op == F_MIN ? rel == LT : rel == GT;
        long v = first ? a : b;
        if (s.daz && isDenormal(v, dbl)) v &= dbl ? Long.MIN_VALUE : 0x80000000L;     // DAZ: the value used is zero
        return v;
    }

    private static boolean isDenormal(long v, boolean dbl) {
        return dbl ? (v & 0x7ff0000000000000L) == 0 && (v & 0xfffffffffffffL) != 0
                : (v & 0x7f800000L) == 0 && (v & 0x7fffffL) != 0;
    }

    /** Per-CPU flag accumulator: the soft float is per CPU, and so is this through it. */
    private static int[] acc(Cpu c) {
        int[] a = c.fpu.sf.acc;
        a[0] = a[1] = 0;
        return a;
    }

    /** ADDPS…SQRTSD: arg = op | kind << 4. Scalar forms keep the destination's upper elements. */
    static void arith(Cpu c, Insn i, int arg) {
        int op = arg & 15, kind = arg >> 4;
        boolean dbl = kind == PD || kind == SD, scalar = kind >= SS;
        FpuState f = c.fpu;
        long bLo, bHi = 0;
        if (scalar) bLo = dbl ? Sse.srcX64(c, i) : Sse.srcX32(c, i) & 0xffffffffL;
        else {
            Sse.srcX(c, i, true);
            bLo = f.srcLo;
            bHi = f.srcHi;
        }
        long aLo = f.xmm[2 * i.reg], aHi = f.xmm[2 * i.reg + 1];
        int[] acc = acc(c);
        long rLo, rHi = aHi;
        if (dbl) {
            rLo = element(c, op, true, aLo, bLo, acc);
            if (!scalar) rHi = element(c, op, true, aHi, bHi, acc);
        } else if (scalar) {
            rLo = (aLo & ~0xffffffffL) | element(c, op, false, aLo & 0xffffffffL, bLo, acc);
        } else {
            rLo = pair(c, op, aLo, bLo, acc);
            rHi = pair(c, op, aHi, bHi, acc);
        }
        Sse.mxcsrFlags(c, acc[0], acc[1]);
        Sse.setX(c, i.reg, rLo, rHi);
    }

    /** Two binary32 elements of a qword. */
    private static long pair(Cpu c, int op, long a, long b, int[] acc) {
        long lo = element(c, op, false, a & 0xffffffffL, b & 0xffffffffL, acc);
        long hi = element(c, op, false, a >>> 32, b >>> 32, acc);
        return lo | hi << 32;
    }

    /** CMPPS/PD/SS/SD: imm8[2:0] = EQ LT LE UNORD NEQ NLT NLE ORD; all-ones or zero per element. */
    static void cmp(Cpu c, Insn i, int kind) {
        boolean dbl = kind == PD || kind == SD, scalar = kind >= SS;
        FpuState f = c.fpu;
        long bLo, bHi = 0;
        if (scalar) bLo = dbl ? Sse.srcX64(c, i) : Sse.srcX32(c, i) & 0xffffffffL;
        else {
            Sse.srcX(c, i, true);
            bLo = f.srcLo;
            bHi = f.srcHi;
        }
        int p = (int) i.imm & 7;
        long aLo = f.xmm[2 * i.reg], aHi = f.xmm[2 * i.reg + 1];
        int[] acc = acc(c);
        int w = dbl ? 64 : 32, n = scalar ? 1 : 128 / w;
        long rLo = aLo, rHi = aHi;
        for (int k = 0; k < n; k++) {
            int sh = (k * w) % 64;
            long a = ((k * w < 64 ? aLo : aHi) >>> sh) & mask(w), b = ((k * w < 64 ? bLo : bHi) >>> sh) & mask(w);
            long r = predicate(c, p, dbl, a, b, acc) ? mask(w) : 0;
            if (k * w < 64) rLo = (rLo & ~(mask(w) << sh)) | r << sh;
            else rHi = (rHi & ~(mask(w) << sh)) | r << sh;
        }
        Sse.mxcsrFlags(c, acc[0], 0);
        Sse.setX(c, i.reg, rLo, rHi);
    }

    private static long mask(int w) {
        return w == 64 ? -1L : 0xffffffffL;
    }

    private static boolean predicate(Cpu c, int p, boolean dbl, long a, long b, int[] acc) {
        SoftFloat s = load2(c, dbl, a, b);
        boolean signaling = p == 1 || p == 2 || p == 5 || p == 6;
        int rel = s.compare(signaling);
        acc[0] |= pre(s);
        return switch (p) {
            case 0 -> rel == EQ;
            case 1 -> rel == LT;
            case 2 -> rel == LT || rel == EQ;
            case 3 -> rel == UN;
            case 4 -> rel != EQ;
            case 5 -> rel != LT;
            case 6 -> rel != LT && rel != EQ;
            default -> rel != UN;
        };
    }

    private static SoftFloat load2(Cpu c, boolean dbl, long a, long b) {
        SoftFloat s = c.fpu.sf;
        s.setSse(c.fpu.mxcsr, dbl ? F64 : F32);
        if (dbl) {
            s.loadF64A(a);
            s.loadF64B(b);
        } else {
            s.loadF32A((int) a);
            s.loadF32B((int) b);
        }
        return s;
    }

    /** UCOMISS (0) COMISS (1) UCOMISD (2) COMISD (3): ZF PF CF from the relation, OF SF AF cleared. */
    static void comis(Cpu c, Insn i, int arg) {
        boolean dbl = arg >= 2;
        long b = dbl ? Sse.srcX64(c, i) : Sse.srcX32(c, i) & 0xffffffffL;
        long a = c.fpu.xmm[2 * i.reg];
        SoftFloat s = load2(c, dbl, dbl ? a : a & 0xffffffffL, b);
        int rel = s.compare((arg & 1) != 0);
        Sse.mxcsrFlags(c, pre(s), 0);
        c.setArith(X87Arith.relationFlags(rel));
    }

    /** HADDPS (0) HSUBPS (1) HADDPD (2) HSUBPD (3) ADDSUBPS (4) ADDSUBPD (5). */
    static void horizontal(Cpu c, Insn i, int arg) {
        FpuState f = c.fpu;
        Sse.srcX(c, i, true);
        long bLo = f.srcLo, bHi = f.srcHi, aLo = f.xmm[2 * i.reg], aHi = f.xmm[2 * i.reg + 1];
        int[] acc = acc(c);
        long rLo, rHi;
        switch (arg) {
            case 0, 1 -> {
                int op = arg == 0 ? F_ADD : F_SUB;
                rLo = element(c, op, false, aLo & 0xffffffffL, aLo >>> 32, acc)
                        | element(c, op, false, aHi & 0xffffffffL, aHi >>> 32, acc) << 32;
                rHi = element(c, op, false, bLo & 0xffffffffL, bLo >>> 32, acc)
                        | element(c, op, false, bHi & 0xffffffffL, bHi >>> 32, acc) << 32;
            }
            case 2, 3 -> {
                int op = arg == 2 ? F_ADD : F_SUB;
                rLo = element(c, op, true, aLo, aHi, acc);
                rHi = element(c, op, true, bLo, bHi, acc);
            }
            case 4 -> {
                rLo = element(c, F_SUB, false, aLo & 0xffffffffL, bLo & 0xffffffffL, acc)
                        | element(c, F_ADD, false, aLo >>> 32, bLo >>> 32, acc) << 32;
                rHi = element(c, F_SUB, false, aHi & 0xffffffffL, bHi & 0xffffffffL, acc)
                        | element(c, F_ADD, false, aHi >>> 32, bHi >>> 32, acc) << 32;
            }
            default -> {
                rLo = element(c, F_SUB, true, aLo, bLo, acc);
                rHi = element(c, F_ADD, true, aHi, bHi, acc);
            }
        }
        Sse.mxcsrFlags(c, acc[0], acc[1]);
        Sse.setX(c, i.reg, rLo, rHi);
    }

    /** ROUNDPS/PD/SS/SD: imm8[1:0] rounding mode unless imm8[2] (then MXCSR.RC); imm8[3] suppresses PE. */
    static void round(Cpu c, Insn i, int kind) {
        boolean dbl = kind == PD || kind == SD, scalar = kind >= SS;
        FpuState f = c.fpu;
        long bLo, bHi = 0;
        if (scalar) bLo = dbl ? Sse.srcX64(c, i) : Sse.srcX32(c, i) & 0xffffffffL;
        else {
            Sse.srcX(c, i, true);
            bLo = f.srcLo;
            bHi = f.srcHi;
        }
        int imm = (int) i.imm;
        int mode = (imm & 4) != 0 ? (f.mxcsr >> 13) & 3 : imm & 3;
        boolean quiet = (imm & 8) != 0;
        int[] acc = acc(c);
        long rLo = f.xmm[2 * i.reg], rHi = f.xmm[2 * i.reg + 1];
        if (dbl) {
            rLo = roundOne(c, true, bLo, mode, quiet, acc);
            if (!scalar) rHi = roundOne(c, true, bHi, mode, quiet, acc);
        } else {
            int n = scalar ? 1 : 4;
            for (int k = 0; k < n; k++) {
                long src = ((k < 2 ? bLo : bHi) >>> (32 * (k & 1))) & 0xffffffffL;
                long r = roundOne(c, false, src, mode, quiet, acc);
                int sh = 32 * (k & 1);
                if (k < 2) rLo = (rLo & ~(0xffffffffL << sh)) | r << sh;
                else rHi = (rHi & ~(0xffffffffL << sh)) | r << sh;
            }
        }
        Sse.mxcsrFlags(c, acc[0], acc[1]);
        Sse.setX(c, i.reg, rLo, rHi);
    }

    private static long roundOne(Cpu c, boolean dbl, long v, int mode, boolean quiet, int[] acc) {
        SoftFloat s = c.fpu.sf;
        s.setSse(c.fpu.mxcsr, dbl ? F64 : F32);
        if (dbl) s.loadF64A(v); else s.loadF32A((int) v);
        s.roundToIntegral(mode, quiet);
        acc[0] |= pre(s);
        acc[1] |= post(s);
        return dbl ? s.packF64() : s.packF32() & 0xffffffffL;
    }

    /**
     * DPPS (0) / DPPD (1): products selected by imm8[7:4] (+0.0 for the others), summed pairwise
     * ((p0 + p1) + (p2 + p3)) with a rounding at each step, the sum written to the elements imm8[3:0] selects.
     */
    static void dp(Cpu c, Insn i, int pd) {
        FpuState f = c.fpu;
        Sse.srcX(c, i, true);
        long bLo = f.srcLo, bHi = f.srcHi, aLo = f.xmm[2 * i.reg], aHi = f.xmm[2 * i.reg + 1];
        int imm = (int) i.imm & 0xff;
        int[] acc = acc(c);
        long rLo = 0, rHi = 0;
        if (pd != 0) {
            long p0 = (imm & 0x10) != 0 ? element(c, F_MUL, true, aLo, bLo, acc) : 0;
            long p1 = (imm & 0x20) != 0 ? element(c, F_MUL, true, aHi, bHi, acc) : 0;
            stage(c, acc);
            long sum = element(c, F_ADD, true, p0, p1, acc);
            stage(c, acc);
            if ((imm & 1) != 0) rLo = sum;
            if ((imm & 2) != 0) rHi = sum;
        } else {
            long p0 = prod(c, imm, 0, aLo & 0xffffffffL, bLo & 0xffffffffL, acc);
            long p1 = prod(c, imm, 1, aLo >>> 32, bLo >>> 32, acc);
            long p2 = prod(c, imm, 2, aHi & 0xffffffffL, bHi & 0xffffffffL, acc);
            long p3 = prod(c, imm, 3, aHi >>> 32, bHi >>> 32, acc);
            stage(c, acc);
            long s01 = element(c, F_ADD, false, p0, p1, acc), s23 = element(c, F_ADD, false, p2, p3, acc);
            stage(c, acc);
            long sum = element(c, F_ADD, false, s01, s23, acc);
            stage(c, acc);
            if ((imm & 1) != 0) rLo |= sum;
            if ((imm & 2) != 0) rLo |= sum << 32;
            if ((imm & 4) != 0) rHi |= sum;
            if ((imm & 8) != 0) rHi |= sum << 32;
        }
        Sse.setX(c, i.reg, rLo, rHi);
    }

    /**
     * DPPS/DPPD report exceptions stage by stage (products, then each level of sums): a stage's flags are
     * recorded, and an unmasked one raises #XM before the next stage runs — as the reference hardware does.
     */
    private static void stage(Cpu c, int[] acc) {
        Sse.mxcsrFlags(c, acc[0], acc[1]);
        acc[0] = acc[1] = 0;
    }

    private static long prod(Cpu c, int imm, int k, long a, long b, int[] acc) {
        return (imm & (0x10 << k)) != 0 ? element(c, F_MUL, false, a, b, acc) : 0;
    }

    /** RCPPS (0) RCPSS (1) RSQRTPS (2) RSQRTSS (3): approximations; no MXCSR flags. */
    static void rcp(Cpu c, Insn i, int arg) {
        boolean scalar = (arg & 1) != 0, sqrt = arg >= 2;
        FpuState f = c.fpu;
        long bLo, bHi = 0;
        if (scalar) bLo = Sse.srcX32(c, i) & 0xffffffffL;
        else {
            Sse.srcX(c, i, true);
            bLo = f.srcLo;
            bHi = f.srcHi;
        }
        long rLo = f.xmm[2 * i.reg], rHi = f.xmm[2 * i.reg + 1];
        if (scalar) {
            rLo = (rLo & ~0xffffffffL) | approx((int) bLo, sqrt);
        } else {
            rLo = approx((int) bLo, sqrt) | approx((int) (bLo >>> 32), sqrt) << 32;
            rHi = approx((int) bHi, sqrt) | approx((int) (bHi >>> 32), sqrt) << 32;
        }
        Sse.setX(c, i.reg, rLo, rHi);
    }

    /** 1/x or 1/sqrt(x) to 12 bits; denormal inputs count as zero and denormal results are flushed. */
    static long approx(int bits, boolean sqrt) {
        int exp = (bits >>> 23) & 0xff, sign = bits & 0x80000000;
        if (exp == 0xff) {
            if ((bits & 0x7fffff) != 0) return (bits | 0x400000) & 0xffffffffL;          // NaN, quieted
            if (sqrt && sign != 0) return 0xffc00000L;
            return sign & 0xffffffffL;                                                   // 1/∞ = 0
        }
        if (exp == 0) return (sign | 0x7f800000) & 0xffffffffL;                          // ±0 and denormals: ±∞
        if (sqrt && sign != 0) return 0xffc00000L;
        double x = Float.intBitsToFloat(bits);
        float r = (float) (sqrt ? 1 / Math.sqrt(x) : 1 / x);
        int rb = Float.floatToRawIntBits(r) & 0xfffff800;
        if (((rb >>> 23) & 0xff) == 0) rb &= 0x80000000;
        return rb & 0xffffffffL;
    }
}
