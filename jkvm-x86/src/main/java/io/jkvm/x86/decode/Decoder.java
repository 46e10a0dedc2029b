package io.jkvm.x86.decode;

import static io.jkvm.x86.decode.OpcodeTable.*;

/**
 * Decodes one x86 instruction into an {@link Insn}: legacy prefixes, REX, the one- and two-byte opcode maps
 * of {@link OpcodeTable}, ModRM/SIB/displacement in 16-, 32- and 64-bit addressing, immediates, and the
 * operand/address sizes. Encodings the core does not implement decode to {@link Op#UD} (→ #UD) or
 * {@link Op#INVALID} when a 64-bit-invalid opcode appears in 64-bit mode.
 */
public final class Decoder {
    /** Where instruction bytes come from: linear fetch through the MMU, or a test buffer. */
    public interface Source {
        /** The byte at {@code offset} from the instruction start (may raise a guest fault). */
        int byteAt(int offset);
    }

    private Decoder() {}

    /** Architectural maximum instruction length; longer encodings raise #GP(0). */
    public static final int MAX_LEN = 15;

    /** Thrown (as a value, not an exception) when the encoding is longer than 15 bytes. */
    public static final int TOO_LONG = -1;

    private static final int[] SEG_PREFIX = new int[256];
    static {
        java.util.Arrays.fill(SEG_PREFIX, -1);
        SEG_PREFIX[0x26] = 0; SEG_PREFIX[0x2e] = 1; SEG_PREFIX[0x36] = 2; SEG_PREFIX[0x3e] = 3;
        SEG_PREFIX[0x64] = 4; SEG_PREFIX[0x65] = 5;
    }

    /**
     * Decodes at the source into {@code in}. {@code mode64} and {@code defSize} (2 or 4) describe CS.
     * Returns the length, or {@link #TOO_LONG}.
     */
    public static int decode(Source src, boolean mode64, int defSize, Insn in) {
        int len = decodeInsn(src, mode64, defSize, in);
        if (len > 0 && in.op == Op.SSE) SseTable.resolve(in);
        return len;
    }

