package io.jkvm.x86.insn;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.CpuState;
import io.jkvm.x86.exc.Vector;

/**
 * The model-specific registers the core implements itself (Linux msr-index.h names). RDMSR/WRMSR and
 * KVM_GET/SET_MSRS both come here; MSRs the core does not know go to the platform (APIC, kvmclock), and
 * then to #GP — as KVM does with ignore_msrs off.
 */
public final class Msrs {
    private Msrs() {}

    public static final int MSR_IA32_TSC = 0x10, MSR_IA32_APICBASE = 0x1b, MSR_IA32_TSC_ADJUST = 0x3b,
            MSR_IA32_SYSENTER_CS = 0x174, MSR_IA32_SYSENTER_ESP = 0x175, MSR_IA32_SYSENTER_EIP = 0x176,
            MSR_IA32_MCG_CAP = 0x179, MSR_IA32_MCG_STATUS = 0x17a, MSR_IA32_MCG_CTL = 0x17b,
            MSR_IA32_MISC_ENABLE = 0x1a0, MSR_MTRRcap = 0xfe, MSR_MTRRdefType = 0x2ff, MSR_IA32_CR_PAT = 0x277,
            MSR_EFER = 0xc0000080, MSR_STAR = 0xc0000081, MSR_LSTAR = 0xc0000082, MSR_CSTAR = 0xc0000083,
            MSR_SYSCALL_MASK = 0xc0000084, MSR_FS_BASE = 0xc0000100, MSR_GS_BASE = 0xc0000101,
            MSR_KERNEL_GS_BASE = 0xc0000102, MSR_TSC_AUX = 0xc0000103, MSR_IA32_BIOS_SIGN_ID = 0x8b,
            MSR_IA32_PLATFORM_ID = 0x17, MSR_IA32_UCODE_WRITE = 0x79;
    private static final int[] MTRR_FIXED = {0x250, 0x258, 0x259, 0x268, 0x269, 0x26a, 0x26b, 0x26c, 0x26d, 0x26e, 0x26f};

    /** The MSRs KVM_GET_MSR_INDEX_LIST reports for the core. */
    public static int[] indexList() {
        int[] base = {MSR_IA32_TSC, MSR_IA32_APICBASE, MSR_IA32_TSC_ADJUST, MSR_IA32_SYSENTER_CS,
            MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP, MSR_IA32_MCG_CAP, MSR_IA32_MCG_STATUS, MSR_IA32_MISC_ENABLE,
            MSR_MTRRcap, MSR_MTRRdefType, MSR_IA32_CR_PAT, MSR_EFER, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
            MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_TSC_AUX, MSR_IA32_BIOS_SIGN_ID};
        int[] all = new int[base.length + MTRR_FIXED.length + 16];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(MTRR_FIXED, 0, all, base.length, MTRR_FIXED.length);
        for (int k = 0; k < 16; k++) all[base.length + MTRR_FIXED.length + k] = 0x200 + k;
        return all;
    }

    private static int fixedIndex(int msr) {
        for (int k = 0; k < MTRR_FIXED.length; k++) if (MTRR_FIXED[k] == msr) return k;
        return -1;
    }

    /** Reads MSR {@code msr} into {@code c.msrValue}; false when it does not exist (→ #GP). */
    public static boolean read(Cpu c, int msr) {
        long v;
        switch (msr) {
            case MSR_IA32_TSC -> v = c.platform.rdtsc(c) + c.tscOffset;
            case MSR_IA32_APICBASE -> {
                if (c.platform.rdmsr(c, msr)) return true;
                v = c.apicBase;
            }
            case MSR_IA32_TSC_ADJUST -> v = c.tscAdjust;
            case MSR_IA32_SYSENTER_CS -> v = c.sysenterCs;
            case MSR_IA32_SYSENTER_ESP -> v = c.sysenterEsp;
            case MSR_IA32_SYSENTER_EIP -> v = c.sysenterEip;
            case MSR_IA32_MCG_CAP, MSR_IA32_MCG_STATUS -> v = 0;
            case MSR_IA32_MISC_ENABLE -> v = c.miscEnable;
            case MSR_MTRRcap -> v = 0x508;            // 8 variable ranges, fixed ranges, write-combining
            case MSR_MTRRdefType -> v = c.mtrrDefType;
            case MSR_IA32_CR_PAT -> v = c.pat;
            case MSR_EFER -> v = c.efer;
            case MSR_STAR -> v = c.star;
            case MSR_LSTAR -> v = c.lstar;
            case MSR_CSTAR -> v = c.cstar;
            case MSR_SYSCALL_MASK -> v = c.sfmask;
            case MSR_FS_BASE -> v = c.segBase[CpuState.FS];
            case MSR_GS_BASE -> v = c.segBase[CpuState.GS];
            case MSR_KERNEL_GS_BASE -> v = c.kernelGsBase;
            case MSR_TSC_AUX -> v = c.tscAux;
            case MSR_IA32_BIOS_SIGN_ID, MSR_IA32_PLATFORM_ID -> v = 0;
            default -> {
                int f = fixedIndex(msr);
                if (f >= 0) v = c.mtrrFixed[f];
                else if (msr >= 0x200 && msr < 0x210) v = c.mtrrVar[msr - 0x200];
                else return c.platform.rdmsr(c, msr);
            }
        }
        c.msrValue = v;
        return true;
    }

