package io.jkvm.x86.insn;

import static io.jkvm.x86.Cpu.mask;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.flags.Cc;
import io.jkvm.x86.flags.LazyFlags;

/**
 * Group 2 shifts and rotates (ROL ROR RCL RCR SHL SHR SAL SAR) by 1, CL or imm8, and SHLD/SHRD. The count
 * is masked to 5 bits (6 for 64-bit operands); a zero count changes nothing, not even flags. SHL/SHR/SAR
 * flags are lazy; rotates and double shifts touch only some flags, so they are computed here.
 */
public final class ShiftRotate {
    private ShiftRotate() {}

    public static final int ROL = 0, ROR = 1, RCL = 2, RCR = 3, SHL = 4, SHR = 5, SAL = 6, SAR = 7;

    private static int count(Cpu c, Insn i) {
        int raw = switch (i.opcode) {
            case 0xc0, 0xc1 -> (int) i.imm;
            case 0xd0, 0xd1 -> 1;
            default -> (int) c.r[1];
        };
        return raw & (i.osize == 8 ? 0x3f : 0x1f);
    }

    public static void grp2(Cpu c, Insn i) {
        int s = i.osize, n = count(c, i);
        long la = i.rm >= 0 ? 0 : c.linE(i, s, true);
        long d = i.rm >= 0 ? c.reg(i.rm, s) : c.readRmw(la, s);
        if (n == 0) {
            if (i.rm >= 0 && s == 4) c.setReg(i.rm, 4, d);   // a 32-bit destination is still written (zero-extends)
            return;
        }
        int bits = s * 8;
        long m = mask(s), sign = 1L << (bits - 1);
        long r;
        int f = -1;   // materialized flags, or -1 for lazy
        switch (i.sub) {
            case ROL -> {
                int k = n % bits;
                r = k == 0 ? d : ((d << k) | (d >>> (bits - k))) & m;
                boolean cf = (r & 1) != 0;
                f = withCfOf(c, cf, ((r & sign) != 0) ^ cf);
            }
            case ROR -> {
                int k = n % bits;
                r = k == 0 ? d : ((d >>> k) | (d << (bits - k))) & m;
                boolean msb = (r & sign) != 0, msb1 = (r & (sign >>> 1)) != 0;
                f = withCfOf(c, msb, msb ^ msb1);
            }
            case RCL -> {
                int k = s <= 2 ? n % (bits + 1) : n;
                boolean cf = c.cf();
                r = d;
                for (int t = 0; t < k; t++) {
                    boolean out = (r & sign) != 0;
                    r = ((r << 1) | (cf ? 1 : 0)) & m;
                    cf = out;
                }
                f = withCfOf(c, cf, ((r & sign) != 0) ^ cf);
            }
            case RCR -> {
                int k = s <= 2 ? n % (bits + 1) : n;
                boolean cf = c.cf();
                boolean of = ((d & sign) != 0) ^ cf;
                r = d;
                for (int t = 0; t < k; t++) {
                    boolean out = (r & 1) != 0;
                    r = (r >>> 1) | (cf ? sign : 0);
                    cf = out;
                }
                if (k != 1) of = ((r & sign) != 0) ^ ((r & (sign >>> 1)) != 0);
                f = withCfOf(c, cf, of);
            }
            case SHR -> r = d >>> n;
            case SAR -> r = (LazyFlags.signExtend(d, s) >> n) & m;
            default -> r = n >= 64 ? 0 : (d << n) & m;     // SHL, SAL
        }
        if (i.rm >= 0) c.setReg(i.rm, s, r);
        else c.write(la, s, r);
        if (f >= 0) {
            c.setArith(f);
        } else {
            int op = i.sub == SHR ? Cc.SHR : i.sub == SAR ? Cc.SAR : Cc.SHL;
            c.cc(op, s, d, n, r);
        }
    }

    /** The current arithmetic flags with CF and OF replaced. */
    private static int withCfOf(Cpu c, boolean cf, boolean of) {
        int f = LazyFlags.arith(c) & ~(Cc.CF | Cc.OF);
        return f | (cf ? Cc.CF : 0) | (of ? Cc.OF : 0);
    }

    /** SHLD Ev,Gv,Ib|CL (sub 0 = imm8, 1 = CL). */
    public static void shld(Cpu c, Insn i) {
        doubleShift(c, i, true);
    }

    /** SHRD Ev,Gv,Ib|CL. */
    public static void shrd(Cpu c, Insn i) {
        doubleShift(c, i, false);
    }

    private static void doubleShift(Cpu c, Insn i, boolean left) {
        int s = i.osize, bits = s * 8;
        int n = (int) (i.sub == 0 ? i.imm : c.r[1]) & (s == 8 ? 0x3f : 0x1f);
        long la = i.rm >= 0 ? 0 : c.linE(i, s, true);
        long d = i.rm >= 0 ? c.reg(i.rm, s) : c.readRmw(la, s);
        if (n == 0) {
            if (i.rm >= 0 && s == 4) c.setReg(i.rm, 4, d);
            return;
        }
        long src = c.reg(i.reg, s), m = mask(s), sign = 1L << (bits - 1);
        long r;
        boolean cf;
        if (s == 2 && n > 16) {
            // Count beyond a 16-bit operand: the SDM leaves the result undefined; like current CPUs, shift
            // through the 48-bit pattern dst:src:dst (the fuzzer masks this case).
            long t = (d << 32) | (src << 16) | d;
            r = left ? ((t << n) >>> 32) & m : (t >>> n) & m;
            cf = left ? ((t >>> (48 - n)) & 1) != 0 : ((t >>> (n - 1)) & 1) != 0;
        } else if (left) {
            r = ((d << n) | (n == bits ? src : src >>> (bits - n))) & m;
            cf = ((d >>> (bits - n)) & 1) != 0;
        } else {
            r = ((d >>> n) | (n == bits ? src : src << (bits - n))) & m;
            cf = ((d >>> (n - 1)) & 1) != 0;
        }
        if (i.rm >= 0) c.setReg(i.rm, s, r);
        else c.write(la, s, r);
        boolean of = ((r ^ d) & sign) != 0;
        int f = (cf ? Cc.CF : 0) | (of ? Cc.OF : 0) | (r == 0 ? Cc.ZF : 0) | ((r & sign) != 0 ? Cc.SF : 0)
                | (Integer.bitCount((int) (r & 0xff)) % 2 == 0 ? Cc.PF : 0);
        c.setArith(f);
    }
}
