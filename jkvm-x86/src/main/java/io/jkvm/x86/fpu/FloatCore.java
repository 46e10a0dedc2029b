package io.jkvm.x86.fpu;

/**
 * Software IEEE 754 arithmetic for the x87 FPU and SSE, bit-exact with Intel hardware: add, subtract,
 * multiply, divide, square root, compare, round to integral, and conversions, on the 80-bit extended
 * format and on binary32/binary64, with the four rounding modes, x87 precision control, the six
 * exception flags, x86's NaN rules, tininess detected after rounding (SDM Vol. 1 §4.9.1.5), and SSE's
 * DAZ/FTZ. Modelled on the structure of Berkeley SoftFloat's extF80 routines.
 *
 * <p>Every operation works on unpacked operands (sign, exponent biased as the 80-bit format's 16383,
 * significand normalized with the integer bit at bit 63) and produces an exact result plus 64 bits of
 * round/sticky information, which {@link #roundPack} rounds once to the target's precision and exponent
 * range. Every binary32/64 value is exactly an extended value, so one engine serves all formats.
 *
 * <p>One instance per CPU; operations set the {@code r*} result fields and OR exception bits into
 * {@link #flags}, allocating nothing.
 */
public abstract class FloatCore {
    /** Exception flags: the same bit positions in FSW and MXCSR. */
    public static final int IE = 1, DE = 2, ZE = 4, OE = 8, UE = 16, PE = 32;
    /** Rounding modes (FCW.RC and MXCSR.RC encoding). */
    public static final int RN = 0, RD = 1, RU = 2, RZ = 3;
    /** Targets: extended range with 24/53/64-bit precision (x87 PC), binary32, binary64. */
    public static final int X24 = 0, X53 = 1, X64 = 2, F32 = 3, F64 = 4;
    /** Operand and result classes. BAD = x87 unsupported encodings (unnormal, pseudo-NaN/infinity). */
    public static final int ZERO = 0, FIN = 1, INF = 2, QNAN = 3, SNAN = 4, BAD = 5;
    /** Comparison results. */
    public static final int LT = 0, EQ = 1, GT = 2, UN = 3;

    static final int BIAS = 16383;
    private static final int[] PREC = {24, 53, 64, 24, 53};
    private static final int[] EMIN = {1, 1, 1, BIAS - 126, BIAS - 1022};
    private static final int[] EMAX = {0x7ffe, 0x7ffe, 0x7ffe, BIAS + 127, BIAS + 1023};
    static final long TOP = 1L << 63, QUIET = 1L << 62;

    // ---- the environment of the operation in progress (set by the caller)
    public int rc;
    public int target = X64;
    /** Exception masks (flag bit set = masked): decide x87's biased results and SSE's flush-to-zero. */
    public int masks = 0x3f;
    /** SSE: denormal operands read as zero / tiny results flushed to zero (when underflow is masked). */
    public boolean daz, ftz;
    /** x87 rules: NaN choice by larger significand; unmasked overflow/underflow deliver exponent-biased results. */
    public boolean x87;

    // ---- outputs
    public int flags;
    /** Flags gathered over the elements of one SIMD instruction: pre-computation [0] and post-computation [1]. */
    public final int[] acc = new int[2];
    /** The result's magnitude was rounded up (x87 C1). */
    public boolean roundedUp;
    public int rCls, rSign, rExp;
    public long rSig;

    // ---- unpacked operands
    int aCls, aSign, aExp, bCls, bSign, bExp;
    long aSig, bSig;
    boolean aDen, bDen;
    private int uCls, uSign, uExp;
    private long uSig;
    private boolean uDen;

    /** Prepares for an x87 operation: precision control and rounding from FCW. */
    public void setX87(int fcw) {
        int pc = (fcw >> 8) & 3;
        target = pc == 0 ? X24 : pc == 2 ? X53 : X64;     // PC=01 is reserved: extended, as Bochs
        rc = (fcw >> 10) & 3;
        masks = fcw & 0x3f;
        daz = ftz = false;
        x87 = true;
        flags = 0;
        roundedUp = false;
    }

    /** Prepares for an SSE operation on {@code fmt} (F32 or F64) under MXCSR. */
    public void setSse(int mxcsr, int fmt) {
        target = fmt;
        rc = (mxcsr >> 13) & 3;
        masks = (mxcsr >> 7) & 0x3f;
        daz = (mxcsr & 0x40) != 0;
        ftz = (mxcsr & 0x8000) != 0;
        x87 = false;
        flags = 0;
        roundedUp = false;
    }

