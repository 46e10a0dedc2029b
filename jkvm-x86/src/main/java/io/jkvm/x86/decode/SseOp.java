package io.jkvm.x86.decode;

/**
 * Handler families of the SIMD instructions (MMX, SSE–SSE4.2), the value of {@code Insn.sub} for
 * {@link Op#SSE}: the family in the low byte, an argument (operation, element size, variant) above it.
 * {@link SseTable} maps each opcode and mandatory prefix to one; {@code insn.Sse} dispatches on them.
 */
public final class SseOp {
    private SseOp() {}

    public static int family(int sub) {
        return sub & 0xff;
    }

    public static int arg(int sub) {
        return sub >>> 8;
    }

    static int h(int family, int arg) {
        return family | arg << 8;
    }

    // ---- moves (insn.SseMove)
    public static final int LOAD_X = 1;        // Vx ← Wx; arg 1: aligned
    public static final int STORE_X = 2;       // Wx ← Vx; arg 1: aligned, arg 2: aligned and memory only (MOVNT*)
    public static final int MOV_SCALAR = 3;    // MOVSS/MOVSD load (arg size) or store (arg size | 16)
    public static final int MOV_LOW = 4;       // 0F 12: MOVLPS/MOVLPD m64 or MOVHLPS (reg); arg 1: memory only
    public static final int MOV_LOW_ST = 5;    // 0F 13: MOVLPS/MOVLPD m64 ← Vq
    public static final int MOV_HIGH = 6;      // 0F 16: MOVHPS/MOVHPD m64 or MOVLHPS (reg); arg 1: memory only
    public static final int MOV_HIGH_ST = 7;   // 0F 17
    public static final int MOV_DUP = 8;       // MOVSLDUP (0) MOVSHDUP (1) MOVDDUP (2)
    public static final int MOVMSK = 9;        // MOVMSKPS (4) MOVMSKPD (8) PMOVMSKB (1)
    public static final int MOVD_TO = 10;      // 0F 6E: MOVD/MOVQ mm|xmm ← r/m32|64
    public static final int MOVD_FROM = 11;    // 0F 7E: MOVD/MOVQ r/m ← mm|xmm
    public static final int MOVQ_MM = 12;      // 0F 6F NP: MOVQ mm ← mm/m64; arg 1: 0F 7F store
    public static final int MOVQ_X = 13;       // F3 0F 7E: MOVQ xmm ← xmm/m64 (zero-extend); arg 1: 66 0F D6 store
    public static final int MOVQ2DQ = 14;      // arg 0: MOVQ2DQ, 1: MOVDQ2Q
    public static final int MASKMOV = 15;      // MASKMOVQ / MASKMOVDQU
    public static final int MOVNTI = 16;
    public static final int MOVNTQ = 17;
    public static final int EMMS = 18;
    public static final int PINSR = 19;        // PINSRB (1) PINSRW (2) PINSRD/Q (4)
    public static final int PEXTR = 20;        // PEXTRB (1) PEXTRW reg form 0F C5 (2), 0F 3A 15 (2 | 16), PEXTRD/Q (4)
    public static final int INSERTPS = 21;
    public static final int EXTRACTPS = 22;
    public static final int MOVNTDQA = 23;

    // ---- floating point (insn.SseFloat, insn.SseConvert)
    public static final int ARITH = 30;        // arg = op | kind << 4 (op: SseFloat.ADD…; kind: PS PD SS SD)
    public static final int LOGIC_F = 31;      // ANDPS ANDNPS ORPS XORPS (and PD): arg = SimdInt op
    public static final int RCP = 32;          // arg: 0 RCPPS, 1 RCPSS, 2 RSQRTPS, 3 RSQRTSS
    public static final int CMP = 33;          // CMPPS/PD/SS/SD: arg = kind
    public static final int COMIS = 34;        // arg: 0 UCOMISS 1 COMISS 2 UCOMISD 3 COMISD
    public static final int HORIZ = 35;        // HADDPS HSUBPS HADDPD HSUBPD ADDSUBPS ADDSUBPD: arg
    public static final int ROUND = 36;        // ROUNDPS PD SS SD: arg = kind
    public static final int DP = 37;           // DPPS (0) DPPD (1)
    public static final int BLEND = 38;        // BLENDPS(4) BLENDPD(8) PBLENDW(2) by imm; BLENDVPS (4|16) BLENDVPD (8|16) PBLENDVB (1|16)
    public static final int CVT = 39;          // arg = SseConvert.* conversion number

