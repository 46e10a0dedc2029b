package io.jkvm.x86.fpu;

/**
 * The operations of the software floating point (see {@link FloatCore} for operands, rounding and
 * packing): add, subtract, multiply, divide, square root, compare, round to integral, integer conversion.
 * Each computes the exact result with 64 bits of round/sticky information and rounds it once.
 */
public final class SoftFloat extends FloatCore {
    // ================================================================ operations

    /** Rounds operand A to the target (a conversion, or FLD/FST of another format). */
    public void round() {
        if (special1()) return;
        switch (aCls) {
            case ZERO -> zero(aSign);
            case INF -> inf(aSign);
            default -> roundPack(aSign, aExp, aSig, 0);
        }
    }

    /** A + B, or A − B when {@code subtract}. */
    public void add(boolean subtract) {
        if (special2()) return;
        int bs = bSign ^ (subtract ? 1 : 0);
        if (aCls == INF || bCls == INF) {
            if (aCls == INF && bCls == INF && aSign != bs) invalid();
            else {
                if (denormalStops(aDen || bDen)) return;
                inf(aCls == INF ? aSign : bs);
            }
            return;
        }
        if (denormalStops(aDen || bDen)) return;
        if (aCls == ZERO && bCls == ZERO) {
            zero(aSign == bs ? aSign : rc == RD ? 1 : 0);
            return;
        }
        if (bCls == ZERO) {
            roundPack(aSign, aExp, aSig, 0);
            return;
        }
        if (aCls == ZERO) {
            roundPack(bs, bExp, bSig, 0);
            return;
        }
        if (aSign == bs) addMags(aSign);
        else subMags(aSign, bs);
    }

    /**
     * The bits of {@code sb} shifted out by an alignment of {@code d}, as the 64 bits below the significand,
     * with everything below those jammed into bit 0. (A subtraction's normalization can shift bit 62 up
     * into the guard position, so the bits must keep their places, not just be summarized.)
     */
    private static long alignLow(long sb, int d) {
        if (d == 0) return 0;
        if (d < 64) return sb << (64 - d);
        if (d == 64) return sb;
        if (d < 128) return sb >>> (d - 64) | ((sb << (128 - d)) != 0 ? 1 : 0);
        return 1;
    }

    private void addMags(int sign) {
        int ea = aExp, eb = bExp;
        long sa = aSig, sb = bSig;
        if (ea < eb) {
            int t = ea; ea = eb; eb = t;
            long g = sa; sa = sb; sb = g;
        }
        int d = ea - eb;
        long lo = alignLow(sb, d);
        sb = d >= 64 ? 0 : sb >>> d;
        long sum = sa + sb;
        if (Long.compareUnsigned(sum, sa) < 0) {                     // carry out: shift right one
            lo = (sum << 63) | (lo >>> 1) | (lo & 1);
            sum = TOP | sum >>> 1;
            ea++;
        }
        roundPack(sign, ea, sum, lo);
    }

    private void subMags(int signA, int signB) {
        int ea = aExp, eb = bExp, sign = signA;
        long sa = aSig, sb = bSig;
        if (ea < eb || (ea == eb && Long.compareUnsigned(sa, sb) < 0)) {
            int t = ea; ea = eb; eb = t;
            long g = sa; sa = sb; sb = g;
            sign = signB;
        }
        int d = ea - eb;
        if (d == 0 && sa == sb) {
            zero(rc == RD ? 1 : 0);
            return;
        }
        long lo = alignLow(sb, d);
        sb = d >= 64 ? 0 : sb >>> d;
        // (sa:0) − (sb:lo)
        long rlo = -lo;
        long hi = sa - sb - (lo != 0 ? 1 : 0);
        int lz = Long.numberOfLeadingZeros(hi);
        if (hi == 0) lz = 64 + Long.numberOfLeadingZeros(rlo);       // d = 1: 2^63 − (2^64−1)/2 leaves only the low half
        if (lz >= 64) {
            hi = rlo << (lz - 64);
            rlo = 0;
        } else if (lz > 0) {
            hi = hi << lz | rlo >>> (64 - lz);
            rlo <<= lz;
        }
        roundPack(sign, ea - lz, hi, rlo);
    }

