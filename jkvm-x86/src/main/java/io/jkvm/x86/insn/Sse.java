package io.jkvm.x86.insn;

import static io.jkvm.x86.decode.SseOp.*;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.decode.SseOp;
import io.jkvm.x86.exc.Vector;
import io.jkvm.x86.fpu.FpuState;

/**
 * The SIMD instructions (MMX, SSE, SSE2, SSE3, SSSE3, SSE4.1, SSE4.2, legacy encodings): the checks they
 * make before anything else (SDM Vol. 3A Table 2-2 / Vol. 1 §11.6.2) — MMX forms: #UD if CR0.EM, #NM if
 * CR0.TS, #MF for a pending x87 exception; SSE forms: #UD if CR0.EM or not CR4.OSFXSR, #NM if CR0.TS —
 * then one dispatch on the handler family the decoder resolved ({@link io.jkvm.x86.decode.SseTable}), and
 * the operand access every family shares: MMX/XMM registers, 64/128-bit memory operands with the 16-byte
 * alignment check of legacy SSE (#GP(0)), and SIMD floating-point exception delivery (#XM or #UD).
 */
public final class Sse {
    private Sse() {}

    static final long CR4_OSFXSR = 1L << 9, CR4_OSXMMEXCPT = 1L << 10;

    public static void exec(Cpu c, Insn i) {
        int sub = i.sub, fam = SseOp.family(sub), arg = SseOp.arg(sub);
        boolean mmx = mmxForm(i, fam, arg);
        if (mmx) mmxChecks(c);
        else sseChecks(c);
        dispatch(c, i, fam, arg);
        // the x87-to-MMX transition takes effect when the instruction completes: a #PF on its memory
        // operand leaves TOP and the tags alone (EMMS empties the tags instead)
        if (mmx && fam != EMMS) c.fpu.enterMmx();
    }

    private static void dispatch(Cpu c, Insn i, int fam, int arg) {
        switch (fam) {
            case LOAD_X -> SseMove.loadX(c, i, arg);
            case STORE_X -> SseMove.storeX(c, i, arg);
            case MOV_SCALAR -> SseMove.movScalar(c, i, arg);
            case MOV_LOW -> SseMove.movLow(c, i, arg);
            case MOV_LOW_ST -> SseMove.movHalfStore(c, i, false);
            case MOV_HIGH -> SseMove.movHigh(c, i, arg);
            case MOV_HIGH_ST -> SseMove.movHalfStore(c, i, true);
            case MOV_DUP -> SseMove.movDup(c, i, arg);
            case MOVMSK -> SseMove.movmsk(c, i, arg);
            case MOVD_TO -> SseMove.movdTo(c, i);
            case MOVD_FROM -> SseMove.movdFrom(c, i);
            case MOVQ_MM -> SseMove.movqMm(c, i, arg);
            case MOVQ_X -> SseMove.movqX(c, i, arg);
            case MOVQ2DQ -> SseMove.movq2dq(c, i, arg);
            case MASKMOV -> SseMove.maskmov(c, i);
            case MOVNTI -> SseMove.movnti(c, i);
            case MOVNTQ -> SseMove.movntq(c, i);
            case EMMS -> {                                  // TOP = 0 (as every MMX instruction), all tags empty
                c.fpu.enterMmx();
                c.fpu.ftw = 0;
            }
            case PINSR -> SseMove.pinsr(c, i, arg);
            case PEXTR -> SseMove.pextr(c, i, arg);
            case INSERTPS -> SseMove.insertps(c, i);
            case EXTRACTPS -> SseMove.extractps(c, i);
            case MOVNTDQA -> SseMove.loadX(c, i, 1 | 4);
            case ARITH -> SseFloat.arith(c, i, arg);
            case LOGIC_F -> SimdInt.packed(c, i, arg, false);
            case RCP -> SseFloat.rcp(c, i, arg);
            case CMP -> SseFloat.cmp(c, i, arg);
            case COMIS -> SseFloat.comis(c, i, arg);
            case HORIZ -> SseFloat.horizontal(c, i, arg);
            case ROUND -> SseFloat.round(c, i, arg);
            case DP -> SseFloat.dp(c, i, arg);
            case BLEND -> SimdShuffle.blend(c, i, arg);
            case CVT -> SseConvert.convert(c, i, arg);
            case PINT -> SimdInt.packed(c, i, arg, !i.opsizePrefix);
            case PSHIFT -> SimdShuffle.shift(c, i, arg);
            case PSHIFT_IMM -> SimdShuffle.shiftImm(c, i, arg);
            case PACK -> SimdShuffle.pack(c, i, arg);
            case UNPACK -> SimdShuffle.unpack(c, i, arg);
            case PSHUF -> SimdShuffle.pshuf(c, i, arg);
            case SHUFP -> SimdShuffle.shufp(c, i, arg);
            case PSHUFB -> SimdShuffle.pshufb(c, i);
            case PALIGNR -> SimdShuffle.palignr(c, i);
            case PHADD -> SimdShuffle.phadd(c, i, arg);
            case PMOVX -> SimdShuffle.pmovx(c, i, arg);
            case PTEST -> SimdShuffle.ptest(c, i);
            case PHMINPOSUW -> SimdShuffle.phminposuw(c, i);
            case MPSADBW -> SimdShuffle.mpsadbw(c, i);
            case PCMPSTR -> SseString.pcmpstr(c, i, arg);
            case CRC32 -> SseString.crc32(c, i, arg);
            case PCLMULQDQ -> SseString.pclmulqdq(c, i);
            default -> throw c.fault(Vector.UD);
        }
    }

