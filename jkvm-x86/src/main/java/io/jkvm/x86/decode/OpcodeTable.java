package io.jkvm.x86.decode;

import static io.jkvm.x86.decode.Op.*;

/**
 * The integer and system opcode maps (SDM Vol. 2 Appendix A), written in the SDM's operand notation and
 * compiled at class load into flag words the {@link Decoder} reads. An entry is either a plain opcode or a
 * group whose ModRM.reg (/digit) picks the entry.
 *
 * <p>Operand notation: E = ModRM r/m, G = ModRM reg, M = memory-only r/m, R = register-only r/m, S =
 * segment register in reg, C/D = control/debug register in reg, I = immediate, J = relative offset,
 * O = moffs, A = far pointer; sizes b (byte), w (word), v (16/32/64 by operand size), z (16/32), q, p.
 * Suffixes after ';': d64 (default 64-bit in long mode), f64 (forced 64-bit), i64 (invalid in 64-bit
 * mode), o64 (valid only in 64-bit mode).
 */
final class OpcodeTable {
    private OpcodeTable() {}

    // flag bits of a compiled entry
    static final int F_VALID = 1, F_MODRM = 1 << 1, F_BYTE = 1 << 2, F_D64 = 1 << 3, F_F64 = 1 << 4, F_I64 = 1 << 5,
            F_O64 = 1 << 6, F_MEM_ONLY = 1 << 7, F_REG_ONLY = 1 << 8, F_GROUP = 1 << 9, F_OPREG = 1 << 10,
            /** operand size 16 or 32 only (z-sized operands: REX.W does not make them 64-bit) */
            F_W16 = 1 << 11;
    // immediate kinds (bits 16..19)
    static final int IMM_NONE = 0, IMM_B = 1, IMM_W = 2, IMM_Z = 3, IMM_V = 4, REL_B = 5, REL_Z = 6, IMM_FAR = 7,
            IMM_WB = 8, MOFFS = 9, IMM_B_UNSIGNED = 10;

    /** flags | imm << 16, by map index (0x000 one-byte, 0x100 two-byte) and, for groups, by 8 × digit. */
    static final int[] FLAGS = new int[0x200];
    static final int[] OP = new int[0x200];
    static final int[] SUB = new int[0x200];
    static final int[][] GFLAGS = new int[0x200][], GOP = new int[0x200][], GSUB = new int[0x200][];

    static int imm(int flags) {
        return (flags >>> 16) & 0xf;
    }

    private static int compile(String form) {
        int f = F_VALID;
        String[] parts = form.split(";");
        String ops = parts[0].trim();
        for (int k = 1; k < parts.length; k++) {
            switch (parts[k].trim()) {
                case "d64" -> f |= F_D64;
                case "f64" -> f |= F_F64;
                case "i64" -> f |= F_I64;
                case "o64" -> f |= F_O64;
                default -> throw new IllegalArgumentException("bad suffix in " + form);
            }
        }
        if (ops.isEmpty()) return f;
        boolean byteOp = false, anyV = false;
        for (String t : ops.split(",")) {
            t = t.trim();
            char k = t.charAt(0);
            String size = t.length() > 1 ? t.substring(1) : "";
            switch (k) {
                case 'E', 'G', 'S', 'C', 'D' -> {
                    if (t.equals("DX") || t.equals("CL")) break;
                    f |= F_MODRM;
                }
                case 'M' -> f |= F_MODRM | F_MEM_ONLY;
                case 'R' -> {
                    if (t.startsWith("rAX") || t.equals("RR")) break;
                    f |= F_MODRM | F_REG_ONLY;
                }
                case 'Z' -> f |= F_OPREG;
                case 'I' -> f |= (switch (size) {
                    case "b" -> IMM_B;
                    case "bu" -> IMM_B_UNSIGNED;
                    case "w" -> IMM_W;
                    case "z" -> IMM_Z;
                    case "v" -> IMM_V;
                    case "wb" -> IMM_WB;
                    default -> throw new IllegalArgumentException(form);
                }) << 16;
                case 'J' -> f |= (size.equals("b") ? REL_B : REL_Z) << 16;
                case 'A' -> {
                    if (t.equals("Ap")) f |= IMM_FAR << 16;
                    else if (t.equals("AL")) byteOp = true;
                }
                case 'O' -> f |= MOFFS << 16;
                default -> { }
            }
            if (size.equals("z") && (k == 'G' || k == 'X' || k == 'Y')) f |= F_W16;
            if (t.equals("eAX")) f |= F_W16;
            if (size.equals("b") && (k == 'E' || k == 'G' || k == 'Z' || k == 'O' || k == 'X' || k == 'Y')) byteOp = true;
            if (size.startsWith("v")) anyV = true;
        }
        if (byteOp && !anyV) f |= F_BYTE;
        return f;
    }