    public void mul() {
        if (special2()) return;
        int sign = aSign ^ bSign;
        if (aCls == INF || bCls == INF) {
            if (aCls == ZERO || bCls == ZERO) invalid();
            else {
                if (denormalStops(aDen || bDen)) return;
                inf(sign);
            }
            return;
        }
        if (denormalStops(aDen || bDen)) return;
        if (aCls == ZERO || bCls == ZERO) {
            zero(sign);
            return;
        }
        long hi = Math.unsignedMultiplyHigh(aSig, bSig), lo = aSig * bSig;
        int exp = aExp + bExp - BIAS + 1;
        if (hi >= 0) {                                                // product in [2^126, 2^127): normalize
            hi = hi << 1 | lo >>> 63;
            lo <<= 1;
            exp--;
        }
        roundPack(sign, exp, hi, lo);
    }

    public void div() {
        if (special2()) return;
        int sign = aSign ^ bSign;
        if (aCls == INF) {
            if (bCls == INF) invalid();
            else {
                if (denormalStops(bDen)) return;
                inf(sign);
            }
            return;
        }
        if (bCls == INF) {
            if (denormalStops(aDen)) return;
            zero(sign);
            return;
        }
        if (bCls == ZERO) {
            if (aCls == ZERO) invalid();
            else {
                flags |= ZE;
                inf(sign);
            }
            return;
        }
        if (denormalStops(aDen || bDen)) return;
        if (aCls == ZERO) {
            zero(sign);
            return;
        }
        long sa = aSig, sb = bSig;
        int exp = aExp - bExp + BIAS;
        long nhi, nlo;
        if (Long.compareUnsigned(sa, sb) >= 0) {                     // quotient in [1, 2): numerator A·2^63
            nhi = sa >>> 1;
            nlo = sa << 63;
        } else {                                                      // [1/2, 1): A·2^64
            nhi = sa;
            nlo = 0;
            exp--;
        }
        long q = divlu(nhi, nlo, sb);
        long q2 = divlu(rem, 0, sb);
        long extra = q2 | (rem != 0 ? 1 : 0);
        roundPack(sign, exp, q, extra);
    }

    public void sqrt() {
        if (special1()) return;
        if (aCls == ZERO) {
            zero(aSign);
            return;
        }
        if (aSign != 0) {
            invalid();
            return;
        }
        if (denormalStops(aDen)) return;
        if (aCls == INF) {
            inf(0);
            return;
        }
        int e = aExp - BIAS;                                          // value = m × 2^e, m = sig/2^63 in [1, 2)
        long hi, lo;
        if ((e & 1) == 0) {                                           // root = sqrt(m)·2^63 = sqrt(sig·2^63)
            hi = aSig >>> 1;
            lo = aSig << 63;
        } else {                                                      // root = sqrt(2m)·2^63 = sqrt(sig·2^64), e−1 even
            hi = aSig;
            lo = 0;
            e -= 1;
        }
        long root = isqrt128(hi, lo);
        // remainder r = radicand − root²; the next bit is 1 iff r > root; a non-zero r is never a tie
        long sqHi = Math.unsignedMultiplyHigh(root, root), sqLo = root * root;
        long rLo = lo - sqLo;
        long rHi = hi - sqHi - (Long.compareUnsigned(lo, sqLo) < 0 ? 1 : 0);
        long extra = 0;
        if (rHi != 0 || rLo != 0) {
            boolean above = rHi != 0 || Long.compareUnsigned(rLo, root) > 0;
            extra = (above ? TOP : 0) | 1;
        }
        roundPack(0, (e >> 1) + BIAS, root, extra);
    }

