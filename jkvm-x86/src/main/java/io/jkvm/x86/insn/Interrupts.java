package io.jkvm.x86.insn;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.CpuState;
import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.exc.GuestFault;
import io.jkvm.x86.exc.Vector;
import io.jkvm.x86.flags.LazyFlags;

/**
 * Interrupt and exception delivery (SDM Vol. 3A ch. 6): through the real-mode IVT, the protected-mode IDT
 * (interrupt, trap and task gates, inner-privilege stack switch from the TSS, virtual-8086 exits) and the
 * IA-32e IDT (16-byte gates, IST, aligned 64-bit frames). Also INT n, INT3, INTO, INT1 and BOUND.
 */
public final class Interrupts {
    private Interrupts() {}

    /** Event kinds: they decide the DPL check, the EXT bit and which RIP is pushed. */
    public static final int EXCEPTION = 0, SOFTWARE = 1, EXTERNAL = 2, NMI = 3, SOFT_EXCEPTION = 4, ICEBP = 5;

    public static void intN(Cpu c, Insn i) {
        if (c.vm86() && (c.flags & Cpu.IOPL) != Cpu.IOPL) throw c.fault(Vector.GP, 0);
        deliver(c, (int) i.imm & 0xff, SOFTWARE, 0, false, c.nextRip);
    }

    public static void int3(Cpu c, Insn i) {
        deliver(c, Vector.BP, SOFT_EXCEPTION, 0, false, c.nextRip);
    }

    public static void into(Cpu c, Insn i) {
        if (LazyFlags.of(c)) deliver(c, Vector.OF, SOFT_EXCEPTION, 0, false, c.nextRip);
    }

    public static void int1(Cpu c, Insn i) {
        deliver(c, Vector.DB, ICEBP, 0, false, c.nextRip);
    }

    /** BOUND Gv,Ma: #BR unless lower ≤ index ≤ upper (signed). */
    public static void bound(Cpu c, Insn i) {
        int s = i.osize;
        long ea = c.ea(i);
        long idx = LazyFlags.signExtend(c.reg(i.reg, s), s);
        long lo = LazyFlags.signExtend(c.readSeg(i.seg, ea, s), s);
        long hi = LazyFlags.signExtend(c.readSeg(i.seg, (ea + s) & Cpu.mask(i.asize), s), s);
        if (idx < lo || idx > hi) throw c.fault(Vector.BR);
    }

    /**
     * Delivers {@code vector}. {@code ret} is the RIP the handler returns to (the faulting instruction for
     * faults, the next one for traps and software interrupts). Raises a guest fault when delivery itself
     * faults; the caller applies the double-fault rules.
     */
    public static void deliver(Cpu c, int vector, int kind, int err, boolean hasErr, long ret) {
        if (!c.protectedMode) realMode(c, vector, ret);
        else if ((c.efer & Cpu.EFER_LMA) != 0) longMode(c, vector, kind, err, hasErr, ret);
        else protectedMode(c, vector, kind, err, hasErr, ret);
        c.halted = false;
    }

    private static int ext(int kind) {
        return kind == SOFTWARE || kind == SOFT_EXCEPTION ? 0 : 1;
    }

    private static boolean software(int kind) {
        return kind == SOFTWARE || kind == SOFT_EXCEPTION;
    }

    // ------------------------------------------------------------------ real mode

    private static void realMode(Cpu c, int vector, long ret) {
        if (vector * 4L + 3 > c.idtLimit) throw c.fault(Vector.GP, vector * 8 + 2);
        long entry = c.readSys(c.idtBase + vector * 4L, 4);
        long flags = c.getRflags();
        c.push(2, flags);
        c.push(2, c.segSel[CpuState.CS]);
        c.push(2, ret);
        c.flags &= ~(Cpu.IF | Cpu.TF | Cpu.AC | Cpu.RF);
        c.loadSegReal(CpuState.CS, (int) (entry >>> 16));
        c.nextRip = entry & 0xffff;
        c.rip = c.nextRip;
    }

