package io.jkvm.x86.insn;

import static io.jkvm.x86.decode.SseOp.*;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.fpu.FpuState;

/**
 * Element-wise integer SIMD (MMX, SSE2, SSSE3, SSE4.1/4.2) on 64-bit chunks — each of these operations works
 * within 64-bit boundaries, so an MMX instruction is one chunk and its XMM form two: PADD* PSUB* (wrapping
 * and saturating), PCMPEQ* PCMPGT*, PAND PANDN POR PXOR (and ANDPS ORPS…), PMIN* PMAX*, PAVG*, PMULLW PMULHW
 * PMULHUW PMULHRSW PMULLD PMULUDQ PMULDQ PMADDWD PMADDUBSW PSADBW, PSIGN* PABS*. The common byte operations
 * (add, subtract, compare-equal) use SWAR arithmetic on the whole chunk.
 */
final class SimdInt {
    private SimdInt() {}

    private static final long H8 = 0x8080808080808080L, H16 = 0x8000800080008000L, H32 = 0x8000000080000000L;

    /** dest ← dest op src; {@code mmx}: the MMX form (mm, mm/m64), else XMM (xmm, xmm/m128 aligned). */
    static void packed(Cpu c, Insn i, int op, boolean mmx) {
        FpuState f = c.fpu;
        if (mmx) {
            long b = Sse.srcMm(c, i);
            int d = i.reg & 7;
            f.setMm(d, op(op, f.mm(d), b));
            return;
        }
        Sse.srcX(c, i, true);
        long[] x = f.xmm;
        int d = 2 * i.reg;
        x[d] = op(op, x[d], f.srcLo);
        x[d + 1] = op(op, x[d + 1], f.srcHi);
    }

    /** One 64-bit chunk of operation {@code op}: {@code a} from the destination, {@code b} from the source. */
    static long op(int op, long a, long b) {
        return switch (op) {
            case ADD_B -> (a & ~H8) + (b & ~H8) ^ (a ^ b) & H8;
            case ADD_W -> (a & ~H16) + (b & ~H16) ^ (a ^ b) & H16;
            case ADD_D -> (a & ~H32) + (b & ~H32) ^ (a ^ b) & H32;
            case ADD_Q -> a + b;
            case SUB_B -> (a | H8) - (b & ~H8) ^ (a ^ ~b) & H8;
            case SUB_W -> (a | H16) - (b & ~H16) ^ (a ^ ~b) & H16;
            case SUB_D -> (a | H32) - (b & ~H32) ^ (a ^ ~b) & H32;
            case SUB_Q -> a - b;
            case AND -> a & b;
            case ANDN -> ~a & b;
            case OR -> a | b;
            case XOR -> a ^ b;
            case CMPEQ_B -> eq8(a ^ b);
            case SAD_BW -> sad(a, b);
            case MULU_DQ -> (a & 0xffffffffL) * (b & 0xffffffffL);
            case MUL_DQ -> (long) (int) a * (int) b;
            case MADD_WD -> maddwd(a, b);
            case MADDUBS_W -> maddubsw(a, b);
            default -> lanes(op, a, b);
        };
    }

    /** Bytes of {@code t} that are zero become 0xFF, the others 0x00 (no borrow crosses a byte). */
    private static long eq8(long t) {
        long y = (t & 0x7f7f7f7f7f7f7f7fL) + 0x7f7f7f7f7f7f7f7fL;
        y = ~(y | t | 0x7f7f7f7f7f7f7f7fL);
        return (y >>> 7) * 0xff;
    }

    private static long sad(long a, long b) {
        long s = 0;
        for (int k = 0; k < 64; k += 8) s += Math.abs((int) (a >>> k & 0xff) - (int) (b >>> k & 0xff));
        return s;
    }

