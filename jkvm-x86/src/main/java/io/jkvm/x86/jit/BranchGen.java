package io.jkvm.x86.jit;

import static io.jkvm.x86.jit.Emit.C;
import static io.jkvm.x86.jit.Emit.NEXT;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;
import static java.lang.constant.ConstantDescs.CD_void;

import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.decode.Op;
import io.jkvm.x86.insn.Control;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.MethodTypeDesc;

/**
 * Inline near control transfers of {@link Control}: Jcc, JMP rel/E, CALL rel/E, RET [imm16]. They end the
 * block, so each emits its exits ({@link Exits#toNext}) to the target, checked as {@code Control.jump}
 * checks it. A Jcc reads the flag locals directly, so CMP/TEST/DEC + Jcc is a plain compare and branch.
 */
final class BranchGen {
    private BranchGen() {}

    private static final MethodTypeDesc PUSH = MethodTypeDesc.of(CD_void, CD_int, CD_long),
            PEEK = MethodTypeDesc.of(CD_long, CD_int, CD_long), SP = MethodTypeDesc.of(CD_long),
            SET_SP = MethodTypeDesc.of(CD_void, CD_long);

    static int emit(Emit e, Insn i) {
        CodeBuilder cb = e.cb;
        Exits x = e.exits;
        int s = i.osize, n = e.count;
        boolean first = e.k == 0;
        switch (i.op) {
            case Op.JCC -> {
                Label taken = cb.newLabel();
                e.flags.jumpIf(i.sub, taken);
                e.pushNext();
                cb.lstore(NEXT);
                x.toNext(n, false, first, x.fallThrough());
                cb.labelBinding(taken);
                relTarget(e, i);
                x.toNext(n, false, first, x.relTarget(i.imm));
                return Inline.EXITED;
            }
            case Op.JMP_REL -> {
                relTarget(e, i);
                x.toNext(n, false, first, x.relTarget(i.imm));
                return Inline.EXITED;
            }
            case Op.JMP_E -> {
                e.readE(i, s);
                e.jumpTarget(s);
                x.toNext(n, false, first, Exits.DYNAMIC);
                return Inline.EXITED;
            }
            case Op.CALL_REL, Op.CALL_E -> {
                if (i.op == Op.CALL_REL) relTarget(e, i);
                else {
                    e.readE(i, s);
                    e.jumpTarget(s);                      // checked before anything is pushed
                }
                cb.aload(C);
                e.iconst(s);
                e.pushNext();
                e.maskTo(s);
                e.invokeCpu("push", PUSH);
                x.toNext(n, true, first, i.op == Op.CALL_REL ? x.relTarget(i.imm) : Exits.DYNAMIC);
                return Inline.EXITED;
            }
            case Op.RET_NEAR -> {
                cb.aload(C);
                e.iconst(s);
                cb.lconst_0();
                e.invokeCpu("peek", PEEK);
                e.jumpTarget(s);
                cb.aload(C).aload(C);
                e.invokeCpu("sp", SP);
                e.lconst(s + (i.opcode == 0xc2 ? (i.imm & 0xffff) : 0));
                cb.ladd();
                e.invokeCpu("setSp", SET_SP);
                x.toNext(n, false, first, Exits.DYNAMIC);
                return Inline.EXITED;
            }
            default -> {
                return Inline.NO;
            }
        }
    }

    /** NEXT = checked (next RIP + rel), truncated to the operand size. */
    private static void relTarget(Emit e, Insn i) {
        e.pushNext();
        e.lconst(i.imm);
        e.cb.ladd();
        e.jumpTarget(i.osize);
    }
}