    // ------------------------------------------------------------------ 32-bit protected mode

    private static void protectedMode(Cpu c, int vector, int kind, int err, boolean hasErr, long ret) {
        int ext = ext(kind);
        int idtErr = vector * 8 + 2 + ext;
        if (vector * 8L + 7 > c.idtLimit) throw c.fault(Vector.GP, idtErr);
        long gate = c.readSys(c.idtBase + vector * 8L, 8);
        int type = (int) (gate >>> 40) & 0x1f;
        if (type != 0x05 && type != 0x06 && type != 0x07 && type != 0x0e && type != 0x0f) throw c.fault(Vector.GP, idtErr);
        if (software(kind) && Segments.dpl(gate) < c.cpl) throw c.fault(Vector.GP, vector * 8 + 2);
        if (!Segments.present(gate)) throw c.fault(Vector.NP, idtErr);
        int sel = (int) (gate >>> 16) & 0xffff;
        if (type == 0x05) {
            TaskSwitch.switchTo(c, sel, TaskSwitch.CALL_OR_INT, ret);
            if (hasErr) c.push(c.segAr[CpuState.CS] != 0 && (c.segAr[CpuState.TR] & 0x8) != 0 ? 4 : 2, err);
            return;
        }
        boolean gate32 = (type & 8) != 0;
        boolean trap = (type & 1) != 0;
        long offset = (gate & 0xffff) | ((gate >>> 32) & 0xffff0000L);
        if (!gate32) offset &= 0xffff;
        if ((sel & 0xfffc) == 0) throw c.fault(Vector.GP, ext);
        long cd = Segments.fetch(c, sel, Vector.GP);
        int dpl = Segments.dpl(cd), ctype = Segments.type(cd);
        if (Segments.system(cd) || (ctype & 8) == 0 || dpl > c.cpl) throw c.fault(Vector.GP, (sel & 0xfffc) + ext);
        if (!Segments.present(cd)) throw c.fault(Vector.NP, (sel & 0xfffc) + ext);
        if (offset > Segments.limit(cd)) throw c.fault(Vector.GP, ext);
        boolean conforming = (ctype & 4) != 0;
        int size = gate32 ? 4 : 2;
        long flags = c.getRflags();
        if (!conforming && dpl < c.cpl) {
            if (c.vm86() && dpl != 0) throw c.fault(Vector.GP, sel & 0xfffc);
            long[] stack = TaskSwitch.innerStack(c, dpl, ext);
            int ssSel = (int) stack[0];
            long sp = stack[1];
            long ssDesc = stack[2];
            long ssBase = Segments.base(ssDesc);
            long spMask = (Segments.ar(ssDesc) & CpuState.AR_DB) != 0 ? 0xffffffffL : 0xffff;
            boolean v86 = c.vm86();
            long[] words = v86
                    ? new long[] {c.segSel[CpuState.GS], c.segSel[CpuState.FS], c.segSel[CpuState.DS], c.segSel[CpuState.ES],
                        c.segSel[CpuState.SS], c.r[Cpu.RSP] & 0xffffffffL, flags, c.segSel[CpuState.CS], ret}
                    : new long[] {c.segSel[CpuState.SS], c.reg(Cpu.RSP, c.stackSize()), flags, c.segSel[CpuState.CS], ret};
            int n = words.length + (hasErr ? 1 : 0);
            long newSp = (sp - (long) n * size) & spMask;
            for (int k = 0; k < words.length; k++) {
                c.writeSys((ssBase + ((sp - (long) (k + 1) * size) & spMask)) & 0xffffffffL, size, words[k]);
            }
            if (hasErr) c.writeSys((ssBase + newSp) & 0xffffffffL, size, err);
            Segments.setAccessed(c, ssSel, ssDesc);
            Segments.loadCache(c, CpuState.SS, ssSel, ssDesc);
            c.setReg(Cpu.RSP, spMask == 0xffff ? 2 : 4, newSp);
            if (v86) {
                c.flags &= ~Cpu.VM;
                for (int s : new int[] {CpuState.ES, CpuState.DS, CpuState.FS, CpuState.GS}) Segments.loadNull(c, s, 0);
            }
        } else if (conforming || dpl == c.cpl) {
            if (c.vm86()) throw c.fault(Vector.GP, sel & 0xfffc);
            long sp = c.reg(Cpu.RSP, c.stackSize());
            long spMask = Cpu.mask(c.stackSize());
            long[] words = {flags, c.segSel[CpuState.CS], ret};
            for (int k = 0; k < words.length; k++) c.write(c.lin(CpuState.SS, (sp - (long) (k + 1) * size) & spMask, size, true), size, words[k]);
            long newSp = (sp - (long) (words.length + (hasErr ? 1 : 0)) * size) & spMask;
            if (hasErr) c.write(c.lin(CpuState.SS, newSp, size, true), size, err);
            c.setReg(Cpu.RSP, c.stackSize(), newSp);
            dpl = c.cpl;
        } else {
            throw c.fault(Vector.GP, (sel & 0xfffc) + ext);
        }
        Segments.setAccessed(c, sel, cd);
        c.setSeg(CpuState.CS, (sel & 0xfffc) | dpl, Segments.base(cd), Segments.limit(cd), Segments.ar(cd) | 1);
        c.segAr[CpuState.CS] = (c.segAr[CpuState.CS] & ~0x60) | (dpl << 5);
        c.flags &= ~(Cpu.TF | Cpu.NT | Cpu.RF | Cpu.VM);
        if (!trap) c.flags &= ~Cpu.IF;
        c.updateMode();
        c.nextRip = offset;
        c.rip = offset;
    }

