package io.jkvm.testkit.fuzz;

import java.util.random.RandomGenerator;

/**
 * Random MMX, SSE, SSE2, SSE3, SSSE3, SSE4.1 and SSE4.2 instructions for the fuzzer (long mode, CPL3, legacy
 * encodings): packed and scalar float arithmetic and compares, conversions, integer SIMD on MMX and XMM
 * registers, shifts, shuffles, packs, moves between XMM/MMX/GPR/memory, string compares, CRC32, PCLMULQDQ,
 * LDMXCSR/STMXCSR, FXSAVE/FXRSTOR and XSAVE/XSAVEOPT/XRSTOR. 128-bit memory operands are 16-byte aligned,
 * except sometimes for the moves whose alignment #GP the reference can report (see {@link #alignOrNot}).
 *
 * <p>Not generated: RCPPS RCPSS RSQRTPS RSQRTSS (approximations whose bits differ between implementations);
 * misaligned operands of other SSE instructions (see {@link #alignOrNot}); the EXTRQ/INSERTQ space (66/F2
 * 0F 78/79: AMD's SSE4a, #UD on the Intel-like CPU jkvm models); XGETBV (PVM leaves the host's XCR0 in place
 * while the guest runs, so the reference reads the host's value). After FXSAVE/XSAVE the FIP/FDP/FOP fields
 * and MXCSR_MASK are cleared (this AMD reference stores the pointers only while FSW.ES = 1, and its
 * MXCSR_MASK has bits jkvm does not model).
 */
final class SimdGen {
    private final Generator g;
    private final RandomGenerator rnd;

    SimdGen(Generator g) {
        this.g = g;
        this.rnd = g.rnd;
    }

    void one() {
        int pick = rnd.nextInt(100);
        if (pick < 30) packedX();
        else if (pick < 44) scalarX();
        else if (pick < 58) mmx();
        else if (pick < 63) shiftImm();
        else if (pick < 80) moves();
        else if (pick < 90) conversions();
        else if (pick < 95) misc();
        else state();
    }

    private int xmm() {
        return rnd.nextInt(16);
    }

    /** Aligned memory operands: a misaligned one would #GP, which PVM reports as #UD for most instructions. */
    private int align() {
        return 16;
    }

    /**
     * For the moves KVM's instruction emulator knows (MOVAPS/MOVAPD/MOVDQA/MOVNTPS/MOVNTPD/MOVNTDQ): PVM hands
     * a CPL3 #GP to that emulator, which re-raises #GP for these and #UD for the rest — so only these test
     * the alignment check, one time in five.
     */
    private int alignOrNot() {
        return rnd.nextInt(5) == 0 ? 1 : 16;
    }

    /**
     * Emits [prefix] [REX] 0F [38|3A] opcode ModRM [imm8]: {@code rm} a register number, or -1 for a memory
     * operand whose displacement is a multiple of {@code align}; {@code imm} −1 for none.
     */
    private void insn(int pfx, int map, int op, int reg, int rm, int align, boolean w, int imm) {
        g.begin();
        if (pfx != 0) g.emit(pfx);
        int rex = (w ? 8 : 0) | ((reg & 8) != 0 ? 4 : 0) | (rm >= 0 && (rm & 8) != 0 ? 1 : 0);
        if (rex != 0 || rnd.nextInt(10) == 0) g.emit(0x40 | rex);
        g.emit(0x0f);
        if (map != 0) g.emit(map);
        g.emit(op);
        if (rm >= 0) g.emit(0xc0 | (reg & 7) << 3 | (rm & 7));
        else g.modrmMem(reg, align);
        if (imm >= 0) g.emit(imm & 0xff);
    }

    /** A register or (one time in three) a memory r/m operand. */
    private int rmX() {
        return rnd.nextInt(3) == 0 ? -1 : xmm();
    }

