package io.jkvm.x86.decode;

import static io.jkvm.x86.decode.SseOp.*;

/**
 * The SIMD opcode maps (SDM Vol. 2 Appendix A, Tables, legacy encodings): for each of the maps
 * 0F, 0F 38 and 0F 3A, each opcode byte and each mandatory prefix (none, 66, F3, F2) the handler family
 * and argument of {@link SseOp}, or #UD. The decoder resolves an instruction once, so execution dispatches
 * on one number. When F2/F3 and 66 are both present, F2/F3 selects (66 is then only an operand-size
 * prefix, as for CRC32).
 */
final class SseTable {
    private SseTable() {}

    private static final int[] T = new int[3 * 256 * 4];

    /** Sets the handlers of {@code map} (0 = 0F, 1 = 0F 38, 2 = 0F 3A) opcode {@code opc} for NP, 66, F3, F2. */
    private static void op(int map, int opc, int np, int p66, int f3, int f2) {
        int k = (map * 256 + opc) * 4;
        T[k] = np;
        T[k + 1] = p66;
        T[k + 2] = f3;
        T[k + 3] = f2;
    }

    /** An instruction in both the MMX (no prefix) and the SSE2 (66) form. */
    private static void mmx66(int map, int opc, int h) {
        op(map, opc, h, h, 0, 0);
    }

    private static void only66(int map, int opc, int h) {
        op(map, opc, 0, h, 0, 0);
    }

    /** The four float forms PS PD SS SD of a family whose argument is op | kind << 4. */
    private static void fp4(int opc, int family, int op) {
        op(0, opc, h(family, op | PS << 4), h(family, op | PD << 4), h(family, op | SS << 4), h(family, op | SD << 4));
    }

    private static int cvt(int n) {
        return h(CVT, n);
    }

    /** Resolves {@code in} (decoded as {@link Op#SSE}) to its handler in {@code in.sub}, or makes it #UD. */
    static void resolve(Insn in) {
        int map = in.opcode >= 0x300 ? 2 : in.opcode >= 0x200 ? 1 : 0;
        int pp = in.rep == 0xf3 ? 2 : in.rep == 0xf2 ? 3 : in.opsizePrefix ? 1 : 0;
        int h = T[(map * 256 + (in.opcode & 0xff)) * 4 + pp];
        if (h == 0) in.op = Op.UD;
        else in.sub = h;
    }

    static {
        map0F();
        map0F38();
        map0F3A();
    }