    /** floor(sqrt(hi:lo)) for a radicand in [2^126, 2^128): a 64-bit root with bit 63 set. */
    static long isqrt128(long hi, long lo) {
        long root = 0, remHi = 0, remLo = 0;
        for (int k = 0; k < 64; k++) {
            // bring down the next two bits of the radicand
            long two = hi >>> 62;
            hi = hi << 2 | lo >>> 62;
            lo <<= 2;
            remHi = remHi << 2 | remLo >>> 62;
            remLo = remLo << 2 | two;
            // trial = 4·root + 1 (a 66-bit value)
            long tLo = root << 2 | 1, tHi = root >>> 62;
            boolean ge = Long.compareUnsigned(remHi, tHi) > 0 || (remHi == tHi && Long.compareUnsigned(remLo, tLo) >= 0);
            if (ge) {
                long nLo = remLo - tLo;
                remHi = remHi - tHi - (Long.compareUnsigned(remLo, tLo) < 0 ? 1 : 0);
                remLo = nLo;
                root = root << 1 | 1;
            } else {
                root <<= 1;
            }
        }
        return root;
    }

    /** Remainder of the last {@link #divlu}. */
    private long rem;

    /** (u1:u0) / v for u1 < v, v with bit 63 set (Hacker's Delight divlu); remainder in {@link #rem}. */
    long divlu(long u1, long u0, long v) {
        final long b = 1L << 32;
        long vn1 = v >>> 32, vn0 = v & 0xffffffffL;
        long un1 = u0 >>> 32, un0 = u0 & 0xffffffffL;
        long q1 = Long.divideUnsigned(u1, vn1);
        long rhat = u1 - q1 * vn1;
        while (Long.compareUnsigned(q1, b) >= 0 || Long.compareUnsigned(q1 * vn0, rhat << 32 | un1) > 0) {
            q1--;
            rhat += vn1;
            if (Long.compareUnsigned(rhat, b) >= 0) break;
        }
        long un21 = (u1 << 32 | un1) - q1 * v;
        long q0 = Long.divideUnsigned(un21, vn1);
        rhat = un21 - q0 * vn1;
        while (Long.compareUnsigned(q0, b) >= 0 || Long.compareUnsigned(q0 * vn0, rhat << 32 | un0) > 0) {
            q0--;
            rhat += vn1;
            if (Long.compareUnsigned(rhat, b) >= 0) break;
        }
        rem = (un21 << 32 | un0) - q0 * v;
        return q1 << 32 | q0;
    }

    // ================================================================ comparison


    /**
     * Compares A with B. {@code signaling}: any NaN raises IE (FCOM, COMISS, CMPLTPS), else only SNaNs
     * (FUCOM, UCOMISS, CMPEQPS). Denormal operands raise DE when no NaN is involved.
     */
    public int compare(boolean signaling) {
        if (aCls == BAD || bCls == BAD) {
            flags |= IE;
            return UN;
        }
        if (isNaN(aCls) || isNaN(bCls)) {
            if (signaling || aCls == SNAN || bCls == SNAN) flags |= IE;
            return UN;
        }
        if (aDen || bDen) flags |= DE;
        if (aCls == ZERO && bCls == ZERO) return EQ;
        int ka = key(aCls, aSign), kb = key(bCls, bSign);
        if (aCls == ZERO || bCls == ZERO || aCls == INF || bCls == INF || aSign != bSign) {
            int c = Integer.compare(ka, kb);
            if (c != 0) return c < 0 ? LT : GT;
            if (aCls == INF) return EQ;                               // same infinity
        }
        // same sign, both finite non-zero
        int c = aExp != bExp ? Integer.compare(aExp, bExp) : Long.compareUnsigned(aSig, bSig);
        if (c == 0) return EQ;
        if (aSign != 0) c = -c;
        return c < 0 ? LT : GT;
    }

    /** Orders classes: −∞ < −finite < 0 < +finite < +∞. */
    private static int key(int cls, int sign) {
        int k = switch (cls) {
            case ZERO -> 0;
            case FIN -> 1;
            default -> 2;
        };
        return sign != 0 ? -k : k;
    }

    // ================================================================ integers

