package io.jkvm.x86.jit;

import static io.jkvm.x86.jit.Emit.C;
import static io.jkvm.x86.jit.Emit.T0;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;
import static java.lang.constant.ConstantDescs.CD_void;

import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.decode.Op;
import io.jkvm.x86.insn.DataMove;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.MethodTypeDesc;

/**
 * Inline forms of {@link DataMove}'s MOV, MOVZX, MOVSX, MOVSXD, LEA, CMOVcc, SETcc, of the register and
 * immediate PUSH/POP of {@code insn.Stack} (through {@code Cpu.push}/{@code pop}, which know the stack
 * size), and NOP. Each follows its handler's order of reads, checks and writes.
 */
final class MoveGen {
    private MoveGen() {}

    private static final MethodTypeDesc PUSH = MethodTypeDesc.of(CD_void, CD_int, CD_long),
            POP = MethodTypeDesc.of(CD_long, CD_int);

    static int emit(Emit e, Insn i) {
        CodeBuilder cb = e.cb;
        int s = i.osize;
        switch (i.op) {
            case Op.NOP -> {
                return Inline.PLAIN;
            }
            case Op.MOV_EG, Op.MOV_OA -> {                 // E ← G (moffs ← rAX)
                e.loadReg(i.op == Op.MOV_EG ? i.reg : 0, s);
                cb.lstore(T0);
                e.writeE(i, s, T0);
                return Inline.writes(i);
            }
            case Op.MOV_GE, Op.MOV_AO -> {
                e.readE(i, s);
                e.storeReg(i.op == Op.MOV_GE ? i.reg : 0, s);
                return Inline.reads(i);
            }
            case Op.MOV_EI -> {
                e.lconst(i.imm & Emit.mask(s));
                cb.lstore(T0);
                e.writeE(i, s, T0);
                return Inline.writes(i);
            }
            case Op.MOV_RI -> {
                e.lconst(i.imm & Emit.mask(s));
                e.storeReg(i.reg, s);
                return Inline.PLAIN;
            }
            case Op.MOVZX -> {
                e.readE(i, i.sub);
                e.storeReg(i.reg, s);
                return Inline.reads(i);
            }
            case Op.MOVSX -> {
                e.readE(i, i.sub);
                signExtend(cb, i.sub);
                e.maskTo(s);
                e.storeReg(i.reg, s);
                return Inline.reads(i);
            }
            case Op.MOVSXD -> {
                e.readE(i, s == 8 ? 4 : s);
                if (s == 8) signExtend(cb, 4);
                e.storeReg(i.reg, s);
                return Inline.reads(i);
            }
            case Op.LEA -> {
                if (!i.mem) return Inline.NO;              // #UD: the interpreter's dispatch raises it
                e.ea(i);
                e.storeReg(i.reg, s);
                return Inline.PLAIN;
            }
            case Op.CMOV -> {
                e.readE(i, s);                             // read (and maybe fault) whatever the condition
                cb.lstore(T0);
                Label move = cb.newLabel(), done = cb.newLabel();
                e.flags.jumpIf(i.sub, move);
                if (s == 4) {                              // not moved: a 32-bit destination is still zero-extended
                    e.loadReg(i.reg, 4);
                    e.storeReg(i.reg, 4);
                }
                cb.goto_(done);
                cb.labelBinding(move);
                cb.lload(T0);
                e.storeReg(i.reg, s);
                cb.labelBinding(done);
                return Inline.reads(i);
            }
            case Op.SETCC -> {
                Label set = cb.newLabel(), done = cb.newLabel();
                e.flags.jumpIf(i.sub, set);
                cb.lconst_0().goto_(done);
                cb.labelBinding(set);
                cb.lconst_1();
                cb.labelBinding(done);
                cb.lstore(T0);
                e.writeE(i, 1, T0);
                return Inline.writes(i);
            }
            case Op.PUSH_R, Op.PUSH_I -> {
                cb.aload(C);
                e.iconst(s);
                if (i.op == Op.PUSH_R) e.loadReg(i.reg, s);
                else e.lconst(i.imm & Emit.mask(s));
                e.invokeCpu("push", PUSH);
                return Inline.MEMORY;
            }
            case Op.POP_R -> {
                cb.aload(C);
                e.iconst(s);
                e.invokeCpu("pop", POP);
                e.storeReg(i.reg, s);
                return Inline.READS;
            }
            default -> {
                return Inline.NO;
            }
        }
    }

    /** Sign-extends the long on the stack from {@code size} bytes (LazyFlags.signExtend). */
    static void signExtend(CodeBuilder cb, int size) {
        switch (size) {
            case 1 -> cb.l2i().i2b().i2l();
            case 2 -> cb.l2i().i2s().i2l();
            case 4 -> cb.l2i().i2l();
            default -> { }
        }
    }
}
