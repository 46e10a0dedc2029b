package io.jkvm.x86.insn;

import static io.jkvm.x86.decode.SseOp.*;
import static io.jkvm.x86.fpu.FloatCore.*;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.fpu.FpuState;
import io.jkvm.x86.fpu.SoftFloat;

/**
 * SSE/SSE2 conversions between binary32, binary64 and 32/64-bit integers: CVTPI2PS CVTPI2PD CVTSI2SS
 * CVTSI2SD, CVT(T)PS2PI CVT(T)PD2PI CVT(T)SS2SI CVT(T)SD2SI, CVTPS2PD CVTPD2PS CVTSS2SD CVTSD2SS,
 * CVTDQ2PS CVT(T)PS2DQ CVT(T)PD2DQ CVTDQ2PD. Out-of-range and NaN conversions to integers give the integer
 * indefinite (most negative value) with IE. The forms with an MMX register operand enter MMX state; a
 * memory source does not (SDM CVTPI2PS).
 */
final class SseConvert {
    private SseConvert() {}

    private static SoftFloat sf(Cpu c, int fmt) {
        SoftFloat s = c.fpu.sf;
        s.setSse(c.fpu.mxcsr, fmt);
        return s;
    }

    /** Gathers one conversion's flags. */
    private static void gather(SoftFloat s, int[] acc) {
        acc[0] |= s.flags & (IE | DE | ZE);
        acc[1] |= s.flags & (OE | UE | PE);
    }

    /** Integer to float (rounded by MXCSR.RC). */
    private static long fromInt(Cpu c, long v, boolean dbl, int[] acc) {
        SoftFloat s = sf(c, dbl ? F64 : F32);
        s.loadIntA(v);
        s.round();
        gather(s, acc);
        return dbl ? s.packF64() : s.packF32() & 0xffffffffL;
    }

    /** Float to a signed integer of {@code bits}, truncating or by MXCSR.RC. */
    private static long toInt(Cpu c, long v, boolean dbl, int bits, boolean truncate, int[] acc) {
        SoftFloat s = sf(c, dbl ? F64 : F32);
        if (dbl) s.loadF64A(v); else s.loadF32A((int) v);
        long r = s.toInt(bits, truncate ? RZ : s.rc);
        gather(s, acc);
        return bits == 64 ? r : r & 0xffffffffL;
    }

    /** Float to the other float format (widening is exact; narrowing rounds). Denormal sources report DE. */
    private static long toFloat(Cpu c, long v, boolean fromDbl, int[] acc) {
        SoftFloat s = sf(c, fromDbl ? F32 : F64);
        if (fromDbl) s.loadF64A(v); else s.loadF32A((int) v);
        if (s.aDenormal()) s.flags |= DE;
        s.round();
        gather(s, acc);
        return fromDbl ? s.packF32() & 0xffffffffL : s.packF64();
    }

    private static long lo32(long q) {
        return q & 0xffffffffL;
    }

