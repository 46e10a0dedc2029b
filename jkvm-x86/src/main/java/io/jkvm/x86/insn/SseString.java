package io.jkvm.x86.insn;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.flags.Cc;
import io.jkvm.x86.fpu.FpuState;

/**
 * SSE4.2 string and checksum instructions: PCMPESTRI PCMPESTRM PCMPISTRI PCMPISTRM (SDM Vol. 2 §4.1, the
 * imm8 control byte: element format, aggregation, polarity, output selection) and CRC32 (CRC-32C,
 * Castagnoli); and PCLMULQDQ (carry-less multiplication).
 */
final class SseString {
    private SseString() {}

    /** PCMPESTRM (0) PCMPESTRI (1) PCMPISTRM (2) PCMPISTRI (3). */
    static void pcmpstr(Cpu c, Insn i, int kind) {
        FpuState f = c.fpu;
        Sse.srcX(c, i, false);                            // no alignment requirement
        long bLo = f.srcLo, bHi = f.srcHi, aLo = f.xmm[2 * i.reg], aHi = f.xmm[2 * i.reg + 1];
        int imm = (int) i.imm & 0xff;
        boolean words = (imm & 1) != 0, signed = (imm & 2) != 0;
        int n = words ? 8 : 16, size = words ? 2 : 1;
        int la, lb;
        if (kind < 2) {
            la = explicitLength(c.reg(Cpu.RAX, i.rexW ? 8 : 4), i.rexW, n);
            lb = explicitLength(c.reg(Cpu.RDX, i.rexW ? 8 : 4), i.rexW, n);
        } else {
            la = implicitLength(aLo, aHi, size, n);
            lb = implicitLength(bLo, bHi, size, n);
        }
        int res1 = aggregate(imm, aLo, aHi, bLo, bHi, size, signed, n, la, lb);
        int validB = (1 << lb) - 1;
        int res2 = switch ((imm >> 4) & 3) {
            case 1 -> ~res1;
            case 3 -> res1 ^ validB;
            default -> res1;
        } & ((1 << n) - 1);
        if ((kind & 1) != 0) {
            int idx = res2 == 0 ? n : (imm & 0x40) != 0 ? 31 - Integer.numberOfLeadingZeros(res2) : Integer.numberOfTrailingZeros(res2);
            c.setReg(Cpu.RCX, 4, idx);
        } else if ((imm & 0x40) == 0) {
            Sse.setX(c, 0, res2 & 0xffffffffL, 0);
        } else {
            long lo = 0, hi = 0;
            for (int k = 0; k < n; k++) {
                if ((res2 >> k & 1) == 0) continue;
                int bit = k * size * 8;
                long m = (size == 2 ? 0xffffL : 0xffL) << (bit % 64);
                if (bit < 64) lo |= m; else hi |= m;
            }
            Sse.setX(c, 0, lo, hi);
        }
        int flags = (res2 != 0 ? Cc.CF : 0) | (lb < n ? Cc.ZF : 0) | (la < n ? Cc.SF : 0) | ((res2 & 1) != 0 ? Cc.OF : 0);
        c.setArith(flags);
    }

    /** |EAX| or |EDX| (RAX/RDX with REX.W), saturated to the element count. */
    private static int explicitLength(long v, boolean wide, int n) {
        long s = wide ? v : (int) v;
        if (s == Long.MIN_VALUE) return n;
        return (int) Math.min(Math.abs(s), n);
    }

    private static int implicitLength(long lo, long hi, int size, int n) {
        for (int k = 0; k < n; k++) if (elem(lo, hi, size, false, k) == 0) return k;
        return n;
    }

    private static long elem(long lo, long hi, int size, boolean signed, int k) {
        int bit = k * size * 8;
        long q = (bit < 64 ? lo : hi) >>> (bit % 64);
        return size == 2 ? (signed ? (short) q : q & 0xffff) : (signed ? (byte) q : q & 0xff);
    }

    /** IntRes1: bit j for element j of the second operand (B), against the first (A), with the validity overrides. */
    private static int aggregate(int imm, long aLo, long aHi, long bLo, long bHi, int size, boolean signed, int n,
                                 int la, int lb) {
        int mode = (imm >> 2) & 3, res = 0;
        for (int j = 0; j < n; j++) {
            long b = elem(bLo, bHi, size, signed, j);
            boolean r;
            switch (mode) {
                case 0 -> {                               // equal any
                    r = false;
                    if (j < lb) for (int k = 0; k < la && !r; k++) r = elem(aLo, aHi, size, signed, k) == b;
                }
                case 1 -> {                               // ranges: A holds (low, high) pairs
                    r = false;
                    if (j < lb) {
                        for (int k = 0; k + 1 < la && !r; k += 2) {
                            r = b >= elem(aLo, aHi, size, signed, k) && b <= elem(aLo, aHi, size, signed, k + 1);
                        }
                    }
                }
                case 2 -> {                               // equal each
                    boolean va = j < la, vb = j < lb;
                    r = va && vb ? elem(aLo, aHi, size, signed, j) == b : !va && !vb;
                }
                default -> {                              // equal ordered: A found as a substring at j
                    r = true;
                    for (int k = 0; k < n - j && r; k++) {
                        boolean va = k < la, vb = j + k < lb;
                        if (!va) break;                   // the rest of A is invalid: forced true
                        r = vb && elem(aLo, aHi, size, signed, k) == elem(bLo, bHi, size, signed, j + k);
                    }
                }
            }
            if (r) res |= 1 << j;
        }
        return res;
    }

    private static final int[] CRC32C = new int[256];
    static {
        for (int k = 0; k < 256; k++) {
            int crc = k;
            for (int b = 0; b < 8; b++) crc = (crc >>> 1) ^ ((crc & 1) != 0 ? 0x82f63b78 : 0);
            CRC32C[k] = crc;
        }
    }

    /** CRC32 r32/r64, r/m8 (arg 1) or r/m16/32/64 (by operand size): CRC-32C of the source's bytes, no inversion. */
    static void crc32(Cpu c, Insn i, int byteForm) {
        int size = byteForm != 0 ? 1 : i.osize;
        long v;
        if (i.mem) v = c.read(c.linE(i, size, false), size);
        else if (size == 1 && !i.rex && i.rm >= 4 && i.rm < 8) v = c.reg(16 + i.rm - 4, 1);   // AH CH DH BH
        else v = c.reg(i.rm, size);
        int crc = (int) c.r[i.reg];
        for (int k = 0; k < size; k++) crc = (crc >>> 8) ^ CRC32C[(crc ^ (int) (v >>> (8 * k))) & 0xff];
        c.setReg(i.reg, 4, crc);
    }

    /** PCLMULQDQ xmm, xmm/m128, imm8: carry-less product of the qwords imm8[0] and imm8[4] select. */
    static void pclmulqdq(Cpu c, Insn i) {
        FpuState f = c.fpu;
        Sse.srcX(c, i, true);
        int imm = (int) i.imm;
        long a = (imm & 1) != 0 ? f.xmm[2 * i.reg + 1] : f.xmm[2 * i.reg];
        long b = (imm & 0x10) != 0 ? f.srcHi : f.srcLo;
        long lo = 0, hi = 0;
        for (int k = 0; k < 64; k++) {
            if ((b >>> k & 1) == 0) continue;
            lo ^= a << k;
            if (k > 0) hi ^= a >>> (64 - k);
        }
        Sse.setX(c, i.reg, lo, hi);
    }
}
