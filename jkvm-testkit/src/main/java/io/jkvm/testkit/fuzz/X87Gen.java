package io.jkvm.testkit.fuzz;

import java.util.random.RandomGenerator;

/**
 * Random x87 instructions for the fuzzer (long mode, CPL3): arithmetic in register and memory forms,
 * loads and stores of every memory format, comparisons into FSW and EFLAGS, the exact single-operand
 * instructions, the stack and control instructions. Tracks which FSW condition codes the SDM leaves
 * undefined (C0 C2 C3 after most arithmetic, all four after FNCLEX, FFREE, FLDCW…) and defines them with
 * FXAM before anything stores FSW.
 *
 * <p>Not generated: the transcendental instructions (FSIN FCOS FSINCOS FPTAN FPATAN F2XM1 FYL2X FYL2XP1:
 * jkvm computes them in binary64, and Intel and AMD results differ in the last bits anyway) and FBLD
 * (random bytes are mostly invalid BCD digits, whose value the SDM leaves undefined), and the reserved alias
 * D9 D8+i ("FSTP1"): Intel treats it as FSTP, this AMD reference pops an empty ST(0) without a stack fault.
 */
final class X87Gen {
    static final int C0 = 0x100, C1 = 0x200, C2 = 0x400, C3 = 0x4000;
    static final int C023 = C0 | C2 | C3, ALLC = C0 | C1 | C2 | C3;

    private final Generator g;
    private final RandomGenerator rnd;

    X87Gen(Generator g) {
        this.g = g;
        this.rnd = g.rnd;
    }

    void one() {
        int pick = rnd.nextInt(100);
        if (pick < 20) regArith();
        else if (pick < 34) memArith();
        else if (pick < 46) load();
        else if (pick < 60) store();
        else if (pick < 74) d9Ops();
        else if (pick < 84) stackOps();
        else if (pick < 92) compares();
        else control();
    }

    /** An optional REX without B/X (they would change the memory base): W and R are ignored by x87. */
    private void rex() {
        if (rnd.nextInt(8) == 0) g.emit(0x40 | rnd.nextInt(2) << 3 | rnd.nextInt(2) << 2);
    }

    private void mem(int esc, int reg) {
        g.begin();
        rex();
        g.emit(esc);
        g.modrmMem(reg);
    }

    private void reg(int esc, int reg, int r) {
        g.begin();
        g.emit(esc, 0xc0 | reg << 3 | r);
    }

    /** FADD FMUL FSUB FSUBR FDIV FDIVR with ST(0)/ST(i) (D8), ST(i)/ST(0) (DC) and popping (DE). */
    private void regArith() {
        int esc = new int[] {0xd8, 0xdc, 0xde}[rnd.nextInt(3)];
        int op = new int[] {0, 1, 4, 5, 6, 7}[rnd.nextInt(6)];
        reg(esc, op, rnd.nextInt(8));
        g.fswUndef = C023;
    }

    /** The arithmetic and compare forms with m32fp (D8), m32int (DA), m64fp (DC), m16int (DE). */
    private void memArith() {
        int esc = new int[] {0xd8, 0xda, 0xdc, 0xde}[rnd.nextInt(4)];
        int op = rnd.nextInt(8);
        mem(esc, op);
        g.fswUndef = op == 2 || op == 3 ? 0 : C023;
    }

    private void load() {
        switch (rnd.nextInt(7)) {
            case 0 -> mem(0xd9, 0);                           // FLD m32fp
            case 1 -> mem(0xdd, 0);                           // FLD m64fp
            case 2 -> mem(0xdb, 5);                           // FLD m80fp
            case 3 -> mem(0xdf, 0);                           // FILD m16int
            case 4 -> mem(0xdb, 0);                           // FILD m32int
            case 5 -> mem(0xdf, 5);                           // FILD m64int
            default -> reg(0xd9, 0, rnd.nextInt(8));          // FLD ST(i)
        }
        g.fswUndef = C023;
    }

    private void store() {
        switch (rnd.nextInt(10)) {
            case 0 -> mem(0xd9, 2 + rnd.nextInt(2));          // FST/FSTP m32fp
            case 1 -> mem(0xdd, 2 + rnd.nextInt(2));          // FST/FSTP m64fp
            case 2 -> mem(0xdb, 7);                           // FSTP m80fp
            case 3 -> mem(0xdf, 2 + rnd.nextInt(2));          // FIST/FISTP m16int
            case 4 -> mem(0xdb, 2 + rnd.nextInt(2));          // FIST/FISTP m32int
            case 5 -> mem(0xdf, 7);                           // FISTP m64int
            case 6 -> mem(new int[] {0xdf, 0xdb, 0xdd}[rnd.nextInt(3)], 1);   // FISTTP m16/m32/m64
            case 7 -> mem(0xdf, 6);                           // FBSTP m80bcd
            default -> reg(0xdd, 2 + rnd.nextInt(2), rnd.nextInt(8));          // FST/FSTP ST(i)
        }
        g.fswUndef = C023;
    }