    /**
     * Rounds A to an integral value in the same format (FRNDINT, ROUNDSS). {@code mode} is a rounding mode;
     * PE is raised when inexact unless {@code quiet}.
     */
    public void roundToIntegral(int mode, boolean quiet) {
        if (special1()) return;
        if (aCls == ZERO || aCls == INF) {
            resultA();
            return;
        }
        if (x87 && denormalStops(aDen)) return;                      // FRNDINT reports it, ROUNDSS does not
        int shift = BIAS + 63 - aExp;                                 // fraction bits in the significand
        if (shift <= 0) {
            resultA();
            return;
        }
        long ip, frac;
        if (shift >= 64) {
            ip = 0;
            frac = shift == 64 ? aSig : 1;                            // any non-zero fraction < 1/2 (or = A when 64)
        } else {
            ip = aSig >>> shift;
            frac = aSig << (64 - shift);
        }
        if (frac == 0) {
            resultA();
            return;
        }
        if (!quiet) flags |= PE;
        boolean up = switch (mode) {
            case RN -> shift > 64 ? false : (frac < 0 && ((frac << 1) != 0 || (ip & 1) != 0));
            case RD -> aSign != 0;
            case RU -> aSign == 0;
            default -> false;
        };
        if (up) ip++;
        roundedUp = up;
        if (ip == 0) {
            zero(aSign);
            return;
        }
        // ip < 2^64 unless it carried from 2^64 − 1, impossible with shift ≥ 1
        int lz = Long.numberOfLeadingZeros(ip);
        rCls = FIN;
        rSign = aSign;
        rSig = ip << lz;
        rExp = BIAS + 63 - lz;
    }

    /**
     * A as a signed integer of {@code bits} (16, 32, 64) rounded by {@code mode}: FIST, CVTSD2SI. NaN,
     * infinity and out-of-range values raise IE and give the "integer indefinite" (most negative value).
     */
    public long toInt(int bits, int mode) {
        if (aCls == BAD || aCls == INF || isNaN(aCls)) return outOfRange(bits);
        if (aCls == ZERO) return 0;
        int shift = BIAS + 63 - aExp;
        long ip, frac;
        if (shift <= 0) {
            if (shift < 0) return outOfRange(bits);
            ip = aSig;
            frac = 0;
        } else if (shift >= 64) {
            ip = 0;
            frac = shift == 64 ? aSig : 1;
        } else {
            ip = aSig >>> shift;
            frac = aSig << (64 - shift);
        }
        boolean up = false;
        if (frac != 0) {
            up = switch (mode) {
                case RN -> shift > 64 ? false : (frac < 0 && ((frac << 1) != 0 || (ip & 1) != 0));
                case RD -> aSign != 0;
                case RU -> aSign == 0;
                default -> false;
            };
            if (up) {
                ip++;
                if (ip == 0) return outOfRange(bits);
            }
        }
        // range: magnitude ≤ 2^(bits−1) − 1, or 2^(bits−1) when negative
        long limit = bits == 64 ? Long.MIN_VALUE : 1L << (bits - 1);
        if (Long.compareUnsigned(ip, limit) > 0 || (ip == limit && aSign == 0)) return outOfRange(bits);
        if (frac != 0) flags |= PE;
        roundedUp = up;
        long v = aSign != 0 ? -ip : ip;
        return bits == 64 ? v : v & ((1L << bits) - 1);
    }

    private long outOfRange(int bits) {
        flags |= IE;
        long indefinite = 1L << (bits - 1);
        return bits == 64 ? indefinite : indefinite & ((1L << bits) - 1);
    }

    // ================================================================ accessors for x87 helpers

    int aSign() { return aSign; }
    int aExp() { return aExp; }
    long aSig() { return aSig; }

    // ================================================================ x87 exact operations

    /** FSCALE: A × 2^trunc(B) (SDM Table 3-48 for the special operands). */
    public void scale() {
        if (special2()) return;
        if (bCls == INF) {
            boolean up = bSign == 0;
            if (aCls == ZERO) {
                if (up) invalid(); else zero(aSign);
            } else if (aCls == INF) {
                if (!up) invalid(); else inf(aSign);
            } else {
                if (denormalStops(aDen)) return;
                if (up) inf(aSign); else zero(aSign);
            }
            return;
        }
        if (denormalStops(aDen || bDen)) return;
        if (aCls == ZERO) { zero(aSign); return; }
        if (aCls == INF) { inf(aSign); return; }
        int n = 0;
        if (bCls == FIN && bExp >= BIAS) {
            int shift = BIAS + 63 - bExp;
            long mag = shift <= 0 ? Long.MAX_VALUE : bSig >>> shift;
            n = (int) Math.min(mag, 1 << 20);                         // beyond this the result over/underflows anyway
            if (bSign != 0) n = -n;
        }
        roundPack(aSign, aExp + n, aSig, 0);
    }

