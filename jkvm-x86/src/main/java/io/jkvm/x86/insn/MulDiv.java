package io.jkvm.x86.insn;

import static io.jkvm.x86.Cpu.mask;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.exc.Vector;
import io.jkvm.x86.flags.Cc;
import io.jkvm.x86.flags.LazyFlags;

/**
 * Group 3 (NOT NEG MUL IMUL DIV IDIV, SDM Vol. 2) and the two- and three-operand IMULs. MUL/IMUL set CF=OF
 * when the high half is significant (SF ZF AF PF are undefined: jkvm derives SF/ZF/PF from the low half);
 * DIV/IDIV leave the flags alone (all undefined) and raise #DE for a zero divisor or a quotient that
 * does not fit.
 */
public final class MulDiv {
    private MulDiv() {}

    public static void grp3(Cpu c, Insn i) {
        int s = i.osize;
        switch (i.sub) {
            case 2 -> not(c, i, s);
            case 3 -> neg(c, i, s);
            case 4 -> mul(c, s, c.readE(i, s));
            case 5 -> imul1(c, s, c.readE(i, s));
            case 6 -> div(c, s, c.readE(i, s));
            default -> idiv(c, s, c.readE(i, s));
        }
    }

    private static void not(Cpu c, Insn i, int s) {
        if (i.rm >= 0) {
            c.setReg(i.rm, s, ~c.reg(i.rm, s));
            return;
        }
        long la = c.linE(i, s, true);
        c.write(la, s, ~c.readRmw(la, s) & mask(s));
    }

    private static void neg(Cpu c, Insn i, int s) {
        long la = i.rm >= 0 ? 0 : c.linE(i, s, true);
        long d = i.rm >= 0 ? c.reg(i.rm, s) : c.readRmw(la, s);
        long r = -d & mask(s);
        if (i.rm >= 0) c.setReg(i.rm, s, r);
        else c.write(la, s, r);
        c.cc(Cc.NEG, s, d, 0, r);
    }

    private static void mul(Cpu c, int s, long src) {
        long a = c.reg(0, s);
        switch (s) {
            case 1 -> {
                long p = a * src;
                c.setReg(0, 2, p);
                c.cc(Cc.MUL, 1, 0, (p >>> 8) != 0 ? 1 : 0, p & 0xff);
            }
            case 2 -> {
                long p = a * src;
                c.setReg(0, 2, p);
                c.setReg(2, 2, p >>> 16);
                c.cc(Cc.MUL, 2, 0, (p >>> 16) != 0 ? 1 : 0, p & 0xffff);
            }
            case 4 -> {
                long p = a * src;
                c.setReg(0, 4, p);
                c.setReg(2, 4, p >>> 32);
                c.cc(Cc.MUL, 4, 0, (p >>> 32) != 0 ? 1 : 0, p & 0xffffffffL);
            }
            default -> {
                long lo = a * src, hi = Math.unsignedMultiplyHigh(a, src);
                c.r[0] = lo;
                c.r[2] = hi;
                c.cc(Cc.MUL, 8, 0, hi != 0 ? 1 : 0, lo);
            }
        }
    }

    private static void imul1(Cpu c, int s, long src) {
        long a = LazyFlags.signExtend(c.reg(0, s), s), b = LazyFlags.signExtend(src, s);
        switch (s) {
            case 1 -> {
                long p = a * b;
                c.setReg(0, 2, p);
                c.cc(Cc.MUL, 1, 0, p != (byte) p ? 1 : 0, p & 0xff);
            }
            case 2 -> {
                long p = a * b;
                c.setReg(0, 2, p);
                c.setReg(2, 2, p >>> 16);
                c.cc(Cc.MUL, 2, 0, p != (short) p ? 1 : 0, p & 0xffff);
            }
            case 4 -> {
                long p = a * b;
                c.setReg(0, 4, p);
                c.setReg(2, 4, p >>> 32);
                c.cc(Cc.MUL, 4, 0, p != (int) p ? 1 : 0, p & 0xffffffffL);
            }
            default -> {
                long lo = a * b, hi = Math.multiplyHigh(a, b);
                c.r[0] = lo;
                c.r[2] = hi;
                c.cc(Cc.MUL, 8, 0, hi != (lo >> 63) ? 1 : 0, lo);
            }
        }
    }

    /** Signed multiply truncated to {@code s} bytes, with CF=OF on overflow (IMUL Gv,Ev[,I]). */
    private static long imulTrunc(Cpu c, int s, long a, long b) {
        a = LazyFlags.signExtend(a, s);
        b = LazyFlags.signExtend(b, s);
        long lo = a * b;
        boolean ovf = switch (s) {
            case 2 -> lo != (short) lo;
            case 4 -> lo != (int) lo;
            default -> Math.multiplyHigh(a, b) != (lo >> 63);
        };
        long r = lo & mask(s);
        c.cc(Cc.MUL, s, 0, ovf ? 1 : 0, r);
        return r;
    }