    private static int decodeInsn(Source src, boolean mode64, int defSize, Insn in) {
        in.clear();
        int pos = 0;
        int segOv = -1, b;
        boolean opsz = false, adsz = false;
        int rex = 0;
        // ---- prefixes
        while (true) {
            if (pos >= MAX_LEN) return TOO_LONG;
            b = src.byteAt(pos);
            if (b == 0x66) opsz = true;
            else if (b == 0x67) adsz = true;
            else if (b == 0xf0) in.lock = true;
            else if (b == 0xf2 || b == 0xf3) in.rep = b;
            else if (SEG_PREFIX[b] >= 0) segOv = SEG_PREFIX[b];
            else if (mode64 && (b & 0xf0) == 0x40) {
                rex = b;                       // REX counts only directly before the opcode
                pos++;
                if (pos >= MAX_LEN) return TOO_LONG;
                b = src.byteAt(pos);
                if ((b & 0xf0) == 0x40 || b == 0x66 || b == 0x67 || b == 0xf0 || b == 0xf2 || b == 0xf3 || SEG_PREFIX[b] >= 0) {
                    rex = 0;
                    continue;                  // a prefix after REX: REX is ignored, keep scanning
                }
                break;
            } else break;
            pos++;
        }
        in.rex = rex != 0;
        in.rexW = (rex & 8) != 0;
        in.opsizePrefix = opsz;
        int rexR = (rex & 4) << 1, rexX = (rex & 2) << 2, rexB = (rex & 1) << 3;
        // ---- opcode
        int opc = b;
        pos++;
        if (opc == 0x0f) {
            if (pos >= MAX_LEN) return TOO_LONG;
            int b2 = src.byteAt(pos++);
            if (b2 == 0x38 || b2 == 0x3a) {
                if (pos >= MAX_LEN) return TOO_LONG;
                int b3 = src.byteAt(pos++);
                in.opcode = (b2 == 0x38 ? 0x200 : 0x300) | b3;
                if (b2 == 0x38 && (b3 == 0xf0 || b3 == 0xf1) && in.rep == 0) {
                    in.op = Op.MOVBE;
                    return finish(src, pos, in, F_VALID | F_MODRM | F_MEM_ONLY, b3 == 0xf0 ? 0 : 1, mode64, defSize,
                            opsz, adsz, segOv, rexR, rexX, rexB);
                }
                in.op = Op.SSE;
                return finish(src, pos, in, F_VALID | F_MODRM | ((b2 == 0x3a ? IMM_B : 0) << 16), 0, mode64, defSize,
                        opsz, adsz, segOv, rexR, rexX, rexB);
            }
            opc = 0x100 | b2;
        }
        in.opcode = opc;
        int flags = FLAGS[opc];
        int sub = SUB[opc];
        in.op = OP[opc];
        if ((flags & F_VALID) == 0) {
            // unlisted: SSE/MMX space of the 0F map, else undefined
            boolean sse = opc >= 0x110 && opc < 0x200 && !(opc >= 0x120 && opc < 0x124) && !(opc >= 0x130 && opc < 0x140);
            in.op = sse ? Op.SSE : Op.UD;
            flags = !sse || opc == 0x177 ? F_VALID : F_VALID | F_MODRM | (ssesImm(opc) << 16);   // EMMS: no ModRM
        }
        if ((flags & F_GROUP) != 0) {
            if (pos >= MAX_LEN) return TOO_LONG;
            int digit = (src.byteAt(pos) >> 3) & 7;
            int[] g = GFLAGS[opc];
            flags = g[digit];
            if ((flags & F_VALID) == 0) {
                in.op = Op.UD;
                flags = F_VALID | F_MODRM;
            } else {
                in.op = GOP[opc][digit];
                sub = GSUB[opc][digit];
            }
        }
        if (mode64 && (flags & F_I64) != 0) {
            in.op = Op.INVALID;
            flags = F_VALID;
        }
        // ---- special encodings
        if (opc == 0x90) {
            if (rexB == 0) in.op = in.rep == 0xf3 ? Op.NOP : Op.NOP;   // NOP, PAUSE (F3 90)
        } else if (opc == 0x63 && !mode64) {
            in.op = Op.ARPL;
            flags = F_VALID | F_MODRM;
        } else if (opc == 0x1b8 && in.rep != 0xf3) {
            in.op = Op.UD;
        } else if (opc == 0x1bd && in.rep == 0xf3) {
            in.op = Op.LZCNT;
        } else if (opc == 0x1c7 && in.rep == 0xf3 && in.op == Op.RDRAND && sub == 1) {
            in.op = Op.RDPID;
        }
        return finish(src, pos, in, flags, sub, mode64, defSize, opsz, adsz, segOv, rexR, rexX, rexB);
    }

    /** 0F-map SSE opcodes that carry an imm8 (PSHUF*, shifts by imm, CMPPS, SHUFPS, PINSRW/PEXTRW). */
    private static int ssesImm(int opc) {
        return switch (opc) {
            case 0x170, 0x171, 0x172, 0x173, 0x1c2, 0x1c4, 0x1c5, 0x1c6 -> IMM_B;
            default -> IMM_NONE;
        };
    }