    // ================================================================ unpacking

    private void unpackExt(int se, long m) {
        int e = se & 0x7fff;
        uSign = (se >>> 15) & 1;
        uDen = false;
        uExp = e;
        uSig = m;
        if (e == 0x7fff) {
            if (m >= 0) uCls = BAD;                                   // pseudo-infinity / pseudo-NaN
            else if ((m << 1) == 0) uCls = INF;
            else uCls = (m & QUIET) != 0 ? QNAN : SNAN;
        } else if (e == 0) {
            if (m == 0) {
                uCls = ZERO;
            } else {                                                  // denormal or pseudo-denormal: exponent 1
                int lz = Long.numberOfLeadingZeros(m);
                uSig = m << lz;
                uExp = 1 - lz;
                uCls = FIN;
                uDen = true;
            }
        } else {
            uCls = m < 0 ? FIN : BAD;                                 // integer bit clear: unnormal
        }
    }

    private void unpackF64(long bits) {
        uSign = (int) (bits >>> 63);
        int e = (int) (bits >>> 52) & 0x7ff;
        long frac = bits & 0xfffffffffffffL;
        uDen = false;
        if (e == 0x7ff) {
            uExp = 0x7fff;
            uSig = TOP | frac << 11;
            uCls = frac == 0 ? INF : (frac >>> 51) != 0 ? QNAN : SNAN;
        } else if (e == 0) {
            if (frac == 0 || daz) {
                uCls = ZERO;
            } else {
                int lz = Long.numberOfLeadingZeros(frac << 11);
                uSig = frac << (11 + lz);
                uExp = BIAS - 1022 - lz;
                uCls = FIN;
                uDen = true;
            }
        } else {
            uCls = FIN;
            uSig = TOP | frac << 11;
            uExp = e - 1023 + BIAS;
        }
    }

    private void unpackF32(int bits) {
        uSign = bits >>> 31;
        int e = (bits >>> 23) & 0xff;
        long frac = bits & 0x7fffffL;
        uDen = false;
        if (e == 0xff) {
            uExp = 0x7fff;
            uSig = TOP | frac << 40;
            uCls = frac == 0 ? INF : (frac >>> 22) != 0 ? QNAN : SNAN;
        } else if (e == 0) {
            if (frac == 0 || daz) {
                uCls = ZERO;
            } else {
                int lz = Long.numberOfLeadingZeros(frac << 40);
                uSig = frac << (40 + lz);
                uExp = BIAS - 126 - lz;
                uCls = FIN;
                uDen = true;
            }
        } else {
            uCls = FIN;
            uSig = TOP | frac << 40;
            uExp = e - 127 + BIAS;
        }
    }

    private void toA() {
        aCls = uCls; aSign = uSign; aExp = uExp; aSig = uSig; aDen = uDen;
    }

    private void toB() {
        bCls = uCls; bSign = uSign; bExp = uExp; bSig = uSig; bDen = uDen;
    }

    public void loadExtA(int se, long m) { unpackExt(se, m); toA(); }
    public void loadExtB(int se, long m) { unpackExt(se, m); toB(); }
    public void loadF64A(long v) { unpackF64(v); toA(); }
    public void loadF64B(long v) { unpackF64(v); toB(); }
    public void loadF32A(int v) { unpackF32(v); toA(); }
    public void loadF32B(int v) { unpackF32(v); toB(); }

    /** A signed integer, exactly. */
    private void unpackInt(long v) {
        uDen = false;
        uSign = v < 0 ? 1 : 0;
        if (v == 0) {
            uCls = ZERO;
            return;
        }
        uCls = FIN;
        long mag = v < 0 ? -v : v;                                    // -2^63 stays 2^63 unsigned
        int lz = Long.numberOfLeadingZeros(mag);
        uSig = mag << lz;
        uExp = BIAS + 63 - lz;
    }

    public void loadIntA(long v) { unpackInt(v); toA(); }
    public void loadIntB(long v) { unpackInt(v); toB(); }

