package io.jkvm.x86.insn;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.exc.Vector;

/**
 * System instructions: MOV to/from CR and DR (with the SDM's consistency checks and TLB effects), CPUID,
 * HLT, CLTS, WBINVD/INVD, RDTSC(P), RDPMC, the fences and CLFLUSH of group 15.
 */
public final class SystemOps {
    private SystemOps() {}

    /** CR4 bits jkvm lets a guest set: VME PVI TSD DE PSE PAE MCE PGE PCE OSFXSR OSXMMEXCPT, OSXSAVE when XSAVE is enabled. */
    public static long cr4Allowed(Cpu c) {
        long a = 0x7ffL & ~0x3L;   // no VME/PVI: virtual-8086 extensions are not implemented
        if (c.cpuid.has(1, 0, 2, 26)) a |= 1L << 18;
        return a;
    }

    static void requireCpl0(Cpu c) {
        if (c.protectedMode && c.cpl != 0) throw c.fault(Vector.GP, 0);
    }

    /** MOV r, CRn (sub 0) / MOV CRn, r (sub 1). */
    public static void movCr(Cpu c, Insn i) {
        c.serialize();
        int n = i.reg;
        if (n != 0 && n != 2 && n != 3 && n != 4 && n != 8) throw c.fault(Vector.UD);
        requireCpl0(c);
        int size = c.mode64 ? 8 : 4;
        if (i.sub == 0) {
            long v = switch (n) {
                case 0 -> c.cr0;
                case 2 -> c.cr2;
                case 3 -> c.cr3;
                case 4 -> c.cr4;
                default -> c.platform.cr8(c);
            };
            c.setReg(i.rm, size, v);
            return;
        }
        long v = c.reg(i.rm, size);
        switch (n) {
            case 0 -> setCr0(c, v);
            case 2 -> c.cr2 = v;
            case 3 -> setCr3(c, v);
            case 4 -> setCr4(c, v);
            default -> {
                if ((v & ~0xfL) != 0) throw c.fault(Vector.GP, 0);
                c.platform.setCr8(c, v);
                c.attention = true;      // a lower TPR may unmask a pending interrupt: recheck at the boundary
            }
        }
    }

    public static void setCr0(Cpu c, long v) {
        if ((v >>> 32) != 0) throw c.fault(Vector.GP, 0);
        v |= 0x10;                                            // ET is hard-wired
        if ((v & Cpu.CR0_PG) != 0 && (v & Cpu.CR0_PE) == 0) throw c.fault(Vector.GP, 0);
        if ((v & (1L << 29)) != 0 && (v & (1L << 30)) == 0) throw c.fault(Vector.GP, 0);   // NW without CD
        boolean pgOn = (v & Cpu.CR0_PG) != 0 && !c.pagingEnabled();
        boolean pgOff = (v & Cpu.CR0_PG) == 0 && c.pagingEnabled();
        if (pgOn && (c.efer & Cpu.EFER_LME) != 0) {
            if ((c.cr4 & (1L << 5)) == 0) throw c.fault(Vector.GP, 0);
            if ((c.segAr[Cpu.CS] & Cpu.AR_L) != 0) throw c.fault(Vector.GP, 0);
            c.efer |= Cpu.EFER_LMA;
        }
        if (pgOff && (c.efer & Cpu.EFER_LMA) != 0) {
            if (c.mode64) throw c.fault(Vector.GP, 0);
            c.efer &= ~Cpu.EFER_LMA;
        }
        long changed = c.cr0 ^ v;
        c.cr0 = v;
        if ((changed & (Cpu.CR0_PG | Cpu.CR0_WP | Cpu.CR0_PE)) != 0) c.flushTlb();
        c.updateMode();
    }

    public static void setCr3(Cpu c, long v) {
        if (c.mode64 && (v >>> io.jkvm.x86.mmu.Paging.MAXPHYADDR) != 0) throw c.fault(Vector.GP, 0);
        c.cr3 = c.mode64 ? v : v & 0xffffffffL;
        c.flushTlb();
    }

    public static void setCr4(Cpu c, long v) {
        if ((v & ~cr4Allowed(c)) != 0) throw c.fault(Vector.GP, 0);
        if ((c.efer & Cpu.EFER_LMA) != 0 && (v & (1L << 5)) == 0) throw c.fault(Vector.GP, 0);
        long changed = c.cr4 ^ v;
        c.cr4 = v;
        if ((changed & ((1L << 4) | (1L << 5) | (1L << 7))) != 0) c.flushTlb();
    }

