package io.jkvm.testkit.fuzz;

import io.jkvm.api.uapi.Fpu;
import io.jkvm.api.uapi.Xsave;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * The initial x87/SSE state of a fuzz case (KVM_SET_FPU), from its seed: TOP, tags, register values that
 * mix ordinary numbers, integers, zeros, infinities, NaNs, denormals and random bit patterns; FCW and
 * MXCSR mostly at their defaults, sometimes with another rounding mode, precision, DAZ/FTZ or unmasked
 * exceptions (so #MF and #XM are exercised).
 */
final class FpuStates {
    private FpuStates() {}

    static Fpu initial(FuzzCase fc) {
        SplittableRandom r = new SplittableRandom(fc.stateSeed() ^ 0x5eed_f00dL);
        ByteBuffer fpr = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 8; i++) {
            long[] v = x87Value(r);
            fpr.putLong(16 * i, v[1]);
            fpr.putShort(16 * i + 8, (short) v[0]);
        }
        ByteBuffer xmm = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        for (int q = 0; q < 32; q++) {
            long lo = switch (r.nextInt(4)) {
                case 0 -> Double.doubleToRawLongBits(nice(r));
                case 1 -> (long) Float.floatToRawIntBits((float) nice(r)) << 32 | Float.floatToRawIntBits((float) nice(r)) & 0xffffffffL;
                case 2 -> r.nextInt(3) == 0 ? special64(r) : r.nextLong(-1000, 1000);
                default -> r.nextLong();
            };
            xmm.putLong(8 * q, lo);
        }
        int fcw = 0x37f;
        if (r.nextInt(4) == 0) fcw = (fcw & ~0xc00) | r.nextInt(4) << 10;                 // RC
        if (r.nextInt(5) == 0) fcw = (fcw & ~0x300) | new int[] {0, 2, 3}[r.nextInt(3)] << 8;   // PC
        if (r.nextInt(6) == 0) fcw &= ~(1 << r.nextInt(6));                             // one exception unmasked
        int top = r.nextInt(8);
        int fsw = top << 11;
        int tags = 0;
        for (int p = 0; p < 8; p++) if (r.nextInt(4) != 0) tags |= 1 << p;
        int mxcsr = 0x1f80;
        if (r.nextInt(4) == 0) mxcsr = (mxcsr & ~0x6000) | r.nextInt(4) << 13;
        if (r.nextInt(6) == 0) mxcsr |= 0x40;                                            // DAZ
        if (r.nextInt(6) == 0) mxcsr |= 0x8000;                                          // FTZ
        if (r.nextInt(6) == 0) mxcsr &= ~(0x80 << r.nextInt(6));                         // one exception unmasked
        return new Fpu(fpr.array(), fcw, fsw, tags, 0, 0, 0, xmm.array(), mxcsr);
    }

    private static double nice(SplittableRandom r) {
        return switch (r.nextInt(4)) {
            case 0 -> r.nextInt(-100, 100);
            case 1 -> r.nextDouble(-2, 2);
            case 2 -> r.nextDouble(-1e6, 1e6);
            default -> Math.scalb(r.nextDouble(1, 2), r.nextInt(-80, 80)) * (r.nextBoolean() ? 1 : -1);
        };
    }

    private static long special64(SplittableRandom r) {
        long[] s = {0, 0x8000000000000000L, 0x7ff0000000000000L, 0xfff0000000000000L, 0x7ff8000000000000L,
            0x7ff0000000000001L, 1, 0x000fffffffffffffL, 0x7fefffffffffffffL};
        return s[r.nextInt(s.length)];
    }

    /** {sign/exponent, significand} of an 80-bit register value. */
    private static long[] x87Value(SplittableRandom r) {
        switch (r.nextInt(10)) {
            case 0, 1, 2, 3 -> {
                double d = nice(r);
                if (d == 0) return new long[] {0, 0};
                long bits = Double.doubleToRawLongBits(d);
                int e = (int) (bits >>> 52) & 0x7ff;
                long m = 1L << 63 | (bits & 0xfffffffffffffL) << 11;
                if (r.nextBoolean()) m |= r.nextLong() & 0x7ff;                  // beyond binary64 precision
                return new long[] {(bits < 0 ? 0x8000 : 0) | (e - 1023 + 16383), m};
            }
            case 4 -> {
                long[][] s = {{0, 0}, {0x8000, 0}, {0x7fff, 1L << 63}, {0xffff, 1L << 63}, {0xffff, 0xc000000000000000L},
                    {0x7fff, 0xc000000000000123L}, {0x7fff, 0x8000000000000456L}, {0, 0x123456789L}, {0x3fff, 1L << 63}};
                return s[r.nextInt(s.length)];
            }
            case 5 -> {
                long e = 16383 + r.nextInt(-30000, 30000) / 2;
                return new long[] {(r.nextBoolean() ? 0x8000 : 0) | e, r.nextLong() | 1L << 63};
            }
            default -> {
                long e = r.nextInt(4) == 0 ? r.nextInt(0x8000) : 16383 + r.nextInt(-70, 70);
                return new long[] {(r.nextBoolean() ? 0x8000 : 0) | e, r.nextLong() | (r.nextInt(16) == 0 ? 0 : 1L << 63)};
            }
        }
    }

    /**
     * The state as a KVM_SET_XSAVE image (legacy area, XSTATE_BV = x87|SSE). KVM_SET_FPU is no use here:
     * Linux's version ignores MXCSR and leaves XSTATE_BV alone, so a component still marked "init" is
     * reset when the vCPU next loads its state.
     */
    static Xsave toXsave(Fpu f) {
        ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) f.fcw());
        b.putShort(2, (short) f.fsw());
        b.put(4, (byte) f.ftwx());
        b.putShort(6, (short) f.last_opcode());
        b.putLong(8, f.last_ip());
        b.putLong(16, f.last_dp());
        b.putInt(24, f.mxcsr());
        b.putInt(28, 0xffff);
        b.put(32, f.fpr(), 0, 128);
        b.put(160, f.xmm(), 0, 256);
        b.putLong(512, 3);
        int[] region = new int[1024];
        b.asIntBuffer().get(region);
        return new Xsave(region);
    }

    /** The x87/SSE part of a KVM_GET_XSAVE image, as a kvm_fpu value (with MXCSR) for comparison. */
    static Fpu fromXsave(Xsave x) {
        ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(x.region());
        byte[] fpr = new byte[128], xmm = new byte[256];
        b.get(32, fpr);
        b.get(160, xmm);
        return new Fpu(fpr, b.getShort(0) & 0xffff, b.getShort(2) & 0xffff, b.get(4) & 0xff, b.getShort(6) & 0xffff,
                b.getLong(8), b.getLong(16), xmm, b.getInt(24));
    }
}