    // ---- integer and shuffles (insn.SimdInt, insn.SimdShuffle)
    public static final int PINT = 50;         // element-wise integer op: arg = SimdInt op
    public static final int PSHIFT = 51;       // by register/m: arg = SimdShuffle shift kind
    public static final int PSHIFT_IMM = 52;   // groups 12 13 14: arg = 1 (W), 2 (D), 3 (Q); kind from ModRM.reg
    public static final int PACK = 53;         // PACKSSWB (0) PACKUSWB (1) PACKSSDW (2) PACKUSDW (3)
    public static final int UNPACK = 54;       // arg = element size log2 | high << 3 (PUNPCKL/H*, UNPCKL/HPS/PD)
    public static final int PSHUF = 55;        // PSHUFW (0) PSHUFD (1) PSHUFHW (2) PSHUFLW (3)
    public static final int SHUFP = 56;        // SHUFPS (0) SHUFPD (1)
    public static final int PSHUFB = 57;
    public static final int PALIGNR = 58;
    public static final int PHADD = 59;        // arg: PHADDW PHADDD PHADDSW PHSUBW PHSUBD PHSUBSW = 0..5
    public static final int PMOVX = 60;        // PMOVSX/ZX: arg = from log2 | to log2 << 2 | zero-extend << 4
    public static final int PTEST = 61;
    public static final int PHMINPOSUW = 62;
    public static final int MPSADBW = 63;
    public static final int PCMPSTR = 64;      // arg: 0 PCMPESTRM 1 PCMPESTRI 2 PCMPISTRM 3 PCMPISTRI
    public static final int CRC32 = 65;        // arg: 1 (r/m8), 0 (r/m16/32/64 by operand size)
    public static final int PCLMULQDQ = 66;

    // ---- arguments
    /** Element-wise integer operations (SimdInt). */
    public static final int ADD_B = 0, ADD_W = 1, ADD_D = 2, ADD_Q = 3, SUB_B = 4, SUB_W = 5, SUB_D = 6, SUB_Q = 7,
            ADDS_B = 8, ADDS_W = 9, ADDUS_B = 10, ADDUS_W = 11, SUBS_B = 12, SUBS_W = 13, SUBUS_B = 14, SUBUS_W = 15,
            CMPEQ_B = 16, CMPEQ_W = 17, CMPEQ_D = 18, CMPEQ_Q = 19, CMPGT_B = 20, CMPGT_W = 21, CMPGT_D = 22, CMPGT_Q = 23,
            AND = 24, ANDN = 25, OR = 26, XOR = 27,
            MINU_B = 28, MAXU_B = 29, MINS_W = 30, MAXS_W = 31, MINS_B = 32, MAXS_B = 33, MINU_W = 34, MAXU_W = 35,
            MINS_D = 36, MAXS_D = 37, MINU_D = 38, MAXU_D = 39,
            AVG_B = 40, AVG_W = 41, MULL_W = 42, MULH_W = 43, MULHU_W = 44, MULHRS_W = 45, MADD_WD = 46, SAD_BW = 47,
            MULU_DQ = 48, MUL_DQ = 49, MULL_D = 50, MADDUBS_W = 51,
            SIGN_B = 52, SIGN_W = 53, SIGN_D = 54, ABS_B = 55, ABS_W = 56, ABS_D = 57;

    /** Floating-point operations and element kinds. */
    public static final int F_ADD = 0, F_SUB = 1, F_MUL = 2, F_DIV = 3, F_MIN = 4, F_MAX = 5, F_SQRT = 6;
    public static final int PS = 0, PD = 1, SS = 2, SD = 3;

    /** Shifts by register: operation | element size log2 << 2. */
    public static final int SRL = 0, SRA = 1, SLL = 2;

    /** Conversions. */
    public static final int CVTPI2PS = 0, CVTPI2PD = 1, CVTSI2SS = 2, CVTSI2SD = 3, CVTTPS2PI = 4, CVTTPD2PI = 5,
            CVTTSS2SI = 6, CVTTSD2SI = 7, CVTPS2PI = 8, CVTPD2PI = 9, CVTSS2SI = 10, CVTSD2SI = 11, CVTPS2PD = 12,
            CVTPD2PS = 13, CVTSS2SD = 14, CVTSD2SS = 15, CVTDQ2PS = 16, CVTPS2DQ = 17, CVTTPS2DQ = 18,
            CVTTPD2DQ = 19, CVTDQ2PD = 20, CVTPD2DQ = 21;
}
