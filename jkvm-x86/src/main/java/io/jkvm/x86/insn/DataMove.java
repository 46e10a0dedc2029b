package io.jkvm.x86.insn;

import static io.jkvm.x86.Cpu.mask;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.exc.Vector;
import io.jkvm.x86.flags.Cc;
import io.jkvm.x86.flags.LazyFlags;

/**
 * Data transfer (SDM Vol. 1 §7.3.1): MOV in its forms, MOVZX MOVSX MOVSXD, LEA, CMOVcc, SETcc, XCHG,
 * XADD, CMPXCHG, CMPXCHG8B/16B, XLAT, MOVBE.
 */
public final class DataMove {
    private DataMove() {}

    public static void movEG(Cpu c, Insn i) {
        c.writeE(i, i.osize, c.reg(i.reg, i.osize));
    }

    public static void movGE(Cpu c, Insn i) {
        c.setReg(i.reg, i.osize, c.readE(i, i.osize));
    }

    public static void movEI(Cpu c, Insn i) {
        c.writeE(i, i.osize, i.imm & mask(i.osize));
    }

    /** MOV r8,imm8 / r,imm16/32/64 (B0–BF). */
    public static void movRI(Cpu c, Insn i) {
        c.setReg(i.reg, i.osize, i.imm & mask(i.osize));
    }

    /** MOV AL/rAX, moffs. */
    public static void movAO(Cpu c, Insn i) {
        c.setReg(0, i.osize, c.readE(i, i.osize));
    }

    /** MOV moffs, AL/rAX. */
    public static void movOA(Cpu c, Insn i) {
        c.writeE(i, i.osize, c.reg(0, i.osize));
    }

    /** MOVZX Gv,Eb (sub 1) / Gv,Ew (sub 2). */
    public static void movzx(Cpu c, Insn i) {
        c.setReg(i.reg, i.osize, c.readE(i, i.sub));
    }

    /** MOVSX Gv,Eb / Gv,Ew. */
    public static void movsx(Cpu c, Insn i) {
        c.setReg(i.reg, i.osize, LazyFlags.signExtend(c.readE(i, i.sub), i.sub) & mask(i.osize));
    }

    /** MOVSXD Gv,Ed (64-bit mode): sign-extends with REX.W, a plain 32/16-bit move without. */
    public static void movsxd(Cpu c, Insn i) {
        int s = i.osize;
        long v = c.readE(i, s == 8 ? 4 : s);
        c.setReg(i.reg, s, s == 8 ? (int) v : v);
    }

    public static void lea(Cpu c, Insn i) {
        c.setReg(i.reg, i.osize, c.ea(i));
    }

    /** CMOVcc: the source is read (and may fault) whatever the condition; a 32-bit destination is always zero-extended. */
    public static void cmov(Cpu c, Insn i) {
        int s = i.osize;
        long v = c.readE(i, s);
        if (LazyFlags.cond(c, i.sub)) c.setReg(i.reg, s, v);
        else if (s == 4) c.setReg(i.reg, 4, c.r[i.reg]);
    }

    public static void setcc(Cpu c, Insn i) {
        c.writeE(i, 1, LazyFlags.cond(c, i.sub) ? 1 : 0);
    }

    /** XCHG Eb,Gb / Ev,Gv (a memory operand is implicitly locked). */
    public static void xchgEG(Cpu c, Insn i) {
        int s = i.osize;
        if (i.rm >= 0) {
            long a = c.reg(i.rm, s), b = c.reg(i.reg, s);
            c.setReg(i.rm, s, b);
            c.setReg(i.reg, s, a);
            return;
        }
        long la = c.linE(i, s, true);
        long a = c.readRmw(la, s);
        c.write(la, s, c.reg(i.reg, s));
        c.setReg(i.reg, s, a);
    }

    /** XCHG rAX, r (91–97, and 90 with REX.B). */
    public static void xchgAR(Cpu c, Insn i) {
        int s = i.osize;
        long a = c.reg(0, s), b = c.reg(i.reg, s);
        c.setReg(0, s, b);
        c.setReg(i.reg, s, a);
    }

