package io.jkvm.x86;

import io.jkvm.x86.exc.Vector;
import io.jkvm.x86.flags.Cc;
import io.jkvm.x86.flags.LazyFlags;

/**
 * One x86-64 logical processor: state ({@link CpuState}), memory ({@link Memory}) and the helpers every
 * instruction family shares — register access by size, RFLAGS, segment-checked linear addresses, the
 * stack. Instructions live in {@code io.jkvm.x86.insn}; the run loop in {@code exec.Interpreter}.
 */
public class Cpu extends Memory {
    public static final long CR0_PE = 1, CR0_TS = 1 << 3, CR0_EM = 1 << 2, CR0_WP = 1 << 16, CR0_PG = 1L << 31;
    public static final long EFER_LMA = 1 << 10, EFER_LME = 1 << 8, EFER_SCE = 1, EFER_NXE = 1 << 11;
    public static final long IF = 1 << 9, TF = 1 << 8, DF = 1 << 10, IOPL = 3 << 12, NT = 1 << 14, RF = 1 << 16,
            VM = 1 << 17, AC = 1 << 18, VIF = 1 << 19, VIP = 1 << 20, ID = 1 << 21;

    /** Which vCPU this is (its APIC id). */
    public final int id;

    public Cpu(int id, Platform platform) {
        super(platform);
        this.id = id;
        reset();
    }

    /** INIT / power-on state (SDM Vol. 3A Table 9-1): real mode at F000:FFF0. */
    public final void reset() {
        java.util.Arrays.fill(r, 0);
        r[RDX] = 0x600;  // family/model/stepping signature
        rip = 0xfff0;
        setRflags(2);
        for (int s = 0; s < 6; s++) setSeg(s, 0, 0, 0xffff, 0x93);
        setSeg(CS, 0xf000, 0xffff0000L, 0xffff, 0x9b);
        setSeg(LDTR, 0, 0, 0xffff, 0x82);
        setSeg(TR, 0, 0, 0xffff, 0x8b);
        gdtBase = idtBase = 0;
        gdtLimit = idtLimit = 0xffff;
        cr0 = 0x60000010L;
        cr2 = cr3 = cr4 = cr8 = 0;
        efer = 0;
        xcr0 = 1;
        halted = false;
        interruptShadow = 0;
        pendingIrq = -1;
        pendingException = -1;
        pendingNotInjected = pendingHasPayload = false;
        pendingPayload = 0;
        updateMode();
        flushTlb();
    }

    // ================================================================ mode

    /** Recomputes the derived mode fields; call after any change to CR0, CR4, EFER, CS or RFLAGS.VM. */
    public final void updateMode() {
        protectedMode = (cr0 & CR0_PE) != 0;
        boolean lma = (efer & EFER_LMA) != 0;
        mode64 = lma && (segAr[CS] & AR_L) != 0;
        defaultSize = mode64 || (protectedMode && (flags & VM) == 0 && (segAr[CS] & AR_DB) != 0) ? 4 : 2;
        if (!protectedMode) cpl = 0;
        else if ((flags & VM) != 0) cpl = 3;
        else cpl = (segAr[CS] >> 5) & 3;
        tlbUser = cpl == 3 ? 1 : 0;
    }

    public final boolean realMode() {
        return !protectedMode;
    }

    public final boolean vm86() {
        return (flags & VM) != 0;
    }

    // ================================================================ RFLAGS

    public final long getRflags() {
        return flags | LazyFlags.arith(this);
    }

    /** Sets all of RFLAGS (no privilege filtering: callers such as POPF/IRET filter first). */
    public final void setRflags(long v) {
        ccOp = Cc.EFLAGS;
        ccFlags = (int) (v & Cc.ARITH);
        long old = flags;
        flags = (v & ~(long) Cc.ARITH & 0x3f7fd7L) | 2;
        if (((old ^ flags) & VM) != 0) updateMode();
    }

    /** Sets the materialized arithmetic flags (after an instruction that computes them eagerly). */
    public final void setArith(int f) {
        ccOp = Cc.EFLAGS;
        ccFlags = f & Cc.ARITH;
    }

    public final boolean cf() {
        return LazyFlags.cf(this);
    }

    /** Records a lazy-flags result. */
    public final void cc(int op, int size, long dst, long src, long res) {
        ccOp = op;
        ccSize = size;
        ccDst = dst;
        ccSrc = src;
        ccRes = res;
    }

    // ================================================================ registers

    public static long mask(int size) {
        return size == 8 ? -1L : (1L << (size * 8)) - 1;
    }

    /**
     * Register {@code n} of {@code size} bytes, zero-extended. For size 1, n 16..19 name AH CH DH BH (the
     * decoder maps them so only when no REX prefix is present).
     */
    public final long reg(int n, int size) {
        return switch (size) {
            case 1 -> n < 16 ? r[n] & 0xff : (r[n - 16] >>> 8) & 0xff;
            case 2 -> r[n] & 0xffff;
            case 4 -> r[n] & 0xffffffffL;
            default -> r[n];
        };
    }

    /** Writes register {@code n}: 32-bit writes zero-extend to 64 bits, 8/16-bit writes merge. */
    public final void setReg(int n, int size, long v) {
        switch (size) {
            case 1 -> {
                if (n < 16) r[n] = (r[n] & ~0xffL) | (v & 0xff);
                else r[n - 16] = (r[n - 16] & ~0xff00L) | ((v & 0xff) << 8);
            }
            case 2 -> r[n] = (r[n] & ~0xffffL) | (v & 0xffff);
            case 4 -> r[n] = v & 0xffffffffL;
            default -> r[n] = v;
        }
    }