    private static final int[][] PACKED = {
        // {prefix, map, opcode, has imm8}
        {0, 0, 0x51, 0}, {0, 0, 0x54, 0}, {0, 0, 0x55, 0}, {0, 0, 0x56, 0}, {0, 0, 0x57, 0}, {0, 0, 0x58, 0},
        {0, 0, 0x59, 0}, {0, 0, 0x5c, 0}, {0, 0, 0x5d, 0}, {0, 0, 0x5e, 0}, {0, 0, 0x5f, 0}, {0, 0, 0x14, 0},
        {0, 0, 0x15, 0}, {0, 0, 0x5b, 0}, {0, 0, 0xc2, 1}, {0, 0, 0xc6, 1}, {0, 0, 0x28, 0},
        {0x66, 0, 0x51, 0}, {0x66, 0, 0x54, 0}, {0x66, 0, 0x55, 0}, {0x66, 0, 0x56, 0}, {0x66, 0, 0x57, 0},
        {0x66, 0, 0x58, 0}, {0x66, 0, 0x59, 0}, {0x66, 0, 0x5c, 0}, {0x66, 0, 0x5d, 0}, {0x66, 0, 0x5e, 0},
        {0x66, 0, 0x5f, 0}, {0x66, 0, 0x14, 0}, {0x66, 0, 0x15, 0}, {0x66, 0, 0x5a, 0}, {0x66, 0, 0x5b, 0},
        {0x66, 0, 0xe6, 0}, {0x66, 0, 0x7c, 0}, {0x66, 0, 0x7d, 0}, {0x66, 0, 0xd0, 0}, {0x66, 0, 0xc2, 1},
        {0x66, 0, 0xc6, 1}, {0x66, 0, 0x6f, 0}, {0x66, 0, 0x70, 1}, {0x66, 0, 0x28, 0},
        {0xf3, 0, 0x5b, 0}, {0xf3, 0, 0x6f, 0}, {0xf3, 0, 0x70, 1}, {0xf3, 0, 0x12, 0}, {0xf3, 0, 0x16, 0},
        {0xf2, 0, 0x7c, 0}, {0xf2, 0, 0x7d, 0}, {0xf2, 0, 0xd0, 0}, {0xf2, 0, 0xe6, 0}, {0xf2, 0, 0x70, 1},
        {0x66, 0x3a, 0x08, 1}, {0x66, 0x3a, 0x09, 1}, {0x66, 0x3a, 0x0c, 1}, {0x66, 0x3a, 0x0d, 1},
        {0x66, 0x3a, 0x0e, 1}, {0x66, 0x3a, 0x0f, 1}, {0x66, 0x3a, 0x40, 1}, {0x66, 0x3a, 0x41, 1},
        {0x66, 0x3a, 0x42, 1}, {0x66, 0x3a, 0x44, 1}, {0x66, 0x3a, 0x60, 1}, {0x66, 0x3a, 0x61, 1},
        {0x66, 0x3a, 0x62, 1}, {0x66, 0x3a, 0x63, 1},
    };

