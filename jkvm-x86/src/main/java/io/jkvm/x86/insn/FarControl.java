package io.jkvm.x86.insn;

import static io.jkvm.x86.Cpu.mask;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.CpuState;
import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.exc.Vector;

/**
 * Far control transfers (SDM Vol. 2 JMP/CALL/RET/IRET, Vol. 3A §5.8): direct to code segments, through
 * call gates (with the inner-privilege stack switch and parameter copy), to TSSs and task gates, returns
 * to outer privilege levels, and IRET to real, virtual-8086, protected and 64-bit code.
 */
public final class FarControl {
    private FarControl() {}

    /** The far pointer of JMP/CALL: ptr16:16/32 immediate (sub 0) or m16:16/32/64 (sub 1). */
    private static long[] farPointer(Cpu c, Insn i) {
        if (i.sub == 0) return new long[] {i.imm2, i.imm};
        int s = i.osize;
        long ea = c.ea(i);
        long off = c.readSeg(i.seg, ea, s);
        long sel = c.readSeg(i.seg, (ea + s) & mask(i.asize), 2);
        return new long[] {sel, off};
    }

    public static void jmpFar(Cpu c, Insn i) {
        long[] p = farPointer(c, i);
        transfer(c, (int) p[0], p[1], i.osize, false);
    }

    public static void callFar(Cpu c, Insn i) {
        long[] p = farPointer(c, i);
        transfer(c, (int) p[0], p[1], i.osize, true);
    }

    private static void transfer(Cpu c, int sel, long off, int size, boolean call) {
        if (!c.protectedMode || c.vm86()) {
            off &= mask(size);
            if (call) {
                c.push(size, c.segSel[CpuState.CS]);
                c.push(size, c.nextRip);
            }
            c.loadSegReal(CpuState.CS, sel);
            c.nextRip = off;
            return;
        }
        if ((sel & 0xfffc) == 0) throw c.fault(Vector.GP, 0);
        long d = Segments.fetch(c, sel, Vector.GP);
        if (!Segments.system(d)) {
            directCode(c, sel, d, off, size, call);
            return;
        }
        int type = Segments.type(d);
        int rpl = sel & 3;
        switch (type) {
            case 0x4, 0xc -> gate(c, sel, d, size, call);
            case 0x5 -> {
                if (Segments.dpl(d) < c.cpl || Segments.dpl(d) < rpl) throw c.fault(Vector.GP, sel & 0xfffc);
                if (!Segments.present(d)) throw c.fault(Vector.NP, sel & 0xfffc);
                TaskSwitch.switchTo(c, (int) (d >>> 16) & 0xffff, call ? TaskSwitch.CALL_OR_INT : TaskSwitch.JMP, c.nextRip);
            }
            case 0x1, 0x9 -> {
                if (Segments.dpl(d) < c.cpl || Segments.dpl(d) < rpl) throw c.fault(Vector.GP, sel & 0xfffc);
                if (!Segments.present(d)) throw c.fault(Vector.NP, sel & 0xfffc);
                TaskSwitch.switchTo(c, sel, call ? TaskSwitch.CALL_OR_INT : TaskSwitch.JMP, c.nextRip);
            }
            default -> throw c.fault(Vector.GP, sel & 0xfffc);
        }
    }

    /** Checks a code-segment target at the current privilege; returns nothing, raises #GP/#NP. */
    private static void checkSamePrivilegeCode(Cpu c, int sel, long d) {
        int type = Segments.type(d), dpl = Segments.dpl(d), rpl = sel & 3;
        if ((type & 8) == 0) throw c.fault(Vector.GP, sel & 0xfffc);
        if ((type & 4) != 0) {
            if (dpl > c.cpl) throw c.fault(Vector.GP, sel & 0xfffc);
        } else if (rpl > c.cpl || dpl != c.cpl) {
            throw c.fault(Vector.GP, sel & 0xfffc);
        }
        if (!Segments.present(d)) throw c.fault(Vector.NP, sel & 0xfffc);
        if ((c.efer & Cpu.EFER_LMA) != 0 && (d & (1L << 53)) != 0 && (d & (1L << 54)) != 0)
            throw c.fault(Vector.GP, sel & 0xfffc);   // L and D both set
    }