    private static int finish(Source src, int pos, Insn in, int flags, int sub, boolean mode64, int defSize,
                              boolean opsz, boolean adsz, int segOv, int rexR, int rexX, int rexB) {
        in.sub = sub;
        // ---- sizes
        int osize;
        if ((flags & F_BYTE) != 0) osize = 1;
        else if (mode64) {
            if (in.rexW && (flags & F_W16) == 0) osize = 8;
            else if ((flags & F_F64) != 0) osize = 8;
            else if ((flags & F_D64) != 0) osize = opsz ? 2 : 8;
            else osize = opsz ? 2 : 4;
        } else {
            osize = opsz ? 6 - defSize : defSize;
        }
        in.osize = osize;
        int asize = mode64 ? (adsz ? 4 : 8) : (adsz ? 6 - defSize : defSize);
        in.asize = asize;
        in.eaMask = asize == 8 ? -1L : asize == 4 ? 0xffffffffL : 0xffff;
        // ---- ModRM
        boolean anyRex = in.rex;
        if ((flags & F_MODRM) != 0) {
            if (pos >= MAX_LEN) return TOO_LONG;
            int modrm = src.byteAt(pos++);
            int mod = modrm >> 6, reg = (modrm >> 3) & 7, rm = modrm & 7;
            in.mod = mod;
            in.modrm = modrm;
            in.reg = reg | rexR;
            boolean extend = in.op == Op.MOVZX || in.op == Op.MOVSX;
            boolean regByte = osize == 1 && !extend, rmByte = osize == 1 || (extend && sub == 1);
            if (regByte && !anyRex && reg >= 4) in.reg = 16 + reg - 4;
            if (mod == 3) {
                in.rm = rm | rexB;
                if (rmByte && !anyRex && rm >= 4) in.rm = 16 + rm - 4;
                if ((flags & F_MEM_ONLY) != 0 && !memOnlyExempt(in)) in.op = Op.UD;
            } else {
                if ((flags & F_REG_ONLY) != 0 && in.op != Op.MOV_CR && in.op != Op.MOV_DR) in.op = Op.UD;
                in.mem = true;
                pos = asize == 2 ? modrm16(src, pos, in, mod, rm) : modrm32(src, pos, in, mod, rm, rexX, rexB, mode64, asize);
                if (pos < 0) return TOO_LONG;
            }
            if (in.op == Op.MOV_CR || in.op == Op.MOV_DR) {  // always register operands, mod ignored
                in.rm = rm | rexB;
                in.mem = false;
            }
        } else if ((flags & F_OPREG) != 0) {
            int r = (in.opcode & 7) | rexB;
            if (osize == 1 && !anyRex && (in.opcode & 7) >= 4) r = 16 + (in.opcode & 7) - 4;
            in.reg = r;
        }
        if (segOv >= 0) {
            in.seg = segOv;
            in.segOverride = true;
        }
        // ---- immediates
        int imm = OpcodeTable.imm(flags);
        int isz = switch (imm) {
            case IMM_B, IMM_B_UNSIGNED, REL_B -> 1;
            case IMM_W -> 2;
            case IMM_Z, REL_Z -> osize == 2 ? 2 : 4;
            case IMM_V -> osize;
            case IMM_FAR -> osize == 2 ? 4 : 6;
            case IMM_WB -> 3;
            case MOFFS -> asize;
            default -> 0;
        };
        if (pos + isz > MAX_LEN) return TOO_LONG;
        switch (imm) {
            case IMM_NONE -> { }
            case IMM_B, REL_B -> in.imm = (byte) src.byteAt(pos);
            case IMM_B_UNSIGNED -> in.imm = src.byteAt(pos);
            case IMM_W -> in.imm = le(src, pos, 2);
            case IMM_Z, REL_Z -> in.imm = isz == 2 ? (short) le(src, pos, 2) : (int) le(src, pos, 4);
            case IMM_V -> in.imm = osize == 8 ? le(src, pos, 8) : osize == 4 ? (int) le(src, pos, 4)
                    : osize == 2 ? (short) le(src, pos, 2) : (byte) le(src, pos, 1);
            case IMM_FAR -> {
                in.imm = le(src, pos, isz - 2);
                in.imm2 = le(src, pos + isz - 2, 2);
            }
            case IMM_WB -> {
                in.imm = le(src, pos, 2);
                in.imm2 = src.byteAt(pos + 2);
            }
            case MOFFS -> {
                in.disp = le(src, pos, isz);
                in.mem = true;
            }
            default -> throw new IllegalStateException();
        }
        pos += isz;
        in.len = pos;
        if (in.lock && !lockable(in)) in.op = Op.UD;
        return pos;
    }

