package io.jkvm.x86.jit;

import static io.jkvm.x86.jit.Emit.FA;
import static io.jkvm.x86.jit.Emit.FD;
import static io.jkvm.x86.jit.Emit.FR;
import static io.jkvm.x86.jit.Emit.FS;
import static io.jkvm.x86.jit.Emit.LA;
import static io.jkvm.x86.jit.Emit.T0;
import static io.jkvm.x86.jit.Emit.T1;
import static io.jkvm.x86.jit.Emit.T2;
import static io.jkvm.x86.jit.Emit.T3;

import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.decode.Op;
import io.jkvm.x86.flags.Cc;
import io.jkvm.x86.insn.Alu;
import io.jkvm.x86.insn.ShiftRotate;
import java.lang.classfile.CodeBuilder;

/**
 * Inline forms of {@link Alu} (ADD OR ADC SBB AND SUB XOR CMP in the four operand forms, TEST, INC/DEC) and
 * of {@link ShiftRotate}'s SHL/SHR/SAR by an immediate on a register. Each mirrors its handler step by
 * step — operand order, when the address is checked, destination written before the flags — and leaves
 * the flag record in the locals instead of the CPU. LOCK-prefixed forms stay with the handlers.
 */
final class AluGen {
    private AluGen() {}

    /** Emits {@code i} if it has an inline form; returns its {@link Inline} kind or {@link Inline#NO}. */
    static int emit(Emit e, Insn i) {
        return switch (i.op) {
            case Op.ALU_EG, Op.ALU_EI -> i.lock ? Inline.NO : aluE(e, i);
            case Op.ALU_GE -> aluGE(e, i);
            case Op.ALU_AI -> aluAI(e, i);
            case Op.TEST_EG, Op.TEST_EI -> test(e, i);
            case Op.INCDEC_R -> incDecReg(e, i.sub, i.osize, i.reg);
            case Op.INCDEC_E -> i.lock ? Inline.NO : i.rm >= 0 ? incDecReg(e, i.sub, i.osize, i.rm) : incDecMem(e, i);
            case Op.SHIFT_E -> shift(e, i);
            default -> Inline.NO;
        };
    }

    /** ALU Eb,Gb / Ev,Gv / Eb,Ib / Ev,Iz (Alu.aluE). */
    private static int aluE(Emit e, Insn i) {
        CodeBuilder cb = e.cb;
        int op = i.sub, s = i.osize;
        if (i.op == Op.ALU_EG) e.loadReg(i.reg, s);
        else e.lconst(i.imm & Emit.mask(s));
        cb.lstore(T1);
        if (i.rm >= 0) {
            e.loadReg(i.rm, s);
            cb.lstore(T0);
            carry(e, op);
            result(e, op, s);
            if (op != Alu.CMP) {
                cb.lload(T3);
                e.storeReg(i.rm, s);
            }
            setFlags(e, op, s);
            return Inline.PLAIN;
        }
        e.lin(i, s, op != Alu.CMP);
        cb.lstore(LA);
        carry(e, op);
        if (op == Alu.CMP) {
            cb.aload(Emit.C).lload(LA);
            e.readAt(s);
        } else {
            e.readRmwLa(s);
        }
        cb.lstore(T0);
        result(e, op, s);
        if (op != Alu.CMP) e.writeLa(s, T3);
        setFlags(e, op, s);
        return op == Alu.CMP ? Inline.READS : Inline.MEMORY;
    }

    /** ALU Gb,Eb / Gv,Ev. */
    private static int aluGE(Emit e, Insn i) {
        int op = i.sub, s = i.osize;
        e.loadReg(i.reg, s);
        e.cb.lstore(T0);
        e.readE(i, s);
        e.cb.lstore(T1);
        carry(e, op);
        result(e, op, s);
        if (op != Alu.CMP) {
            e.cb.lload(T3);
            e.storeReg(i.reg, s);
        }
        setFlags(e, op, s);
        return Inline.reads(i);
    }

    /** ALU AL,Ib / rAX,Iz. */
    private static int aluAI(Emit e, Insn i) {
        int op = i.sub, s = i.osize;
        e.loadReg(0, s);
        e.cb.lstore(T0);
        e.lconst(i.imm & Emit.mask(s));
        e.cb.lstore(T1);
        carry(e, op);
        result(e, op, s);
        if (op != Alu.CMP) {
            e.cb.lload(T3);
            e.storeReg(0, s);
        }
        setFlags(e, op, s);
        return Inline.PLAIN;
    }

    /** T2 = carry-in for ADC/SBB. */
    private static void carry(Emit e, int op) {
        if (op != Alu.ADC && op != Alu.SBB) return;
        e.flags.pushCf();
        e.cb.lstore(T2);
    }

    /** T3 = T0 op T1 (+ carry T2), masked to the size (Alu.result). */
    private static void result(Emit e, int op, int s) {
        CodeBuilder cb = e.cb;
        cb.lload(T0).lload(T1);
        switch (op) {
            case Alu.ADD -> { cb.ladd(); e.maskTo(s); }
            case Alu.OR -> cb.lor();
            case Alu.ADC -> { cb.ladd().lload(T2).ladd(); e.maskTo(s); }
            case Alu.SBB -> { cb.lsub().lload(T2).lsub(); e.maskTo(s); }
            case Alu.AND -> cb.land();
            case Alu.XOR -> cb.lxor();
            default -> { cb.lsub(); e.maskTo(s); }
        }
        cb.lstore(T3);
    }