    private static void directCode(Cpu c, int sel, long d, long off, int size, boolean call) {
        checkSamePrivilegeCode(c, sel, d);
        off &= mask(size);
        boolean to64 = (c.efer & Cpu.EFER_LMA) != 0 && (d & (1L << 53)) != 0;
        if (to64 ? !Cpu.canonical(off) : off > Segments.limit(d)) throw c.fault(Vector.GP, 0);
        if (call) {
            long sp = c.sp();
            int ss = c.stackSize();
            c.write(c.lin(CpuState.SS, (sp - size) & mask(ss), size, true), size, c.segSel[CpuState.CS]);
            c.write(c.lin(CpuState.SS, (sp - 2L * size) & mask(ss), size, true), size, c.nextRip & mask(size));
            c.setReg(Cpu.RSP, ss, sp - 2L * size);
        }
        Segments.setAccessed(c, sel, d);
        loadCs(c, (sel & 0xfffc) | c.cpl, d, c.cpl);
        c.nextRip = off;
    }

    static void loadCs(Cpu c, int sel, long d, int cpl) {
        c.setSeg(CpuState.CS, sel, Segments.base(d), Segments.limit(d), (Segments.ar(d) | 1) & ~0x60 | (cpl << 5));
    }

    /** Through a call gate (16/32-bit, or the 16-byte 64-bit form in IA-32e mode). */
    private static void gate(Cpu c, int gsel, long g, int size, boolean call) {
        int gdpl = Segments.dpl(g), rpl = gsel & 3;
        if (gdpl < c.cpl || gdpl < rpl) throw c.fault(Vector.GP, gsel & 0xfffc);
        if (!Segments.present(g)) throw c.fault(Vector.NP, gsel & 0xfffc);
        boolean lma = (c.efer & Cpu.EFER_LMA) != 0;
        int csel = (int) (g >>> 16) & 0xffff;
        long off = (g & 0xffff) | ((g >>> 32) & 0xffff0000L);
        int gsize = Segments.type(g) == 0xc ? 4 : 2;
        int params = (int) (g >>> 32) & 0x1f;
        if (lma) {
            long hi = Segments.fetchHigh(c, gsel, Vector.GP);
            if (((hi >>> 40) & 0x1f) != 0) throw c.fault(Vector.GP, gsel & 0xfffc);
            off |= hi << 32;
            gsize = 8;
            params = 0;
        } else if (gsize == 2) {
            off &= 0xffff;
        }
        if ((csel & 0xfffc) == 0) throw c.fault(Vector.GP, 0);
        long d = Segments.fetch(c, csel, Vector.GP);
        int type = Segments.type(d), dpl = Segments.dpl(d);
        if (Segments.system(d) || (type & 8) == 0 || dpl > c.cpl) throw c.fault(Vector.GP, csel & 0xfffc);
        if (lma && ((d & (1L << 53)) == 0 || (d & (1L << 54)) != 0)) throw c.fault(Vector.GP, csel & 0xfffc);
        if (!Segments.present(d)) throw c.fault(Vector.NP, csel & 0xfffc);
        boolean conforming = (type & 4) != 0;
        if (!call) {
            if (conforming ? dpl > c.cpl : dpl != c.cpl) throw c.fault(Vector.GP, csel & 0xfffc);
            if (lma ? !Cpu.canonical(off) : off > Segments.limit(d)) throw c.fault(Vector.GP, 0);
            Segments.setAccessed(c, csel, d);
            loadCs(c, (csel & 0xfffc) | c.cpl, d, c.cpl);
            c.nextRip = off;
            return;
        }
        if (!conforming && dpl < c.cpl) {
            callInner(c, csel, d, dpl, off, gsize, params, lma);
            return;
        }
        // same privilege
        if (lma ? !Cpu.canonical(off) : off > Segments.limit(d)) throw c.fault(Vector.GP, 0);
        long sp = c.sp();
        int ss = c.stackSize();
        c.write(c.lin(CpuState.SS, (sp - gsize) & mask(ss), gsize, true), gsize, c.segSel[CpuState.CS]);
        c.write(c.lin(CpuState.SS, (sp - 2L * gsize) & mask(ss), gsize, true), gsize, c.nextRip & mask(gsize));
        c.setReg(Cpu.RSP, ss, sp - 2L * gsize);
        Segments.setAccessed(c, csel, d);
        loadCs(c, (csel & 0xfffc) | c.cpl, d, c.cpl);
        c.nextRip = off;
    }