    /** D9 E0–FF without the transcendental ones. */
    private void d9Ops() {
        int[] ops = {0xe0, 0xe1, 0xe4, 0xe5, 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
            0xfa, 0xfc, 0xfd};
        int op = ops[rnd.nextInt(ops.length)];
        g.begin();
        g.emit(0xd9, op);
        g.fswUndef = switch (op) {
            case 0xe4, 0xe5, 0xf5, 0xf8 -> 0;                 // FTST FXAM FPREM1 FPREM define all four
            default -> C023;
        };
    }

    private void stackOps() {
        switch (rnd.nextInt(5)) {
            case 0 -> {
                reg(0xd9, 1, rnd.nextInt(8));                 // FXCH
                g.fswUndef = C023;
            }
            case 1 -> {
                reg(0xdd, 0, rnd.nextInt(8));                 // FFREE
                g.fswUndef = ALLC;
            }
            case 2 -> {                                       // FCMOVcc
                int cond = rnd.nextInt(4);
                int[] reads = {Flags.CF, Flags.ZF, Flags.CF | Flags.ZF, Flags.PF};
                g.need(reads[cond]);
                reg(rnd.nextBoolean() ? 0xda : 0xdb, cond, rnd.nextInt(8));
                g.fswUndef |= C023;                           // C1 keeps its value (changes only on underflow)
            }
            case 3 -> {
                g.begin();
                g.emit(0xd9, 0xd0);                           // FNOP
                g.fswUndef = ALLC;
            }
            default -> {
                boolean a = rnd.nextBoolean();                // undocumented aliases FXCH4 and FFREEP
                if (a) reg(0xdd, 1, rnd.nextInt(8));
                else reg(0xdf, 0, rnd.nextInt(8));
                g.fswUndef = a ? C023 : ALLC;
            }
        }
    }

    private void compares() {
        switch (rnd.nextInt(6)) {
            case 0 -> reg(0xd8, 2 + rnd.nextInt(2), rnd.nextInt(8));        // FCOM/FCOMP ST(i)
            case 1 -> reg(0xdd, 4 + rnd.nextInt(2), rnd.nextInt(8));        // FUCOM/FUCOMP
            case 2 -> { g.begin(); g.emit(0xde, 0xd9); }                    // FCOMPP
            case 3 -> { g.begin(); g.emit(0xda, 0xe9); }                    // FUCOMPP
            default -> {                                                     // FCOMI FUCOMI FCOMIP FUCOMIP
                reg(rnd.nextBoolean() ? 0xdb : 0xdf, 5 + rnd.nextInt(2), rnd.nextInt(8));
                g.undef = 0;                                  // ZF PF CF set, OF SF AF cleared; FSW's C0–C3 untouched
                return;
            }
        }
        g.fswUndef = 0;
    }

    private void defineFsw() {
        g.defineFsw();
    }

    private void control() {
        switch (rnd.nextInt(11)) {
            case 0 -> { g.begin(); g.emit(0xdb, 0xe2); g.fswUndef = ALLC; }          // FNCLEX
            case 1 -> { g.begin(); g.emit(0xdb, 0xe3); g.fswUndef = 0; }             // FNINIT
            case 2 -> { mem(0xd9, 5); g.fswUndef = ALLC; }                           // FLDCW
            case 3 -> { mem(0xd9, 7); g.fswUndef = ALLC; }                           // FNSTCW
            case 4 -> { defineFsw(); mem(0xdd, 7); }                                 // FNSTSW m16
            case 5 -> { defineFsw(); g.begin(); g.emit(0xdf, 0xe0); }                // FNSTSW AX
            case 6 -> { g.begin(); g.emit(0x9b); g.fswUndef = ALLC; }                // FWAIT
            case 7 -> { defineFsw(); envOp(0xd9, 6); g.fswUndef = ALLC; }            // FNSTENV
            case 8 -> { envOp(0xd9, 4); g.fswUndef = 0; }                            // FLDENV
            case 9 -> { defineFsw(); envOp(0xdd, 6); g.fswUndef = 0; }               // FNSAVE
            default -> { envOp(0xdd, 4); g.fswUndef = 0; }                           // FRSTOR
        }
    }

    /**
     * The environment instructions, with a 66 prefix sometimes (the 14-byte 16-bit layout). After a store
     * (FNSTENV, FNSAVE) the pointer fields FIP, FCS:FOP, FDP and FDS are zeroed in memory: the reference loses
     * them when the host preempts the guest in between (this AMD part's XSAVE keeps them only while ES = 1,
     * and the 64-bit image has no FCS), and FDP is not compared anyway (see Outcome).
     */
    private void envOp(int esc, int reg) {
        boolean small = rnd.nextInt(4) == 0;
        int[] m = g.memOperand(1);
        g.begin();
        if (small) g.emit(0x66);
        g.emit(esc);
        g.modrmMem(reg, m[0], m[1]);
        if (reg != 6) return;
        for (int k = 0; k < 4; k++) {                         // words 6..13 (16-bit layout) or dwords 12..27
            g.begin();
            if (small) g.emit(0x66);
            g.emit(0xc7);
            g.modrmMem(0, m[0], m[1] + (small ? 6 + 2 * k : 12 + 4 * k));
            g.emitImm(0, small ? 2 : 4);
        }
    }
}
