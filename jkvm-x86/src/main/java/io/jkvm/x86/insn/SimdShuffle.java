package io.jkvm.x86.insn;

import static io.jkvm.x86.decode.SseOp.*;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.exc.Vector;
import io.jkvm.x86.flags.Cc;
import io.jkvm.x86.fpu.FpuState;

/**
 * SIMD operations that move data across elements: shifts (PSRL* PSRA* PSLL* by register or immediate,
 * PSRLDQ PSLLDQ), PACKSS*, PACKUS*, PUNPCK* and UNPCKLPS/PD UNPCKHPS/PD, PSHUFW PSHUFD PSHUFHW PSHUFLW,
 * SHUFPS SHUFPD, PSHUFB, PALIGNR, PHADD*, PHSUB*, PMOVSX*, PMOVZX*, PTEST, PHMINPOSUW, MPSADBW, and the
 * blends. MMX forms work on one 64-bit value, XMM forms on a lo/hi pair.
 */
final class SimdShuffle {
    private SimdShuffle() {}

    // ------------------------------------------------------------------ shifts

    /** PSRLW/D/Q, PSRAW/D, PSLLW/D/Q by mm/m64 or xmm/m128 (count = the source's low 64 bits). */
    static void shift(Cpu c, Insn i, int kind) {
        FpuState f = c.fpu;
        long count;
        if (!i.opsizePrefix) {
            count = Sse.srcMm(c, i);
            int d = i.reg & 7;
            f.setMm(d, shift64(f.mm(d), kind, count));
            return;
        }
        Sse.srcX(c, i, true);
        count = f.srcLo;
        long[] x = f.xmm;
        x[2 * i.reg] = shift64(x[2 * i.reg], kind, count);
        x[2 * i.reg + 1] = shift64(x[2 * i.reg + 1], kind, count);
    }

    /** Groups 12/13/14 (0F 71/72/73 /r ib): register operand only. */
    static void shiftImm(Cpu c, Insn i, int sizeLog2) {
        if (i.mem) throw c.fault(Vector.UD);
        int op = switch (i.reg & 7) {
            case 2 -> SRL;
            case 4 -> sizeLog2 == 3 ? -1 : SRA;
            case 6 -> SLL;
            case 3 -> sizeLog2 == 3 && i.opsizePrefix ? 3 : -1;     // PSRLDQ
            case 7 -> sizeLog2 == 3 && i.opsizePrefix ? 4 : -1;     // PSLLDQ
            default -> -1;
        };
        if (op < 0) throw c.fault(Vector.UD);
        long count = i.imm & 0xff;
        FpuState f = c.fpu;
        if (!i.opsizePrefix) {
            int d = i.rm & 7;
            f.setMm(d, shift64(f.mm(d), op | sizeLog2 << 2, count));
            return;
        }
        long[] x = f.xmm;
        int d = 2 * i.rm;
        if (op >= 3) {
            byteShift(x, d, (int) Math.min(count, 16), op == 4);
            return;
        }
        x[d] = shift64(x[d], op | sizeLog2 << 2, count);
        x[d + 1] = shift64(x[d + 1], op | sizeLog2 << 2, count);
    }

    /** Shifts each element of a 64-bit chunk; counts beyond the element width give 0 (or the sign for SRA). */
    static long shift64(long v, int kind, long count) {
        int op = kind & 3, w = 1 << (kind >> 2) << 3;
        if (Long.compareUnsigned(count, w) >= 0) {
            if (op != SRA) return 0;
            count = w - 1;
        }
        int n = (int) count;
        if (w == 64) return op == SRL ? v >>> n : op == SLL ? v << n : v >> n;
        long m = (1L << w) - 1, r = 0;
        for (int k = 0; k < 64; k += w) {
            long e = v >>> k & m;
            long s = switch (op) {
                case SRL -> e >>> n;
                case SLL -> e << n;
                default -> (e << (64 - w) >> (64 - w)) >> n;
            };
            r |= (s & m) << k;
        }
        return r;
    }