    /** Swaps operands A and B (reverse forms: FSUBR, FDIVR). */
    public void swap() {
        int t = aCls; aCls = bCls; bCls = t;
        t = aSign; aSign = bSign; bSign = t;
        t = aExp; aExp = bExp; bExp = t;
        long g = aSig; aSig = bSig; bSig = g;
        boolean d = aDen; aDen = bDen; bDen = d;
    }

    public int aClass() { return aCls; }
    public int bClass() { return bCls; }
    public boolean aDenormal() { return aDen; }

    // ================================================================ packing

    /** The result as 80-bit sign/exponent (low 16 bits) — the significand is {@link #rSig} after this call. */
    public int packExt() {
        switch (rCls) {
            case ZERO -> { rSig = 0; return rSign << 15; }
            case INF -> { rSig = TOP; return rSign << 15 | 0x7fff; }
            case QNAN, SNAN, BAD -> { return rSign << 15 | 0x7fff; }
            default -> {
                if (rSig >= 0) return rSign << 15;                    // denormal: exponent field 0
                return rSign << 15 | rExp;
            }
        }
    }

    public long packF64() {
        long s = (long) rSign << 63;
        return switch (rCls) {
            case ZERO -> s;
            case INF -> s | 0x7ff0000000000000L;
            case QNAN, SNAN, BAD -> s | 0x7ff0000000000000L | ((rSig << 1) >>> 12);
            default -> {
                if (rSig >= 0) yield s | rSig >>> (11 + (EMIN[F64] - rExp));
                long e = rExp - BIAS + 1023;
                yield s | e << 52 | ((rSig << 1) >>> 12);
            }
        };
    }

    public int packF32() {
        int s = rSign << 31;
        return switch (rCls) {
            case ZERO -> s;
            case INF -> s | 0x7f800000;
            case QNAN, SNAN, BAD -> s | 0x7f800000 | (int) ((rSig << 1) >>> 41);
            default -> {
                if (rSig >= 0) yield s | (int) (rSig >>> (40 + (EMIN[F32] - rExp)));
                int e = rExp - BIAS + 127;
                yield s | e << 23 | (int) ((rSig << 1) >>> 41);
            }
        };
    }

    // ================================================================ results

    void zero(int sign) {
        rCls = ZERO;
        rSign = sign;
        rExp = 0;
        rSig = 0;
    }

    void inf(int sign) {
        rCls = INF;
        rSign = sign;
        rExp = 0x7fff;
        rSig = TOP;
    }

    /** The default QNaN ("real indefinite"): negative, quiet, zero payload. */
    public void defaultNaN() {
        rCls = QNAN;
        rSign = 1;
        rExp = 0x7fff;
        rSig = TOP | QUIET;
    }

    void invalid() {
        flags |= IE;
        defaultNaN();
    }

    void resultA() {
        rCls = aCls; rSign = aSign; rExp = aExp; rSig = aSig;
    }

    void resultB() {
        rCls = bCls; rSign = bSign; rExp = bExp; rSig = bSig;
    }

    static boolean isNaN(int cls) {
        return cls == QNAN || cls == SNAN;
    }

    /** One operand (A) is a NaN: the result is it, quieted; IE if it was signaling. */
    void nanA() {
        if (aCls == SNAN) flags |= IE;
        resultA();
        rCls = QNAN;
        rSig |= QUIET;
    }

    /**
     * At least one operand is a NaN (SDM Vol. 1 Table 4-7). SSE: the first source. x87: a QNaN rather
     * than an SNaN, else the larger significand (ties: the positive one).
     */
    void propagateNaN() {
        boolean an = isNaN(aCls), bn = isNaN(bCls);
        if (aCls == SNAN || bCls == SNAN) flags |= IE;
        boolean pickA;
        if (!an || !bn) pickA = an;
        else if (!x87) pickA = true;
        else if (aCls != bCls) pickA = aCls == QNAN;
        else {
            long ma = aSig | QUIET, mb = bSig | QUIET;
            pickA = ma != mb ? Long.compareUnsigned(ma, mb) > 0 : aSign <= bSign;
        }
        if (pickA) resultA(); else resultB();
        rCls = QNAN;
        rSig |= QUIET;
    }

    /** NaN and unsupported-operand screening shared by two-operand operations; true when the result is decided. */
    boolean special2() {
        if (aCls == BAD || bCls == BAD) {
            invalid();
            return true;
        }
        if (isNaN(aCls) || isNaN(bCls)) {
            propagateNaN();
            return true;
        }
        return false;
    }

