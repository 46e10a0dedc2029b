package io.jkvm.x86.insn;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.exc.Vector;
import io.jkvm.x86.flags.Cc;
import io.jkvm.x86.flags.LazyFlags;

/** Decimal arithmetic (16/32-bit modes only): DAA DAS AAA AAS AAM AAD, and the undocumented SALC. */
public final class Bcd {
    private Bcd() {}

    private static int szp(int v) {
        v &= 0xff;
        return (v == 0 ? Cc.ZF : 0) | ((v & 0x80) != 0 ? Cc.SF : 0) | (Integer.bitCount(v) % 2 == 0 ? Cc.PF : 0);
    }

    public static void daa(Cpu c) {
        int al = (int) c.r[0] & 0xff, oldAl = al;
        boolean cf = LazyFlags.cf(c), af = LazyFlags.af(c), oldCf = cf;
        cf = false;
        if ((al & 0xf) > 9 || af) {
            al += 6;
            cf = oldCf || al > 0xff;
            af = true;
        } else {
            af = false;
        }
        if (oldAl > 0x99 || oldCf) {
            al += 0x60;
            cf = true;
        }
        c.setReg(0, 1, al);
        c.setArith(szp(al) | (cf ? Cc.CF : 0) | (af ? Cc.AF : 0));
    }

    public static void das(Cpu c) {
        int al = (int) c.r[0] & 0xff, oldAl = al;
        boolean cf = LazyFlags.cf(c), af = LazyFlags.af(c), oldCf = cf;
        cf = false;
        if ((al & 0xf) > 9 || af) {
            cf = oldCf || al < 6;
            al -= 6;
            af = true;
        } else {
            af = false;
        }
        if (oldAl > 0x99 || oldCf) {
            al -= 0x60;
            cf = true;
        }
        c.setReg(0, 1, al);
        c.setArith(szp(al) | (cf ? Cc.CF : 0) | (af ? Cc.AF : 0));
    }

    public static void aaa(Cpu c) {
        int ax = (int) c.r[0] & 0xffff;
        boolean adj = (ax & 0xf) > 9 || LazyFlags.af(c);
        if (adj) ax = (ax + 0x106) & 0xff0f;           // SDM: AX ← AX + 106H; AL ← AL AND 0FH
        else ax &= 0xff0f;
        c.setReg(0, 2, ax);
        int f = LazyFlags.arith(c) & ~(Cc.CF | Cc.AF);
        c.setArith(f | (adj ? Cc.CF | Cc.AF : 0));
    }

    public static void aas(Cpu c) {
        int ax = (int) c.r[0] & 0xffff;
        boolean adj = (ax & 0xf) > 9 || LazyFlags.af(c);
        if (adj) ax = (ax - 6 - 0x100) & 0xffff;     // SDM: AX ← AX − 6; AH ← AH − 1
        ax &= 0xff0f;
        c.setReg(0, 2, ax);
        int f = LazyFlags.arith(c) & ~(Cc.CF | Cc.AF);
        c.setArith(f | (adj ? Cc.CF | Cc.AF : 0));
    }

    public static void aam(Cpu c, Insn i) {
        int base = (int) i.imm & 0xff;
        if (base == 0) throw c.fault(Vector.DE);
        int al = (int) c.r[0] & 0xff;
        int ah = al / base;
        al = al % base;
        c.setReg(0, 2, (ah << 8) | al);
        c.setArith(szp(al));
    }

    public static void aad(Cpu c, Insn i) {
        int base = (int) i.imm & 0xff;
        int ax = (int) c.r[0] & 0xffff;
        int al = ((ax & 0xff) + (ax >> 8) * base) & 0xff;
        c.setReg(0, 2, al);
        c.setArith(szp(al));
    }

    /** SALC: AL ← CF ? 0xFF : 0. */
    public static void salc(Cpu c) {
        c.setReg(0, 1, LazyFlags.cf(c) ? 0xff : 0);
    }
}