    public static void xadd(Cpu c, Insn i) {
        int s = i.osize;
        long src = c.reg(i.reg, s);
        long la = i.rm >= 0 ? 0 : c.linE(i, s, true);
        long d = i.rm >= 0 ? c.reg(i.rm, s) : c.readRmw(la, s);
        long r = (d + src) & mask(s);
        if (i.rm >= 0) {
            c.setReg(i.reg, s, d);
            c.setReg(i.rm, s, r);
        } else {
            c.write(la, s, r);
            c.setReg(i.reg, s, d);
        }
        c.cc(Cc.ADD, s, d, src, r);
    }

    /** CMPXCHG Eb,Gb / Ev,Gv: the memory destination is written in both outcomes, as the SDM describes. */
    public static void cmpxchg(Cpu c, Insn i) {
        int s = i.osize;
        long acc = c.reg(0, s);
        long la = i.rm >= 0 ? 0 : c.linE(i, s, true);
        long d = i.rm >= 0 ? c.reg(i.rm, s) : c.readRmw(la, s);
        boolean eq = d == acc;
        if (i.rm >= 0) {
            if (eq) c.setReg(i.rm, s, c.reg(i.reg, s));
        } else {
            c.write(la, s, eq ? c.reg(i.reg, s) : d);
        }
        if (!eq) c.setReg(0, s, d);
        c.cc(Cc.SUB, s, acc, d, (acc - d) & mask(s));
    }

    /** CMPXCHG8B m64 / CMPXCHG16B m128 (REX.W; needs 16-byte alignment). Only ZF changes. */
    public static void cmpxchg8b(Cpu c, Insn i) {
        int f = LazyFlags.arith(c) & ~Cc.ZF;
        if (i.rexW) {
            long ea = c.ea(i);
            if ((ea & 15) != 0) throw c.fault(Vector.GP, 0);
            long la = c.lin(i.seg, ea, 16, true);
            long lo = c.readRmw(la, 8), hi = c.readRmw(la + 8, 8);
            if (lo == c.r[0] && hi == c.r[2]) {
                c.probeWrite(la, 16);
                c.write64(la, c.r[3]);
                c.write64(la + 8, c.r[1]);
                c.setArith(f | Cc.ZF);
            } else {
                c.probeWrite(la, 16);
                c.write64(la, lo);
                c.write64(la + 8, hi);
                c.r[0] = lo;
                c.r[2] = hi;
                c.setArith(f);
            }
            return;
        }
        long la = c.linE(i, 8, true);
        long m = c.readRmw(la, 8);
        long edxeax = (c.r[2] & 0xffffffffL) << 32 | (c.r[0] & 0xffffffffL);
        if (m == edxeax) {
            c.write64(la, (c.r[1] & 0xffffffffL) << 32 | (c.r[3] & 0xffffffffL));
            c.setArith(f | Cc.ZF);
        } else {
            c.write64(la, m);
            c.setReg(0, 4, m);
            c.setReg(2, 4, m >>> 32);
            c.setArith(f);
        }
    }

    /** XLAT: AL ← [seg:rBX + AL]. */
    public static void xlat(Cpu c, Insn i) {
        long ea = (c.r[3] + (c.r[0] & 0xff)) & mask(i.asize);
        c.setReg(0, 1, c.readSeg(i.seg, ea, 1));
    }

    /** MOVBE Gv,Mv (sub 0) / Mv,Gv (sub 1): a move with the bytes reversed. */
    public static void movbe(Cpu c, Insn i) {
        int s = i.osize;
        if (i.sub == 0) c.setReg(i.reg, s, swap(c.readE(i, s), s));
        else c.writeE(i, s, swap(c.reg(i.reg, s), s));
    }

    private static long swap(long v, int s) {
        return switch (s) {
            case 2 -> Short.reverseBytes((short) v) & 0xffffL;
            case 4 -> Integer.reverseBytes((int) v) & 0xffffffffL;
            default -> Long.reverseBytes(v);
        };
    }
}