    static void convert(Cpu c, Insn i, int n) {
        FpuState f = c.fpu;
        long[] x = f.xmm;
        int d = 2 * i.reg;
        int[] acc = f.sf.acc;
        acc[0] = acc[1] = 0;
        long rLo = x[d], rHi = x[d + 1];
        boolean toMm = n == CVTTPS2PI || n == CVTPS2PI || n == CVTTPD2PI || n == CVTPD2PI;
        if (toMm) X87.checkPending(c);                          // an MMX destination: a pending x87 exception first
        switch (n) {
            case CVTPI2PS, CVTPI2PD -> {
                long src;
                if (i.mem) src = c.read(c.linE(i, 8, false), 8);
                else {                                          // an MMX source: MMX state, even if #XM follows
                    X87.checkPending(c);
                    f.enterMmx();
                    src = f.mm(i.rm & 7);
                }
                if (n == CVTPI2PS) rLo = fromInt(c, (int) src, false, acc) | fromInt(c, (int) (src >>> 32), false, acc) << 32;
                else {
                    rLo = fromInt(c, (int) src, true, acc);
                    rHi = fromInt(c, (int) (src >>> 32), true, acc);
                }
            }
            case CVTSI2SS, CVTSI2SD -> {
                int size = i.rexW ? 8 : 4;
                long v = c.readE(i, size);
                if (size == 4) v = (int) v;
                if (n == CVTSI2SS) rLo = (rLo & ~0xffffffffL) | fromInt(c, v, false, acc);
                else rLo = fromInt(c, v, true, acc);
            }
            case CVTTPS2PI, CVTPS2PI -> {
                long src = Sse.srcX64(c, i);
                boolean t = n == CVTTPS2PI;
                rLo = toInt(c, lo32(src), false, 32, t, acc) | toInt(c, src >>> 32, false, 32, t, acc) << 32;
            }
            case CVTTPD2PI, CVTPD2PI -> {
                Sse.srcX(c, i, true);
                boolean t = n == CVTTPD2PI;
                rLo = toInt(c, f.srcLo, true, 32, t, acc) | toInt(c, f.srcHi, true, 32, t, acc) << 32;
            }
            case CVTTSS2SI, CVTSS2SI, CVTTSD2SI, CVTSD2SI -> {
                boolean dbl = n == CVTTSD2SI || n == CVTSD2SI, t = n == CVTTSS2SI || n == CVTTSD2SI;
                long src = dbl ? Sse.srcX64(c, i) : Sse.srcX32(c, i) & 0xffffffffL;
                int bits = i.rexW ? 64 : 32;
                long r = toInt(c, src, dbl, bits, t, acc);
                Sse.mxcsrFlags(c, acc[0], acc[1]);
                c.setReg(i.reg, bits / 8, r);
                return;
            }
            case CVTPS2PD -> {
                long src = Sse.srcX64(c, i);
                rLo = toFloat(c, lo32(src), false, acc);
                rHi = toFloat(c, src >>> 32, false, acc);
            }
            case CVTPD2PS -> {
                Sse.srcX(c, i, true);
                rLo = toFloat(c, f.srcLo, true, acc) | toFloat(c, f.srcHi, true, acc) << 32;
                rHi = 0;
            }
            case CVTSS2SD -> rLo = toFloat(c, Sse.srcX32(c, i) & 0xffffffffL, false, acc);
            case CVTSD2SS -> rLo = (rLo & ~0xffffffffL) | toFloat(c, Sse.srcX64(c, i), true, acc);
            case CVTDQ2PS -> {
                Sse.srcX(c, i, true);
                long a = f.srcLo, b = f.srcHi;
                rLo = fromInt(c, (int) a, false, acc) | fromInt(c, (int) (a >>> 32), false, acc) << 32;
                rHi = fromInt(c, (int) b, false, acc) | fromInt(c, (int) (b >>> 32), false, acc) << 32;
            }
            case CVTPS2DQ, CVTTPS2DQ -> {
                Sse.srcX(c, i, true);
                boolean t = n == CVTTPS2DQ;
                long a = f.srcLo, b = f.srcHi;
                rLo = toInt(c, lo32(a), false, 32, t, acc) | toInt(c, a >>> 32, false, 32, t, acc) << 32;
                rHi = toInt(c, lo32(b), false, 32, t, acc) | toInt(c, b >>> 32, false, 32, t, acc) << 32;
            }
            case CVTTPD2DQ, CVTPD2DQ -> {
                Sse.srcX(c, i, true);
                boolean t = n == CVTTPD2DQ;
                rLo = toInt(c, f.srcLo, true, 32, t, acc) | toInt(c, f.srcHi, true, 32, t, acc) << 32;
                rHi = 0;
            }
            default -> {                                                // CVTDQ2PD
                long src = Sse.srcX64(c, i);
                rLo = fromInt(c, (int) src, true, acc);
                rHi = fromInt(c, (int) (src >>> 32), true, acc);
            }
        }
        if (toMm) f.enterMmx();                                 // before a #XM, as the hardware does
        Sse.mxcsrFlags(c, acc[0], acc[1]);
        if (toMm) {
            f.setMm(i.reg & 7, rLo);
        } else {
            Sse.setX(c, i.reg, rLo, rHi);
        }
    }
}
