package io.jkvm.x86.insn;

import static io.jkvm.x86.Cpu.mask;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.exc.Vector;

/** Stack instructions: PUSH/POP in all forms, PUSHA/POPA, PUSHF/POPF, ENTER, LEAVE. */
public final class Stack {
    private Stack() {}

    public static void pushR(Cpu c, Insn i) {
        c.push(i.osize, c.reg(i.reg, i.osize));
    }

    public static void popR(Cpu c, Insn i) {
        long v = c.pop(i.osize);
        c.setReg(i.reg, i.osize, v);
    }

    public static void pushI(Cpu c, Insn i) {
        c.push(i.osize, i.imm & mask(i.osize));
    }

    public static void pushE(Cpu c, Insn i) {
        c.push(i.osize, c.readE(i, i.osize));
    }

    /** POP Ev: an rSP-based destination address is computed after rSP is incremented. */
    public static void popE(Cpu c, Insn i) {
        int s = i.osize;
        long oldSp = c.r[Cpu.RSP];
        long v = c.pop(s);
        try {
            c.writeE(i, s, v);
        } catch (RuntimeException e) {
            c.r[Cpu.RSP] = oldSp;
            throw e;
        }
    }

    /** PUSH ES/CS/SS/DS/FS/GS: the selector, zero-extended to the operand size. */
    public static void pushSeg(Cpu c, Insn i) {
        c.push(i.osize, c.segSel[i.sub]);
    }

    /** POP ES/SS/DS/FS/GS: loads with the mode's checks; POP SS blocks interrupts for one instruction. */
    public static void popSeg(Cpu c, Insn i) {
        int s = i.osize;
        long sel = c.peek(s, 0) & 0xffff;
        Segments.load(c, i.sub, (int) sel);
        c.setSp(c.sp() + s);
        if (i.sub == Cpu.SS) c.interruptShadow = 1;   // KVM_X86_SHADOW_INT_MOV_SS
    }

    public static void pusha(Cpu c, Insn i) {
        int s = i.osize;
        long sp = c.reg(Cpu.RSP, s);
        long oldSp = c.r[Cpu.RSP];
        try {
            for (int k = 0; k < 8; k++) c.push(s, k == Cpu.RSP ? sp : c.reg(k, s));
        } catch (RuntimeException e) {
            c.r[Cpu.RSP] = oldSp;
            throw e;
        }
    }

    public static void popa(Cpu c, Insn i) {
        int s = i.osize;
        long[] v = new long[8];
        long oldSp = c.r[Cpu.RSP];
        try {
            for (int k = 7; k >= 0; k--) v[k] = c.pop(s);
        } catch (RuntimeException e) {
            c.r[Cpu.RSP] = oldSp;
            throw e;
        }
        for (int k = 0; k < 8; k++) if (k != Cpu.RSP) c.setReg(k, s, v[k]);
    }

    public static void pushf(Cpu c, Insn i) {
        if (c.vm86() && (c.flags & Cpu.IOPL) != Cpu.IOPL) throw c.fault(Vector.GP, 0);
        long f = c.getRflags() & ~(Cpu.VM | Cpu.RF);
        c.push(i.osize, f & mask(i.osize));
    }

    /** Flags POPF/IRET may change at all (the rest are reserved or read-only). */
    static final long WRITABLE = 0x247fd5L;

    public static void popf(Cpu c, Insn i) {
        if (c.vm86() && (c.flags & Cpu.IOPL) != Cpu.IOPL) throw c.fault(Vector.GP, 0);
        long v = c.pop(i.osize);
        long changeable = WRITABLE;
        if (c.protectedMode && c.cpl > 0) changeable &= ~Cpu.IOPL;
        if (c.protectedMode && c.cpl > ((c.flags >> 12) & 3)) changeable &= ~Cpu.IF;
        if (i.osize == 2) changeable &= 0xffff;
        long old = c.getRflags();
        long nf = (old & ~changeable) | (v & changeable);
        nf &= ~Cpu.RF;
        c.setRflags(nf);
    }

    /** ENTER imm16, imm8: builds a stack frame with {@code level} nested frame pointers. */
    public static void enter(Cpu c, Insn i) {
        int s = i.osize, ss = c.stackSize();
        int size = (int) i.imm & 0xffff, level = (int) i.imm2 & 31;
        long oldSp = c.r[Cpu.RSP], oldBp = c.r[Cpu.RBP];
        try {
            c.push(s, c.reg(Cpu.RBP, s));
            long frame = c.reg(Cpu.RSP, ss);
            long bp = c.reg(Cpu.RBP, ss);
            for (int k = 1; k < level; k++) {
                bp = (bp - s) & mask(ss);
                c.push(s, c.readSeg(Cpu.SS, bp, s));
            }
            if (level > 0) c.push(s, frame & mask(s));
            long newSp = (c.reg(Cpu.RSP, ss) - size) & mask(ss);
            c.lin(Cpu.SS, newSp, 1, true);           // the new stack top must be valid
            c.setReg(Cpu.RBP, s, frame);
            c.setReg(Cpu.RSP, ss, newSp);
        } catch (RuntimeException e) {
            c.r[Cpu.RSP] = oldSp;
            c.r[Cpu.RBP] = oldBp;
            throw e;
        }
    }

    public static void leave(Cpu c, Insn i) {
        int ss = c.stackSize();
        long oldSp = c.r[Cpu.RSP];
        c.setReg(Cpu.RSP, ss, c.reg(Cpu.RBP, ss));
        try {
            c.setReg(Cpu.RBP, i.osize, c.pop(i.osize));
        } catch (RuntimeException e) {
            c.r[Cpu.RSP] = oldSp;
            throw e;
        }
    }
}