    /** PSRLDQ/PSLLDQ: the 128-bit register shifted by whole bytes. */
    private static void byteShift(long[] x, int d, int bytes, boolean left) {
        long lo = x[d], hi = x[d + 1];
        int n = bytes * 8;
        if (n >= 128) {
            lo = hi = 0;
        } else if (left) {
            if (n >= 64) { hi = lo << (n - 64); lo = 0; }
            else if (n > 0) { hi = hi << n | lo >>> (64 - n); lo <<= n; }
        } else {
            if (n >= 64) { lo = hi >>> (n - 64); hi = 0; }
            else if (n > 0) { lo = lo >>> n | hi << (64 - n); hi >>>= n; }
        }
        x[d] = lo;
        x[d + 1] = hi;
    }

    // ------------------------------------------------------------------ operand pairs

    /** Loads destination and source; MMX forms read {@code mmxSrcBytes} of memory (4 for the low unpacks). */
    private static boolean load(Cpu c, Insn i, int mmxSrcBytes) {
        FpuState f = c.fpu;
        if (!i.opsizePrefix && !isSseNp(i)) {
            f.dLo = f.mm(i.reg & 7);
            f.dHi = 0;
            f.sLo = i.mem ? c.read(c.linE(i, mmxSrcBytes, false), mmxSrcBytes) : f.mm(i.rm & 7);
            f.sHi = 0;
            return true;
        }
        Sse.srcX(c, i, true);
        f.dLo = f.xmm[2 * i.reg];
        f.dHi = f.xmm[2 * i.reg + 1];
        f.sLo = f.srcLo;
        f.sHi = f.srcHi;
        return false;
    }

    /** No-prefix forms that are nonetheless XMM instructions (UNPCKLPS, UNPCKHPS, SHUFPS). */
    private static boolean isSseNp(Insn i) {
        int o = i.opcode;
        return o == 0x114 || o == 0x115 || o == 0x1c6;
    }

    private static void store(Cpu c, Insn i, boolean mmx, long lo, long hi) {
        if (mmx) c.fpu.setMm(i.reg & 7, lo);
        else Sse.setX(c, i.reg, lo, hi);
    }

    private static long get(long lo, long hi, int size, int idx) {
        long q = idx * size >= 8 ? hi : lo;
        return (q >>> ((idx * size % 8) * 8)) & Cpu.mask(size);
    }

    /** Sets element {@code idx} of the result pair {@code f.rLo/f.rHi}. */
    private static void put(FpuState f, int size, int idx, long v) {
        int sh = (idx * size % 8) * 8;
        long m = Cpu.mask(size) << sh;
        if (idx * size >= 8) f.rHi = (f.rHi & ~m) | (v << sh & m);
        else f.rLo = (f.rLo & ~m) | (v << sh & m);
    }

    // ------------------------------------------------------------------ packs, unpacks, shuffles

    /** PACKSSWB (0) PACKUSWB (1) PACKSSDW (2) PACKUSDW (3): destination elements first, then the source's. */
    static void pack(Cpu c, Insn i, int kind) {
        FpuState f = c.fpu;
        boolean mmx = load(c, i, 8);
        int from = kind >= 2 ? 4 : 2, to = from / 2;
        boolean unsigned = kind == 1 || kind == 3;
        int n = (mmx ? 8 : 16) / from;
        f.rLo = f.rHi = 0;
        for (int k = 0; k < 2 * n; k++) {
            long e = k < n ? get(f.dLo, f.dHi, from, k) : get(f.sLo, f.sHi, from, k - n);
            long v = e << (64 - 8 * from) >> (64 - 8 * from);
            long lo = unsigned ? 0 : -(1L << (8 * to - 1)), hi = unsigned ? (1L << (8 * to)) - 1 : (1L << (8 * to - 1)) - 1;
            put(f, to, k, Math.max(lo, Math.min(hi, v)));
        }
        store(c, i, mmx, f.rLo, f.rHi);
    }

    /** PUNPCKL*, PUNPCKH* and UNPCKL/HPS/PD: arg = element size log2 | 8 for the high halves. */
    static void unpack(Cpu c, Insn i, int arg) {
        FpuState f = c.fpu;
        boolean high = (arg & 8) != 0;
        boolean mmx = load(c, i, high ? 8 : 4);
        int size = 1 << (arg & 7);
        int n = (mmx ? 8 : 16) / size / 2, base = high ? n : 0;
        f.rLo = f.rHi = 0;
        for (int k = 0; k < n; k++) {
            put(f, size, 2 * k, get(f.dLo, f.dHi, size, base + k));
            put(f, size, 2 * k + 1, get(f.sLo, f.sHi, size, base + k));
        }
        store(c, i, mmx, f.rLo, f.rHi);
    }

