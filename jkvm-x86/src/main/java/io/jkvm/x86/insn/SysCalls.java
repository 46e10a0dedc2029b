package io.jkvm.x86.insn;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.CpuState;
import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.exc.Vector;

/**
 * Fast system calls: SYSCALL/SYSRET (STAR, LSTAR, CSTAR, SFMASK) and SYSENTER/SYSEXIT (IA32_SYSENTER_*).
 * The segment caches are loaded with the fixed flat values the SDM prescribes, not from the GDT.
 */
public final class SysCalls {
    private SysCalls() {}

    private static final int CODE64 = 0x9b | Cpu.AR_L | Cpu.AR_G, CODE32 = 0x9b | Cpu.AR_DB | Cpu.AR_G,
            DATA = 0x93 | Cpu.AR_DB | Cpu.AR_G;

    public static void syscall(Cpu c, Insn i) {
        if ((c.efer & Cpu.EFER_SCE) == 0 || !c.protectedMode) throw c.fault(Vector.UD);
        int cs = (int) (c.star >>> 32) & 0xfffc;
        if ((c.efer & Cpu.EFER_LMA) != 0) {
            c.r[Cpu.RCX] = c.nextRip;
            c.r[11] = c.getRflags() & ~Cpu.RF;
            boolean from64 = c.mode64;
            c.setRflags(c.getRflags() & ~c.sfmask & ~Cpu.RF);
            c.setSeg(CpuState.CS, cs, 0, 0xffffffffL, CODE64);
            c.setSeg(CpuState.SS, cs + 8, 0, 0xffffffffL, DATA);
            c.nextRip = from64 ? c.lstar : c.cstar;
        } else {
            c.r[Cpu.RCX] = c.nextRip & 0xffffffffL;
            c.setRflags(c.getRflags() & ~(Cpu.VM | Cpu.IF | Cpu.RF));
            c.setSeg(CpuState.CS, cs, 0, 0xffffffffL, CODE32);
            c.setSeg(CpuState.SS, cs + 8, 0, 0xffffffffL, DATA);
            c.nextRip = c.star & 0xffffffffL;
        }
        c.updateMode();
    }

    public static void sysret(Cpu c, Insn i) {
        if ((c.efer & Cpu.EFER_SCE) == 0 || !c.protectedMode) throw c.fault(Vector.UD);
        if (c.cpl != 0) throw c.fault(Vector.GP, 0);
        int base = (int) (c.star >>> 48) & 0xffff;
        if ((c.efer & Cpu.EFER_LMA) != 0) {
            if (i.rexW) {
                if (!Cpu.canonical(c.r[Cpu.RCX])) throw c.fault(Vector.GP, 0);
                c.setSeg(CpuState.CS, (base + 16) | 3, 0, 0xffffffffL, CODE64 | 0x60);
                c.nextRip = c.r[Cpu.RCX];
            } else {
                c.setSeg(CpuState.CS, base | 3, 0, 0xffffffffL, CODE32 | 0x60);
                c.nextRip = c.r[Cpu.RCX] & 0xffffffffL;
            }
            c.setRflags((c.r[11] & 0x3c7fd7L) | 2);
        } else {
            c.setSeg(CpuState.CS, base | 3, 0, 0xffffffffL, CODE32 | 0x60);
            c.flags |= Cpu.IF;
            c.nextRip = c.r[Cpu.RCX] & 0xffffffffL;
        }
        // SS keeps its selector's RPL 3 and a flat DPL-3 cache (SDM: "SS.DPL ← 3")
        c.setSeg(CpuState.SS, (base + 8) | 3, 0, 0xffffffffL, DATA | 0x60);
        c.updateMode();
    }

    public static void sysenter(Cpu c, Insn i) {
        if (!c.protectedMode) throw c.fault(Vector.GP, 0);
        int cs = (int) c.sysenterCs & 0xfffc;
        if (cs == 0) throw c.fault(Vector.GP, 0);
        boolean lma = (c.efer & Cpu.EFER_LMA) != 0;
        c.setRflags(c.getRflags() & ~(Cpu.VM | Cpu.IF | Cpu.RF));
        c.setSeg(CpuState.CS, cs, 0, 0xffffffffL, lma ? CODE64 : CODE32);
        c.setSeg(CpuState.SS, cs + 8, 0, 0xffffffffL, DATA);
        c.r[Cpu.RSP] = lma ? c.sysenterEsp : c.sysenterEsp & 0xffffffffL;
        c.nextRip = lma ? c.sysenterEip : c.sysenterEip & 0xffffffffL;
        c.updateMode();
    }

    public static void sysexit(Cpu c, Insn i) {
        int cs = (int) c.sysenterCs & 0xfffc;
        if (!c.protectedMode || c.cpl != 0 || cs == 0) throw c.fault(Vector.GP, 0);
        if (i.rexW) {
            if (!Cpu.canonical(c.r[Cpu.RDX]) || !Cpu.canonical(c.r[Cpu.RCX])) throw c.fault(Vector.GP, 0);
            c.setSeg(CpuState.CS, (cs + 32) | 3, 0, 0xffffffffL, CODE64 | 0x60);
            c.setSeg(CpuState.SS, (cs + 40) | 3, 0, 0xffffffffL, DATA | 0x60);
            c.r[Cpu.RSP] = c.r[Cpu.RCX];
            c.nextRip = c.r[Cpu.RDX];
        } else {
            c.setSeg(CpuState.CS, (cs + 16) | 3, 0, 0xffffffffL, CODE32 | 0x60);
            c.setSeg(CpuState.SS, (cs + 24) | 3, 0, 0xffffffffL, DATA | 0x60);
            c.r[Cpu.RSP] = c.r[Cpu.RCX] & 0xffffffffL;
            c.nextRip = c.r[Cpu.RDX] & 0xffffffffL;
        }
        c.updateMode();
    }
}
