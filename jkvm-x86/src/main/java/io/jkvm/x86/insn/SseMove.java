package io.jkvm.x86.insn;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.exc.Vector;
import io.jkvm.x86.fpu.FpuState;

/**
 * SIMD data movement: MOVUPS MOVUPD MOVAPS MOVAPD MOVDQA MOVDQU LDDQU MOVNTPS MOVNTPD MOVNTDQ MOVNTDQA,
 * MOVSS MOVSD, MOVLPS MOVHPS MOVLPD MOVHPD MOVHLPS MOVLHPS, MOVSLDUP MOVSHDUP MOVDDUP, MOVMSKPS MOVMSKPD
 * PMOVMSKB, MOVD MOVQ (MMX and XMM forms), MOVQ2DQ MOVDQ2Q, MASKMOVQ MASKMOVDQU, MOVNTI MOVNTQ, PINSRB/W/D/Q,
 * PEXTRB/W/D/Q, INSERTPS, EXTRACTPS. Non-temporal hints are plain moves here (no caches to bypass).
 */
final class SseMove {
    private SseMove() {}

    private static long[] x(Cpu c) {
        return c.fpu.xmm;
    }

    /** Vx ← Wx. arg bit 0: 16-byte aligned; bit 2: memory operand only (LDDQU, MOVNTDQA). */
    static void loadX(Cpu c, Insn i, int arg) {
        if ((arg & 4) != 0 && !i.mem) throw c.fault(Vector.UD);
        Sse.srcX(c, i, (arg & 1) != 0);
        Sse.setX(c, i.reg, c.fpu.srcLo, c.fpu.srcHi);
    }

    /** Wx ← Vx. arg 1: aligned; 2: aligned, memory only (MOVNTPS MOVNTPD MOVNTDQ). */
    static void storeX(Cpu c, Insn i, int arg) {
        long lo = x(c)[2 * i.reg], hi = x(c)[2 * i.reg + 1];
        if (!i.mem) {
            if (arg == 2) throw c.fault(Vector.UD);
            Sse.setX(c, i.rm, lo, hi);
            return;
        }
        Sse.write128(c, Sse.addr(c, i, 16, true, arg != 0), lo, hi);
    }

    /** MOVSS/MOVSD (arg: size, | 16 for the store form). Register to register merges the low element only. */
    static void movScalar(Cpu c, Insn i, int arg) {
        int size = arg & 15;
        long mask = size == 4 ? 0xffffffffL : -1L;
        long[] x = x(c);
        if ((arg & 16) != 0) {
            long v = x[2 * i.reg] & mask;
            if (i.mem) c.write(c.linE(i, size, true), size, v);
            else x[2 * i.rm] = (x[2 * i.rm] & ~mask) | v;
            return;
        }
        if (i.mem) {
            long v = c.read(c.linE(i, size, false), size);
            Sse.setX(c, i.reg, v, 0);
        } else {
            x[2 * i.reg] = (x[2 * i.reg] & ~mask) | (x[2 * i.rm] & mask);
        }
    }

    /** 0F 12: MOVLPS/MOVLPD xmm, m64 (low qword); MOVHLPS xmm, xmm (high qword of the source to the low). */
    static void movLow(Cpu c, Insn i, int memOnly) {
        long[] x = x(c);
        if (i.mem) x[2 * i.reg] = c.read(c.linE(i, 8, false), 8);
        else if (memOnly != 0) throw c.fault(Vector.UD);
        else x[2 * i.reg] = x[2 * i.rm + 1];
    }

    /** 0F 16: MOVHPS/MOVHPD xmm, m64 (high qword); MOVLHPS xmm, xmm (low qword of the source to the high). */
    static void movHigh(Cpu c, Insn i, int memOnly) {
        long[] x = x(c);
        if (i.mem) x[2 * i.reg + 1] = c.read(c.linE(i, 8, false), 8);
        else if (memOnly != 0) throw c.fault(Vector.UD);
        else x[2 * i.reg + 1] = x[2 * i.rm];
    }

    /** 0F 13 / 0F 17: MOVLPS/MOVLPD/MOVHPS/MOVHPD m64, xmm. */
    static void movHalfStore(Cpu c, Insn i, boolean high) {
        if (!i.mem) throw c.fault(Vector.UD);
        c.write(c.linE(i, 8, true), 8, x(c)[2 * i.reg + (high ? 1 : 0)]);
    }