    // ================================================================ segments

    /** Loads a segment register's selector and hidden cache directly (KVM_SET_SREGS, real mode, SYSCALL). */
    public final void setSeg(int s, int sel, long base, long limit, int ar) {
        segSel[s] = sel & 0xffff;
        segBase[s] = base;
        segLimit[s] = limit & 0xffffffffL;
        segAr[s] = ar;
        if (s == CS) updateMode();
    }

    /** Real-mode / virtual-8086 load: base = selector × 16, attributes kept (limit too, "unreal mode"). */
    public final void loadSegReal(int s, int sel) {
        segSel[s] = sel & 0xffff;
        segBase[s] = (long) (sel & 0xffff) << 4;
        if (vm86()) {
            segLimit[s] = 0xffff;
            segAr[s] = (s == CS ? 0xfb : 0xf3);
        }
        if (s == CS) updateMode();
    }

    /** Canonical: bits 63:47 all equal (48-bit linear addresses). */
    public static boolean canonical(long la) {
        return (la << 16 >> 16) == la;
    }

    /**
     * Segment-checked linear address of {@code [off, off+size)} in segment {@code s}: limit and type checks
     * outside 64-bit mode, the canonical check in it. Faults are #GP(0), or #SS(0) for the stack segment.
     */
    public final long lin(int s, long off, int size, boolean write) {
        if (mode64) {
            long la = s >= FS ? segBase[s] + off : off;
            if (!canonical(la) || !canonical(la + size - 1)) throw fault(s == SS ? Vector.SS : Vector.GP, 0);
            return la;
        }
        if (protectedMode && !vm86()) checkSeg(s, off, size, write);
        else if (off + size - 1 > segLimit[s]) throw fault(s == SS ? Vector.SS : Vector.GP, 0);
        return (segBase[s] + off) & 0xffffffffL;
    }

    private void checkSeg(int s, long off, int size, boolean write) {
        int ar = segAr[s];
        int vec = s == SS ? Vector.SS : Vector.GP;
        if ((ar & AR_UNUSABLE) != 0 || (ar & AR_P) == 0) throw fault(vec, 0);
        int type = ar & 0xf;
        if (write ? (type & 0xa) != 2 : (type & 0xa) == 8) throw fault(vec, 0);  // write: writable data; read: not exec-only
        long end = off + size - 1;
        if ((type & 0xc) == 4) {                      // expand-down data segment
            long max = (ar & AR_DB) != 0 ? 0xffffffffL : 0xffff;
            if (off <= segLimit[s] || end > max) throw fault(vec, 0);
        } else if (end > segLimit[s]) {
            throw fault(vec, 0);
        }
    }

    // ================================================================ memory by segment:offset

    public final long readSeg(int s, long off, int size) {
        return read(lin(s, off, size, false), size);
    }

    public final void writeSeg(int s, long off, int size, long v) {
        write(lin(s, off, size, true), size, v);
    }

    // ================================================================ ModRM operands

    /** Effective address (offset in the segment) of the instruction's memory operand. */
    public final long ea(io.jkvm.x86.decode.Insn i) {
        long a = i.disp;
        if (i.base >= 0) a += r[i.base];
        if (i.index >= 0) a += r[i.index] << i.scale;
        if (i.ripRel) a += nextRip;
        return a & i.eaMask;
    }

    /** Linear address of the memory operand, segment-checked for an access of {@code size} bytes. */
    public final long linE(io.jkvm.x86.decode.Insn i, int size, boolean write) {
        return lin(i.seg, ea(i), size, write);
    }

    /** The r/m operand (register or memory) of {@code size} bytes, zero-extended. */
    public final long readE(io.jkvm.x86.decode.Insn i, int size) {
        return i.rm >= 0 ? reg(i.rm, size) : read(linE(i, size, false), size);
    }

    public final void writeE(io.jkvm.x86.decode.Insn i, int size, long v) {
        if (i.rm >= 0) setReg(i.rm, size, v);
        else write(linE(i, size, true), size, v);
    }

    // ================================================================ stack

    /** Stack address size in bytes: 8 in 64-bit mode, else SS.B ? 4 : 2. */
    public final int stackSize() {
        return mode64 ? 8 : (segAr[SS] & AR_DB) != 0 ? 4 : 2;
    }

    public final long sp() {
        return reg(RSP, stackSize());
    }

    public final void setSp(long v) {
        setReg(RSP, stackSize(), v);
    }

    public final void push(int size, long v) {
        int ss = stackSize();
        long nsp = (reg(RSP, ss) - size) & mask(ss);
        write(lin(SS, nsp, size, true), size, v);
        setReg(RSP, ss, nsp);
    }

    public final long pop(int size) {
        int ss = stackSize();
        long sp = reg(RSP, ss);
        long v = read(lin(SS, sp, size, false), size);
        setReg(RSP, ss, sp + size);
        return v;
    }

    /** Reads the stack at SP + {@code delta} without popping. */
    public final long peek(int size, long delta) {
        int ss = stackSize();
        return read(lin(SS, (reg(RSP, ss) + delta) & mask(ss), size, false), size);
    }

    // ================================================================ control registers

    /** Effective CR8/TPR view: the platform's LAPIC owns it when there is one. */
    public final boolean pagingEnabled() {
        return (cr0 & CR0_PG) != 0;
    }
}
