package io.jkvm.x86.jit;

import static io.jkvm.x86.jit.Emit.FD;
import static io.jkvm.x86.jit.Emit.FR;
import static io.jkvm.x86.jit.Emit.FS;
import static io.jkvm.x86.jit.Emit.T0;
import static io.jkvm.x86.jit.Emit.T1;
import static io.jkvm.x86.jit.Emit.T3;
import static java.lang.constant.ConstantDescs.CD_long;

import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.decode.Op;
import io.jkvm.x86.flags.Cc;
import io.jkvm.x86.flags.LazyFlags;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;

/**
 * Inline forms of the truncating IMULs of {@link io.jkvm.x86.insn.MulDiv} (IMUL Gv,Ev and IMUL Gv,Ev,imm):
 * multi-precision code built from 32×32-bit pieces — Linux's generic {@code umul_ppmm}, which its RSA
 * signature checks run at boot — is mostly these. Same steps as {@code MulDiv.imulTrunc}: both operands
 * sign-extended, the low product kept, CF = OF = "the signed product did not fit", the record MUL (dst 0,
 * src the overflow bit, result) left in the flag locals.
 */
final class MulGen {
    private MulGen() {}

    private static final ClassDesc CD_MATH = ClassDesc.of("java.lang.Math");
    private static final MethodTypeDesc LLL = MethodTypeDesc.of(CD_long, CD_long, CD_long);

    static int emit(Emit e, Insn i) {
        return switch (i.op) {
            case Op.IMUL_GE -> imul(e, i, false);
            case Op.IMUL_GEI -> imul(e, i, true);
            default -> Inline.NO;
        };
    }

    private static int imul(Emit e, Insn i, boolean immediate) {
        CodeBuilder cb = e.cb;
        int s = i.osize;
        if (immediate) {
            e.readE(i, s);
            signExtend(cb, s);
            cb.lstore(T0);
            e.lconst(LazyFlags.signExtend(i.imm, s));
        } else {
            e.loadReg(i.reg, s);
            signExtend(cb, s);
            cb.lstore(T0);
            e.readE(i, s);
            signExtend(cb, s);
        }
        cb.lstore(T1);
        cb.lload(T0).lload(T1).lmul().lstore(T3);
        overflow(e, s);
        cb.lstore(FS);
        cb.lload(T3);
        e.maskTo(s);
        cb.dup2().lstore(FR);
        e.storeReg(i.reg, s);
        cb.lconst_0().lstore(FD);
        e.flags.set(Cc.MUL, s);
        return Inline.reads(i);
    }

    /** Sign-extends the long on the stack from {@code s} bytes. */
    private static void signExtend(CodeBuilder cb, int s) {
        switch (s) {
            case 2 -> cb.l2i().i2s().i2l();
            case 4 -> cb.l2i().i2l();
            default -> { }
        }
    }

    /** Pushes 1L when the product T3 of T0 and T1 does not fit in {@code s} bytes, else 0L. */
    private static void overflow(Emit e, int s) {
        CodeBuilder cb = e.cb;
        if (s == 8) {
            cb.lload(T0).lload(T1).invokestatic(CD_MATH, "multiplyHigh", LLL);
            cb.lload(T3).bipush(63).lshr();
        } else {
            cb.lload(T3);
            signExtend(cb, s);
            cb.lload(T3);
        }
        Label fits = cb.newLabel(), end = cb.newLabel();
        cb.lcmp().ifeq(fits);
        cb.lconst_1().goto_(end);
        cb.labelBinding(fits);
        cb.lconst_0();
        cb.labelBinding(end);
    }
}