    /** LOCK is valid only on these read-modify-write instructions with a memory destination (else #UD). */
    private static boolean lockable(Insn in) {
        if (!in.mem) return false;
        return switch (in.op) {
            case Op.ALU_EG, Op.ALU_EI -> in.sub != 7;                     // not CMP
            case Op.INCDEC_E, Op.XADD, Op.CMPXCHG, Op.CMPXCHG8B, Op.XCHG_EG -> true;
            case Op.GRP3_E -> in.sub == 2 || in.sub == 3;                // NOT, NEG
            case Op.BT_EG, Op.BT_EI -> in.sub != 0;                      // BTS BTR BTC, not BT
            default -> false;
        };
    }

    private static boolean memOnlyExempt(Insn in) {
        return in.op == Op.GRP7 || in.op == Op.GRP15 || in.op == Op.CMPXCHG8B;
    }

    private static long le(Source s, int pos, int n) {
        long v = 0;
        for (int i = 0; i < n; i++) v |= (long) s.byteAt(pos + i) << (8 * i);
        return v;
    }

    /** 16-bit r/m: [BX+SI] [BX+DI] [BP+SI] [BP+DI] [SI] [DI] [BP] [BX] as base/index register pairs. */
    private static final int[] BASE16 = {3, 3, 5, 5, 6, 7, 5, 3}, INDEX16 = {6, 7, 6, 7, -1, -1, -1, -1};

    private static int modrm16(Source src, int pos, Insn in, int mod, int rm) {
        in.base = BASE16[rm];
        in.index = INDEX16[rm];
        in.scale = 0;
        boolean ssDefault = rm == 2 || rm == 3 || (rm == 6 && mod != 0);
        if (mod == 0 && rm == 6) {
            in.base = -1;
            in.disp = (short) le(src, pos, 2);
            return pos + 2;
        }
        if (ssDefault) in.seg = 2;
        if (mod == 1) {
            in.disp = (byte) src.byteAt(pos);
            return pos + 1;
        }
        if (mod == 2) {
            in.disp = (short) le(src, pos, 2);
            return pos + 2;
        }
        return pos;
    }

    private static int modrm32(Source src, int pos, Insn in, int mod, int rm, int rexX, int rexB, boolean mode64,
                               int asize) {
        int base, index = -1, scale = 0;
        if (rm == 4) {
            if (pos >= MAX_LEN) return -1;
            int sib = src.byteAt(pos++);
            scale = sib >> 6;
            int idx = ((sib >> 3) & 7) | rexX;
            if (idx != 4) index = idx;
            int b = sib & 7;
            if (b == 5 && mod == 0) {
                base = -1;
                if (pos + 4 > MAX_LEN) return -1;
                in.disp = (int) le(src, pos, 4);
                pos += 4;
            } else {
                base = b | rexB;
            }
        } else if (rm == 5 && mod == 0) {
            base = -1;
            if (pos + 4 > MAX_LEN) return -1;
            in.disp = (int) le(src, pos, 4);
            pos += 4;
            in.ripRel = mode64;
        } else {
            base = rm | rexB;
        }
        in.base = base;
        in.index = index;
        in.scale = scale;
        if (base == 4 || base == 5) in.seg = 2;   // rSP/rBP based → SS (not r12/r13)
        if (mod == 1) {
            if (pos >= MAX_LEN) return -1;
            in.disp = (byte) src.byteAt(pos++);
        } else if (mod == 2) {
            if (pos + 4 > MAX_LEN) return -1;
            in.disp = (int) le(src, pos, 4);
            pos += 4;
        }
        return pos;
    }
}
