package io.jkvm.x86.insn;

import static io.jkvm.x86.Cpu.mask;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.exc.Vector;
import io.jkvm.x86.flags.Cc;
import io.jkvm.x86.flags.LazyFlags;

/** Near control transfers: Jcc, JMP, CALL, RET, LOOP/LOOPcc, JrCXZ. */
public final class Control {
    private Control() {}

    /**
     * Sets the next RIP to {@code target} truncated to the operand size, after the checks a near branch
     * makes: the CS limit outside 64-bit mode, canonical form in it (#GP(0) either way).
     */
    static void jump(Cpu c, long target, int size) {
        target &= mask(size);
        if (c.mode64) {
            if (!Cpu.canonical(target)) throw c.fault(Vector.GP, 0);
        } else if (target > c.segLimit[Cpu.CS]) {
            throw c.fault(Vector.GP, 0);
        }
        c.nextRip = target;
    }

    public static void jcc(Cpu c, Insn i) {
        if (LazyFlags.cond(c, i.sub)) jump(c, c.nextRip + i.imm, i.osize);
    }

    public static void jmpRel(Cpu c, Insn i) {
        jump(c, c.nextRip + i.imm, i.osize);
    }

    public static void jmpE(Cpu c, Insn i) {
        jump(c, c.readE(i, i.osize), i.osize);
    }

    public static void callRel(Cpu c, Insn i) {
        call(c, c.nextRip + i.imm, i.osize);
    }

    public static void callE(Cpu c, Insn i) {
        call(c, c.readE(i, i.osize), i.osize);
    }

    private static void call(Cpu c, long target, int size) {
        long ret = c.nextRip;
        jump(c, target, size);          // checks the target before anything is pushed
        long t = c.nextRip;
        c.nextRip = ret;
        c.push(size, ret & mask(size));
        c.nextRip = t;
    }

    /** RET / RET imm16. */
    public static void retNear(Cpu c, Insn i) {
        int s = i.osize;
        long target = c.peek(s, 0);
        jump(c, target, s);
        c.setSp(c.sp() + s + (i.opcode == 0xc2 ? (i.imm & 0xffff) : 0));
    }

    /** LOOPNE (sub 0), LOOPE (1), LOOP (2): decrement rCX (address size) and branch. */
    public static void loop(Cpu c, Insn i) {
        int a = i.asize;
        long cx = (c.reg(Cpu.RCX, a) - 1) & mask(a);
        boolean take = cx != 0 && switch (i.sub) {
            case 0 -> !LazyFlags.zf(c);
            case 1 -> LazyFlags.zf(c);
            default -> true;
        };
        if (take) jump(c, c.nextRip + i.imm, i.osize);
        c.setReg(Cpu.RCX, a, cx);
    }

    public static void jcxz(Cpu c, Insn i) {
        if (c.reg(Cpu.RCX, i.asize) == 0) jump(c, c.nextRip + i.imm, i.osize);
    }

    /** CLC STC CLI STI CLD STD (sub 0..5). CLI/STI need CPL ≤ IOPL in protected mode; STI opens a one-instruction shadow. */
    public static void flagOp(Cpu c, Insn i) {
        switch (i.sub) {
            case 0 -> c.setArith(LazyFlags.arith(c) & ~Cc.CF);
            case 1 -> c.setArith(LazyFlags.arith(c) | Cc.CF);
            case 2 -> {
                checkIopl(c);
                c.flags &= ~Cpu.IF;
            }
            case 3 -> {
                checkIopl(c);
                if ((c.flags & Cpu.IF) == 0) c.interruptShadow = 2;   // KVM_X86_SHADOW_INT_STI
                c.flags |= Cpu.IF;
            }
            case 4 -> c.flags &= ~Cpu.DF;
            default -> c.flags |= Cpu.DF;
        }
    }

    private static void checkIopl(Cpu c) {
        if (c.protectedMode && c.cpl > ((c.flags >> 12) & 3)) throw c.fault(Vector.GP, 0);
    }
}