    private static void op(int opc, int op, int sub, String form) {
        FLAGS[opc] = compile(form);
        OP[opc] = op;
        SUB[opc] = sub;
    }

    private static void op(int opc, int op, String form) {
        op(opc, op, 0, form);
    }

    /** Group entry: opcode {@code opc} with ModRM.reg == {@code digit}. */
    private static void grp(int opc, int digit, int op, int sub, String form) {
        if (GFLAGS[opc] == null) {
            GFLAGS[opc] = new int[8];
            GOP[opc] = new int[8];
            GSUB[opc] = new int[8];
            FLAGS[opc] = F_VALID | F_GROUP | F_MODRM;
        }
        GFLAGS[opc][digit] = compile(form);
        GOP[opc][digit] = op;
        GSUB[opc][digit] = sub;
    }

    static {
        oneByte();
        twoByte();
    }

    private static void oneByte() {
        for (int alu = 0; alu < 8; alu++) {
            int b = alu << 3;
            op(b, ALU_EG, alu, "Eb,Gb");
            op(b + 1, ALU_EG, alu, "Ev,Gv");
            op(b + 2, ALU_GE, alu, "Gb,Eb");
            op(b + 3, ALU_GE, alu, "Gv,Ev");
            op(b + 4, ALU_AI, alu, "AL,Ib");
            op(b + 5, ALU_AI, alu, "rAX,Iz");
        }
        op(0x06, PUSH_SEG, 0, "; i64");
        op(0x07, POP_SEG, 0, "; i64");
        op(0x0e, PUSH_SEG, 1, "; i64");
        op(0x16, PUSH_SEG, 2, "; i64");
        op(0x17, POP_SEG, 2, "; i64");
        op(0x1e, PUSH_SEG, 3, "; i64");
        op(0x1f, POP_SEG, 3, "; i64");
        op(0x27, DAA, "; i64");
        op(0x2f, DAS, "; i64");
        op(0x37, AAA, "; i64");
        op(0x3f, AAS, "; i64");
        for (int i = 0; i < 8; i++) {
            op(0x40 + i, INCDEC_R, 0, "Zv; i64");
            op(0x48 + i, INCDEC_R, 1, "Zv; i64");
            op(0x50 + i, PUSH_R, "Zv; d64");
            op(0x58 + i, POP_R, "Zv; d64");
        }
        op(0x60, PUSHA, "; i64");
        op(0x61, POPA, "; i64");
        op(0x62, BOUND, "Gv,Ma; i64");
        op(0x63, MOVSXD, "Gv,Ed");            // ARPL outside 64-bit mode: the decoder swaps it
        op(0x68, PUSH_I, "Iz; d64");
        op(0x69, IMUL_GEI, "Gv,Ev,Iz");
        op(0x6a, PUSH_I, "Ib; d64");
        op(0x6b, IMUL_GEI, "Gv,Ev,Ib");
        op(0x6c, INS, "Yb,DX");
        op(0x6d, INS, "Yz,DX");
        op(0x6e, OUTS, "DX,Xb");
        op(0x6f, OUTS, "DX,Xz");
        for (int cc = 0; cc < 16; cc++) op(0x70 + cc, JCC, cc, "Jb; f64");
        for (int alu = 0; alu < 8; alu++) {
            grp(0x80, alu, ALU_EI, alu, "Eb,Ib");
            grp(0x81, alu, ALU_EI, alu, "Ev,Iz");
            grp(0x82, alu, ALU_EI, alu, "Eb,Ib; i64");
            grp(0x83, alu, ALU_EI, alu, "Ev,Ib");
        }
        op(0x84, TEST_EG, "Eb,Gb");
        op(0x85, TEST_EG, "Ev,Gv");
        op(0x86, XCHG_EG, "Eb,Gb");
        op(0x87, XCHG_EG, "Ev,Gv");
        op(0x88, MOV_EG, "Eb,Gb");
        op(0x89, MOV_EG, "Ev,Gv");
        op(0x8a, MOV_GE, "Gb,Eb");
        op(0x8b, MOV_GE, "Gv,Ev");
        op(0x8c, MOV_ES, "Ev,Sw");
        op(0x8d, LEA, "Gv,M");
        op(0x8e, MOV_SE, "Sw,Ew");
        grp(0x8f, 0, POP_E, 0, "Ev; d64");
        op(0x90, XCHG_AR, "Zv");               // NOP / PAUSE handled by the decoder
        for (int i = 1; i < 8; i++) op(0x90 + i, XCHG_AR, "Zv");
        op(0x98, CBW, "");
        op(0x99, CWD, "");
        op(0x9a, CALL_FAR, "Ap; i64");
        op(0x9b, FWAIT, "");
        op(0x9c, PUSHF, "Fv; d64");
        op(0x9d, POPF, "Fv; d64");
        op(0x9e, SAHF, "");
        op(0x9f, LAHF, "");
        op(0xa0, MOV_AO, "AL,Ob");
        op(0xa1, MOV_AO, "rAX,Ov");
        op(0xa2, MOV_OA, "Ob,AL");
        op(0xa3, MOV_OA, "Ov,rAX");
        op(0xa4, MOVS, "Yb,Xb");
        op(0xa5, MOVS, "Yv,Xv");
        op(0xa6, CMPS, "Xb,Yb");
        op(0xa7, CMPS, "Xv,Yv");
        op(0xa8, TEST_EI, 1, "AL,Ib");
        op(0xa9, TEST_EI, 1, "rAX,Iz");
        op(0xaa, STOS, "Yb,AL");
        op(0xab, STOS, "Yv,rAX");
        op(0xac, LODS, "AL,Xb");
        op(0xad, LODS, "rAX,Xv");
        op(0xae, SCAS, "AL,Yb");
        op(0xaf, SCAS, "rAX,Yv");
        for (int i = 0; i < 8; i++) {
            op(0xb0 + i, MOV_RI, "Zb,Ib");
            op(0xb8 + i, MOV_RI, "Zv,Iv");
        }
        for (int s = 0; s < 8; s++) {
            if (s == 6) continue;
            grp(0xc0, s, SHIFT_E, s, "Eb,Ib");
            grp(0xc1, s, SHIFT_E, s, "Ev,Ib");
            grp(0xd0, s, SHIFT_E, s, "Eb,1");
            grp(0xd1, s, SHIFT_E, s, "Ev,1");
            grp(0xd2, s, SHIFT_E, s, "Eb,CL");
            grp(0xd3, s, SHIFT_E, s, "Ev,CL");
        }
        op(0xc2, RET_NEAR, "Iw; f64");
        op(0xc3, RET_NEAR, "; f64");
        op(0xc4, LSEG, 0, "Gz,Mp; i64");      // LES (VEX outside 32-bit: unsupported)
        op(0xc5, LSEG, 3, "Gz,Mp; i64");      // LDS
        grp(0xc6, 0, MOV_EI, 0, "Eb,Ib");
        grp(0xc7, 0, MOV_EI, 0, "Ev,Iz");
        op(0xc8, ENTER, "Iwb; d64");
        op(0xc9, LEAVE, "; d64");
        op(0xca, RET_FAR, "Iw");
        op(0xcb, RET_FAR, "");
        op(0xcc, INT3, "");
        op(0xcd, INT, "Ibu");
        op(0xce, INTO, "; i64");
        op(0xcf, IRET, "");
        op(0xd4, AAM, "Ibu; i64");
        op(0xd5, AAD, "Ibu; i64");
        op(0xd6, SALC, "; i64");
        op(0xd7, XLAT, "");
        for (int i = 0; i < 8; i++) op(0xd8 + i, X87, i, "Ev");
        op(0xe0, LOOP, 0, "Jb; f64");
        op(0xe1, LOOP, 1, "Jb; f64");
        op(0xe2, LOOP, 2, "Jb; f64");
        op(0xe3, JCXZ, "Jb; f64");
        op(0xe4, IN, "AL,Ibu");
        op(0xe5, IN, "eAX,Ibu");
        op(0xe6, OUT, "Ibu,AL");
        op(0xe7, OUT, "Ibu,eAX");
        op(0xe8, CALL_REL, "Jz; f64");
        op(0xe9, JMP_REL, "Jz; f64");
        op(0xea, JMP_FAR, "Ap; i64");
        op(0xeb, JMP_REL, "Jb; f64");
        op(0xec, IN, 1, "AL,DX");
        op(0xed, IN, 1, "eAX,DX");
        op(0xee, OUT, 1, "DX,AL");
        op(0xef, OUT, 1, "DX,eAX");
        op(0xf1, INT1, "");
        op(0xf4, HLT, "");
        op(0xf5, CMC, "");
        grp(0xf6, 0, TEST_EI, 0, "Eb,Ib");
        grp(0xf6, 1, TEST_EI, 0, "Eb,Ib");
        grp(0xf7, 0, TEST_EI, 0, "Ev,Iz");
        grp(0xf7, 1, TEST_EI, 0, "Ev,Iz");
        for (int k = 2; k < 8; k++) {
            grp(0xf6, k, GRP3_E, k, "Eb");
            grp(0xf7, k, GRP3_E, k, "Ev");
        }
        for (int k = 0; k < 6; k++) op(0xf8 + k, FLAGOP, k, "");  // CLC STC CLI STI CLD STD
        grp(0xfe, 0, INCDEC_E, 0, "Eb");
        grp(0xfe, 1, INCDEC_E, 1, "Eb");
        grp(0xff, 0, INCDEC_E, 0, "Ev");
        grp(0xff, 1, INCDEC_E, 1, "Ev");
        grp(0xff, 2, CALL_E, 0, "Ev; f64");
        grp(0xff, 3, CALL_FAR, 1, "Mp");
        grp(0xff, 4, JMP_E, 0, "Ev; f64");
        grp(0xff, 5, JMP_FAR, 1, "Mp");
        grp(0xff, 6, PUSH_E, 0, "Ev; d64");
    }

