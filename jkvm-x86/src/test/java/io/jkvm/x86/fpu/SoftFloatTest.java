package io.jkvm.x86.fpu;

import static io.jkvm.x86.fpu.FloatCore.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The software floating point against two independent oracles: Java's own IEEE binary32/64 arithmetic
 * (round to nearest), and an exact BigInteger reference that rounds to any precision, exponent range and
 * rounding mode (the 80-bit x87 results, directed rounding, precision control).
 */
class SoftFloatTest {
    private final SoftFloat f = new SoftFloat();
    private final SplittableRandom rnd = new SplittableRandom(42);

    // ------------------------------------------------------------------ binary64/32 against Java

    private double randomDouble() {
        return switch (rnd.nextInt(8)) {
            case 0 -> Double.longBitsToDouble(rnd.nextLong() & 0x800fffffffffffffL);            // denormal
            case 1 -> new double[] {0.0, -0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MIN_VALUE,
                Double.MAX_VALUE, 1.0, -1.0}[rnd.nextInt(8)];
            case 2 -> rnd.nextDouble(-4, 4);
            default -> {
                double d = Double.longBitsToDouble(rnd.nextLong());
                yield Double.isNaN(d) ? 1.5 : d;
            }
        };
    }

    private long sse64(int op, double a, double b) {
        f.setSse(0x1f80, F64);
        f.loadF64A(Double.doubleToRawLongBits(a));
        f.loadF64B(Double.doubleToRawLongBits(b));
        switch (op) {
            case 0 -> f.add(false);
            case 1 -> f.add(true);
            case 2 -> f.mul();
            case 3 -> f.div();
            default -> f.sqrt();
        }
        return f.packF64();
    }

    @Test
    void binary64MatchesJava() {
        for (int k = 0; k < 200_000; k++) {
            double a = randomDouble(), b = randomDouble();
            if (k % 7 == 0) b = a * (1 + rnd.nextInt(3) * 0x1p-52);                      // cancellation
            int op = rnd.nextInt(5);
            double want = switch (op) {
                case 0 -> a + b;
                case 1 -> a - b;
                case 2 -> a * b;
                case 3 -> a / b;
                default -> Math.sqrt(a);
            };
            long got = sse64(op, a, b);
            if (Double.isNaN(want)) assertTrue(Double.isNaN(Double.longBitsToDouble(got)), "NaN " + op + " " + a + " " + b);
            else assertEquals(Double.doubleToRawLongBits(want), got, "op " + op + " " + a + " " + b);
        }
    }

    @Test
    void binary32MatchesJava() {
        for (int k = 0; k < 200_000; k++) {
            float a = (float) randomDouble(), b = (float) randomDouble();
            if (rnd.nextInt(4) == 0) a = Float.intBitsToFloat(rnd.nextInt() & 0x807fffff);
            int op = rnd.nextInt(5);
            float want = switch (op) {
                case 0 -> a + b;
                case 1 -> a - b;
                case 2 -> a * b;
                case 3 -> a / b;
                default -> (float) Math.sqrt(a);
            };
            f.setSse(0x1f80, F32);
            f.loadF32A(Float.floatToRawIntBits(a));
            f.loadF32B(Float.floatToRawIntBits(b));
            switch (op) {
                case 0 -> f.add(false);
                case 1 -> f.add(true);
                case 2 -> f.mul();
                case 3 -> f.div();
                default -> f.sqrt();
            }
            int got = f.packF32();
            if (Float.isNaN(want)) assertTrue(Float.isNaN(Float.intBitsToFloat(got)));
            else assertEquals(Float.floatToRawIntBits(want), got, "op " + op + " " + a + " " + b);
        }
    }

    // ------------------------------------------------------------------ 80-bit against the exact reference

    /** Reference: rounds sign·mag·2^e2 (+ a sticky fraction below when {@code sticky}) to p bits, x87 exponent range. */
    record Ref(int se, long m, boolean inexact, boolean overflow) {}