    /** MOVSLDUP (0), MOVSHDUP (1): even or odd dwords duplicated; MOVDDUP (2): the low qword twice. */
    static void movDup(Cpu c, Insn i, int kind) {
        if (kind == 2) {
            long v = Sse.srcX64(c, i);
            Sse.setX(c, i.reg, v, v);
            return;
        }
        Sse.srcX(c, i, true);
        FpuState f = c.fpu;
        Sse.setX(c, i.reg, dup(f.srcLo, kind), dup(f.srcHi, kind));
    }

    private static long dup(long q, int odd) {
        long d = odd != 0 ? q >>> 32 : q & 0xffffffffL;
        return d | d << 32;
    }

    /** MOVMSKPS (4), MOVMSKPD (8), PMOVMSKB (1): the sign bits of the elements into a general register. */
    static void movmsk(Cpu c, Insn i, int elem) {
        if (i.mem) throw c.fault(Vector.UD);
        long mask;
        if (elem == 1 && !i.opsizePrefix) {
            mask = Long.compress(c.fpu.mm(i.rm & 7), 0x8080808080808080L);
        } else {
            long lo = x(c)[2 * i.rm], hi = x(c)[2 * i.rm + 1];
            long signs = elem == 1 ? 0x8080808080808080L : elem == 4 ? 0x8000000080000000L : 0x8000000000000000L;
            int n = 8 / elem;
            mask = Long.compress(lo, signs) | Long.compress(hi, signs) << n;
        }
        c.setReg(i.reg, 4, mask);
    }

    /** 0F 6E: MOVD/MOVQ mm|xmm, r/m32|64 (zero-extended). */
    static void movdTo(Cpu c, Insn i) {
        int size = i.rexW ? 8 : 4;
        long v = c.readE(i, size);
        if (i.opsizePrefix) Sse.setX(c, i.reg, v, 0);
        else c.fpu.setMm(i.reg & 7, v);
    }

    /** 0F 7E: MOVD/MOVQ r/m32|64, mm|xmm. */
    static void movdFrom(Cpu c, Insn i) {
        int size = i.rexW ? 8 : 4;
        long v = i.opsizePrefix ? x(c)[2 * i.reg] : c.fpu.mm(i.reg & 7);
        c.writeE(i, size, v);
    }

    /** MOVQ mm, mm/m64 (arg 0) and MOVQ mm/m64, mm (arg 1). */
    static void movqMm(Cpu c, Insn i, int store) {
        FpuState f = c.fpu;
        if (store == 0) {
            f.setMm(i.reg & 7, Sse.srcMm(c, i));
        } else if (i.mem) {
            c.write(c.linE(i, 8, true), 8, f.mm(i.reg & 7));
        } else {
            f.setMm(i.rm & 7, f.mm(i.reg & 7));
        }
    }

    /** MOVQ xmm, xmm/m64 (F3 0F 7E, arg 0) and MOVQ xmm/m64, xmm (66 0F D6, arg 1): the high qword is zeroed. */
    static void movqX(Cpu c, Insn i, int store) {
        if (store == 0) {
            Sse.setX(c, i.reg, Sse.srcX64(c, i), 0);
        } else if (i.mem) {
            c.write(c.linE(i, 8, true), 8, x(c)[2 * i.reg]);
        } else {
            Sse.setX(c, i.rm, x(c)[2 * i.reg], 0);
        }
    }

    /** MOVQ2DQ xmm, mm (arg 0) / MOVDQ2Q mm, xmm (arg 1): register forms only; both enter MMX state. */
    static void movq2dq(Cpu c, Insn i, int toMm) {
        if (i.mem) throw c.fault(Vector.UD);
        X87.checkPending(c);
        c.fpu.enterMmx();
        if (toMm == 0) Sse.setX(c, i.reg, c.fpu.mm(i.rm & 7), 0);
        else c.fpu.setMm(i.reg & 7, x(c)[2 * i.rm]);
    }

    /** MASKMOVQ / MASKMOVDQU: the bytes whose mask byte has its top bit set go to DS:rDI. */
    static void maskmov(Cpu c, Insn i) {
        if (i.mem) throw c.fault(Vector.UD);
        boolean wide = i.opsizePrefix;
        long dLo, dHi = 0, mLo, mHi = 0;
        FpuState f = c.fpu;
        if (wide) {
            dLo = f.xmm[2 * i.reg];
            dHi = f.xmm[2 * i.reg + 1];
            mLo = f.xmm[2 * i.rm];
            mHi = f.xmm[2 * i.rm + 1];
        } else {
            dLo = f.mm(i.reg & 7);
            mLo = f.mm(i.rm & 7);
        }
        long sel = (mLo | mHi) & 0x8080808080808080L;
        if (sel == 0) return;                          // nothing to write: no memory access
        int n = wide ? 16 : 8;
        long off = c.reg(Cpu.RDI, i.asize);
        long la = c.lin(i.seg, off, n, true);
        X87.probe(c, la, n, true);
        for (int k = 0; k < n; k++) {
            long m = k < 8 ? mLo : mHi, d = k < 8 ? dLo : dHi;
            int sh = 8 * (k & 7);
            if (((m >>> sh) & 0x80) != 0) c.write(la + k, 1, d >>> sh);
        }
    }