    /** FXTRACT's exponent part (the significand part is the r* result). */
    public int exSe;
    public long exM;

    /** FXTRACT: A's unbiased exponent (as a value) into exSe/exM, its significand with exponent 0 as the result. */
    public void extract() {
        if (special1()) {
            exSe = packExt();
            exM = rSig;
            return;
        }
        switch (aCls) {
            case ZERO -> {
                flags |= ZE;
                exSe = 0xffff;                                        // −∞
                exM = TOP;
                zero(aSign);
            }
            case INF -> {
                exSe = 0x7fff;
                exM = TOP;
                inf(aSign);
            }
            default -> {
                if (denormalStops(aDen)) return;
                int e = aExp - BIAS;
                if (e == 0) {
                    exSe = 0;
                    exM = 0;
                } else {
                    long mag = Math.abs((long) e);
                    int lz = Long.numberOfLeadingZeros(mag);
                    exSe = (e < 0 ? 0x8000 : 0) | (BIAS + 63 - lz);
                    exM = mag << lz;
                }
                rCls = FIN;
                rSign = aSign;
                rExp = BIAS;
                rSig = aSig;
            }
        }
    }

    /** {@link #remainder} result: a partial remainder was computed (C2 = 1). */
    public static final int PARTIAL = 8;

    /**
     * FPREM/FPREM1: A − Q·B exactly. Returns the low three quotient bits, {@link #PARTIAL} when the exponent
     * difference is 64 or more (A is reduced by 32 + (D mod 32) exponent steps, truncating, as Intel and AMD
     * parts do), or −1 for NaN/invalid results.
     */
    public int remainder(boolean ieee) {
        if (special2()) return -1;
        if (aCls == INF || bCls == ZERO) {
            invalid();
            return -1;
        }
        if (denormalStops(aDen || bDen)) return -1;
        if (aCls == ZERO || bCls == INF) {
            exactA();
            return 0;
        }
        int d = aExp - bExp;
        if (d < -1 || (d == -1 && !ieee)) {
            exactA();
            return 0;
        }
        if (d == -1) {                                                // |A/B| in [1/4, 1): Q = 1 when |A| > |B|/2
            if (Long.compareUnsigned(aSig, bSig) <= 0) {
                exactA();
                return 0;
            }
            packRemainder(aSign ^ 1, aExp, 2 * bSig - aSig);
            return 1;
        }
        boolean partial = d >= 64;
        int steps = partial ? 32 + (d & 31) : d;
        long r = aSig, q = 0, b = bSig;
        boolean carry = false;
        for (int k = steps; k >= 0; k--) {
            q <<= 1;
            if (carry || Long.compareUnsigned(r, b) >= 0) {
                r -= b;
                q |= 1;
            }
            if (k > 0) {
                carry = r < 0;
                r <<= 1;
            }
        }
        int exp = aExp - steps;                                       // the scale of r (B's, shifted for a partial step)
        int sign = aSign;
        if (!partial && ieee && r != 0) {
            long other = b - r;                                       // compare 2r with B
            if (Long.compareUnsigned(r, other) > 0 || (r == other && (q & 1) != 0)) {
                r = other;
                q++;
                sign ^= 1;
            }
        }
        packRemainder(sign, exp, r);
        return (partial ? PARTIAL : 0) | (int) (q & 7);
    }

    /** The remainder r·2^(exp − 16383 − 63), exact (zero keeps A's sign). */
    private void packRemainder(int sign, int exp, long r) {
        if (r == 0) {
            zero(aSign);
            return;
        }
        int lz = Long.numberOfLeadingZeros(r);
        roundPack(sign, exp - lz, r << lz, 0);
    }

    /** A itself as the result (re-packed, so a denormal operand keeps its encoding). */
    private void exactA() {
        if (aCls == ZERO) zero(aSign);
        else roundPack(aSign, aExp, aSig, 0);
    }
}