    private static void twoByte() {
        int t = 0x100;
        for (int k = 0; k < 6; k++) grp(t + 0x00, k, GRP6, k, "Ew");
        for (int k = 0; k < 8; k++) grp(t + 0x01, k, GRP7, k, "Ev");
        op(t + 0x02, LAR, "Gv,Ew");
        op(t + 0x03, LSL, "Gv,Ew");
        op(t + 0x05, SYSCALL, "");
        op(t + 0x06, CLTS, "");
        op(t + 0x07, SYSRET, "");
        op(t + 0x08, WBINVD, "");
        op(t + 0x09, WBINVD, "");
        op(t + 0x0b, UD, "");
        op(t + 0x0d, NOP, "Ev");               // PREFETCH/PREFETCHW
        for (int k = 0x18; k <= 0x1f; k++) op(t + k, NOP, "Ev");  // hint NOPs, PREFETCHh
        op(t + 0x20, MOV_CR, 0, "Rd,Cd; f64");
        op(t + 0x21, MOV_DR, 0, "Rd,Dd; f64");
        op(t + 0x22, MOV_CR, 1, "Cd,Rd; f64");
        op(t + 0x23, MOV_DR, 1, "Dd,Rd; f64");
        op(t + 0x30, WRMSR, "");
        op(t + 0x31, RDTSC, "");
        op(t + 0x32, RDMSR, "");
        op(t + 0x33, RDPMC, "");
        op(t + 0x34, SYSENTER, "");
        op(t + 0x35, SYSEXIT, "");
        for (int cc = 0; cc < 16; cc++) {
            op(t + 0x40 + cc, CMOV, cc, "Gv,Ev");
            op(t + 0x80 + cc, JCC, cc, "Jz; f64");
            op(t + 0x90 + cc, SETCC, cc, "Eb");
        }
        op(t + 0xa0, PUSH_SEG, 4, "; d64");
        op(t + 0xa1, POP_SEG, 4, "; d64");
        op(t + 0xa2, CPUID, "");
        op(t + 0xa3, BT_EG, 0, "Ev,Gv");
        op(t + 0xa4, SHLD, 0, "Ev,Gv,Ib");
        op(t + 0xa5, SHLD, 1, "Ev,Gv,CL");
        op(t + 0xa8, PUSH_SEG, 5, "; d64");
        op(t + 0xa9, POP_SEG, 5, "; d64");
        op(t + 0xab, BT_EG, 1, "Ev,Gv");
        op(t + 0xac, SHRD, 0, "Ev,Gv,Ib");
        op(t + 0xad, SHRD, 1, "Ev,Gv,CL");
        for (int k = 0; k < 8; k++) grp(t + 0xae, k, GRP15, k, "Ev");
        op(t + 0xaf, IMUL_GE, "Gv,Ev");
        op(t + 0xb0, CMPXCHG, "Eb,Gb");
        op(t + 0xb1, CMPXCHG, "Ev,Gv");
        op(t + 0xb2, LSEG, 2, "Gv,Mp");
        op(t + 0xb3, BT_EG, 2, "Ev,Gv");
        op(t + 0xb4, LSEG, 4, "Gv,Mp");
        op(t + 0xb5, LSEG, 5, "Gv,Mp");
        op(t + 0xb6, MOVZX, 1, "Gv,Eb");
        op(t + 0xb7, MOVZX, 2, "Gv,Ew");
        op(t + 0xb8, POPCNT, "Gv,Ev");         // only with F3; the decoder checks
        op(t + 0xb9, UD, "Gv,Ev");             // UD1
        for (int k = 4; k < 8; k++) grp(t + 0xba, k, BT_EI, k - 4, "Ev,Ib");
        op(t + 0xbb, BT_EG, 3, "Ev,Gv");
        op(t + 0xbc, BSF, "Gv,Ev");            // TZCNT with F3
        op(t + 0xbd, BSR, "Gv,Ev");            // LZCNT with F3
        op(t + 0xbe, MOVSX, 1, "Gv,Eb");
        op(t + 0xbf, MOVSX, 2, "Gv,Ew");
        op(t + 0xc0, XADD, "Eb,Gb");
        op(t + 0xc1, XADD, "Ev,Gv");
        grp(t + 0xc7, 1, CMPXCHG8B, 0, "Mq");
        grp(t + 0xc7, 6, RDRAND, 0, "Rv");
        grp(t + 0xc7, 7, RDRAND, 1, "Rv");     // RDSEED (RDPID with F3 is decoded specially)
        for (int i = 0; i < 8; i++) op(t + 0xc8 + i, BSWAP, "Zv");
        op(t + 0xff, UD, "Gv,Ev");             // UD0
    }
}
