package io.jkvm.java;

import io.jkvm.api.Errno;
import io.jkvm.api.KvmException;
import io.jkvm.api.uapi.Sregs;
import io.jkvm.x86.Cpu;
import io.jkvm.x86.insn.SystemOps;

/** KVM_SET_SREGS validation, as Linux's kvm_is_valid_sregs: a state the CPU could not be in is EINVAL. */
final class SregsCheck {
    private SregsCheck() {}

    static void validate(Cpu c, Sregs s) {
        boolean lme = (s.efer() & Cpu.EFER_LME) != 0, pg = (s.cr0() & Cpu.CR0_PG) != 0;
        if (lme && pg) {
            if ((s.cr4() & (1L << 5)) == 0 || (s.efer() & Cpu.EFER_LMA) == 0)
                throw invalid("long mode needs CR4.PAE and EFER.LMA");
            if ((s.cr3() >>> io.jkvm.x86.mmu.Paging.MAXPHYADDR) != 0) throw invalid("CR3 beyond the physical address width");
        } else if ((s.efer() & Cpu.EFER_LMA) != 0 || s.cs().l() != 0) {
            throw invalid("EFER.LMA or CS.L outside long mode");
        }
        if ((s.cr0() >>> 32) != 0) throw invalid("CR0 bits 63:32");
        if (pg && (s.cr0() & Cpu.CR0_PE) == 0) throw invalid("CR0.PG without CR0.PE");
        if ((s.cr0() & (1L << 29)) != 0 && (s.cr0() & (1L << 30)) == 0) throw invalid("CR0.NW without CR0.CD");
        if ((s.cr4() & ~SystemOps.cr4Allowed(c)) != 0) throw invalid("CR4 bits " + Long.toHexString(s.cr4() & ~SystemOps.cr4Allowed(c)));
        long efer = Cpu.EFER_SCE | Cpu.EFER_LME | Cpu.EFER_LMA | Cpu.EFER_NXE;
        if ((s.efer() & ~efer) != 0) throw invalid("EFER bits " + Long.toHexString(s.efer() & ~efer));
        int bits = 0;
        for (long w : s.interrupt_bitmap()) bits += Long.bitCount(w);
        if (bits > 1) throw invalid("more than one pending interrupt in interrupt_bitmap");
    }

    private static KvmException invalid(String why) {
        return new KvmException(Errno.EINVAL, "KVM_SET_SREGS: " + why);
    }
}
