package io.jkvm.x86.insn;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.CpuState;
import io.jkvm.x86.exc.Vector;
import io.jkvm.x86.exec.Unimplemented;

/**
 * The TSS: inner-privilege stacks for interrupts and far calls, the 64-bit RSP/IST slots, and the 32-bit
 * hardware task switch (SDM Vol. 3A ch. 7) for JMP/CALL to a TSS or task gate, interrupts through a task
 * gate, and IRET with NT set.
 */
public final class TaskSwitch {
    private TaskSwitch() {}

    public static final int JMP = 0, CALL_OR_INT = 1, IRET = 2;

    private static void checkTr(Cpu c, long off, int len, int ext) {
        if ((c.segAr[CpuState.TR] & CpuState.AR_UNUSABLE) != 0 || off + len - 1 > c.segLimit[CpuState.TR])
            throw c.fault(Vector.TS, (c.segSel[CpuState.TR] & 0xfffc) + ext);
    }

    /** A 64-bit field of the 64-bit TSS (RSPn at 4 + 8n, ISTn at 36 + 8(n-1)). */
    static long tss64(Cpu c, long off, int ext) {
        checkTr(c, off, 8, ext);
        return c.readSys(c.segBase[CpuState.TR] + off, 8);
    }

    /** SS:ESP for privilege level {@code dpl} from the current 32/16-bit TSS, checked: {sel, sp, ssDescriptor}. */
    static long[] innerStack(Cpu c, int dpl, int ext) {
        boolean tss32 = (c.segAr[CpuState.TR] & 0x8) != 0;
        long sp;
        int ss;
        if (tss32) {
            checkTr(c, 4 + 8L * dpl, 6, ext);
            sp = c.readSys(c.segBase[CpuState.TR] + 4 + 8L * dpl, 4);
            ss = (int) c.readSys(c.segBase[CpuState.TR] + 8 + 8L * dpl, 2);
        } else {
            checkTr(c, 2 + 4L * dpl, 4, ext);
            sp = c.readSys(c.segBase[CpuState.TR] + 2 + 4L * dpl, 2);
            ss = (int) c.readSys(c.segBase[CpuState.TR] + 4 + 4L * dpl, 2);
        }
        if ((ss & 0xfffc) == 0) throw c.fault(Vector.TS, ext);
        long d = Segments.fetch(c, ss, Vector.TS);
        int type = Segments.type(d);
        if ((ss & 3) != dpl || Segments.dpl(d) != dpl || Segments.system(d) || (type & 8) != 0 || (type & 2) == 0)
            throw c.fault(Vector.TS, (ss & 0xfffc) + ext);
        if (!Segments.present(d)) throw c.fault(Vector.SS, (ss & 0xfffc) + ext);
        return new long[] {ss, sp, d};
    }

