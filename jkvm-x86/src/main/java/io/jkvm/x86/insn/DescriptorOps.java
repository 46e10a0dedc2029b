package io.jkvm.x86.insn;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.CpuState;
import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.exc.Vector;
import io.jkvm.x86.flags.Cc;
import io.jkvm.x86.flags.LazyFlags;

/**
 * Descriptor-table and segment instructions: groups 6 and 7 (SLDT STR LLDT LTR VERR VERW; SGDT SIDT LGDT
 * LIDT SMSW LMSW INVLPG SWAPGS RDTSCP), LAR, LSL, ARPL, MOV to/from Sreg, LDS/LES/LSS/LFS/LGS.
 */
public final class DescriptorOps {
    private DescriptorOps() {}

    public static void grp6(Cpu c, Insn i) {
        c.serialize();                                   // LLDT and LTR are serializing
        if (!c.protectedMode || c.vm86()) throw c.fault(Vector.UD);
        switch (i.sub) {
            case 0 -> storeSel(c, i, c.segSel[CpuState.LDTR]);
            case 1 -> storeSel(c, i, c.segSel[CpuState.TR]);
            case 2 -> lldt(c, (int) c.readE(i, 2));
            case 3 -> ltr(c, (int) c.readE(i, 2));
            default -> verify(c, (int) c.readE(i, 2), i.sub == 5);
        }
    }

    private static void storeSel(Cpu c, Insn i, int sel) {
        if (i.rm >= 0) c.setReg(i.rm, i.osize, sel);
        else c.writeE(i, 2, sel);
    }

    private static void lldt(Cpu c, int sel) {
        SystemOps.requireCpl0(c);
        if ((sel & 0xfffc) == 0) {
            c.setSeg(CpuState.LDTR, sel, 0, 0, CpuState.AR_UNUSABLE);
            return;
        }
        if ((sel & 4) != 0) throw c.fault(Vector.GP, sel & 0xfffc);
        long d = Segments.fetch(c, sel, Vector.GP);
        if (!Segments.system(d) || Segments.type(d) != 2) throw c.fault(Vector.GP, sel & 0xfffc);
        if (!Segments.present(d)) throw c.fault(Vector.NP, sel & 0xfffc);
        long base = Segments.base(d);
        if ((c.efer & Cpu.EFER_LMA) != 0) base |= Segments.fetchHigh(c, sel, Vector.GP) << 32;
        c.setSeg(CpuState.LDTR, sel, base, Segments.limit(d), Segments.ar(d));
    }

    private static void ltr(Cpu c, int sel) {
        SystemOps.requireCpl0(c);
        if ((sel & 0xfffc) == 0 || (sel & 4) != 0) throw c.fault(Vector.GP, sel & 0xfffc);
        long d = Segments.fetch(c, sel, Vector.GP);
        int type = Segments.type(d);
        boolean lma = (c.efer & Cpu.EFER_LMA) != 0;
        if (!Segments.system(d) || (lma ? type != 9 : type != 1 && type != 9)) throw c.fault(Vector.GP, sel & 0xfffc);
        if (!Segments.present(d)) throw c.fault(Vector.NP, sel & 0xfffc);
        long base = Segments.base(d);
        if (lma) base |= Segments.fetchHigh(c, sel, Vector.GP) << 32;
        c.writeSys(Segments.descAddr(c, sel, Vector.GP) + 5, 1, ((d >>> 40) & 0xff) | 2);   // mark busy
        c.setSeg(CpuState.TR, sel, base, Segments.limit(d), Segments.ar(d) | 2);
    }