    /** IMUL Gv,Ev,Iz / Gv,Ev,Ib. */
    public static void imulGEI(Cpu c, Insn i) {
        int s = i.osize;
        c.setReg(i.reg, s, imulTrunc(c, s, c.readE(i, s), i.imm));
    }

    /** IMUL Gv,Ev. */
    public static void imulGE(Cpu c, Insn i) {
        int s = i.osize;
        c.setReg(i.reg, s, imulTrunc(c, s, c.reg(i.reg, s), c.readE(i, s)));
    }

    private static void div(Cpu c, int s, long d) {
        if (d == 0) throw c.fault(Vector.DE);
        switch (s) {
            case 1 -> {
                long n = c.reg(0, 2), q = n / d;
                if (q > 0xff) throw c.fault(Vector.DE);
                c.setReg(0, 1, q);
                c.setReg(16, 1, n % d);
            }
            case 2 -> {
                long n = c.reg(2, 2) << 16 | c.reg(0, 2), q = n / d;
                if (q > 0xffff) throw c.fault(Vector.DE);
                c.setReg(0, 2, q);
                c.setReg(2, 2, n % d);
            }
            case 4 -> {
                long n = c.reg(2, 4) << 32 | c.reg(0, 4);
                long q = Long.divideUnsigned(n, d);
                if (Long.compareUnsigned(q, 0xffffffffL) > 0) throw c.fault(Vector.DE);
                c.setReg(0, 4, q);
                c.setReg(2, 4, Long.remainderUnsigned(n, d));
            }
            default -> {
                long hi = c.r[2], lo = c.r[0];
                if (Long.compareUnsigned(hi, d) >= 0) throw c.fault(Vector.DE);
                long q = divu128(hi, lo, d);
                c.r[0] = q;
                c.r[2] = lo - q * d;      // the remainder is < d, so its low 64 bits are all of it
            }
        }
    }

    private static void idiv(Cpu c, int s, long dv) {
        long d = LazyFlags.signExtend(dv, s);
        if (d == 0) throw c.fault(Vector.DE);
        switch (s) {
            case 1 -> {
                long n = (short) c.reg(0, 2), q = n / d;
                if (q != (byte) q) throw c.fault(Vector.DE);
                c.setReg(0, 1, q);
                c.setReg(16, 1, n % d);
            }
            case 2 -> {
                long n = (int) (c.reg(2, 2) << 16 | c.reg(0, 2)), q = n / d;
                if (q != (short) q) throw c.fault(Vector.DE);
                c.setReg(0, 2, q);
                c.setReg(2, 2, n % d);
            }
            case 4 -> {
                long n = c.reg(2, 4) << 32 | c.reg(0, 4);
                if (n == Long.MIN_VALUE && d == -1) throw c.fault(Vector.DE);
                long q = n / d;
                if (q != (int) q) throw c.fault(Vector.DE);
                c.setReg(0, 4, q);
                c.setReg(2, 4, n % d);
            }
            default -> idiv128(c, d);
        }
    }

    private static void idiv128(Cpu c, long d) {
        long hi = c.r[2], lo = c.r[0];
        boolean negN = hi < 0, negD = d < 0;
        if (negN) {                 // |n| as 128-bit
            lo = -lo;
            hi = ~hi + (lo == 0 ? 1 : 0);
        }
        long ud = negD ? -d : d;
        if (Long.compareUnsigned(hi, ud) >= 0) throw c.fault(Vector.DE);
        long q = divu128(hi, lo, ud), rm = lo - q * ud;
        boolean negQ = negN != negD;
        if (negQ ? Long.compareUnsigned(q, 1L << 63) > 0 : q < 0) throw c.fault(Vector.DE);
        c.r[0] = negQ ? -q : q;
        c.r[2] = negN ? -rm : rm;
    }

    /** Unsigned quotient of (hi:lo) / d with hi &lt; d (so it fits 64 bits): restoring division. */
    private static long divu128(long hi, long lo, long d) {
        if (hi == 0) return Long.divideUnsigned(lo, d);
        long q = 0;
        for (int k = 0; k < 64; k++) {
            boolean top = hi < 0;
            hi = hi << 1 | lo >>> 63;
            lo <<= 1;
            q <<= 1;
            if (top || Long.compareUnsigned(hi, d) >= 0) {
                hi -= d;
                q |= 1;
            }
        }
        return q;
    }
}