    private static long maddwd(long a, long b) {
        long r = 0;
        for (int k = 0; k < 64; k += 32) {
            int p = (short) (a >>> k) * (short) (b >>> k) + (short) (a >>> (k + 16)) * (short) (b >>> (k + 16));
            r |= (p & 0xffffffffL) << k;
        }
        return r;
    }

    /** PMADDUBSW: unsigned bytes of the destination times signed bytes of the source, pairs added with saturation. */
    private static long maddubsw(long a, long b) {
        long r = 0;
        for (int k = 0; k < 64; k += 16) {
            int p = (int) (a >>> k & 0xff) * (byte) (b >>> k) + (int) (a >>> (k + 8) & 0xff) * (byte) (b >>> (k + 8));
            r |= (sat(p, 16) & 0xffffL) << k;
        }
        return r;
    }

    private static int width(int op) {
        return switch (op) {
            case ADDS_B, ADDUS_B, SUBS_B, SUBUS_B, CMPGT_B, MINU_B, MAXU_B, MINS_B, MAXS_B, AVG_B, SIGN_B, ABS_B -> 8;
            case ADDS_W, ADDUS_W, SUBS_W, SUBUS_W, CMPEQ_W, CMPGT_W, MINS_W, MAXS_W, MINU_W, MAXU_W, AVG_W, MULL_W,
                 MULH_W, MULHU_W, MULHRS_W, SIGN_W, ABS_W -> 16;
            case CMPEQ_D, CMPGT_D, MINS_D, MAXS_D, MINU_D, MAXU_D, MULL_D, SIGN_D, ABS_D -> 32;
            default -> 64;
        };
    }

    private static long lanes(int op, long a, long b) {
        int w = width(op);
        long m = w == 64 ? -1L : (1L << w) - 1;
        long r = 0;
        for (int k = 0; k < 64; k += w) r |= (lane(op, a >>> k & m, b >>> k & m, w) & m) << k;
        return r;
    }

    private static long s(long v, int w) {
        return v << (64 - w) >> (64 - w);
    }

    private static long sat(long v, int w) {
        long hi = (1L << (w - 1)) - 1, lo = -(1L << (w - 1));
        return Math.max(lo, Math.min(hi, v));
    }

    /** One element: x from the destination, y from the source, both zero-extended to w bits. */
    private static long lane(int op, long x, long y, int w) {
        long umax = (1L << w) - 1;
        return switch (op) {
            case ADDS_B, ADDS_W -> sat(s(x, w) + s(y, w), w);
            case SUBS_B, SUBS_W -> sat(s(x, w) - s(y, w), w);
            case ADDUS_B, ADDUS_W -> Math.min(x + y, umax);
            case SUBUS_B, SUBUS_W -> Math.max(x - y, 0);
            case CMPEQ_W, CMPEQ_D, CMPEQ_Q -> x == y ? -1 : 0;
            case CMPGT_B, CMPGT_W, CMPGT_D, CMPGT_Q -> s(x, w) > s(y, w) ? -1 : 0;
            case MINU_B, MINU_W, MINU_D -> Math.min(x, y);
            case MAXU_B, MAXU_W, MAXU_D -> Math.max(x, y);
            case MINS_B, MINS_W, MINS_D -> Math.min(s(x, w), s(y, w));
            case MAXS_B, MAXS_W, MAXS_D -> Math.max(s(x, w), s(y, w));
            case AVG_B, AVG_W -> (x + y + 1) >> 1;
            case MULL_W, MULL_D -> x * y;
            case MULH_W -> s(x, 16) * s(y, 16) >> 16;
            case MULHU_W -> x * y >> 16;
            case MULHRS_W -> ((s(x, 16) * s(y, 16) >> 14) + 1) >> 1;
            case SIGN_B, SIGN_W, SIGN_D -> {
                long sy = s(y, w);
                yield sy < 0 ? -x : sy == 0 ? 0 : x;
            }
            case ABS_B, ABS_W, ABS_D -> Math.abs(s(y, w));
            default -> throw new IllegalStateException("SIMD integer op " + op);
        };
    }
}