    /** Switches to the task whose TSS selector (or task gate target) is {@code sel}. */
    public static void switchTo(Cpu c, int sel, int reason, long ret) {
        if ((c.efer & Cpu.EFER_LMA) != 0) throw c.fault(Vector.GP, sel & 0xfffc);   // no task switches in IA-32e mode
        if ((sel & 4) != 0) throw c.fault(Vector.TS, sel & 0xfffc);
        long nd = Segments.fetch(c, sel, Vector.GP);
        int type = Segments.type(nd);
        boolean wantBusy = reason == IRET;
        int base = type & ~2;
        if (Segments.system(nd) == false || (base != 0x1 && base != 0x9) || ((type & 2) != 0) != wantBusy)
            throw c.fault(reason == IRET ? Vector.TS : Vector.GP, sel & 0xfffc);
        if (!Segments.present(nd)) throw c.fault(Vector.NP, sel & 0xfffc);
        if (base == 0x1 || (c.segAr[CpuState.TR] & 0x8) == 0) throw new Unimplemented("16-bit TSS task switch");
        long nbase = Segments.base(nd), nlimit = Segments.limit(nd);
        if (nlimit < 0x67) throw c.fault(Vector.TS, sel & 0xfffc);

        // save the outgoing task
        long ob = c.segBase[CpuState.TR];
        long eflags = c.getRflags();
        if (reason == IRET) eflags &= ~Cpu.NT;
        c.writeSys(ob + 0x20, 4, ret);
        c.writeSys(ob + 0x24, 4, eflags);
        for (int k = 0; k < 8; k++) c.writeSys(ob + 0x28 + 4L * k, 4, c.r[k]);
        for (int s = 0; s < 6; s++) c.writeSys(ob + 0x48 + 4L * s, 2, c.segSel[s]);
        int oldTr = c.segSel[CpuState.TR];
        if (reason == JMP || reason == IRET) setBusy(c, oldTr, false);

        // read the incoming task
        long cr3 = c.readSys(nbase + 0x1c, 4);
        long eip = c.readSys(nbase + 0x20, 4);
        long nflags = c.readSys(nbase + 0x24, 4);
        long[] gpr = new long[8];
        for (int k = 0; k < 8; k++) gpr[k] = c.readSys(nbase + 0x28 + 4L * k, 4);
        int[] segs = new int[6];
        for (int s = 0; s < 6; s++) segs[s] = (int) c.readSys(nbase + 0x48 + 4L * s, 2);
        int ldt = (int) c.readSys(nbase + 0x60, 2);
        if (reason == CALL_OR_INT) {
            c.writeSys(nbase, 2, oldTr);
            nflags |= Cpu.NT;
        }
        if (reason != IRET) setBusy(c, sel, true);
        c.setSeg(CpuState.TR, sel, nbase, nlimit, Segments.ar(nd) | 2);
        c.cr0 |= Cpu.CR0_TS;
        if (c.pagingEnabled()) {
            c.cr3 = cr3;
            c.flushTlb();
        }
        c.setRflags(nflags | 2);
        for (int k = 0; k < 8; k++) c.r[k] = gpr[k];
        c.nextRip = eip;
        loadTaskSegments(c, segs, ldt, nflags);
    }

    private static void setBusy(Cpu c, int sel, boolean busy) {
        long a = c.gdtBase + (sel & 0xfff8) + 5;
        int acc = (int) c.readSys(a, 1);
        c.writeSys(a, 1, busy ? acc | 2 : acc & ~2);
    }

    /** Loads LDTR and the segment registers of the new task; faults here happen in the new task's context. */
    private static void loadTaskSegments(Cpu c, int[] segs, int ldt, long nflags) {
        if ((nflags & Cpu.VM) != 0) {
            for (int s = 0; s < 6; s++) {
                c.setSeg(s, segs[s], (long) segs[s] << 4, 0xffff, s == CpuState.CS ? 0xfb : 0xf3);
            }
            c.updateMode();
            return;
        }
        if ((ldt & 0xfffc) == 0) {
            c.setSeg(CpuState.LDTR, ldt, 0, 0, CpuState.AR_UNUSABLE);
        } else {
            long d = Segments.fetch(c, ldt & ~4, Vector.TS);
            if (!Segments.system(d) || Segments.type(d) != 2) throw c.fault(Vector.TS, ldt & 0xfffc);
            if (!Segments.present(d)) throw c.fault(Vector.TS, ldt & 0xfffc);
            c.setSeg(CpuState.LDTR, ldt, Segments.base(d), Segments.limit(d), Segments.ar(d));
        }
        int cs = segs[CpuState.CS];
        long cd = Segments.fetch(c, cs, Vector.TS);
        if (Segments.system(cd) || (Segments.type(cd) & 8) == 0) throw c.fault(Vector.TS, cs & 0xfffc);
        if (!Segments.present(cd)) throw c.fault(Vector.NP, cs & 0xfffc);
        Segments.loadCache(c, CpuState.CS, cs, cd);
        c.updateMode();
        int[] order = {CpuState.SS, CpuState.DS, CpuState.ES, CpuState.FS, CpuState.GS};
        for (int s : order) {
            try {
                Segments.load(c, s, segs[s]);
            } catch (io.jkvm.x86.exc.GuestFault f) {
                throw f.vector == Vector.GP ? c.fault(Vector.TS, f.errorCode) : f;
            }
        }
    }
}