    private static void map0F() {
        op(0, 0x10, h(LOAD_X, 0), h(LOAD_X, 0), h(MOV_SCALAR, 4), h(MOV_SCALAR, 8));       // MOVUPS MOVUPD MOVSS MOVSD
        op(0, 0x11, h(STORE_X, 0), h(STORE_X, 0), h(MOV_SCALAR, 4 | 16), h(MOV_SCALAR, 8 | 16));
        op(0, 0x12, h(MOV_LOW, 0), h(MOV_LOW, 1), h(MOV_DUP, 0), h(MOV_DUP, 2));           // MOVLPS/MOVHLPS MOVLPD MOVSLDUP MOVDDUP
        op(0, 0x13, h(MOV_LOW_ST, 0), h(MOV_LOW_ST, 0), 0, 0);
        op(0, 0x14, h(UNPACK, 2), h(UNPACK, 3), 0, 0);                                       // UNPCKLPS UNPCKLPD
        op(0, 0x15, h(UNPACK, 2 | 8), h(UNPACK, 3 | 8), 0, 0);                               // UNPCKHPS UNPCKHPD
        op(0, 0x16, h(MOV_HIGH, 0), h(MOV_HIGH, 1), h(MOV_DUP, 1), 0);                       // MOVHPS/MOVLHPS MOVHPD MOVSHDUP
        op(0, 0x17, h(MOV_HIGH_ST, 0), h(MOV_HIGH_ST, 0), 0, 0);
        op(0, 0x28, h(LOAD_X, 1), h(LOAD_X, 1), 0, 0);                                       // MOVAPS MOVAPD
        op(0, 0x29, h(STORE_X, 1), h(STORE_X, 1), 0, 0);
        op(0, 0x2a, cvt(CVTPI2PS), cvt(CVTPI2PD), cvt(CVTSI2SS), cvt(CVTSI2SD));
        op(0, 0x2b, h(STORE_X, 2), h(STORE_X, 2), 0, 0);                                     // MOVNTPS MOVNTPD
        op(0, 0x2c, cvt(CVTTPS2PI), cvt(CVTTPD2PI), cvt(CVTTSS2SI), cvt(CVTTSD2SI));
        op(0, 0x2d, cvt(CVTPS2PI), cvt(CVTPD2PI), cvt(CVTSS2SI), cvt(CVTSD2SI));
        op(0, 0x2e, h(COMIS, 0), h(COMIS, 2), 0, 0);                                         // UCOMISS UCOMISD
        op(0, 0x2f, h(COMIS, 1), h(COMIS, 3), 0, 0);                                         // COMISS COMISD
        op(0, 0x50, h(MOVMSK, 4), h(MOVMSK, 8), 0, 0);                                       // MOVMSKPS MOVMSKPD
        fp4(0x51, ARITH, F_SQRT);
        op(0, 0x52, h(RCP, 2), 0, h(RCP, 3), 0);                                             // RSQRTPS RSQRTSS
        op(0, 0x53, h(RCP, 0), 0, h(RCP, 1), 0);                                             // RCPPS RCPSS
        op(0, 0x54, h(LOGIC_F, AND), h(LOGIC_F, AND), 0, 0);
        op(0, 0x55, h(LOGIC_F, ANDN), h(LOGIC_F, ANDN), 0, 0);
        op(0, 0x56, h(LOGIC_F, OR), h(LOGIC_F, OR), 0, 0);
        op(0, 0x57, h(LOGIC_F, XOR), h(LOGIC_F, XOR), 0, 0);
        fp4(0x58, ARITH, F_ADD);
        fp4(0x59, ARITH, F_MUL);
        op(0, 0x5a, cvt(CVTPS2PD), cvt(CVTPD2PS), cvt(CVTSS2SD), cvt(CVTSD2SS));
        op(0, 0x5b, cvt(CVTDQ2PS), cvt(CVTPS2DQ), cvt(CVTTPS2DQ), 0);
        fp4(0x5c, ARITH, F_SUB);
        fp4(0x5d, ARITH, F_MIN);
        fp4(0x5e, ARITH, F_DIV);
        fp4(0x5f, ARITH, F_MAX);
        mmx66(0, 0x60, h(UNPACK, 0));                                                        // PUNPCKLBW
        mmx66(0, 0x61, h(UNPACK, 1));
        mmx66(0, 0x62, h(UNPACK, 2));
        mmx66(0, 0x63, h(PACK, 0));                                                          // PACKSSWB
        mmx66(0, 0x64, h(PINT, CMPGT_B));
        mmx66(0, 0x65, h(PINT, CMPGT_W));
        mmx66(0, 0x66, h(PINT, CMPGT_D));
        mmx66(0, 0x67, h(PACK, 1));                                                          // PACKUSWB
        mmx66(0, 0x68, h(UNPACK, 8));                                                        // PUNPCKHBW
        mmx66(0, 0x69, h(UNPACK, 1 | 8));
        mmx66(0, 0x6a, h(UNPACK, 2 | 8));
        mmx66(0, 0x6b, h(PACK, 2));                                                          // PACKSSDW
        only66(0, 0x6c, h(UNPACK, 3));                                                       // PUNPCKLQDQ
        only66(0, 0x6d, h(UNPACK, 3 | 8));                                                   // PUNPCKHQDQ
        mmx66(0, 0x6e, h(MOVD_TO, 0));
        op(0, 0x6f, h(MOVQ_MM, 0), h(LOAD_X, 1), h(LOAD_X, 0), 0);                          // MOVQ MOVDQA MOVDQU
        op(0, 0x70, h(PSHUF, 0), h(PSHUF, 1), h(PSHUF, 2), h(PSHUF, 3));                     // PSHUFW PSHUFD PSHUFHW PSHUFLW
        mmx66(0, 0x71, h(PSHIFT_IMM, 1));
        mmx66(0, 0x72, h(PSHIFT_IMM, 2));
        mmx66(0, 0x73, h(PSHIFT_IMM, 3));
        mmx66(0, 0x74, h(PINT, CMPEQ_B));
        mmx66(0, 0x75, h(PINT, CMPEQ_W));
        mmx66(0, 0x76, h(PINT, CMPEQ_D));
        op(0, 0x77, h(EMMS, 0), 0, 0, 0);
        op(0, 0x7c, 0, h(HORIZ, 2), 0, h(HORIZ, 0));                                         // HADDPD HADDPS
        op(0, 0x7d, 0, h(HORIZ, 3), 0, h(HORIZ, 1));                                         // HSUBPD HSUBPS
        op(0, 0x7e, h(MOVD_FROM, 0), h(MOVD_FROM, 0), h(MOVQ_X, 0), 0);                     // MOVD/MOVQ; F3: MOVQ xmm, xmm/m64
        op(0, 0x7f, h(MOVQ_MM, 1), h(STORE_X, 1), h(STORE_X, 0), 0);                         // MOVQ MOVDQA MOVDQU stores
        op(0, 0xc2, h(CMP, PS), h(CMP, PD), h(CMP, SS), h(CMP, SD));
        op(0, 0xc3, h(MOVNTI, 0), 0, 0, 0);
        mmx66(0, 0xc4, h(PINSR, 2));                                                         // PINSRW
        mmx66(0, 0xc5, h(PEXTR, 2));                                                         // PEXTRW r, mm/xmm
        op(0, 0xc6, h(SHUFP, 0), h(SHUFP, 1), 0, 0);
        op(0, 0xd0, 0, h(HORIZ, 5), 0, h(HORIZ, 4));                                         // ADDSUBPD ADDSUBPS
        mmx66(0, 0xd1, h(PSHIFT, SRL | 1 << 2));
        mmx66(0, 0xd2, h(PSHIFT, SRL | 2 << 2));
        mmx66(0, 0xd3, h(PSHIFT, SRL | 3 << 2));
        mmx66(0, 0xd4, h(PINT, ADD_Q));
        mmx66(0, 0xd5, h(PINT, MULL_W));
        op(0, 0xd6, 0, h(MOVQ_X, 1), h(MOVQ2DQ, 0), h(MOVQ2DQ, 1));                          // MOVQ store, MOVQ2DQ, MOVDQ2Q
        mmx66(0, 0xd7, h(MOVMSK, 1));                                                        // PMOVMSKB
        int[] d8 = {SUBUS_B, SUBUS_W, MINU_B, AND, ADDUS_B, ADDUS_W, MAXU_B, ANDN};
        for (int k = 0; k < 8; k++) mmx66(0, 0xd8 + k, h(PINT, d8[k]));
        mmx66(0, 0xe0, h(PINT, AVG_B));
        mmx66(0, 0xe1, h(PSHIFT, SRA | 1 << 2));
        mmx66(0, 0xe2, h(PSHIFT, SRA | 2 << 2));
        mmx66(0, 0xe3, h(PINT, AVG_W));
        mmx66(0, 0xe4, h(PINT, MULHU_W));
        mmx66(0, 0xe5, h(PINT, MULH_W));
        op(0, 0xe6, 0, cvt(CVTTPD2DQ), cvt(CVTDQ2PD), cvt(CVTPD2DQ));
        op(0, 0xe7, h(MOVNTQ, 0), h(STORE_X, 2), 0, 0);                                      // MOVNTQ MOVNTDQ
        int[] e8 = {SUBS_B, SUBS_W, MINS_W, OR, ADDS_B, ADDS_W, MAXS_W, XOR};
        for (int k = 0; k < 8; k++) mmx66(0, 0xe8 + k, h(PINT, e8[k]));
        op(0, 0xf0, 0, 0, 0, h(LOAD_X, 4));                                                  // LDDQU (memory only)
        mmx66(0, 0xf1, h(PSHIFT, SLL | 1 << 2));
        mmx66(0, 0xf2, h(PSHIFT, SLL | 2 << 2));
        mmx66(0, 0xf3, h(PSHIFT, SLL | 3 << 2));
        mmx66(0, 0xf4, h(PINT, MULU_DQ));
        mmx66(0, 0xf5, h(PINT, MADD_WD));
        mmx66(0, 0xf6, h(PINT, SAD_BW));
        mmx66(0, 0xf7, h(MASKMOV, 0));                                                       // MASKMOVQ MASKMOVDQU
        int[] f8 = {SUB_B, SUB_W, SUB_D, SUB_Q, ADD_B, ADD_W, ADD_D};
        for (int k = 0; k < 7; k++) mmx66(0, 0xf8 + k, h(PINT, f8[k]));
    }