    // ------------------------------------------------------------------ IA-32e mode

    private static void longMode(Cpu c, int vector, int kind, int err, boolean hasErr, long ret) {
        int ext = ext(kind);
        int idtErr = vector * 16 + 2 + ext;
        if (vector * 16L + 15 > c.idtLimit) throw c.fault(Vector.GP, idtErr);
        long lo = c.readSys(c.idtBase + vector * 16L, 8), hi = c.readSys(c.idtBase + vector * 16L + 8, 8);
        int type = (int) (lo >>> 40) & 0x1f;
        if (type != 0x0e && type != 0x0f) throw c.fault(Vector.GP, idtErr);
        if (software(kind) && Segments.dpl(lo) < c.cpl) throw c.fault(Vector.GP, vector * 16 + 2);
        if (!Segments.present(lo)) throw c.fault(Vector.NP, idtErr);
        int sel = (int) (lo >>> 16) & 0xffff;
        long offset = (lo & 0xffff) | ((lo >>> 32) & 0xffff0000L) | (hi << 32);
        int ist = (int) (lo >>> 32) & 7;
        if ((sel & 0xfffc) == 0) throw c.fault(Vector.GP, ext);
        long cd = Segments.fetch(c, sel, Vector.GP);
        int dpl = Segments.dpl(cd), ctype = Segments.type(cd);
        if (Segments.system(cd) || (ctype & 8) == 0 || dpl > c.cpl) throw c.fault(Vector.GP, (sel & 0xfffc) + ext);
        if ((cd & (1L << 53)) == 0 || (cd & (1L << 54)) != 0) throw c.fault(Vector.GP, (sel & 0xfffc) + ext);  // L=1, D=0
        if (!Segments.present(cd)) throw c.fault(Vector.NP, (sel & 0xfffc) + ext);
        boolean conforming = (ctype & 4) != 0;
        int newCpl = conforming ? c.cpl : dpl;
        long rsp;
        if (ist != 0) rsp = TaskSwitch.tss64(c, 36 + 8L * (ist - 1), ext);
        else if (newCpl < c.cpl) rsp = TaskSwitch.tss64(c, 4 + 8L * newCpl, ext);
        else rsp = c.r[Cpu.RSP];
        if (!Cpu.canonical(rsp)) throw c.fault(Vector.SS, ext);
        rsp &= ~15L;
        if (!Cpu.canonical(offset)) throw c.fault(Vector.GP, ext);
        boolean sup = newCpl < 3;
        push64(c, sup, rsp - 8, c.segSel[CpuState.SS]);       // the frame, top down; written in place (no
        push64(c, sup, rsp - 16, c.r[Cpu.RSP]);                // array: interrupt delivery is a hot path)
        push64(c, sup, rsp - 24, c.getRflags());
        push64(c, sup, rsp - 32, c.segSel[CpuState.CS]);
        push64(c, sup, rsp - 40, ret);
        long newRsp = rsp - (hasErr ? 48 : 40);
        if (hasErr) push64(c, sup, newRsp, err & 0xffffffffL);
        if (newCpl < c.cpl) c.setSeg(CpuState.SS, newCpl, 0, 0, CpuState.AR_UNUSABLE | (newCpl << 5));
        Segments.setAccessed(c, sel, cd);
        c.setSeg(CpuState.CS, (sel & 0xfffc) | newCpl, Segments.base(cd), Segments.limit(cd), (Segments.ar(cd) | 1) & ~0x60 | (newCpl << 5));
        c.r[Cpu.RSP] = newRsp;
        c.flags &= ~(Cpu.TF | Cpu.NT | Cpu.RF | Cpu.VM);
        if (type == 0x0e) c.flags &= ~Cpu.IF;
        c.updateMode();
        c.nextRip = offset;
        c.rip = offset;
    }