    /** MOV r, DRn (sub 0) / MOV DRn, r (sub 1). DR4/DR5 alias DR6/DR7 unless CR4.DE. Breakpoints are stored, not armed. */
    public static void movDr(Cpu c, Insn i) {
        int n = i.reg;
        if (n > 7) throw c.fault(Vector.UD);
        if ((n == 4 || n == 5) && (c.cr4 & (1L << 3)) != 0) throw c.fault(Vector.UD);
        requireCpl0(c);
        if (n == 4 || n == 5) n += 2;
        int size = c.mode64 ? 8 : 4;
        if (i.sub == 0) {
            c.setReg(i.rm, size, c.dr[n]);
            return;
        }
        long v = c.reg(i.rm, size);
        if (n >= 6 && (v >>> 32) != 0) throw c.fault(Vector.GP, 0);
        c.dr[n] = switch (n) {
            case 6 -> (v | 0xffff0ff0L) & 0xffffefffL;
            case 7 -> (v | 0x400) & ~0xd800L;
            default -> v;
        };
    }

    public static void cpuid(Cpu c) {
        c.serialize();                                   // the classic serializing instruction
        int fn = (int) c.r[Cpu.RAX], idx = (int) c.r[Cpu.RCX];
        int[] out = new int[4];
        c.cpuid.lookup(fn, idx, out);
        if (fn == 1) {
            out[2] = (out[2] & ~(1 << 27)) | ((c.cr4 & (1L << 18)) != 0 ? 1 << 27 : 0);     // OSXSAVE mirrors CR4
            if ((c.apicBase & (1L << 11)) == 0) out[3] &= ~(1 << 9);                           // APIC disabled
        }
        c.setReg(Cpu.RAX, 4, out[0]);
        c.setReg(Cpu.RBX, 4, out[1]);
        c.setReg(Cpu.RCX, 4, out[2]);
        c.setReg(Cpu.RDX, 4, out[3]);
    }

    public static void hlt(Cpu c) {
        requireCpl0(c);
        c.halted = true;
        c.attention = true;
    }

    public static void clts(Cpu c) {
        requireCpl0(c);
        c.cr0 &= ~Cpu.CR0_TS;
    }

    public static void wbinvd(Cpu c) {
        c.serialize();
        requireCpl0(c);
    }

    public static long tsc(Cpu c) {
        return c.platform.rdtsc(c) + c.tscOffset;
    }

    public static void rdtsc(Cpu c) {
        if ((c.cr4 & (1L << 2)) != 0 && c.protectedMode && c.cpl != 0) throw c.fault(Vector.GP, 0);
        long t = tsc(c);
        c.setReg(Cpu.RAX, 4, t);
        c.setReg(Cpu.RDX, 4, t >>> 32);
    }

    public static void rdtscp(Cpu c) {
        if (!c.cpuid.has(0x80000001, 0, 3, 27)) throw c.fault(Vector.UD);
        rdtsc(c);
        c.setReg(Cpu.RCX, 4, c.tscAux);
    }

    /** RDPMC: no performance counters are virtualized. */
    public static void rdpmc(Cpu c) {
        throw c.fault(Vector.GP, 0);
    }

    /**
     * Group 15: fences (mod 3); FXSAVE FXRSTOR LDMXCSR STMXCSR XSAVE XRSTOR XSAVEOPT CLFLUSH (memory forms,
     * no F2/F3 prefix: those encode other, unimplemented instructions and are #UD).
     */
    public static void grp15(Cpu c, Insn i) {
        if (i.mod == 3) {
            if (i.rep != 0) throw c.fault(Vector.UD);                    // RDFSBASE…: FSGSBASE is not offered
            switch (i.sub) {
                case 5, 6, 7 -> java.lang.invoke.VarHandle.fullFence();   // LFENCE MFENCE SFENCE
                default -> throw c.fault(Vector.UD);
            }
            return;
        }
        if (i.rep != 0 || (i.opsizePrefix && i.sub == 6)) throw c.fault(Vector.UD);   // 66 /6 would be CLWB
        switch (i.sub) {
            case 0 -> FxSave.fxsave(c, i);
            case 1 -> FxSave.fxrstor(c, i);
            case 2 -> FxSave.ldmxcsr(c, i);
            case 3 -> FxSave.stmxcsr(c, i);
            case 4, 6 -> XState.xsave(c, i);                             // XSAVE, XSAVEOPT
            case 5 -> XState.xrstor(c, i);
            default -> c.linE(i, 1, false);                              // CLFLUSH: only the address check
        }
    }
}