    boolean special1() {
        if (aCls == BAD) {
            invalid();
            return true;
        }
        if (isNaN(aCls)) {
            nanA();
            return true;
        }
        return false;
    }

    /**
     * Reports a denormal operand; true when DE is unmasked, which stops the operation before it computes
     * anything (a pre-computation exception: SDM Vol. 1 §4.9.2, §11.5.2.2).
     */
    boolean denormalStops(boolean denormal) {
        if (!denormal) return false;
        flags |= DE;
        return (masks & DE) == 0;
    }

    // ================================================================ rounding

    /**
     * Rounds sign × (sig.extra) × 2^(exp − 16383 − 63), sig normalized (bit 63 set), to the target and sets
     * the result. Handles overflow (masked: ∞ or the largest finite; unmasked x87: exponent − 24576),
     * tininess after rounding, denormal results (masked) or exponent + 24576 (unmasked x87), FTZ.
     */
    public void roundPack(int sign, int exp, long sig, long extra) {
        int t = target;
        int prec = PREC[t], emin = EMIN[t], emax = EMAX[t];
        rSign = sign;
        rCls = FIN;
        if (prec < 64) {
            if (extra != 0) sig |= 1;
            roundN(sign, exp, sig, prec, emin, emax);
        } else {
            round64(sign, exp, sig, extra, emin, emax);
        }
    }

    private long increment(int sign, long half, long mask) {
        return switch (rc) {
            case RN -> half;
            case RD -> sign != 0 ? mask : 0;
            case RU -> sign != 0 ? 0 : mask;
            default -> 0;
        };
    }

    /** Rounding to 24 or 53 bits: the round bits are the low 64 − prec bits of sig (extra already folded in). */
    private void roundN(int sign, int exp, long sig, int prec, int emin, int emax) {
        long roundMask = (1L << (64 - prec)) - 1;
        long inc = increment(sign, 1L << (63 - prec), roundMask);
        if (exp < emin) {
            boolean tiny = exp < emin - 1 || Long.compareUnsigned(sig + inc, sig) >= 0;
            if (tiny && underflowUnmaskedX87()) {
                exp += 24576;
                if (exp < emin) {                     // too small even biased (FSCALE): a signed zero
                    flags |= PE;
                    zero(sign);
                    return;
                }
            } else {
                if (tiny && sseUnderflowUnmasked((sig & roundMask) != 0)) return;
                if (tiny && ftz && (masks & UE) != 0) {
                    flags |= UE | PE;
                    zero(sign);
                    return;
                }
                sig = shiftRightJam(sig, emin - exp);
                long roundBits = sig & roundMask;
                if (roundBits != 0) {
                    if (tiny) flags |= UE;
                    flags |= PE;
                }
                long kept = sig & ~roundMask;
                sig += inc;
                long unit = roundMask + 1;
                if (rc == RN && roundBits << 1 == unit) roundMask |= unit;
                sig &= ~roundMask;
                roundedUp = Long.compareUnsigned(sig, kept) > 0;
                if (sig == 0) zero(sign);
                else { rExp = emin; rSig = sig; }
                return;
            }
        }
        if (exp > emax || (exp == emax && Long.compareUnsigned(sig + inc, sig) < 0)) {
            if (overflowUnmaskedX87()) {
                exp -= 24576;
                if (exp > emax) {                     // too large even biased (FSCALE): a signed infinity
                    massiveOverflow(sign);
                    return;
                }
            } else {
                if (!sseOverflowUnmasked((sig & roundMask) != 0)) overflow(sign, ~roundMask, emax);
                return;
            }
        }
        long roundBits = sig & roundMask;
        if (roundBits != 0) flags |= PE;
        long kept = sig & ~roundMask;
        long s2 = sig + inc;
        boolean carry = Long.compareUnsigned(s2, sig) < 0;
        if (carry) {
            exp++;
            s2 = TOP;
        } else {
            long unit = roundMask + 1;
            if (rc == RN && roundBits << 1 == unit) roundMask |= unit;
            s2 &= ~roundMask;
        }
        roundedUp = carry || Long.compareUnsigned(s2, kept) > 0;
        rExp = exp;
        rSig = s2;
    }

