package io.jkvm.x86.fpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * x87, MMX and SSE register state in the FXSAVE image's terms (SDM Vol. 1 §10.5.1): the eight 80-bit
 * registers in physical order R0–R7 (ST(i) is R[(TOP+i) mod 8]), control/status/tag words, last
 * instruction and data pointers, MXCSR and XMM0–15. KVM_GET/SET_FPU and KVM_GET/SET_XSAVE read and write
 * it through {@link #writeFxsave}/{@link #readFxsave}.
 */
public final class FpuState {
    private static final ValueLayout.OfShort W = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt D = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong Q = ValueLayout.JAVA_LONG_UNALIGNED;

    /** Significand (64 bits, explicit integer bit) and sign+exponent (16 bits) of R0..R7. */
    public final long[] mant = new long[8];
    public final int[] sexp = new int[8];
    public int fcw = 0x37f, fsw, fop;
    /** Abridged tag word: bit i set when R_i is valid (non-empty). */
    public int ftw;
    public long fip, fdp;
    public int mxcsr = 0x1f80;
    /** XMM registers as {lo, hi} pairs. */
    public final long[] xmm = new long[32];

    /** MXCSR bits that may be set (DAZ included). */
    public static final int MXCSR_MASK = 0xffff;

    public int top() {
        return (fsw >> 11) & 7;
    }

    /** FNINIT / reset state (MXCSR and XMM are untouched by FNINIT; {@link #reset} clears them too). */
    public void reset() {
        java.util.Arrays.fill(mant, 0);
        java.util.Arrays.fill(sexp, 0);
        java.util.Arrays.fill(xmm, 0);
        fcw = 0x37f;
        fsw = fop = ftw = 0;
        fip = fdp = 0;
        mxcsr = 0x1f80;
    }

    /** Writes the 512-byte FXSAVE image (64-bit format) at {@code m[off]}. */
    public void writeFxsave(MemorySegment m, long off) {
        m.asSlice(off, 512).fill((byte) 0);
        m.set(W, off, (short) fcw);
        m.set(W, off + 2, (short) fsw);
        m.set(ValueLayout.JAVA_BYTE, off + 4, (byte) ftw);
        m.set(W, off + 6, (short) fop);
        m.set(Q, off + 8, fip);
        m.set(Q, off + 16, fdp);
        m.set(D, off + 24, mxcsr);
        m.set(D, off + 28, MXCSR_MASK);
        int top = top();
        for (int i = 0; i < 8; i++) {                 // stored in ST(i) order
            int r = (top + i) & 7;
            m.set(Q, off + 32 + 16L * i, mant[r]);
            m.set(W, off + 40 + 16L * i, (short) sexp[r]);
        }
        for (int i = 0; i < 32; i++) m.set(Q, off + 160 + 8L * i, xmm[i]);
    }

    /** Reads a 512-byte FXSAVE image; returns false when MXCSR has reserved bits set (the caller answers EINVAL/#GP). */
    public boolean readFxsave(MemorySegment m, long off) {
        int mx = m.get(D, off + 24);
        if ((mx & ~MXCSR_MASK) != 0) return false;
        fcw = m.get(W, off) & 0xffff;
        fsw = m.get(W, off + 2) & 0xffff;
        ftw = m.get(ValueLayout.JAVA_BYTE, off + 4) & 0xff;
        fop = m.get(W, off + 6) & 0x7ff;
        fip = m.get(Q, off + 8);
        fdp = m.get(Q, off + 16);
        mxcsr = mx;
        int top = top();
        for (int i = 0; i < 8; i++) {
            int r = (top + i) & 7;
            mant[r] = m.get(Q, off + 32 + 16L * i);
            sexp[r] = m.get(W, off + 40 + 16L * i) & 0xffff;
        }
        for (int i = 0; i < 32; i++) xmm[i] = m.get(Q, off + 160 + 8L * i);
        return true;
    }
}