    /**
     * What KVM does with an exception payload as the exception is delivered (KVM_CAP_EXCEPTION_PAYLOAD):
     * a #PF's payload becomes CR2; a #DB's payload sets DR6's trap bits, in DR6's polarity (bits that are
     * active-low in DR6 are stored inverted in the payload), and clears DR6.BD.
     */
    public static void deliverPayload(Cpu c, int vector, long payload) {
        if (vector == Vector.PF) {
            c.cr2 = payload;
        } else if (vector == Vector.DB) {
            final long activeLow = 0xffff0ff0L;
            long dr6 = (c.dr[6] & ~0xfL) | activeLow;
            dr6 |= payload;
            dr6 ^= payload & activeLow;
            c.dr[6] = dr6 & ~(1L << 12);
        }
    }

    /** One quadword of a 64-bit interrupt frame: supervisor-mode write for a CPL0-2 handler's stack. */
    private static void push64(Cpu c, boolean sup, long la, long v) {
        if (sup) c.writeSys(la, 8, v);
        else c.write(la, 8, v);
    }

    // ------------------------------------------------------------------ double fault rules

    /**
     * Delivers exception {@code f} raised by the instruction at {@code c.rip}, applying the SDM Table 6-5
     * rules when delivery itself faults. Returns false when the processor reaches the shutdown state
     * (triple fault).
     */
    public static boolean deliverException(Cpu c, GuestFault f, long ret) {
        int first = f.vector, err = f.errorCode;
        boolean hasErr = f.hasErrorCode;
        int kind = EXCEPTION;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                deliver(c, first, kind, err, hasErr, ret);
                return true;
            } catch (GuestFault second) {
                if (first == Vector.DF) return false;                       // triple fault
                boolean df = (Vector.contributory(first) && Vector.contributory(second.vector))
                        || (first == Vector.PF && (second.vector == Vector.PF || Vector.contributory(second.vector)));
                if (df) {
                    first = Vector.DF;
                    err = 0;
                    hasErr = true;
                } else {
                    first = second.vector;
                    err = second.errorCode;
                    hasErr = second.hasErrorCode;
                }
            }
        }
        return false;
    }
}