    static Ref reference(int sign, BigInteger mag, int e2, boolean sticky, int p, int rc) {
        int emin = 1 - 16383;                                        // unbiased exponent of the smallest normal
        int emax = 0x7ffe - 16383;
        int top = e2 + mag.bitLength() - 1;
        int q = Math.max(top, emin) - (p - 1);                       // weight of the last kept bit
        BigInteger kept;
        boolean inexact;
        int cmpHalf;                                                  // remainder vs half a unit: -1, 0, 1
        if (q <= e2) {
            kept = mag.shiftLeft(e2 - q);
            inexact = sticky;
            cmpHalf = sticky ? -1 : -2;
        } else {
            int sh = q - e2;
            kept = mag.shiftRight(sh);
            BigInteger remBits = mag.subtract(kept.shiftLeft(sh));
            BigInteger half = BigInteger.ONE.shiftLeft(sh - 1);
            inexact = remBits.signum() != 0 || sticky;
            int c = remBits.compareTo(half);
            cmpHalf = c != 0 ? c : (sticky ? 1 : 0);
            if (!inexact) cmpHalf = -2;
        }
        boolean up = inexact && switch (rc) {
            case RN -> cmpHalf > 0 || (cmpHalf == 0 && kept.testBit(0));
            case RD -> sign != 0;
            case RU -> sign == 0;
            default -> false;
        };
        if (up) kept = kept.add(BigInteger.ONE);
        if (kept.signum() == 0) return new Ref(sign << 15, 0, inexact, false);
        int lead = q + kept.bitLength() - 1;
        if (lead > emax) {
            boolean toInf = rc == RN || (rc == RD && sign != 0) || (rc == RU && sign == 0);
            long maxSig = p == 64 ? -1L : -(1L << (64 - p));
            return toInf ? new Ref(sign << 15 | 0x7fff, 1L << 63, true, true) : new Ref(sign << 15 | 0x7ffe, maxSig, true, true);
        }
        if (lead < emin) {                                            // denormal: m = kept·2^(q − (emin − 63))
            long m = kept.shiftLeft(q - (emin - 63)).longValue();
            return new Ref(sign << 15, m, inexact, false);
        }
        long m = kept.shiftLeft(63 - (kept.bitLength() - 1)).longValue();
        return new Ref(sign << 15 | (lead + 16383), m, inexact, false);
    }

    static BigInteger u(long v) {
        return new BigInteger(Long.toUnsignedString(v));
    }

    private long randomSig() {
        return switch (rnd.nextInt(5)) {
            case 4 -> 1L << 63;                                                        // powers of two: a subtraction renormalizes
            case 0 -> 1L << 63 | (rnd.nextLong() & 0xffL) << (rnd.nextInt(56));
            case 1 -> -1L - rnd.nextInt(4);
            default -> rnd.nextLong() | 1L << 63;
        };
    }

    private int randomExp() {
        return switch (rnd.nextInt(4)) {
            case 0 -> 1 + rnd.nextInt(100);
            case 1 -> 0x7ffe - rnd.nextInt(100);
            default -> 16383 - 40 + rnd.nextInt(80);
        };
    }

