package io.jkvm.x86.insn;

import static io.jkvm.x86.fpu.FloatCore.IE;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.exc.Vector;
import io.jkvm.x86.exec.Unimplemented;
import io.jkvm.x86.fpu.FpuState;
import io.jkvm.x86.fpu.SoftFloat;

/**
 * The x87 escape opcodes D8–DF (SDM Vol. 2 Appendix A.4): decodes ModRM into the instruction, applies the
 * checks every x87 instruction makes first — #NM when CR0.EM or CR0.TS, then #MF for a pending unmasked
 * exception unless the instruction is a non-waiting control instruction — runs it, and records the last
 * instruction pointer and opcode (FIP/FCS, FOP) of non-control instructions, and the data pointer (FDP/FDS)
 * of those with a memory operand.
 */
public final class X87 {
    private X87() {}

    private static final int NORMAL = 0, CONTROL = 1, NOWAIT = 2;

    public static void exec(Cpu c, Insn i) {
        if ((c.cr0 & (Cpu.CR0_EM | Cpu.CR0_TS)) != 0) throw c.fault(Vector.NM);
        int esc = i.opcode & 7, reg = i.reg & 7;
        int kind = kind(i, esc, reg);
        if (kind != NOWAIT) checkPending(c);
        if (i.mem) X87Mem.exec(c, i, esc, reg);
        else regForm(c, i, esc, reg, i.rm & 7);
        if (kind == NORMAL) {
            FpuState f = c.fpu;
            f.fip = c.rip;
            f.fcs = c.segSel[Cpu.CS];
            f.fop = (esc << 8) | i.modrm;
            // FDP: the memory operand of the last such instruction that had one (the SDM leaves it undefined
            // after one without; it stays)
            if (i.mem) {
                f.fdp = c.ea(i);
                f.fds = c.segSel[i.seg];
            }
        }
    }

    /** Control instructions leave FIP/FOP alone; the non-waiting ones also skip the #MF check. */
    private static int kind(Insn i, int esc, int reg) {
        if (i.mem) {
            if (esc == 1 && reg >= 4) return reg >= 6 ? NOWAIT : CONTROL;    // FLDENV FLDCW | FNSTENV FNSTCW
            if (esc == 5 && (reg == 4 || reg == 6 || reg == 7)) return reg == 4 ? CONTROL : NOWAIT;   // FRSTOR | FNSAVE FNSTSW
            return NORMAL;
        }
        if (esc == 3 && reg == 4) return NOWAIT;                       // FNCLEX FNINIT FNENI FNDISI FNSETPM
        if (esc == 7 && reg == 4) return NOWAIT;                       // FNSTSW AX
        return NORMAL;
    }

    /** FWAIT: #NM when CR0.MP and CR0.TS are both set, then the pending-exception check. */
    public static void fwait(Cpu c) {
        if ((c.cr0 & 2) != 0 && (c.cr0 & Cpu.CR0_TS) != 0) throw c.fault(Vector.NM);
        checkPending(c);
    }

    /** A waiting instruction finding FSW.ES set raises #MF (CR0.NE=1; the external FERR# path is not modelled). */
    static void checkPending(Cpu c) {
        if ((c.fpu.fsw & FpuState.ES) == 0) return;
        if ((c.cr0 & (1L << 5)) == 0) throw new Unimplemented("x87 error with CR0.NE=0 (FERR#/IGNNE#)");
        throw c.fault(Vector.MF);
    }

    // ------------------------------------------------------------------ helpers shared by the x87 files

    /** Starts an arithmetic step: the soft float takes rounding, precision and masks from FCW. */
    static SoftFloat sf(Cpu c) {
        SoftFloat s = c.fpu.sf;
        s.setX87(c.fpu.fcw);
        return s;
    }

    static boolean imMasked(FpuState f) {
        return (f.fcw & IE) != 0;
    }

    /** Stack underflow or overflow (#IS): IE and SF, C1 = 1 for overflow, 0 for underflow. */
    static void stackFault(FpuState f, boolean overflow) {
        f.fsw = (f.fsw & ~FpuState.C1) | (overflow ? FpuState.C1 : 0);
        f.raise(IE | FpuState.SF);
        f.updateEs();
    }

    /** Pushes a value, or handles stack overflow (ST(7) in use): masked → pushes the indefinite. */
    static void push(FpuState f, int se, long m) {
        if (!f.empty(7)) {
            stackFault(f, true);
            if (!imMasked(f)) return;
            se = FpuState.INDEF_SE;
            m = FpuState.INDEF_M;
        }
        f.push(se, m);
    }

    /** True when the flags of the last operation hold an unmasked pre-computation exception (IE, DE, ZE): nothing is stored. */
    static boolean preUnmasked(FpuState f, SoftFloat s) {
        return (s.flags & ~f.fcw & 7) != 0;
    }

    /** Merges the operation's flags into FSW with C1 = rounded up. */
    static void commit(FpuState f, SoftFloat s) {
        f.fsw = (f.fsw & ~FpuState.C1) | (s.roundedUp ? FpuState.C1 : 0);
        f.raise(s.flags);
        f.updateEs();
    }

    /** Flags only (the result is not stored): C1 cleared. */
    static void flagsOnly(FpuState f, SoftFloat s) {
        f.fsw &= ~FpuState.C1;
        f.raise(s.flags);
        f.updateEs();
    }