    /** MOVNTI m32/m64, r32/r64. */
    static void movnti(Cpu c, Insn i) {
        if (!i.mem) throw c.fault(Vector.UD);
        int size = i.rexW ? 8 : 4;
        c.write(c.linE(i, size, true), size, c.reg(i.reg, size));
    }

    /** MOVNTQ m64, mm. */
    static void movntq(Cpu c, Insn i) {
        if (!i.mem) throw c.fault(Vector.UD);
        c.write(c.linE(i, 8, true), 8, c.fpu.mm(i.reg & 7));
    }

    /** PINSRB (1), PINSRW (2, MMX or XMM), PINSRD/PINSRQ (4; REX.W: 8): a GPR or memory element into lane imm. */
    static void pinsr(Cpu c, Insn i, int elem) {
        int size = elem == 4 && i.rexW ? 8 : elem;
        long v = i.mem ? c.read(c.linE(i, size, false), size) : c.reg(i.rm, size == 8 ? 8 : 4) & Cpu.mask(size);
        int imm = (int) i.imm & 0xff;
        if (!i.opsizePrefix) {                         // PINSRW mm
            int sh = 16 * (imm & 3);
            FpuState f = c.fpu;
            f.setMm(i.reg & 7, (f.mm(i.reg & 7) & ~(0xffffL << sh)) | v << sh);
            return;
        }
        setLane(x(c), i.reg, size, imm & (16 / size - 1), v);
    }

    /**
     * PEXTRW r, mm/xmm, imm (0F C5: arg 2, register forms); PEXTRB (1), PEXTRW r/m16 (2 | 16), PEXTRD/Q (4) of
     * 0F 3A: to a GPR (zero-extended) or to memory.
     */
    static void pextr(Cpu c, Insn i, int arg) {
        int elem = arg & 15;
        int imm = (int) i.imm & 0xff;
        if ((arg & 16) == 0 && elem == 2) {           // 0F C5
            if (i.mem) throw c.fault(Vector.UD);
            long v;
            if (!i.opsizePrefix) v = c.fpu.mm(i.rm & 7) >>> (16 * (imm & 3));
            else v = lane(x(c), i.rm, 2, imm & 7);
            c.setReg(i.reg, 4, v & 0xffff);
            return;
        }
        int size = elem == 4 && i.rexW ? 8 : elem;
        long v = lane(x(c), i.reg, size, imm & (16 / size - 1));
        if (i.mem) c.write(c.linE(i, size, true), size, v);
        else c.setReg(i.rm, size == 8 ? 8 : 4, v);
    }

    /** Element {@code idx} of {@code size} bytes of XMM register {@code reg}, zero-extended. */
    static long lane(long[] x, int reg, int size, int idx) {
        long q = x[2 * reg + (idx * size >= 8 ? 1 : 0)];
        return (q >>> ((idx * size % 8) * 8)) & Cpu.mask(size);
    }

    static void setLane(long[] x, int reg, int size, int idx, long v) {
        int q = 2 * reg + (idx * size >= 8 ? 1 : 0);
        int sh = (idx * size % 8) * 8;
        long m = Cpu.mask(size) << sh;
        x[q] = (x[q] & ~m) | (v << sh & m);
    }

    /** INSERTPS xmm, xmm/m32, imm: a dword into lane imm[5:4], then the lanes of imm[3:0] zeroed. */
    static void insertps(Cpu c, Insn i) {
        int imm = (int) i.imm & 0xff;
        long v = i.mem ? c.read(c.linE(i, 4, false), 4) : lane(x(c), i.rm, 4, imm >> 6);
        long[] x = x(c);
        setLane(x, i.reg, 4, (imm >> 4) & 3, v);
        for (int k = 0; k < 4; k++) if ((imm & (1 << k)) != 0) setLane(x, i.reg, 4, k, 0);
    }

    /** EXTRACTPS r/m32, xmm, imm: dword imm[1:0] (a 64-bit register destination is zero-extended). */
    static void extractps(Cpu c, Insn i) {
        long v = lane(x(c), i.reg, 4, (int) i.imm & 3);
        if (i.mem) c.write(c.linE(i, 4, true), 4, v);
        else c.setReg(i.rm, 4, v);
    }
}