    private static void map0F38() {
        mmx66(1, 0x00, h(PSHUFB, 0));
        for (int k = 0; k < 3; k++) {
            mmx66(1, 0x01 + k, h(PHADD, k));                                                 // PHADDW PHADDD PHADDSW
            mmx66(1, 0x05 + k, h(PHADD, 3 + k));                                             // PHSUBW PHSUBD PHSUBSW
        }
        mmx66(1, 0x04, h(PINT, MADDUBS_W));
        mmx66(1, 0x08, h(PINT, SIGN_B));
        mmx66(1, 0x09, h(PINT, SIGN_W));
        mmx66(1, 0x0a, h(PINT, SIGN_D));
        mmx66(1, 0x0b, h(PINT, MULHRS_W));
        mmx66(1, 0x1c, h(PINT, ABS_B));
        mmx66(1, 0x1d, h(PINT, ABS_W));
        mmx66(1, 0x1e, h(PINT, ABS_D));
        only66(1, 0x10, h(BLEND, 1 | 16));                                                   // PBLENDVB
        only66(1, 0x14, h(BLEND, 4 | 16));                                                   // BLENDVPS
        only66(1, 0x15, h(BLEND, 8 | 16));                                                   // BLENDVPD
        only66(1, 0x17, h(PTEST, 0));
        int[][] ext = {{0, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 3}};
        for (int k = 0; k < 6; k++) {
            only66(1, 0x20 + k, h(PMOVX, ext[k][0] | ext[k][1] << 2));                      // PMOVSX*
            only66(1, 0x30 + k, h(PMOVX, ext[k][0] | ext[k][1] << 2 | 16));                 // PMOVZX*
        }
        only66(1, 0x28, h(PINT, MUL_DQ));
        only66(1, 0x29, h(PINT, CMPEQ_Q));
        only66(1, 0x2a, h(MOVNTDQA, 0));
        only66(1, 0x2b, h(PACK, 3));                                                         // PACKUSDW
        only66(1, 0x37, h(PINT, CMPGT_Q));
        int[] mm = {MINS_B, MINS_D, MINU_W, MINU_D, MAXS_B, MAXS_D, MAXU_W, MAXU_D};
        for (int k = 0; k < 8; k++) only66(1, 0x38 + k, h(PINT, mm[k]));
        only66(1, 0x40, h(PINT, MULL_D));
        only66(1, 0x41, h(PHMINPOSUW, 0));
        op(1, 0xf0, 0, 0, 0, h(CRC32, 1));                                                   // CRC32 r, r/m8
        op(1, 0xf1, 0, 0, 0, h(CRC32, 0));                                                   // CRC32 r, r/m16/32/64
    }

