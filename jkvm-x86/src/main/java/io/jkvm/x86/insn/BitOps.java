package io.jkvm.x86.insn;

import static io.jkvm.x86.Cpu.mask;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.flags.Cc;
import io.jkvm.x86.flags.LazyFlags;

/**
 * Bit test and scan: BT BTS BTR BTC (register offset and imm8 forms), BSF BSR, LZCNT, POPCNT, BSWAP.
 * BT* set CF and keep ZF; SF OF AF PF are undefined (jkvm keeps them). BSF/BSR leave the destination
 * unchanged for a zero source, as AMD documents and Intel CPUs do.
 */
public final class BitOps {
    private BitOps() {}

    public static final int BT = 0, BTS = 1, BTR = 2, BTC = 3;

    /** BT* Ev,Gv: the register offset is signed and may address bits outside the memory operand. */
    public static void btEG(Cpu c, Insn i) {
        int s = i.osize, bits = s * 8;
        long off = LazyFlags.signExtend(c.reg(i.reg, s), s);
        if (i.rm >= 0) {
            bitReg(c, i, s, (int) (off & (bits - 1)));
            return;
        }
        long ea = (c.ea(i) + (off >> (31 - Integer.numberOfLeadingZeros(bits))) * s) & mask(i.asize);
        bitMem(c, i, s, c.lin(i.seg, ea, s, i.sub != BT), (int) (off & (bits - 1)));
    }

    /** BT* Ev,Ib (group 8): the immediate offset is taken modulo the operand width. */
    public static void btEI(Cpu c, Insn i) {
        int s = i.osize;
        int bit = (int) (i.imm & (s * 8 - 1));
        if (i.rm >= 0) bitReg(c, i, s, bit);
        else bitMem(c, i, s, c.linE(i, s, i.sub != BT), bit);
    }

    private static void bitReg(Cpu c, Insn i, int s, int bit) {
        long v = c.reg(i.rm, s);
        boolean cf = ((v >>> bit) & 1) != 0;
        if (i.sub != BT) c.setReg(i.rm, s, modify(i.sub, v, bit));
        setCf(c, cf);
    }

    private static void bitMem(Cpu c, Insn i, int s, long la, int bit) {
        long v = i.sub == BT ? c.read(la, s) : c.readRmw(la, s);
        boolean cf = ((v >>> bit) & 1) != 0;
        if (i.sub != BT) c.write(la, s, modify(i.sub, v, bit));
        setCf(c, cf);
    }

    private static long modify(int op, long v, int bit) {
        return switch (op) {
            case BTS -> v | (1L << bit);
            case BTR -> v & ~(1L << bit);
            default -> v ^ (1L << bit);
        };
    }

    private static void setCf(Cpu c, boolean cf) {
        int f = LazyFlags.arith(c);
        c.setArith(cf ? f | Cc.CF : f & ~Cc.CF);
    }

    public static void bsf(Cpu c, Insn i) {
        int s = i.osize;
        long v = c.readE(i, s);
        int f = LazyFlags.arith(c) & ~Cc.ZF;
        if (v == 0) {
            c.setArith(f | Cc.ZF);
            return;
        }
        c.setReg(i.reg, s, Long.numberOfTrailingZeros(v));
        c.setArith(f);
    }

    public static void bsr(Cpu c, Insn i) {
        int s = i.osize;
        long v = c.readE(i, s);
        int f = LazyFlags.arith(c) & ~Cc.ZF;
        if (v == 0) {
            c.setArith(f | Cc.ZF);
            return;
        }
        c.setReg(i.reg, s, 63 - Long.numberOfLeadingZeros(v));
        c.setArith(f);
    }

    /** LZCNT (ABM): CF = source was zero, ZF = result is zero. */
    public static void lzcnt(Cpu c, Insn i) {
        int s = i.osize;
        long v = c.readE(i, s);
        int n = v == 0 ? s * 8 : Long.numberOfLeadingZeros(v) - (64 - s * 8);
        c.setReg(i.reg, s, n);
        int f = LazyFlags.arith(c) & ~(Cc.CF | Cc.ZF);
        c.setArith(f | (v == 0 ? Cc.CF : 0) | (n == 0 ? Cc.ZF : 0));
    }

    /** POPCNT: ZF = source was zero; CF OF SF AF PF cleared. */
    public static void popcnt(Cpu c, Insn i) {
        int s = i.osize;
        long v = c.readE(i, s);
        c.setReg(i.reg, s, Long.bitCount(v));
        c.setArith(v == 0 ? Cc.ZF : 0);
    }

    /** BSWAP r32/r64; the 16-bit form is undefined and, as on hardware, clears the low word. */
    public static void bswap(Cpu c, Insn i) {
        switch (i.osize) {
            case 2 -> c.setReg(i.reg, 2, 0);
            case 4 -> c.setReg(i.reg, 4, Integer.reverseBytes((int) c.r[i.reg]) & 0xffffffffL);
            default -> c.r[i.reg] = Long.reverseBytes(c.r[i.reg]);
        }
    }
}