    /** The flag record of T0 op T1 = T3 (Alu.flags), left in the flag locals. */
    private static void setFlags(Emit e, int op, int s) {
        CodeBuilder cb = e.cb;
        switch (op) {
            case Alu.OR, Alu.AND, Alu.XOR -> {
                cb.lload(T3).lstore(FR);
                e.flags.set(Cc.LOGIC, s);
                return;
            }
            default -> { }
        }
        cb.lload(T0).lstore(FD);
        cb.lload(T1).lstore(FS);
        cb.lload(T3).lstore(FR);
        switch (op) {
            case Alu.ADD -> e.flags.set(Cc.ADD, s);
            case Alu.ADC -> { cb.lload(T2).lstore(FA); e.flags.set(Cc.ADC, s); }
            case Alu.SBB -> { cb.lload(T2).lstore(FA); e.flags.set(Cc.SBB, s); }
            default -> e.flags.set(Cc.SUB, s);
        }
    }

    /** TEST Eb,Gb / Ev,Gv; TEST Eb,Ib / Ev,Iz (sub 0) and TEST AL/rAX,imm (sub 1). */
    private static int test(Emit e, Insn i) {
        CodeBuilder cb = e.cb;
        int s = i.osize;
        boolean memory;
        if (i.op == Op.TEST_EG) {
            e.readE(i, s);
            e.loadReg(i.reg, s);
            memory = i.rm < 0;
        } else {
            if (i.sub == 1) e.loadReg(0, s);
            else e.readE(i, s);
            e.lconst(i.imm & Emit.mask(s));
            memory = i.sub != 1 && i.rm < 0;
        }
        cb.land().lstore(FR);
        e.flags.set(Cc.LOGIC, s);
        return memory ? Inline.READS : Inline.PLAIN;
    }

    /** INC/DEC of a register (Alu.incDec): CF is carried over from the previous flags into ccAux. */
    private static int incDecReg(Emit e, int dec, int s, int reg) {
        CodeBuilder cb = e.cb;
        e.loadReg(reg, s);
        cb.lstore(T0);
        incDecResult(e, dec, s);
        e.flags.pushCf();
        cb.lstore(T2);
        cb.lload(T3);
        e.storeReg(reg, s);
        incDecFlags(e, dec, s);
        return Inline.PLAIN;
    }

    /** INC/DEC of memory without LOCK (Alu.incDecE). */
    private static int incDecMem(Emit e, Insn i) {
        CodeBuilder cb = e.cb;
        int s = i.osize;
        e.lin(i, s, true);
        cb.lstore(LA);
        e.readRmwLa(s);
        cb.lstore(T0);
        incDecResult(e, i.sub, s);
        e.writeLa(s, T3);
        e.flags.pushCf();
        cb.lstore(T2);
        incDecFlags(e, i.sub, s);
        return Inline.MEMORY;
    }

    private static void incDecResult(Emit e, int dec, int s) {
        e.cb.lload(T0).lconst_1();
        if (dec == 0) e.cb.ladd();
        else e.cb.lsub();
        e.maskTo(s);
        e.cb.lstore(T3);
    }

    private static void incDecFlags(Emit e, int dec, int s) {
        CodeBuilder cb = e.cb;
        cb.lload(T0).lstore(FD);
        cb.lconst_1().lstore(FS);
        cb.lload(T3).lstore(FR);
        cb.lload(T2).lstore(FA);
        e.flags.set(dec == 0 ? Cc.INC : Cc.DEC, s);
    }

    /** SHL/SAL/SHR/SAR r, imm8 or 1 (ShiftRotate.grp2 with a constant count); the rest stays with the handler. */
    private static int shift(Emit e, Insn i) {
        int sub = i.sub;
        if (i.rm < 0 || sub < ShiftRotate.SHL) return Inline.NO;
        int raw = switch (i.opcode) {
            case 0xc0, 0xc1 -> (int) i.imm;
            case 0xd0, 0xd1 -> 1;
            default -> -1;
        };
        if (raw < 0) return Inline.NO;
        CodeBuilder cb = e.cb;
        int s = i.osize, n = raw & (s == 8 ? 0x3f : 0x1f);
        if (n == 0) {                                  // nothing changes, but a 32-bit register is still written
            if (s == 4) {
                e.loadReg(i.rm, 4);
                e.storeReg(i.rm, 4);
            }
            return Inline.PLAIN;
        }
        e.loadReg(i.rm, s);
        cb.lstore(T0);
        int kind;
        switch (sub) {
            case ShiftRotate.SHR -> {
                cb.lload(T0);
                e.iconst(n);
                cb.lushr();
                kind = Cc.SHR;
            }
            case ShiftRotate.SAR -> {
                cb.lload(T0);
                switch (s) {
                    case 1 -> cb.l2i().i2b().i2l();
                    case 2 -> cb.l2i().i2s().i2l();
                    case 4 -> cb.l2i().i2l();
                    default -> { }
                }
                e.iconst(n);
                cb.lshr();
                e.maskTo(s);
                kind = Cc.SAR;
            }
            default -> {                               // SHL, SAL (n < 64 here)
                cb.lload(T0);
                e.iconst(n);
                cb.lshl();
                e.maskTo(s);
                kind = Cc.SHL;
            }
        }
        cb.lstore(T3);
        cb.lload(T3);
        e.storeReg(i.rm, s);
        cb.lload(T0).lstore(FD);
        e.lconst(n);
        cb.lstore(FS);
        cb.lload(T3).lstore(FR);
        e.flags.set(kind, s);
        return Inline.PLAIN;
    }
}