    /** The no-prefix forms that name MMX registers (the same opcodes with 66 name XMM registers). */
    private static boolean mmxForm(Insn i, int fam, int arg) {
        if (i.opsizePrefix || i.rep != 0) return false;
        return switch (fam) {
            case PINT, PSHIFT, PSHIFT_IMM, PACK, PSHUFB, PALIGNR, PHADD, MOVD_TO, MOVD_FROM, MOVQ_MM, MASKMOV, MOVNTQ,
                 EMMS, PINSR, PEXTR -> true;
            case UNPACK -> (i.opcode & 0xff) >= 0x60;                  // not UNPCKLPS/UNPCKHPS
            case PSHUF -> arg == 0;                                      // PSHUFW
            case MOVMSK -> arg == 1;                                     // PMOVMSKB mm
            default -> false;
        };
    }

    static void sseChecks(Cpu c) {
        if ((c.cr0 & Cpu.CR0_EM) != 0 || (c.cr4 & CR4_OSFXSR) == 0) throw c.fault(Vector.UD);
        if ((c.cr0 & Cpu.CR0_TS) != 0) throw c.fault(Vector.NM);
    }

    static void mmxChecks(Cpu c) {
        if ((c.cr0 & Cpu.CR0_EM) != 0) throw c.fault(Vector.UD);
        if ((c.cr0 & Cpu.CR0_TS) != 0) throw c.fault(Vector.NM);
        X87.checkPending(c);
    }

    // ------------------------------------------------------------------ SIMD floating-point exceptions

    /**
     * Records the exception flags of an operation in MXCSR and raises #XM (CR4.OSXMMEXCPT) or #UD when one
     * of them is unmasked, before the destination is written. Pre-computation exceptions (IE DE ZE) of any
     * element win: then the post-computation flags are not recorded (SDM Vol. 1 §11.5.1).
     */
    static void mxcsrFlags(Cpu c, int pre, int post) {
        FpuState f = c.fpu;
        int masks = (f.mxcsr >> 7) & 0x3f;
        if ((pre & ~masks) != 0) {
            f.mxcsr |= pre;
            raiseXm(c);
        }
        int all = pre | post;
        f.mxcsr |= all;
        if ((all & ~masks) != 0) raiseXm(c);
    }

    private static void raiseXm(Cpu c) {
        throw c.fault((c.cr4 & CR4_OSXMMEXCPT) != 0 ? Vector.XM : Vector.UD);
    }

    // ------------------------------------------------------------------ operands

    /** Linear address of the memory operand; {@code align16}: misaligned is #GP(0) (checked before paging). */
    static long addr(Cpu c, Insn i, int size, boolean write, boolean align16) {
        long la = c.linE(i, size, write);
        if (align16 && (la & 15) != 0) throw c.fault(Vector.GP, 0);
        return la;
    }

    /** The 128-bit source (XMM r/m or m128) into {@code fpu.srcLo/srcHi}. */
    static void srcX(Cpu c, Insn i, boolean align) {
        FpuState f = c.fpu;
        if (!i.mem) {
            f.srcLo = f.xmm[2 * i.rm];
            f.srcHi = f.xmm[2 * i.rm + 1];
            return;
        }
        long la = addr(c, i, 16, false, align);
        long lo = c.read(la, 8), hi = c.read(la + 8, 8);
        f.srcLo = lo;
        f.srcHi = hi;
    }

    /** The low 64 bits of XMM r/m, or m64. */
    static long srcX64(Cpu c, Insn i) {
        return i.mem ? c.read(c.linE(i, 8, false), 8) : c.fpu.xmm[2 * i.rm];
    }

    /** The low 32 bits of XMM r/m, or m32. */
    static int srcX32(Cpu c, Insn i) {
        return i.mem ? (int) c.read(c.linE(i, 4, false), 4) : (int) c.fpu.xmm[2 * i.rm];
    }

    /** MMX r/m (register rm & 7) or m64. */
    static long srcMm(Cpu c, Insn i) {
        return i.mem ? c.read(c.linE(i, 8, false), 8) : c.fpu.mm(i.rm & 7);
    }

    /** Writes 16 bytes at {@code la}; both halves are checked first, so a fault writes nothing. */
    static void write128(Cpu c, long la, long lo, long hi) {
        X87.probe(c, la, 16, true);
        c.write(la, 8, lo);
        c.write(la + 8, 8, hi);
    }

    static void setX(Cpu c, int reg, long lo, long hi) {
        long[] x = c.fpu.xmm;
        x[2 * reg] = lo;
        x[2 * reg + 1] = hi;
    }
}