    @Test
    void extendedMatchesReference() {
        int[] precs = {24, 53, 64};
        for (int k = 0; k < 100_000; k++) {
            int sa = rnd.nextInt(2), sb = rnd.nextInt(2), ea = randomExp(), eb = randomExp();
            long ma = randomSig(), mb = randomSig();
            if (k % 5 == 0) { eb = Math.min(0x7ffe, Math.max(1, ea + rnd.nextInt(3) - 1)); mb = ma + rnd.nextInt(5) - 2; mb |= 1L << 63; }
            if (k % 5 == 1) eb = Math.max(1, ea - 60 - rnd.nextInt(80));   // alignment shifts around 64 and 128
            int rc = rnd.nextInt(4), pc = rnd.nextInt(3), op = rnd.nextInt(4);
            int p = precs[pc];
            f.setX87(0x3f | (pc == 0 ? 0 : pc == 1 ? 2 : 3) << 8 | rc << 10);
            f.loadExtA(sa << 15 | ea, ma);
            f.loadExtB(sb << 15 | eb, mb);
            Ref want;
            BigInteger A = u(ma), B = u(mb);
            int xa = ea - 16383 - 63, xb = eb - 16383 - 63;
            switch (op) {
                case 0, 1 -> {
                    f.add(op == 1);
                    int s2 = sb ^ op;
                    int lo = Math.min(xa, xb);
                    BigInteger va = A.shiftLeft(xa - lo), vb = B.shiftLeft(xb - lo);
                    BigInteger sum = (sa == 0 ? va : va.negate()).add(s2 == 0 ? vb : vb.negate());
                    if (sum.signum() == 0) continue;                 // signed-zero rules tested separately
                    want = reference(sum.signum() < 0 ? 1 : 0, sum.abs(), lo, false, p, rc);
                }
                case 2 -> {
                    f.mul();
                    want = reference(sa ^ sb, A.multiply(B), xa + xb, false, p, rc);
                }
                default -> {
                    f.div();
                    BigInteger[] qr = A.shiftLeft(200).divideAndRemainder(B);
                    want = reference(sa ^ sb, qr[0], xa - xb - 200, qr[1].signum() != 0, p, rc);
                }
            }
            int se = f.packExt();
            String what = String.format("op %d pc %d rc %d a=%04x:%016x b=%04x:%016x", op, p, rc, sa << 15 | ea, ma, sb << 15 | eb, mb);
            assertEquals(String.format("%04x:%016x", want.se, want.m), String.format("%04x:%016x", se, f.rSig), what);
            assertEquals(want.inexact, (f.flags & PE) != 0, "PE " + what);
            assertEquals(want.overflow, (f.flags & OE) != 0, "OE " + what);
        }
    }

    @Test
    void extendedSqrtMatchesReference() {
        for (int k = 0; k < 50_000; k++) {
            int ea = randomExp(), rc = rnd.nextInt(4);
            long ma = randomSig();
            f.setX87(0x37f | rc << 10);
            f.loadExtA(ea, ma);
            f.sqrt();
            int se = f.packExt();
            int x = ea - 16383 - 63;                                  // value = ma·2^x; make x even, scale by 2^256
            BigInteger rad = u(ma).shiftLeft(256 + (x & 1));
            int half = (x - (x & 1) - 256) / 2;
            BigInteger[] sr = rad.sqrtAndRemainder();
            Ref want = reference(0, sr[0], half, sr[1].signum() != 0, 64, rc);
            assertEquals(String.format("%04x:%016x", want.se, want.m), String.format("%04x:%016x", se, f.rSig),
                    String.format("sqrt %04x:%016x rc %d", ea, ma, rc));
        }
    }

    // ------------------------------------------------------------------ specific x87 and SSE rules

    @Test
    void x87NanPropagationPrefersQuietThenLargerSignificand() {
        f.setX87(0x37f);
        f.loadExtA(0x7fff, 0xc000000000000001L);                      // QNaN
        f.loadExtB(0xffff, 0x8000000000000005L);                      // SNaN, larger payload
        f.add(false);
        assertEquals(0x7fff, f.packExt());
        assertEquals(0xc000000000000001L, f.rSig);
        assertEquals(IE, f.flags & IE);
        f.setX87(0x37f);
        f.loadExtA(0x7fff, 0xc000000000000001L);
        f.loadExtB(0xffff, 0xc000000000000005L);                      // both quiet: larger significand
        f.mul();
        assertEquals(0xffff, f.packExt());
        assertEquals(0xc000000000000005L, f.rSig);
        assertEquals(0, f.flags);
    }