    private static void map0F3A() {
        mmx66(2, 0x0f, h(PALIGNR, 0));
        only66(2, 0x08, h(ROUND, PS));
        only66(2, 0x09, h(ROUND, PD));
        only66(2, 0x0a, h(ROUND, SS));
        only66(2, 0x0b, h(ROUND, SD));
        only66(2, 0x0c, h(BLEND, 4));                                                        // BLENDPS
        only66(2, 0x0d, h(BLEND, 8));                                                        // BLENDPD
        only66(2, 0x0e, h(BLEND, 2));                                                        // PBLENDW
        only66(2, 0x14, h(PEXTR, 1));
        only66(2, 0x15, h(PEXTR, 2 | 16));
        only66(2, 0x16, h(PEXTR, 4));
        only66(2, 0x17, h(EXTRACTPS, 0));
        only66(2, 0x20, h(PINSR, 1));
        only66(2, 0x21, h(INSERTPS, 0));
        only66(2, 0x22, h(PINSR, 4));
        only66(2, 0x40, h(DP, 0));
        only66(2, 0x41, h(DP, 1));
        only66(2, 0x42, h(MPSADBW, 0));
        only66(2, 0x44, h(PCLMULQDQ, 0));
        for (int k = 0; k < 4; k++) only66(2, 0x60 + k, h(PCMPSTR, k));
    }
}