    /** VERR/VERW: ZF = the segment is readable/writable at the current privilege. */
    private static void verify(Cpu c, int sel, boolean write) {
        boolean ok = false;
        if ((sel & 0xfffc) != 0) {
            try {
                long d = Segments.fetch(c, sel, Vector.GP);
                int type = Segments.type(d), dpl = Segments.dpl(d);
                boolean conformingCode = (type & 0xc) == 0xc;
                boolean priv = conformingCode || (dpl >= c.cpl && dpl >= (sel & 3));
                if (!Segments.system(d) && priv) ok = write ? (type & 0xa) == 2 : (type & 0xa) != 8;
            } catch (io.jkvm.x86.exc.GuestFault f) {
                ok = false;
            }
        }
        setZf(c, ok);
    }

    private static void setZf(Cpu c, boolean zf) {
        int f = LazyFlags.arith(c);
        c.setArith(zf ? f | Cc.ZF : f & ~Cc.ZF);
    }

    public static void grp7(Cpu c, Insn i) {
        c.serialize();                                   // LGDT/LIDT/INVLPG serialize
        if (i.mod == 3) {
            grp7Reg(c, i);
            return;
        }
        switch (i.sub) {
            case 0, 1 -> {
                if (c.protectedMode && c.cpl > 0 && (c.cr4 & (1L << 11)) != 0) throw c.fault(Vector.GP, 0);
                long ea = c.ea(i);
                boolean gdt = i.sub == 0;
                c.writeSeg(i.seg, ea, 2, gdt ? c.gdtLimit : c.idtLimit);
                c.writeSeg(i.seg, (ea + 2) & Cpu.mask(i.asize), c.mode64 ? 8 : 4, gdt ? c.gdtBase : c.idtBase);
            }
            case 2, 3 -> {
                SystemOps.requireCpl0(c);
                long ea = c.ea(i);
                int limit = (int) c.readSeg(i.seg, ea, 2);
                long base = c.readSeg(i.seg, (ea + 2) & Cpu.mask(i.asize), c.mode64 ? 8 : 4);
                if (!c.mode64 && i.osize == 2) base &= 0xffffff;
                if (c.mode64 && !Cpu.canonical(base)) throw c.fault(Vector.GP, 0);
                if (i.sub == 2) { c.gdtBase = base; c.gdtLimit = limit; } else { c.idtBase = base; c.idtLimit = limit; }
            }
            case 4 -> c.writeE(i, 2, c.cr0 & 0xffff);
            case 6 -> lmsw(c, c.readE(i, 2));
            case 7 -> {
                SystemOps.requireCpl0(c);
                c.flushTlbPage(c.linE(i, 1, false));
            }
            default -> throw c.fault(Vector.UD);
        }
    }

    private static void lmsw(Cpu c, long v) {
        SystemOps.requireCpl0(c);
        long nv = (c.cr0 & ~0xeL) | (v & 0xf) | (c.cr0 & 1);   // PE can be set, not cleared
        SystemOps.setCr0(c, nv);
    }

    private static void grp7Reg(Cpu c, Insn i) {
        int rm = i.rm & 7;
        switch (i.sub) {
            case 4 -> c.setReg(i.rm, i.osize, c.cr0 & io.jkvm.x86.Cpu.mask(i.osize));  // SMSW r
            case 6 -> lmsw(c, c.reg(i.rm, 2));
            case 7 -> {
                if (rm == 0) {                                 // SWAPGS
                    if (!c.mode64) throw c.fault(Vector.UD);
                    SystemOps.requireCpl0(c);
                    long t = c.segBase[CpuState.GS];
                    c.segBase[CpuState.GS] = c.kernelGsBase;
                    c.kernelGsBase = t;
                } else if (rm == 1) {
                    SystemOps.rdtscp(c);
                } else {
                    throw c.fault(Vector.UD);
                }
            }
            case 2 -> {
                if (rm == 0 || rm == 1) XState.xgetbvXsetbv(c, rm == 1);   // XGETBV / XSETBV
                else throw c.fault(Vector.UD);
            }
            case 1 -> {
                if (rm == 2 || rm == 3) {                      // CLAC / STAC need SMAP
                    throw c.fault(Vector.UD);
                }
                throw c.fault(Vector.UD);                      // MONITOR/MWAIT are not advertised
            }
            default -> throw c.fault(Vector.UD);               // VMCALL, VMMCALL, …: no hypercalls here
        }
    }