    private static void callInner(Cpu c, int csel, long d, int dpl, long off, int gsize, int params, boolean lma) {
        long oldSs = c.segSel[CpuState.SS], oldSp = c.r[Cpu.RSP];
        long retCs = c.segSel[CpuState.CS], retIp = c.nextRip;
        if (lma) {
            long rsp = TaskSwitch.tss64(c, 4 + 8L * dpl, 0);
            if (!Cpu.canonical(rsp) || !Cpu.canonical(off)) throw c.fault(Vector.GP, 0);
            long[] words = {oldSs, oldSp, retCs, retIp};
            for (int k = 0; k < 4; k++) c.writeSys(rsp - 8L * (k + 1), 8, words[k]);
            c.setSeg(CpuState.SS, dpl, 0, 0, CpuState.AR_UNUSABLE | (dpl << 5));
            c.r[Cpu.RSP] = rsp - 32;
        } else {
            long[] st = TaskSwitch.innerStack(c, dpl, 0);
            int ssSel = (int) st[0];
            long sp = st[1], sd = st[2];
            long base = Segments.base(sd);
            long spMask = (Segments.ar(sd) & CpuState.AR_DB) != 0 ? 0xffffffffL : 0xffff;
            if (off > Segments.limit(d)) throw c.fault(Vector.GP, 0);
            long oldSpVal = c.reg(Cpu.RSP, c.stackSize());
            long[] par = new long[params];
            for (int k = 0; k < params; k++) par[k] = c.readSeg(CpuState.SS, (oldSpVal + (long) k * gsize) & mask(c.stackSize()), gsize);
            int n = 0;
            long[] words = new long[4 + params];
            words[n++] = oldSs;
            words[n++] = oldSpVal;
            for (int k = params - 1; k >= 0; k--) words[n++] = par[k];
            words[n++] = retCs;
            words[n++] = retIp;
            for (int k = 0; k < n; k++) c.writeSys((base + ((sp - (long) (k + 1) * gsize) & spMask)) & 0xffffffffL, gsize, words[k]);
            Segments.setAccessed(c, ssSel, sd);
            Segments.loadCache(c, CpuState.SS, ssSel, sd);
            c.setReg(Cpu.RSP, spMask == 0xffff ? 2 : 4, sp - (long) n * gsize);
        }
        Segments.setAccessed(c, csel, d);
        loadCs(c, (csel & 0xfffc) | dpl, d, dpl);
        c.updateMode();
        c.nextRip = off;
    }

