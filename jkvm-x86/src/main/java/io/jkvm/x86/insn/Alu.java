package io.jkvm.x86.insn;

import static io.jkvm.x86.Cpu.mask;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.flags.Cc;

/**
 * Binary arithmetic and logic (SDM Vol. 1 §7.3.2–7.3.4): ADD OR ADC SBB AND SUB XOR CMP in their four
 * operand forms, TEST, INC/DEC. Results set lazy flags; the destination is written before the flags are
 * recorded, so a faulting write leaves RFLAGS as it was.
 */
public final class Alu {
    private Alu() {}

    public static final int ADD = 0, OR = 1, ADC = 2, SBB = 3, AND = 4, SUB = 5, XOR = 6, CMP = 7;

    /** The result of {@code dst op src} (+ carry for ADC/SBB), masked to the operand size. */
    static long result(int op, long m, long dst, long src, long carry) {
        return switch (op) {
            case ADD -> (dst + src) & m;
            case OR -> dst | src;
            case ADC -> (dst + src + carry) & m;
            case SBB -> (dst - src - carry) & m;
            case AND -> dst & src;
            case XOR -> dst ^ src;
            default -> (dst - src) & m;          // SUB, CMP
        };
    }

    /** Records the lazy flags of {@code dst op src = r}. */
    static void flags(Cpu c, int op, int size, long dst, long src, long r, long carry) {
        switch (op) {
            case ADD -> c.cc(Cc.ADD, size, dst, src, r);
            case ADC -> { c.cc(Cc.ADC, size, dst, src, r); c.ccAux = carry; }
            case SBB -> { c.cc(Cc.SBB, size, dst, src, r); c.ccAux = carry; }
            case OR, AND, XOR -> c.cc(Cc.LOGIC, size, 0, 0, r);
            default -> c.cc(Cc.SUB, size, dst, src, r);
        }
    }

    /** Computes {@code dst op src}, records flags, returns the result (the caller stores it unless CMP). */
    static long alu(Cpu c, int op, int size, long dst, long src) {
        long m = mask(size);
        src &= m;
        long carry = (op == ADC || op == SBB) && c.cf() ? 1 : 0;
        long r = result(op, m, dst, src, carry);
        flags(c, op, size, dst, src, r, carry);
        return r;
    }

    /** r/m destination: for memory, the result is stored before flags are recorded, so a fault changes nothing. */
    private static void aluE(Cpu c, Insn i, int size, long src) {
        int op = i.sub;
        if (i.rm >= 0) {
            long r = alu(c, op, size, c.reg(i.rm, size), src);
            if (op != CMP) c.setReg(i.rm, size, r);
            return;
        }
        long m = mask(size);
        src &= m;
        long la = c.linE(i, size, op != CMP);
        long carry = (op == ADC || op == SBB) && c.cf() ? 1 : 0;
        long d, r;
        if (i.lock) {                                  // atomic against other vCPUs
            do {
                d = c.readRmw(la, size);
                r = result(op, m, d, src, carry);
            } while (!c.cas(la, size, d, r));
        } else {
            d = op == CMP ? c.read(la, size) : c.readRmw(la, size);
            r = result(op, m, d, src, carry);
            if (op != CMP) c.write(la, size, r);
        }
        flags(c, op, size, d, src, r, carry);
    }

    /** ALU Eb,Gb / Ev,Gv. */
    public static void aluEG(Cpu c, Insn i) {
        aluE(c, i, i.osize, c.reg(i.reg, i.osize));
    }

    /** ALU Gb,Eb / Gv,Ev. */
    public static void aluGE(Cpu c, Insn i) {
        int s = i.osize;
        long r = alu(c, i.sub, s, c.reg(i.reg, s), c.readE(i, s));
        if (i.sub != CMP) c.setReg(i.reg, s, r);
    }

    /** ALU Eb,Ib / Ev,Iz / Ev,Ib (immediate sign-extended to the operand size). */
    public static void aluEI(Cpu c, Insn i) {
        aluE(c, i, i.osize, i.imm);
    }