    /** Rounding to 64 bits: the round bits are in extra. */
    private void round64(int sign, int exp, long sig, long extra, int emin, int emax) {
        boolean inc = incrementBy(sign, extra);
        if (exp < emin) {
            boolean tiny = exp < emin - 1 || !inc || sig != -1L;
            if (tiny && underflowUnmaskedX87()) {
                exp += 24576;
                if (exp < emin) {
                    flags |= PE;
                    zero(sign);
                    return;
                }
            } else {
                if (tiny && sseUnderflowUnmasked(extra != 0)) return;
                int dist = emin - exp;
                if (dist >= 64) {
                    extra = (dist == 64 ? sig : (sig != 0 ? 1 : 0)) | (extra != 0 ? 1 : 0);
                    sig = 0;
                } else {
                    extra = sig << (64 - dist) | (extra != 0 ? 1 : 0);
                    sig >>>= dist;
                }
                if (extra != 0) {
                    if (tiny) flags |= UE;
                    flags |= PE;
                }
                if (incrementBy(sign, extra)) {
                    long before = sig;
                    sig++;
                    if (rc == RN && (extra & Long.MAX_VALUE) == 0) sig &= ~1L;   // a tie goes to even
                    roundedUp = sig != before;
                }
                if (sig == 0) zero(sign);
                else { rExp = emin; rSig = sig; }
                return;
            }
        }
        if (exp > emax || (exp == emax && sig == -1L && inc)) {
            if (overflowUnmaskedX87()) {
                exp -= 24576;
                if (exp > emax) {
                    massiveOverflow(sign);
                    return;
                }
            } else {
                if (!sseOverflowUnmasked(extra != 0)) overflow(sign, -1L, emax);
                return;
            }
        }
        if (extra != 0) flags |= PE;
        if (inc) {
            long before = sig;
            sig++;
            if (sig == 0) {
                exp++;
                sig = TOP;
                roundedUp = true;
            } else {
                if (rc == RN && (extra & Long.MAX_VALUE) == 0) sig &= ~1L;  // a tie goes to even
                roundedUp = sig != before;
            }
        }
        rExp = exp;
        rSig = sig;
    }

    private boolean incrementBy(int sign, long extra) {
        return switch (rc) {
            case RN -> extra < 0;                                     // bit 63 of extra: at least half
            case RD -> sign != 0 && extra != 0;
            case RU -> sign == 0 && extra != 0;
            default -> false;
        };
    }

    /**
     * SSE with underflow unmasked: UE is reported for any tiny result, and PE when rounding it to the full
     * precision with an unbounded exponent (the result a handler would get) is inexact — not the
     * denormalized rounding. The instruction raises #XM with its destination unchanged: no result here.
     */
    private boolean sseUnderflowUnmasked(boolean inexact) {
        if (x87 || (masks & UE) != 0) return false;
        flags |= UE | (inexact ? PE : 0);
        rCls = ZERO;
        return true;
    }

    /** SSE with overflow unmasked: OE, and PE only when the full-precision rounding is inexact. */
    private boolean sseOverflowUnmasked(boolean inexact) {
        if (x87 || (masks & OE) != 0) return false;
        flags |= OE | (inexact ? PE : 0);
        rCls = ZERO;
        return true;
    }

    private boolean overflowUnmaskedX87() {
        if (!x87 || (masks & OE) != 0) return false;
        flags |= OE;
        return true;
    }

    private boolean underflowUnmaskedX87() {
        if (!x87 || (masks & UE) != 0) return false;
        flags |= UE;
        return true;
    }

    private void massiveOverflow(int sign) {
        flags |= PE;
        inf(sign);
        roundedUp = true;
    }

    /** Overflow result (masked): ∞ when rounding away from zero, else the largest finite value. */
    private void overflow(int sign, long maxSig, int emax) {
        flags |= OE | PE;
        boolean toInf = rc == RN || (rc == RD && sign != 0) || (rc == RU && sign == 0);
        if (toInf) {
            inf(sign);
            roundedUp = true;
        } else {
            rCls = FIN;
            rSign = sign;
            rExp = emax;
            rSig = maxSig;
            roundedUp = false;
        }
    }

    static long shiftRightJam(long v, int dist) {
        if (dist <= 0) return v;
        if (dist >= 64) return v != 0 ? 1 : 0;
        return v >>> dist | ((v << (64 - dist)) != 0 ? 1 : 0);
    }
}