    /** RETF / RETF imm16. */
    public static void retFar(Cpu c, Insn i) {
        int s = i.osize;
        long adj = i.opcode == 0xca ? i.imm & 0xffff : 0;
        long ip = c.peek(s, 0);
        int sel = (int) c.peek(s, s) & 0xffff;
        if (!c.protectedMode || c.vm86()) {
            c.loadSegReal(CpuState.CS, sel);
            c.setSp(c.sp() + 2L * s + adj);
            c.nextRip = ip & mask(s);
            return;
        }
        if ((sel & 0xfffc) == 0) throw c.fault(Vector.GP, 0);
        long d = Segments.fetch(c, sel, Vector.GP);
        int rpl = sel & 3, type = Segments.type(d), dpl = Segments.dpl(d);
        if (rpl < c.cpl || Segments.system(d) || (type & 8) == 0) throw c.fault(Vector.GP, sel & 0xfffc);
        if ((type & 4) != 0 ? dpl > rpl : dpl != rpl) throw c.fault(Vector.GP, sel & 0xfffc);
        if (!Segments.present(d)) throw c.fault(Vector.NP, sel & 0xfffc);
        boolean to64 = (c.efer & Cpu.EFER_LMA) != 0 && (d & (1L << 53)) != 0;
        ip &= mask(s);
        if (to64 ? !Cpu.canonical(ip) : ip > Segments.limit(d)) throw c.fault(Vector.GP, 0);
        if (rpl == c.cpl) {
            c.setSp(c.sp() + 2L * s + adj);
            loadCs(c, sel, d, rpl);
        } else {
            long newSp = c.peek(s, 2L * s + adj);
            int newSs = (int) c.peek(s, 3L * s + adj) & 0xffff;
            loadOuterStack(c, newSs, rpl);
            loadCs(c, sel, d, rpl);
            c.updateMode();
            c.setReg(Cpu.RSP, s == 8 || c.stackSize() == 8 ? 8 : c.stackSize(), newSp + adj);
            Segments.invalidateForCpl(c);
        }
        c.updateMode();
        c.nextRip = ip;
    }

    /** Loads SS for a return to privilege {@code rpl} (null allowed for 64-bit targets below 3). */
    private static void loadOuterStack(Cpu c, int ss, int rpl) {
        if ((ss & 0xfffc) == 0) {
            if ((c.efer & Cpu.EFER_LMA) != 0 && rpl != 3) {
                c.setSeg(CpuState.SS, ss, 0, 0, CpuState.AR_UNUSABLE | (rpl << 5));
                return;
            }
            throw c.fault(Vector.GP, 0);
        }
        long sd = Segments.fetch(c, ss, Vector.GP);
        int type = Segments.type(sd);
        if ((ss & 3) != rpl || Segments.dpl(sd) != rpl || Segments.system(sd) || (type & 8) != 0 || (type & 2) == 0)
            throw c.fault(Vector.GP, ss & 0xfffc);
        if (!Segments.present(sd)) throw c.fault(Vector.SS, ss & 0xfffc);
        Segments.setAccessed(c, ss, sd);
        Segments.loadCache(c, CpuState.SS, ss, sd);
    }

    // ------------------------------------------------------------------ IRET

