package io.jkvm.java;

import io.jkvm.api.uapi.Dtable;
import io.jkvm.api.uapi.Regs;
import io.jkvm.api.uapi.Segment;
import io.jkvm.api.uapi.Sregs;
import io.jkvm.x86.Cpu;
import io.jkvm.x86.CpuState;

/** Converts between the CPU core's state and KVM's kvm_regs / kvm_sregs / kvm_segment. */
final class StateMapping {
    private StateMapping() {}

    /** kvm_regs order (rax rbx rcx rdx rsi rdi rsp rbp r8…r15) → the CPU's encoding order (rax rcx rdx rbx rsp rbp rsi rdi r8…). */
    private static final int[] KVM_TO_ENC = {0, 3, 1, 2, 6, 7, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15};

    static Regs regs(Cpu c) {
        long[] r = new long[18];
        for (int k = 0; k < 16; k++) r[k] = c.r[KVM_TO_ENC[k]];
        r[16] = c.rip;
        r[17] = c.getRflags();
        return Regs.fromArray(r);
    }

    static void setRegs(Cpu c, Regs regs) {
        long[] r = regs.toArray();
        for (int k = 0; k < 16; k++) c.r[KVM_TO_ENC[k]] = r[k];
        c.rip = r[16];
        c.nextRip = r[16];
        c.setRflags(r[17]);
    }

    static Segment segment(Cpu c, int s) {
        int ar = c.segAr[s];
        boolean unusable = (ar & CpuState.AR_UNUSABLE) != 0;
        return new Segment(c.segBase[s], (int) c.segLimit[s], c.segSel[s], ar & 0xf, (ar >> 7) & 1, (ar >> 5) & 3,
                (ar >> 14) & 1, (ar >> 4) & 1, (ar >> 13) & 1, (ar >> 15) & 1, (ar >> 12) & 1, unusable ? 1 : 0, 0);
    }

    static void setSegment(Cpu c, int s, Segment g) {
        int ar = (g.type() & 0xf) | (g.s() & 1) << 4 | (g.dpl() & 3) << 5 | (g.present() & 1) << 7 | (g.avl() & 1) << 12
                | (g.l() & 1) << 13 | (g.db() & 1) << 14 | (g.g() & 1) << 15 | (g.unusable() != 0 ? CpuState.AR_UNUSABLE : 0);
        c.segSel[s] = g.selector() & 0xffff;
        c.segBase[s] = g.base();
        c.segLimit[s] = g.limit() & 0xffffffffL;
        c.segAr[s] = ar;
    }

    static Sregs sregs(Cpu c, long apicBase, int pendingIrq) {
        long[] bitmap = new long[4];
        if (pendingIrq >= 0) bitmap[pendingIrq >> 6] |= 1L << (pendingIrq & 63);
        return new Sregs(segment(c, CpuState.CS), segment(c, CpuState.DS), segment(c, CpuState.ES), segment(c, CpuState.FS),
                segment(c, CpuState.GS), segment(c, CpuState.SS), segment(c, CpuState.TR), segment(c, CpuState.LDTR),
                new Dtable(c.gdtBase, c.gdtLimit), new Dtable(c.idtBase, c.idtLimit),
                c.cr0, c.cr2, c.cr3, c.cr4, c.cr8, c.efer, apicBase, bitmap);
    }

    /** Applies KVM_SET_SREGS (already validated); returns the pending interrupt from interrupt_bitmap or -1. */
    static int setSregs(Cpu c, Sregs s) {
        setSegment(c, CpuState.CS, s.cs());
        setSegment(c, CpuState.DS, s.ds());
        setSegment(c, CpuState.ES, s.es());
        setSegment(c, CpuState.FS, s.fs());
        setSegment(c, CpuState.GS, s.gs());
        setSegment(c, CpuState.SS, s.ss());
        setSegment(c, CpuState.TR, s.tr());
        setSegment(c, CpuState.LDTR, s.ldt());
        c.gdtBase = s.gdt().base();
        c.gdtLimit = s.gdt().limit();
        c.idtBase = s.idt().base();
        c.idtLimit = s.idt().limit();
        c.cr0 = s.cr0() | 0x10;
        c.cr2 = s.cr2();
        c.cr3 = s.cr3();
        c.cr4 = s.cr4();
        c.cr8 = s.cr8() & 0xf;
        c.efer = s.efer();
        c.updateMode();
        c.flushTlb();
        long[] bm = s.interrupt_bitmap();
        for (int w = 0; w < 4; w++) if (bm[w] != 0) return w * 64 + Long.numberOfTrailingZeros(bm[w]);
        return -1;
    }
}