    /** PSHUFW (0), PSHUFD (1), PSHUFHW (2), PSHUFLW (3): elements of the source picked by imm8. */
    static void pshuf(Cpu c, Insn i, int kind) {
        int imm = (int) i.imm & 0xff;
        FpuState f = c.fpu;
        if (kind == 0) {
            long s = Sse.srcMm(c, i);
            long r = 0;
            for (int k = 0; k < 4; k++) r |= (s >>> (16 * (imm >> (2 * k) & 3)) & 0xffff) << (16 * k);
            f.setMm(i.reg & 7, r);
            return;
        }
        Sse.srcX(c, i, true);
        long lo = f.srcLo, hi = f.srcHi;
        f.rLo = lo;
        f.rHi = hi;
        if (kind == 1) {
            for (int k = 0; k < 4; k++) put(f, 4, k, get(lo, hi, 4, imm >> (2 * k) & 3));
        } else {
            int base = kind == 2 ? 4 : 0;
            for (int k = 0; k < 4; k++) put(f, 2, base + k, get(lo, hi, 2, base + (imm >> (2 * k) & 3)));
        }
        Sse.setX(c, i.reg, f.rLo, f.rHi);
    }

    /** SHUFPS (0): two dwords of the destination, two of the source; SHUFPD (1): one qword each. */
    static void shufp(Cpu c, Insn i, int pd) {
        FpuState f = c.fpu;
        load(c, i, 16);
        int imm = (int) i.imm & 0xff;
        if (pd != 0) {
            Sse.setX(c, i.reg, (imm & 1) != 0 ? f.dHi : f.dLo, (imm & 2) != 0 ? f.sHi : f.sLo);
            return;
        }
        f.rLo = f.rHi = 0;
        put(f, 4, 0, get(f.dLo, f.dHi, 4, imm & 3));
        put(f, 4, 1, get(f.dLo, f.dHi, 4, imm >> 2 & 3));
        put(f, 4, 2, get(f.sLo, f.sHi, 4, imm >> 4 & 3));
        put(f, 4, 3, get(f.sLo, f.sHi, 4, imm >> 6 & 3));
        Sse.setX(c, i.reg, f.rLo, f.rHi);
    }

    /** PSHUFB: each byte of the result is the destination byte the source byte indexes, or 0 when its top bit is set. */
    static void pshufb(Cpu c, Insn i) {
        FpuState f = c.fpu;
        boolean mmx = load(c, i, 8);
        int n = mmx ? 8 : 16;
        f.rLo = f.rHi = 0;
        for (int k = 0; k < n; k++) {
            int sel = (int) get(f.sLo, f.sHi, 1, k);
            put(f, 1, k, (sel & 0x80) != 0 ? 0 : get(f.dLo, f.dHi, 1, sel & (n - 1)));
        }
        store(c, i, mmx, f.rLo, f.rHi);
    }

    /** PALIGNR: destination:source concatenated, shifted right by imm8 bytes, the low half kept. */
    static void palignr(Cpu c, Insn i) {
        FpuState f = c.fpu;
        boolean mmx = load(c, i, 8);
        int n = mmx ? 8 : 16;
        int imm = (int) i.imm & 0xff;
        f.rLo = f.rHi = 0;
        for (int k = 0; k < n; k++) {
            int j = imm + k;                                        // byte j of source (j < n), destination (j < 2n)
            long v = j < n ? get(f.sLo, f.sHi, 1, j) : j < 2 * n ? get(f.dLo, f.dHi, 1, j - n) : 0;
            put(f, 1, k, v);
        }
        store(c, i, mmx, f.rLo, f.rHi);
    }

    /** PHADDW PHADDD PHADDSW PHSUBW PHSUBD PHSUBSW (0..5): adjacent pairs, destination's then source's. */
    static void phadd(Cpu c, Insn i, int kind) {
        FpuState f = c.fpu;
        boolean mmx = load(c, i, 8);
        int size = kind == 1 || kind == 4 ? 4 : 2;
        boolean sub = kind >= 3, sat = kind == 2 || kind == 5;
        int n = (mmx ? 8 : 16) / size, half = n / 2;
        f.rLo = f.rHi = 0;
        for (int k = 0; k < n; k++) {
            long lo = k < half ? f.dLo : f.sLo, hi = k < half ? f.dHi : f.sHi;
            int p = 2 * (k % half);
            long a = get(lo, hi, size, p), b = get(lo, hi, size, p + 1);
            int w = 8 * size;
            long sa = a << (64 - w) >> (64 - w), sb = b << (64 - w) >> (64 - w);
            long r = sub ? sa - sb : sa + sb;
            if (sat) r = Math.max(-32768, Math.min(32767, r));
            put(f, size, k, r);
        }
        store(c, i, mmx, f.rLo, f.rHi);
    }