    /**
     * Makes {@code [la, la+size)} fault now if it is going to: its first byte, then the first byte of the
     * next page if it crosses one — the order and addresses in which the CPU's own accesses would fault.
     * Instructions that move many bytes call this before changing any state.
     */
    static void probe(Cpu c, long la, int size, boolean write) {
        long last = la + size - 1;
        if (write) {
            c.probeWrite(la, 1);
            if (((la ^ last) & ~0xfffL) != 0) c.probeWrite(last & ~0xfffL, 1);
        } else {
            c.read(la, 1);
            if (((la ^ last) & ~0xfffL) != 0) c.read(last & ~0xfffL, 1);
        }
    }

    /** Writes the soft float's result into ST(i). */
    static void store(FpuState f, SoftFloat s, int i) {
        int se = s.packExt();
        f.set(i, se, s.rSig);
    }

    // ------------------------------------------------------------------ register forms (mod = 3)

    private static void regForm(Cpu c, Insn i, int esc, int reg, int r) {
        FpuState f = c.fpu;
        switch (esc) {
            case 0 -> {                                                           // D8: ST(0) op ST(i)
                if (reg == 2 || reg == 3) X87Arith.fcom(c, r, true, reg - 2);   // FCOM FCOMP
                else X87Arith.regOp(c, reg, 0, r, false);
            }
            case 1 -> escD9(c, i, reg, r);
            case 2 -> {
                if (reg < 4) X87Move.fcmov(c, reg, false, r);
                else if (reg == 5 && r == 1) X87Arith.fcom(c, 1, false, 2);      // FUCOMPP
                else throw c.fault(Vector.UD);
            }
            case 3 -> {
                if (reg < 4) X87Move.fcmov(c, reg, true, r);
                else if (reg == 4) X87Control.dbE0(c, r);
                else if (reg == 5 || reg == 6) X87Arith.fcomi(c, r, reg == 6, false);   // FUCOMI FCOMI
                else throw c.fault(Vector.UD);
            }
            case 4 -> {                                                           // DC: ST(i) op ST(0)
                if (reg == 2 || reg == 3) X87Arith.fcom(c, r, true, reg - 2);   // FCOM2/FCOMP3 aliases
                else X87Arith.regOp(c, reg ^ (reg >= 4 ? 1 : 0), r, 0, false);
            }
            case 5 -> {
                switch (reg) {
                    case 0 -> X87Move.ffree(f, r, false);
                    case 1 -> X87Move.fxch(f, r);                                // FXCH4 alias
                    case 2 -> X87Move.fstReg(f, r, false);
                    case 3 -> X87Move.fstReg(f, r, true);
                    case 4 -> X87Arith.fcom(c, r, false, 0);                     // FUCOM
                    case 5 -> X87Arith.fcom(c, r, false, 1);                     // FUCOMP
                    default -> throw c.fault(Vector.UD);
                }
            }
            case 6 -> {                                                           // DE: ST(i) op ST(0), pop
                if (reg == 3) {
                    if (r != 1) throw c.fault(Vector.UD);
                    X87Arith.fcom(c, 1, true, 2);                                // FCOMPP
                } else if (reg == 2) {
                    X87Arith.fcom(c, r, true, 1);                                // FCOMP5 alias
                } else {
                    X87Arith.regOp(c, reg ^ (reg >= 4 ? 1 : 0), r, 0, true);
                }
            }
            default -> {                                                          // DF
                switch (reg) {
                    case 0 -> X87Move.ffree(f, r, true);                         // FFREEP
                    case 1 -> X87Move.fxch(f, r);                                // FXCH7 alias
                    case 2, 3 -> X87Move.fstReg(f, r, true);                     // FSTP8/FSTP9 aliases
                    case 4 -> {
                        if (r != 0) throw c.fault(Vector.UD);
                        c.setReg(Cpu.RAX, 2, f.fsw);                             // FNSTSW AX
                    }
                    case 5, 6 -> X87Arith.fcomi(c, r, reg == 6, true);           // FUCOMIP FCOMIP
                    default -> throw c.fault(Vector.UD);
                }
            }
        }
    }

    private static void escD9(Cpu c, Insn i, int reg, int r) {
        FpuState f = c.fpu;
        switch (reg) {
            case 0 -> X87Move.fldReg(f, r);
            case 1 -> X87Move.fxch(f, r);
            case 2 -> {
                if (r != 0) throw c.fault(Vector.UD);                            // FNOP
            }
            case 3 -> X87Move.fstReg(f, r, true);                                 // FSTP1 alias
            case 4 -> {
                switch (r) {
                    case 0 -> X87Special.fchsFabs(f, true);
                    case 1 -> X87Special.fchsFabs(f, false);
                    case 4 -> X87Special.ftst(c);
                    case 5 -> X87Special.fxam(f);
                    default -> throw c.fault(Vector.UD);
                }
            }
            case 5 -> {
                if (r == 7) throw c.fault(Vector.UD);
                X87Move.fldConst(f, r);
            }
            case 6 -> {
                switch (r) {
                    case 0 -> X87Trans.f2xm1(c);
                    case 1 -> X87Trans.fyl2x(c, false);
                    case 2 -> X87Trans.fptan(c);
                    case 3 -> X87Trans.fpatan(c);
                    case 4 -> X87Special.fxtract(c);
                    case 5 -> X87Special.fprem(c, true);
                    case 6 -> X87Move.fincDec(f, -1);
                    default -> X87Move.fincDec(f, 1);
                }
            }
            default -> {
                switch (r) {
                    case 0 -> X87Special.fprem(c, false);
                    case 1 -> X87Trans.fyl2x(c, true);
                    case 2 -> X87Special.fsqrt(c);
                    case 3 -> X87Trans.fsincos(c);
                    case 4 -> X87Special.frndint(c);
                    case 5 -> X87Special.fscale(c);
                    case 6 -> X87Trans.fsinCos(c, true);
                    default -> X87Trans.fsinCos(c, false);
                }
            }
        }
    }
}