    /** ALU AL,Ib / rAX,Iz. */
    public static void aluAI(Cpu c, Insn i) {
        int s = i.osize;
        long r = alu(c, i.sub, s, c.reg(0, s), i.imm);
        if (i.sub != CMP) c.setReg(0, s, r);
    }

    /** TEST Eb,Gb / Ev,Gv. */
    public static void testEG(Cpu c, Insn i) {
        int s = i.osize;
        c.cc(Cc.LOGIC, s, 0, 0, c.readE(i, s) & c.reg(i.reg, s));
    }

    /** TEST Eb,Ib / Ev,Iz (sub 0) and TEST AL,Ib / rAX,Iz (sub 1). */
    public static void testEI(Cpu c, Insn i) {
        int s = i.osize;
        long d = i.sub == 1 ? c.reg(0, s) : c.readE(i, s);
        c.cc(Cc.LOGIC, s, 0, 0, d & i.imm & mask(s));
    }

    /** INC/DEC Eb/Ev (sub 0 = INC, 1 = DEC): CF is preserved. */
    public static void incDecE(Cpu c, Insn i) {
        int s = i.osize;
        if (i.rm >= 0) {
            incDec(c, i.sub, s, i.rm);
            return;
        }
        long la = c.linE(i, s, true);
        long d, r;
        do {
            d = c.readRmw(la, s);
            r = (i.sub == 0 ? d + 1 : d - 1) & mask(s);
            if (!i.lock) {
                c.write(la, s, r);
                break;
            }
        } while (!c.cas(la, s, d, r));
        long carry = carryIn(c);
        c.cc(i.sub == 0 ? Cc.INC : Cc.DEC, s, d, 1, r);
        c.ccAux = carry;
    }

    /** INC/DEC r16/r32 (0x40–0x4F outside 64-bit mode). */
    public static void incDecR(Cpu c, Insn i) {
        incDec(c, i.sub, i.osize, i.reg);
    }

    private static void incDec(Cpu c, int dec, int s, int reg) {
        long d = c.reg(reg, s);
        long r = (dec == 0 ? d + 1 : d - 1) & mask(s);
        long carry = carryIn(c);
        c.setReg(reg, s, r);
        c.cc(dec == 0 ? Cc.INC : Cc.DEC, s, d, 1, r);
        c.ccAux = carry;
    }

    /**
     * CF as INC/DEC must keep it. Loop counters make the previous flags an INC/DEC (CF already in ccAux) or a
     * logic op (CF clear) most of the time: those skip the lazy-flags switch.
     */
    private static long carryIn(Cpu c) {
        int op = c.ccOp;
        if (op == Cc.INC || op == Cc.DEC) return c.ccAux;
        if (op == Cc.LOGIC) return 0;
        return c.cf() ? 1 : 0;
    }

    /** CMC: complement CF. */
    public static void cmc(Cpu c) {
        int f = io.jkvm.x86.flags.LazyFlags.arith(c);
        c.setArith(f ^ Cc.CF);
    }

    /** LAHF: AH ← SF:ZF:0:AF:0:PF:1:CF. (#UD in 64-bit mode without CPUID.LAHF_LM; jkvm advertises it.) */
    public static void lahf(Cpu c) {
        long f = c.getRflags() & 0xd5 | 2;
        c.setReg(16, 1, f);
    }

    /** SAHF: SF ZF AF PF CF ← AH. */
    public static void sahf(Cpu c) {
        int ah = (int) c.reg(16, 1);
        int f = io.jkvm.x86.flags.LazyFlags.arith(c);
        c.setArith((f & ~0xd5) | (ah & 0xd5));
    }

    /** CBW / CWDE / CDQE. */
    public static void cbw(Cpu c, Insn i) {
        switch (i.osize) {
            case 2 -> c.setReg(0, 2, (byte) c.r[0]);
            case 4 -> c.setReg(0, 4, (short) c.r[0]);
            default -> c.r[0] = (int) c.r[0];
        }
    }

    /** CWD / CDQ / CQO. */
    public static void cwd(Cpu c, Insn i) {
        int s = i.osize;
        long sign = (c.reg(0, s) >>> (s * 8 - 1)) & 1;
        c.setReg(2, s, sign != 0 ? -1L : 0);
    }
}