    // ------------------------------------------------------------------ SSE4.1

    /** PMOVSX*, PMOVZX*: arg = source element log2 | destination log2 << 2 | 16 for zero-extension. */
    static void pmovx(Cpu c, Insn i, int arg) {
        FpuState f = c.fpu;
        int from = 1 << (arg & 3), to = 1 << (arg >> 2 & 3);
        boolean zero = (arg & 16) != 0;
        int n = 16 / to, bytes = n * from;
        long src = i.mem ? c.read(c.linE(i, bytes, false), bytes) : c.fpu.xmm[2 * i.rm];
        f.rLo = f.rHi = 0;
        int w = 8 * from;
        for (int k = 0; k < n; k++) {
            long e = src >>> (w * k) & Cpu.mask(from);
            put(f, to, k, zero ? e : e << (64 - w) >> (64 - w));
        }
        Sse.setX(c, i.reg, f.rLo, f.rHi);
    }

    /** PTEST: ZF = (dest AND src) is zero, CF = (src AND NOT dest) is zero; AF OF PF SF cleared. */
    static void ptest(Cpu c, Insn i) {
        FpuState f = c.fpu;
        load(c, i, 16);
        boolean zf = ((f.dLo & f.sLo) | (f.dHi & f.sHi)) == 0, cf = ((~f.dLo & f.sLo) | (~f.dHi & f.sHi)) == 0;
        c.setArith((zf ? Cc.ZF : 0) | (cf ? Cc.CF : 0));
    }

    /** PHMINPOSUW: the smallest unsigned word of the source and its index (lowest on ties); the rest zero. */
    static void phminposuw(Cpu c, Insn i) {
        Sse.srcX(c, i, true);
        FpuState f = c.fpu;
        long min = 0x10000;
        int idx = 0;
        for (int k = 0; k < 8; k++) {
            long v = get(f.srcLo, f.srcHi, 2, k);
            if (v < min) {
                min = v;
                idx = k;
            }
        }
        Sse.setX(c, i.reg, min | (long) idx << 16, 0);
    }

    /** MPSADBW: eight sums of absolute differences of a 4-byte source block against sliding destination bytes. */
    static void mpsadbw(Cpu c, Insn i) {
        FpuState f = c.fpu;
        load(c, i, 16);
        int imm = (int) i.imm & 0xff;
        int so = (imm & 3) * 4, dofs = (imm >> 2 & 1) * 4;
        f.rLo = f.rHi = 0;
        for (int k = 0; k < 8; k++) {
            long s = 0;
            for (int j = 0; j < 4; j++) s += Math.abs(get(f.dLo, f.dHi, 1, dofs + k + j) - get(f.sLo, f.sHi, 1, so + j));
            put(f, 2, k, s);
        }
        Sse.setX(c, i.reg, f.rLo, f.rHi);
    }

    /**
     * BLENDPS (4) BLENDPD (8) PBLENDW (2) select source elements by imm8; with 16 added, PBLENDVB (1) BLENDVPS
     * BLENDVPD select by the top bit of each element of XMM0.
     */
    static void blend(Cpu c, Insn i, int arg) {
        FpuState f = c.fpu;
        load(c, i, 16);
        int size = arg & 15;
        boolean variable = (arg & 16) != 0;
        long[] x = c.fpu.xmm;
        int n = 16 / size;
        f.rLo = f.dLo;
        f.rHi = f.dHi;
        for (int k = 0; k < n; k++) {
            boolean pick = variable ? (get(x[0], x[1], size, k) >>> (8 * size - 1)) != 0 : ((i.imm >> k) & 1) != 0;
            if (pick) put(f, size, k, get(f.sLo, f.sHi, size, k));
        }
        Sse.setX(c, i.reg, f.rLo, f.rHi);
    }
}
