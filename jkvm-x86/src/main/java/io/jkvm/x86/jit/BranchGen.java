package io.jkvm.x86.jit;

import static io.jkvm.x86.jit.Emit.C;
import static io.jkvm.x86.jit.Emit.NEXT;
import static io.jkvm.x86.jit.Emit.T0;
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
 * block, so each emits its exits: RIP = nextRip = the target (checked as {@code Control.jump} checks it),
 * all the block's instructions retired. A Jcc reads the flag locals directly, so CMP/TEST/DEC + Jcc is a
 * plain compare and branch.
 */
final class BranchGen {
    private BranchGen() {}

    private static final MethodTypeDesc PUSH = MethodTypeDesc.of(CD_void, CD_int, CD_long),
            PEEK = MethodTypeDesc.of(CD_long, CD_int, CD_long), SP = MethodTypeDesc.of(CD_long),
            SET_SP = MethodTypeDesc.of(CD_void, CD_long);

    static int emit(Emit e, Insn i) {
        CodeBuilder cb = e.cb;
        int s = i.osize, n = e.count;
        switch (i.op) {
            case Op.JCC -> {
                Label taken = cb.newLabel();
                e.flags.jumpIf(i.sub, taken);
                e.pushNext();
                cb.lstore(NEXT);
                e.exitToNext(n, false);
                cb.labelBinding(taken);
                relTarget(e, i);
                e.branchExit(i);
                return Inline.EXITED;
            }
            case Op.JMP_REL -> {
                relTarget(e, i);
                e.branchExit(i);
                return Inline.EXITED;
            }
            case Op.JMP_E -> {
                e.readE(i, s);
                e.jumpTarget(s);
                e.exitToNext(n, i.rm < 0);
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
                e.exitToNext(n, true);
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
                e.exitToNext(n, false);
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

    static {
        assert T0 >= 0;   // T0 unused here; keeps the static-import list in step with the other generators
    }
}