    @Test
    void sseNanPropagationTakesFirstSource() {
        f.setSse(0x1f80, F32);
        f.loadF32A(0x7f800001);                                       // SNaN
        f.loadF32B(0xffc12345);                                       // QNaN
        f.add(false);
        assertEquals(0x7fc00001, f.packF32());
        assertEquals(IE, f.flags);
        f.setSse(0x1f80, F64);
        f.loadF64A(Double.doubleToRawLongBits(Double.POSITIVE_INFINITY));
        f.loadF64B(Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY));
        f.add(false);
        assertEquals(0xfff8000000000000L, f.packF64());               // default NaN
        assertEquals(IE, f.flags);
    }

    @Test
    void divideByZeroAndDenormalFlags() {
        f.setSse(0x1f80, F64);
        f.loadF64A(Double.doubleToRawLongBits(-3.0));
        f.loadF64B(0);
        f.div();
        assertEquals(Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY), f.packF64());
        assertEquals(ZE, f.flags);
        f.setSse(0x1f80, F64);
        f.loadF64A(1);                                                // smallest denormal
        f.loadF64B(Double.doubleToRawLongBits(2.0));
        f.mul();
        assertEquals(2, f.packF64());
        assertEquals(DE, f.flags);
        f.setSse(0x1f80 | 0x40, F64);                                 // DAZ: the denormal reads as zero
        f.loadF64A(1);
        f.loadF64B(Double.doubleToRawLongBits(2.0));
        f.mul();
        assertEquals(0, f.packF64());
        assertEquals(0, f.flags);
    }

    @Test
    void flushToZeroAndUnderflow() {
        f.setSse(0x1f80, F64);
        f.loadF64A(Double.doubleToRawLongBits(Double.MIN_NORMAL));
        f.loadF64B(Double.doubleToRawLongBits(0.75));
        f.mul();                                                      // exact denormal: no UE when masked
        assertEquals(Double.doubleToRawLongBits(Double.MIN_NORMAL * 0.75), f.packF64());
        assertEquals(0, f.flags);
        f.setSse(0x1f80 | 0x8000, F64);
        f.loadF64A(Double.doubleToRawLongBits(-Double.MIN_NORMAL));
        f.loadF64B(Double.doubleToRawLongBits(0.75));
        f.mul();
        assertEquals(0x8000000000000000L, f.packF64());
        assertEquals(UE | PE, f.flags);
        f.setSse(0x1f80, F64);
        f.loadF64A(Double.doubleToRawLongBits(Double.MIN_NORMAL));
        f.loadF64B(Double.doubleToRawLongBits(0x1.0000000000001p-1));
        f.mul();                                                      // tiny and inexact
        assertEquals(UE | PE, f.flags);
    }

    @Test
    void x87UnmaskedOverflowBiasesTheExponent() {
        f.setX87(0x37f & ~OE);
        f.loadExtA(0x7ffe, 1L << 63);
        f.loadExtB(0x4001, 1L << 63);                                 // × 4
        f.mul();
        assertEquals(0x7ffe + 2 - 24576, f.packExt());
        assertEquals(OE, f.flags & OE);
    }

    @Test
    void x87PrecisionControlRoundsTheSignificandOnly() {
        f.setX87(0x07f);                                              // PC = 24 bits, RN
        f.loadExtA(0x3fff, 1L << 63);                                 // 1
        f.loadExtB(0x3fff - 30, 1L << 63);                            // 2^-30
        f.add(false);
        assertEquals(0x3fff, f.packExt());
        assertEquals(1L << 63, f.rSig);
        assertEquals(PE, f.flags);
        f.setX87(0x07f);
        f.loadExtA(0x0001, 1L << 63);                                 // the smallest extended normal: stays (no binary32 range)
        f.loadExtB(0x3fff, 1L << 63);
        f.mul();
        assertEquals(0x0001, f.packExt());
        assertEquals(0, f.flags);
    }

    @Test
    void integerConversionRoundsAndSaturatesToIndefinite() {
        f.setX87(0x37f);
        f.loadF64A(Double.doubleToRawLongBits(2.5));
        assertEquals(2, f.toInt(32, RN));
        assertEquals(PE, f.flags);
        f.loadF64A(Double.doubleToRawLongBits(-2.5));
        assertEquals(-3 & 0xffffffffL, f.toInt(32, RD));
        f.flags = 0;
        f.loadF64A(Double.doubleToRawLongBits(32768.0));
        assertEquals(0x8000, f.toInt(16, RN));
        assertEquals(IE, f.flags);
        f.flags = 0;
        f.loadF64A(Double.doubleToRawLongBits(-32768.0));
        assertEquals(0x8000, f.toInt(16, RN));
        assertEquals(0, f.flags);
        f.loadF64A(Double.doubleToRawLongBits(-0x1p63));
        assertEquals(Long.MIN_VALUE, f.toInt(64, RZ));
        assertEquals(0, f.flags);
    }
}