    /** The 66-prefixed integer opcodes of the 0F map (the SSE2 forms of the MMX instructions) and of 0F 38. */
    private static final int[] INT_0F = {0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c,
        0x6d, 0x74, 0x75, 0x76, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0,
        0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xef, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5,
        0xf6, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe};
    private static final int[] INT_38 = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x1c,
        0x1d, 0x1e, 0x10, 0x14, 0x15, 0x17, 0x28, 0x29, 0x2b, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
        0x40, 0x41};

    /** xmm, xmm/m128 forms. */
    private void packedX() {
        int rm = rmX();
        int k = rnd.nextInt(3);
        if (k == 0) {
            int[] e = PACKED[rnd.nextInt(PACKED.length)];
            boolean pcmpstr = e[1] == 0x3a && e[2] >= 0x60;
            int imm = e[3] != 0 ? rnd.nextInt(256) : -1;
            if (e[1] == 0x3a && (e[2] == 0x40 || e[2] == 0x41)) dotProduct(e[2] == 0x41, imm);
            else insn(e[0], e[1], e[2], xmm(), rm, pcmpstr ? 1 : align(), false, imm);
            if (pcmpstr) g.undef = 0;
        } else if (k == 1) {
            insn(0x66, 0, INT_0F[rnd.nextInt(INT_0F.length)], xmm(), rm, align(), false, -1);
        } else {
            int op = INT_38[rnd.nextInt(INT_38.length)];
            insn(0x66, 0x38, op, xmm(), rm, align(), false, -1);
            if (op == 0x17) g.undef = 0;                                     // PTEST
        }
    }

    /**
     * DPPS/DPPD on finite inputs only: which NaN lands in which lane is the processor's choice (SDM, DPPS:
     * "horizontal propagation of NaNs ... is implementation dependent"; an Intel host puts different NaNs
     * in lanes the pseudocode says are equal), and a later integer op or store would carry the difference.
     * CVTDQ2PS/CVTDQ2PD first make both operands integers (|x| < 2^31): no product or sum can overflow.
     */
    private void dotProduct(boolean pd, int imm) {
        int dst = xmm(), src = xmm();
        for (int r : new int[] {dst, src}) {
            if (pd) insn(0xf3, 0, 0xe6, r, r, 1, false, -1);
            else insn(0, 0, 0x5b, r, r, 1, false, -1);
        }
        insn(0x66, 0x3a, pd ? 0x41 : 0x40, dst, src, 1, false, imm);
    }

    /** Scalar forms and the ones with 64/32/16-bit memory operands (no alignment requirement). */
    private void scalarX() {
        int rm = rmX();
        int reg = xmm();
        switch (rnd.nextInt(9)) {
            case 0, 1 -> {
                int[] ops = {0x51, 0x58, 0x59, 0x5c, 0x5d, 0x5e, 0x5f, 0x5a};
                insn(rnd.nextBoolean() ? 0xf3 : 0xf2, 0, ops[rnd.nextInt(ops.length)], reg, rm, 1, false, -1);
            }
            case 2 -> insn(rnd.nextBoolean() ? 0xf3 : 0xf2, 0, 0xc2, reg, rm, 1, false, rnd.nextInt(256));   // CMPSS/SD
            case 3 -> {                                                       // (U)COMISS/SD
                insn(rnd.nextBoolean() ? 0x66 : 0, 0, rnd.nextBoolean() ? 0x2e : 0x2f, reg, rm, 1, false, -1);
                g.undef = 0;
            }
            case 4 -> {
                int[][] f = {{0, 0x5a}, {0xf3, 0xe6}, {0xf3, 0x7e}, {0xf2, 0x12}};   // CVTPS2PD CVTDQ2PD MOVQ MOVDDUP
                int[] e = f[rnd.nextInt(f.length)];
                insn(e[0], 0, e[1], reg, rm, 1, false, -1);
            }
            case 5 -> insn(0x66, 0x3a, 0x0a + rnd.nextInt(2), reg, rm, 1, false, rnd.nextInt(16));   // ROUNDSS/SD
            case 6 -> insn(0x66, 0x38, (rnd.nextBoolean() ? 0x20 : 0x30) + rnd.nextInt(6), reg, rm, 1, false, -1);  // PMOVSX/ZX
            case 7 -> insn(0x66, 0x3a, 0x21, reg, rm, 1, false, rnd.nextInt(256));                    // INSERTPS
            default -> insn(0x66, 0x3a, 0x17, reg, -1, 1, false, rnd.nextInt(4));                    // EXTRACTPS m32
        }
    }

    private static final int[] MMX_0F = {0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x74,
        0x75, 0x76, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xe1, 0xe2,
        0xe3, 0xe4, 0xe5, 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xef, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf8,
        0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0x6f};

    /** MMX register forms: mm, mm/m64 (the SSSE3 ones included). */
    private void mmx() {
        int rm = rnd.nextInt(3) == 0 ? -1 : rnd.nextInt(8);
        int reg = rnd.nextInt(8);
        switch (rnd.nextInt(6)) {
            case 0, 1, 2 -> insn(0, 0, MMX_0F[rnd.nextInt(MMX_0F.length)], reg, rm, 1, false, -1);
            case 3 -> insn(0, 0x38, INT_38[rnd.nextInt(15)], reg, rm, 1, false, -1);                  // SSSE3 on mm
            case 4 -> insn(0, rnd.nextBoolean() ? 0x3a : 0, rnd.nextBoolean() ? 0x0f : 0x70, reg, rm, 1, false,
                    rnd.nextInt(256));                                                                   // PALIGNR / PSHUFW
            default -> {
                if (rm < 0) insn(0, 0, 0x7f, reg, -1, 1, false, -1);                                     // MOVQ m64, mm
                else { g.begin(); g.emit(0x0f, 0x77); }                                                   // EMMS
            }
        }
    }

    /** Groups 12–14: PSRLW/D/Q PSRAW/D PSLLW/D/Q PSRLDQ PSLLDQ by imm8 (register operands). */
    private void shiftImm() {
        boolean x = rnd.nextBoolean();
        int grp = 0x71 + rnd.nextInt(3);
        int[] regs = grp == 0x73 ? (x ? new int[] {2, 3, 6, 7} : new int[] {2, 6}) : new int[] {2, 4, 6};
        int r = regs[rnd.nextInt(regs.length)];
        int count = rnd.nextInt(4) == 0 ? rnd.nextInt(256) : rnd.nextInt(20);
        insn(x ? 0x66 : 0, 0, grp, r, x ? xmm() : rnd.nextInt(8), 1, false, count);
    }

    private void moves() {
        int reg = xmm();
        switch (rnd.nextInt(14)) {
            case 0 -> insn(rnd.nextBoolean() ? 0 : 0x66, 0, rnd.nextBoolean() ? 0x10 : 0x11, reg, rmX(), 1, false, -1);  // MOVUPS/PD
            case 1 -> insn(rnd.nextBoolean() ? 0 : 0x66, 0, rnd.nextBoolean() ? 0x28 : 0x29, reg, rmX(), alignOrNot(), false, -1);  // MOVAPS/PD
            case 2 -> insn(rnd.nextBoolean() ? 0x66 : 0xf3, 0, rnd.nextBoolean() ? 0x6f : 0x7f, reg, rmX(), alignOrNot(), false, -1); // MOVDQA/DQU
            case 3 -> insn(rnd.nextBoolean() ? 0xf3 : 0xf2, 0, rnd.nextBoolean() ? 0x10 : 0x11, reg, rmX(), 1, false, -1); // MOVSS/SD
            case 4 -> {                                                                                                   // MOVL/HPS, MOVHL/LHPS, MOVL/HPD
                boolean pd = rnd.nextBoolean();
                int op = new int[] {0x12, 0x13, 0x16, 0x17}[rnd.nextInt(4)];
                boolean memOnly = pd || op == 0x13 || op == 0x17;
                insn(pd ? 0x66 : 0, 0, op, reg, memOnly || rnd.nextBoolean() ? -1 : xmm(), 1, false, -1);
            }
            case 5 -> {                                                                                                   // MOVD/MOVQ to and from GPRs
                boolean x = rnd.nextBoolean(), to = rnd.nextBoolean(), w = rnd.nextBoolean();
                int gpr = rnd.nextInt(3) == 0 ? -1 : to ? g.src() : g.dest();
                insn(x ? 0x66 : 0, 0, to ? 0x6e : 0x7e, x ? reg : rnd.nextInt(8), gpr, 1, w, -1);
            }
            case 6 -> {                                                                                                   // MOVQ 66 D6, MOVQ2DQ, MOVDQ2Q
                int k = rnd.nextInt(3);
                if (k == 0) insn(0x66, 0, 0xd6, reg, rmX(), 1, false, -1);
                else insn(k == 1 ? 0xf3 : 0xf2, 0, 0xd6, k == 1 ? reg : rnd.nextInt(8), k == 1 ? rnd.nextInt(8) : xmm(), 1, false, -1);
            }
            case 7 -> {                                                                                                   // MOVNTPS/PD/DQ/Q/I, LDDQU, MOVNTDQA
                switch (rnd.nextInt(6)) {
                    case 0 -> insn(rnd.nextBoolean() ? 0 : 0x66, 0, 0x2b, reg, -1, alignOrNot(), false, -1);
                    case 1 -> insn(0x66, 0, 0xe7, reg, -1, alignOrNot(), false, -1);
                    case 2 -> insn(0, 0, 0xe7, rnd.nextInt(8), -1, 1, false, -1);
                    case 3 -> insn(0, 0, 0xc3, g.src(), -1, 1, rnd.nextBoolean(), -1);
                    case 4 -> insn(0xf2, 0, 0xf0, reg, -1, 1, false, -1);
                    default -> insn(0x66, 0x38, 0x2a, reg, -1, align(), false, -1);
                }
            }
            case 8 -> {                                                                                                   // MOVMSKPS/PD, PMOVMSKB
                int k = rnd.nextInt(4);
                if (k < 2) insn(k == 0 ? 0 : 0x66, 0, 0x50, g.dest(), xmm(), 1, false, -1);
                else insn(k == 2 ? 0 : 0x66, 0, 0xd7, g.dest(), k == 2 ? rnd.nextInt(8) : xmm(), 1, false, -1);
            }
            case 9 -> {                                                                                                   // PINSRW, PEXTRW (0F C4/C5)
                boolean x = rnd.nextBoolean();
                if (rnd.nextBoolean()) insn(x ? 0x66 : 0, 0, 0xc4, x ? reg : rnd.nextInt(8), rnd.nextInt(3) == 0 ? -1 : g.src(), 1, false, rnd.nextInt(256));
                else insn(x ? 0x66 : 0, 0, 0xc5, g.dest(), x ? xmm() : rnd.nextInt(8), 1, false, rnd.nextInt(256));
            }
            case 10 -> {                                                                                                  // PEXTRB/W/D/Q (0F 3A)
                int op = 0x14 + rnd.nextInt(3);
                insn(0x66, 0x3a, op, reg, rnd.nextInt(3) == 0 ? -1 : g.dest(), 1, op == 0x16 && rnd.nextBoolean(), rnd.nextInt(256));
            }
            case 11 -> {                                                                                                  // PINSRB/D/Q
                int op = rnd.nextBoolean() ? 0x20 : 0x22;
                insn(0x66, 0x3a, op, reg, rnd.nextInt(3) == 0 ? -1 : g.src(), 1, op == 0x22 && rnd.nextBoolean(), rnd.nextInt(256));
            }
            case 12 -> {                                                                                                  // MASKMOVQ / MASKMOVDQU to [rDI]
                boolean x = rnd.nextBoolean();
                insn(x ? 0x66 : 0, 0, 0xf7, x ? reg : rnd.nextInt(8), x ? xmm() : rnd.nextInt(8), 1, false, -1);
            }
            default -> insn(0x66, 0x3a, 0x17, reg, g.dest(), 1, false, rnd.nextInt(4));                               // EXTRACTPS r32
        }
    }

    private void conversions() {
        int reg = xmm();
        switch (rnd.nextInt(5)) {
            case 0 -> insn(rnd.nextBoolean() ? 0xf3 : 0xf2, 0, 0x2a, reg, rnd.nextInt(3) == 0 ? -1 : g.src(), 1,
                    rnd.nextBoolean(), -1);                                                              // CVTSI2SS/SD
            case 1 -> insn(rnd.nextBoolean() ? 0xf3 : 0xf2, 0, rnd.nextBoolean() ? 0x2c : 0x2d, g.dest(), rmX(), 1,
                    rnd.nextBoolean(), -1);                                                              // CVT(T)SS/SD2SI
            case 2 -> insn(rnd.nextBoolean() ? 0 : 0x66, 0, 0x2a, reg, rnd.nextInt(3) == 0 ? -1 : rnd.nextInt(8), 1,
                    false, -1);                                                                          // CVTPI2PS/PD
            case 3 -> {                                                                                  // CVT(T)PS2PI / CVT(T)PD2PI
                boolean pd = rnd.nextBoolean();
                insn(pd ? 0x66 : 0, 0, rnd.nextBoolean() ? 0x2c : 0x2d, rnd.nextInt(8), rmX(), pd ? align() : 1, false, -1);
            }
            default -> {                                                                                 // CRC32
                boolean b = rnd.nextBoolean();
                int size = b ? 1 : new int[] {2, 4, 8}[rnd.nextInt(3)];
                g.begin();
                if (size == 2) g.emit(0x66);
                g.emit(0xf2);
                int dst = g.dest(), src = rnd.nextInt(3) == 0 ? -1 : g.src();
                int rex = (size == 8 ? 8 : 0) | ((dst & 8) != 0 ? 4 : 0) | (src >= 0 && (src & 8) != 0 ? 1 : 0);
                if (rex != 0 || (b && rnd.nextBoolean())) g.emit(0x40 | rex);
                g.emit(0x0f, 0x38, b ? 0xf0 : 0xf1);
                if (src >= 0) g.emit(0xc0 | (dst & 7) << 3 | (src & 7));
                else g.modrmMem(dst);
            }
        }
    }

    /** PTEST-free extras: PSHUFB/PALIGNR on XMM with unaligned memory, PCMPxSTRx with a length in EAX/EDX. */
    private void misc() {
        if (rnd.nextBoolean()) {
            g.begin();
            g.emit(0xb8);                                     // mov $len, %eax
            g.emitImm(rnd.nextInt(40) - 20, 4);
            g.begin();
            g.emit(0xba);                                     // mov $len, %edx
            g.emitImm(rnd.nextInt(40) - 20, 4);
            insn(0x66, 0x3a, 0x60 + rnd.nextInt(2), xmm(), rmX(), 1, rnd.nextInt(4) == 0, rnd.nextInt(256));
        } else {
            insn(0x66, 0x3a, 0x62 + rnd.nextInt(2), xmm(), rmX(), 1, false, rnd.nextInt(256));
        }
        g.undef = 0;
    }

    /**
     * LDMXCSR of a valid random MXCSR, STMXCSR, FXSAVE (pointer fields cleared after) and FXRSTOR of what it
     * saved, XSAVE/XSAVEOPT and XRSTOR of what they saved. (Not XGETBV: PVM runs the guest with the host's
     * XCR0, so the reference reads the host's value.)
     */
    private void state() {
        int[] m = g.memOperand(16);
        switch (rnd.nextInt(4)) {
            case 3 -> xsave();
            case 0 -> {
                int mx = (rnd.nextInt(4) << 13) | (rnd.nextInt(4) == 0 ? 0x8040 & rnd.nextInt(0x10000) : 0)
                        | (rnd.nextInt(3) == 0 ? rnd.nextInt(64) << 7 : 0x1f80) | rnd.nextInt(64);
                movImm32(m, 0, mx);
                g.begin();
                g.emit(0x0f, 0xae);
                g.modrmMem(2, m[0], m[1]);                    // LDMXCSR
            }
            case 1 -> {
                g.begin();
                g.emit(0x0f, 0xae);
                g.modrmMem(3, m[0], m[1]);                    // STMXCSR
            }
            default -> {
                boolean w = rnd.nextBoolean();
                g.defineFsw();
                g.begin();
                if (w) g.emit(0x48);
                g.emit(0x0f, 0xae);
                g.modrmMem(0, m[0], m[1]);                    // FXSAVE(64)
                movImm32(m, 6, 0);                            // FOP, FIP (and FCS), FDP (and FDS): bytes 6..23
                movImm32(m, 10, 0);
                movImm32(m, 14, 0);
                movImm32(m, 18, 0);
                movImm16(m, 22, 0);
                movImm32(m, 28, 0);                           // MXCSR_MASK
                if (rnd.nextBoolean()) {
                    boolean poke = rnd.nextInt(3) == 0;       // FCW/FSW whose ES may disagree with flags and masks
                    if (poke) {
                        movImm16(m, 0, 0x340 | rnd.nextInt(64) | rnd.nextInt(4) << 10);
                        movImm16(m, 2, rnd.nextInt(0x10000) & ~0x3800 | 0x3800 & rnd.nextInt(0x10000));
                    }
                    g.begin();
                    if (w) g.emit(0x48);
                    g.emit(0x0f, 0xae);
                    g.modrmMem(1, m[0], m[1]);                // FXRSTOR(64)
                    g.fswUndef = 0;
                    if (poke) {
                        g.begin();
                        g.emit(0x9b);                         // FWAIT: is an exception now pending?
                        g.fswUndef = X87Gen.ALLC;
                    }
                }
            }
        }
    }

    /**
     * A 64-byte aligned area at RCX (from rBX), its XSAVE header zeroed (so that XRSTOR accepts it), XSAVE
     * or XSAVEOPT of a random subset of x87|SSE, the pointer fields and MXCSR_MASK cleared as after FXSAVE,
     * and sometimes XRSTOR of a subset of what was saved.
     */
    private void xsave() {
        int disp = (rnd.nextInt(4) - 2) * 64;
        g.begin();
        g.emit(0x48, 0x8d, 0x4b, disp & 0xff);                // lea disp(%rbx), %rcx
        g.begin();
        g.emit(0x48, 0x83, 0xe1, 0xc0);                       // and $-64, %rcx
        int[] m = {1, 0};                                     // [rcx + off]
        for (int off = 0x200; off < 0x218; off += 8) movImm64(m, off, 0);
        int rfbm = 1 + rnd.nextInt(3);
        g.begin();
        g.emit(0xb8);                                         // mov $rfbm, %eax
        g.emitImm(rfbm, 4);
        g.begin();
        g.emit(0x31, 0xd2);                                   // xor %edx, %edx
        g.defineFsw();
        boolean w = rnd.nextBoolean(), opt = rnd.nextInt(3) == 0;
        g.begin();
        if (w) g.emit(0x48);
        g.emit(0x0f, 0xae, opt ? 0x31 : 0x21);                // XSAVE(64) / XSAVEOPT(64) (%rcx)
        movImm32(m, 6, 0);
        movImm32(m, 10, 0);
        movImm32(m, 14, 0);
        movImm32(m, 18, 0);
        movImm16(m, 22, 0);
        if ((rfbm & 2) != 0) movImm32(m, 28, 0);              // MXCSR_MASK (written only with SSE)
        if (rnd.nextBoolean()) {
            g.begin();
            g.emit(0xb8);
            g.emitImm(rfbm & (1 + rnd.nextInt(3)), 4);        // a subset: only what XSAVE wrote is valid
            g.begin();
            if (w) g.emit(0x48);
            g.emit(0x0f, 0xae, 0x29);                         // XRSTOR(64) (%rcx)
            g.fswUndef = 0;
        }
    }

    /** mov qword [base + disp + off], imm32 (sign-extended). */
    private void movImm64(int[] m, int off, int v) {
        g.begin();
        g.emit(0x48, 0xc7);
        g.modrmMem(0, m[0], m[1] + off);
        g.emitImm(v, 4);
    }

    /** mov word [base + disp + off], imm16. */
    private void movImm16(int[] m, int off, int v) {
        g.begin();
        g.emit(0x66, 0xc7);
        g.modrmMem(0, m[0], m[1] + off);
        g.emitImm(v, 2);
    }

    /** mov dword [base + disp + off], imm32. */
    private void movImm32(int[] m, int off, int v) {
        g.begin();
        g.emit(0xc7);
        g.modrmMem(0, m[0], m[1] + off);
        g.emitImm(v, 4);
    }
}