    public static void iret(Cpu c, Insn i) {
        int s = i.osize;
        if (!c.protectedMode) {
            long ip = c.peek(s, 0), cs = c.peek(s, s), fl = c.peek(s, 2L * s);
            c.setSp(c.sp() + 3L * s);
            c.loadSegReal(CpuState.CS, (int) cs);
            long keep = s == 2 ? ~0xffffL : (Cpu.VM | Cpu.VIP | Cpu.VIF);
            c.setRflags((c.getRflags() & keep) | (fl & ~keep & 0x3f7fd7));
            c.nextRip = ip & mask(s);
            return;
        }
        if (c.vm86()) {
            if ((c.flags & Cpu.IOPL) != Cpu.IOPL) throw c.fault(Vector.GP, 0);
            long ip = c.peek(s, 0), cs = c.peek(s, s), fl = c.peek(s, 2L * s);
            c.setSp(c.sp() + 3L * s);
            c.loadSegReal(CpuState.CS, (int) cs);
            long keep = Cpu.IOPL | Cpu.VM | Cpu.VIP | Cpu.VIF | (s == 2 ? ~0xffffL : 0);
            c.setRflags((c.getRflags() & keep) | (fl & ~keep & 0x3f7fd7));
            c.nextRip = ip & mask(s);
            return;
        }
        boolean lma = (c.efer & Cpu.EFER_LMA) != 0;
        if ((c.flags & Cpu.NT) != 0) {
            if (lma) throw c.fault(Vector.GP, 0);
            int back = (int) c.readSys(c.segBase[CpuState.TR], 2);
            TaskSwitch.switchTo(c, back, TaskSwitch.IRET, c.nextRip);
            return;
        }
        long ip = c.peek(s, 0);
        int sel = (int) c.peek(s, s) & 0xffff;
        long fl = c.peek(s, 2L * s);
        if (s == 2) fl = (c.getRflags() & ~0xffffL) | (fl & 0xffff);
        if ((fl & Cpu.VM) != 0 && c.cpl == 0 && !lma) {
            iretToVm86(c, s, ip, sel, fl);
            return;
        }
        if ((sel & 0xfffc) == 0) throw c.fault(Vector.GP, 0);
        long d = Segments.fetch(c, sel, Vector.GP);
        int rpl = sel & 3, type = Segments.type(d), dpl = Segments.dpl(d);
        if (rpl < c.cpl || Segments.system(d) || (type & 8) == 0) throw c.fault(Vector.GP, sel & 0xfffc);
        if ((type & 4) != 0 ? dpl > rpl : dpl != rpl) throw c.fault(Vector.GP, sel & 0xfffc);
        if (!Segments.present(d)) throw c.fault(Vector.NP, sel & 0xfffc);
        boolean to64 = lma && (d & (1L << 53)) != 0;
        if (!to64) ip &= mask(s == 8 ? 4 : s);
        if (to64 ? !Cpu.canonical(ip) : ip > Segments.limit(d)) throw c.fault(Vector.GP, 0);
        int oldCpl = c.cpl;
        if (c.mode64 || rpl != c.cpl) {
            long newSp = c.peek(s, 3L * s);
            int newSs = (int) c.peek(s, 4L * s) & 0xffff;
            loadOuterStack(c, newSs, rpl);
            loadCs(c, sel, d, rpl);
            c.updateMode();
            if (s == 8) c.r[Cpu.RSP] = newSp;
            else c.setReg(Cpu.RSP, (c.segAr[CpuState.SS] & CpuState.AR_DB) != 0 || c.mode64 ? 4 : 2, newSp);
        } else {
            c.setSp(c.sp() + 3L * s);
            loadCs(c, sel, d, rpl);
        }
        setIretFlags(c, fl, oldCpl, s);
        c.updateMode();
        if (rpl > oldCpl) Segments.invalidateForCpl(c);
        c.nextRip = ip;
    }

    /** The RFLAGS an IRET may restore at privilege {@code cpl} (IOPL only at CPL 0, IF only at CPL ≤ IOPL). */
    private static void setIretFlags(Cpu c, long fl, int cpl, int size) {
        long changeable = Stack.WRITABLE | Cpu.RF;
        if (cpl > 0) changeable &= ~Cpu.IOPL;
        else changeable |= Cpu.VIF | Cpu.VIP;
        if (cpl > ((c.flags >> 12) & 3)) changeable &= ~Cpu.IF;
        if (size == 2) changeable &= 0xffff;
        long old = c.getRflags();
        c.setRflags((old & ~changeable) | (fl & changeable));
    }

    private static void iretToVm86(Cpu c, int s, long ip, int cs, long fl) {
        long esp = c.peek(4, 12), ss = c.peek(4, 16), es = c.peek(4, 20), ds = c.peek(4, 24), fs = c.peek(4, 28),
                gs = c.peek(4, 32);
        c.setRflags(fl);
        int[] segs = {(int) es, cs, (int) ss, (int) ds, (int) fs, (int) gs};
        for (int k = 0; k < 6; k++) c.setSeg(k, segs[k], (segs[k] & 0xffffL) << 4, 0xffff, k == CpuState.CS ? 0xfb : 0xf3);
        c.updateMode();
        c.r[Cpu.RSP] = esp & 0xffffffffL;
        c.nextRip = ip & 0xffff;
    }
}