    /** LAR (sub unused) and LSL: ZF and the access rights / limit of an accessible descriptor. */
    public static void lar(Cpu c, Insn i) {
        larLsl(c, i, true);
    }

    public static void lsl(Cpu c, Insn i) {
        larLsl(c, i, false);
    }

    private static void larLsl(Cpu c, Insn i, boolean lar) {
        if (!c.protectedMode || c.vm86()) throw c.fault(Vector.UD);
        int sel = (int) c.readE(i, 2);
        if ((sel & 0xfffc) == 0) {
            setZf(c, false);
            return;
        }
        long d;
        try {
            d = Segments.fetch(c, sel, Vector.GP);
        } catch (io.jkvm.x86.exc.GuestFault f) {
            setZf(c, false);
            return;
        }
        int type = Segments.type(d), dpl = Segments.dpl(d);
        boolean ok;
        if (Segments.system(d)) {
            boolean lma = (c.efer & Cpu.EFER_LMA) != 0;
            ok = lar ? (lma ? type == 2 || type == 9 || type == 0xb || type == 0xc
                            : type != 0 && type != 8 && type != 0xa && type != 0xd && type != 0xe && type != 0xf)
                     : (lma ? type == 2 || type == 9 || type == 0xb : type == 1 || type == 2 || type == 3 || type == 9 || type == 0xb);
            ok &= dpl >= c.cpl && dpl >= (sel & 3);
        } else {
            boolean conformingCode = (type & 0xc) == 0xc;
            ok = conformingCode || (dpl >= c.cpl && dpl >= (sel & 3));
        }
        if (ok) {
            if (lar) c.setReg(i.reg, i.osize, (d >>> 32) & 0x00f0ff00L & Cpu.mask(i.osize));
            else c.setReg(i.reg, i.osize, Segments.limit(d) & Cpu.mask(i.osize));
        }
        setZf(c, ok);
    }

    /** ARPL Ew,Gw: raise the destination's RPL to the source's. */
    public static void arpl(Cpu c, Insn i) {
        if (!c.protectedMode || c.vm86()) throw c.fault(Vector.UD);
        int d = (int) c.readE(i, 2), s = (int) c.reg(i.reg, 2);
        if ((d & 3) < (s & 3)) {
            c.writeE(i, 2, (d & ~3) | (s & 3));
            setZf(c, true);
        } else {
            setZf(c, false);
        }
    }

    /** MOV Ev,Sreg: a register destination takes the zero-extended selector, memory 16 bits. */
    public static void movES(Cpu c, Insn i) {
        if (i.reg > 5) throw c.fault(Vector.UD);
        int sel = c.segSel[i.reg & 7];
        if (i.rm >= 0) c.setReg(i.rm, i.osize == 8 ? 8 : i.osize, sel);
        else c.writeE(i, 2, sel);
    }

    /** MOV Sreg,Ew (not CS); MOV SS blocks interrupts for one instruction. */
    public static void movSE(Cpu c, Insn i) {
        int s = i.reg & 7;
        if (s == CpuState.CS || i.reg > 5) throw c.fault(Vector.UD);
        Segments.load(c, s, (int) c.readE(i, 2));
        if (s == CpuState.SS) c.interruptShadow = 1;
    }

    /** LES LDS LSS LFS LGS (sub = segment): the offset, then the selector, from memory. */
    public static void lseg(Cpu c, Insn i) {
        int s = i.osize;
        long ea = c.ea(i);
        long off = c.readSeg(i.seg, ea, s);
        int sel = (int) c.readSeg(i.seg, (ea + s) & Cpu.mask(i.asize), 2);
        Segments.load(c, i.sub, sel);
        c.setReg(i.reg, s, off);
    }
}