    /**
     * Writes MSR {@code msr}; false when it does not exist or the value is invalid (→ #GP). {@code host}
     * marks KVM_SET_MSRS (state restore), which may set what the guest may not (EFER.LMA, TSC exactly).
     */
    public static boolean write(Cpu c, int msr, long v, boolean host) {
        switch (msr) {
            case MSR_IA32_TSC -> {
                long delta = v - (c.platform.rdtsc(c) + c.tscOffset);
                c.tscOffset += delta;
                if (!host) c.tscAdjust += delta;   // a guest write also moves IA32_TSC_ADJUST (SDM 17.17.3)
            }
            case MSR_IA32_APICBASE -> {
                if (c.platform.wrmsr(c, msr, v)) return true;
                if ((v & ~0xffffff000L & ~0xd00L) != 0) return false;
                c.apicBase = v;
            }
            case MSR_IA32_TSC_ADJUST -> {
                // A guest write moves the TSC by the same amount (SDM 17.17.3); the VMM's (restoring state)
                // only sets the register, as in KVM — the TSC it restores separately already includes it.
                if (!host) c.tscOffset += v - c.tscAdjust;
                c.tscAdjust = v;
            }
            case MSR_IA32_SYSENTER_CS -> c.sysenterCs = v & 0xffffffffL;
            case MSR_IA32_SYSENTER_ESP -> c.sysenterEsp = v;
            case MSR_IA32_SYSENTER_EIP -> c.sysenterEip = v;
            case MSR_IA32_MCG_STATUS -> { if (v != 0 && !host) return false; }
            case MSR_IA32_MCG_CAP -> { if (!host) return false; }
            case MSR_IA32_MISC_ENABLE -> c.miscEnable = v;
            case MSR_MTRRcap -> { if (!host) return false; }
            case MSR_MTRRdefType -> {
                if ((v & ~0xcffL) != 0) return false;
                c.mtrrDefType = v;
            }
            case MSR_IA32_CR_PAT -> {
                for (int k = 0; k < 8; k++) {
                    int t = (int) (v >>> (8 * k)) & 0xff;
                    if (t == 2 || t == 3 || t > 7) return false;
                }
                c.pat = v;
            }
            case MSR_EFER -> { return writeEfer(c, v, host); }
            case MSR_STAR -> c.star = v;
            case MSR_LSTAR, MSR_CSTAR, MSR_KERNEL_GS_BASE, MSR_FS_BASE, MSR_GS_BASE -> {
                if (!Cpu.canonical(v)) return false;
                switch (msr) {
                    case MSR_LSTAR -> c.lstar = v;
                    case MSR_CSTAR -> c.cstar = v;
                    case MSR_KERNEL_GS_BASE -> c.kernelGsBase = v;
                    case MSR_FS_BASE -> c.segBase[CpuState.FS] = v;
                    default -> c.segBase[CpuState.GS] = v;
                }
            }
            case MSR_SYSCALL_MASK -> c.sfmask = v & 0xffffffffL;
            case MSR_TSC_AUX -> {
                if ((v >>> 32) != 0) return false;
                c.tscAux = v;
            }
            case MSR_IA32_BIOS_SIGN_ID, MSR_IA32_UCODE_WRITE -> { }
            default -> {
                int f = fixedIndex(msr);
                if (f >= 0) c.mtrrFixed[f] = v;
                else if (msr >= 0x200 && msr < 0x210) c.mtrrVar[msr - 0x200] = v;
                else return c.platform.wrmsr(c, msr, v);
            }
        }
        return true;
    }

    /** EFER: SCE, LME, LMA (read-only to the guest), NXE; LME may not change while paging is on. */
    private static boolean writeEfer(Cpu c, long v, boolean host) {
        long allowed = Cpu.EFER_SCE | Cpu.EFER_LME | Cpu.EFER_NXE | (host ? Cpu.EFER_LMA : 0);
        if ((v & ~allowed) != 0 && !(host || ((v & ~allowed) == Cpu.EFER_LMA))) return false;
        if (!host) {
            if (c.pagingEnabled() && ((v ^ c.efer) & Cpu.EFER_LME) != 0) return false;
            v = (v & ~Cpu.EFER_LMA) | (c.efer & Cpu.EFER_LMA);
        }
        if (((c.efer ^ v) & Cpu.EFER_NXE) != 0) c.flushTlb();
        c.efer = v;
        c.updateMode();
        return true;
    }

    public static void rdmsr(Cpu c) {
        if (c.protectedMode && c.cpl != 0) throw c.fault(Vector.GP, 0);
        if (!read(c, (int) c.r[Cpu.RCX])) throw c.fault(Vector.GP, 0);
        c.setReg(Cpu.RAX, 4, c.msrValue);
        c.setReg(Cpu.RDX, 4, c.msrValue >>> 32);
    }

    public static void wrmsr(Cpu c) {
        if (c.protectedMode && c.cpl != 0) throw c.fault(Vector.GP, 0);
        int msr = (int) c.r[Cpu.RCX];
        // serializing, except for the x2APIC registers and IA32_TSC_DEADLINE (SDM, WRMSR), which Linux
        // writes at every interrupt (EOI) and timer tick
        if ((msr & ~0xff) != 0x800 && msr != 0x6e0) c.serialize();
        long v = (c.r[Cpu.RDX] & 0xffffffffL) << 32 | (c.r[Cpu.RAX] & 0xffffffffL);
        if (!write(c, msr, v, false)) throw c.fault(Vector.GP, 0);
    }
}
