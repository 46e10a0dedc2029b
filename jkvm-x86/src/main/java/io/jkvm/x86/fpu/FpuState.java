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
    /** Last non-control x87 instruction's offset and CS selector; its memory operand's offset and selector. */
    public long fip, fdp;
    public int fcs, fds;
    public int mxcsr = 0x1f80;
    /** XMM registers as {lo, hi} pairs. */
    public final long[] xmm = new long[32];
    /** The software floating point all x87 and SSE arithmetic goes through (one per CPU: it holds results). */
    public final SoftFloat sf = new SoftFloat();
    /** Scratch for a 128-bit source operand (memory or register), so operand fetch allocates nothing. */
    public long srcLo, srcHi;
    /** Scratch of the cross-element SIMD operations: destination, source and result as lo/hi pairs. */
    public long dLo, dHi, sLo, sHi, rLo, rHi;

    // FSW bits
    public static final int SF = 1 << 6, ES = 1 << 7, C0 = 1 << 8, C1 = 1 << 9, C2 = 1 << 10, C3 = 1 << 14, B = 1 << 15;
    public static final int CC = C0 | C1 | C2 | C3;
    /** The default QNaN as an 80-bit value. */
    public static final int INDEF_SE = 0xffff;
    public static final long INDEF_M = 0xc000000000000000L;

    /** MXCSR bits that may be set (DAZ included). */
    public static final int MXCSR_MASK = 0xffff;

    public int top() {
        return (fsw >> 11) & 7;
    }

    public void setTop(int t) {
        fsw = (fsw & ~(7 << 11)) | (t & 7) << 11;
    }

    /** Physical register number of ST(i). */
    public int phys(int i) {
        return (top() + i) & 7;
    }

    public boolean empty(int i) {
        return (ftw & (1 << phys(i))) == 0;
    }

    public int se(int i) {
        return sexp[phys(i)];
    }

    public long m(int i) {
        return mant[phys(i)];
    }

    /** Writes ST(i) and tags it valid. */
    public void set(int i, int se, long m) {
        int p = phys(i);
        sexp[p] = se & 0xffff;
        mant[p] = m;
        ftw |= 1 << p;
    }

    /** Decrements TOP and writes the new ST(0). */
    public void push(int se, long m) {
        setTop(top() - 1);
        set(0, se, m);
    }

    /** Tags ST(0) empty and increments TOP. */
    public void pop() {
        ftw &= ~(1 << phys(0));
        setTop(top() + 1);
    }

    /** Sets C3 C2 C1 C0 to the low four bits of {@code c3c2c1c0}. */
    public void setCc(int c3c2c1c0) {
        fsw = (fsw & ~CC) | ((c3c2c1c0 & 8) != 0 ? C3 : 0) | ((c3c2c1c0 & 4) != 0 ? C2 : 0)
                | ((c3c2c1c0 & 2) != 0 ? C1 : 0) | ((c3c2c1c0 & 1) != 0 ? C0 : 0);
    }

    /** Sets exception flags (and SF) in FSW; the caller then updates ES. */
    public void raise(int flags) {
        fsw |= flags;
    }

    /** ES and B summarize the exception flags that are unmasked in FCW (SDM Vol. 1 §8.1.3.1). */
    public void updateEs() {
        if ((fsw & ~fcw & 0x3f) != 0) fsw |= ES | B;
        else fsw &= ~(ES | B);
    }

    /** The full two-bit tag of physical register p: 0 valid, 1 zero, 2 special, 3 empty. */
    public int tag(int p) {
        if ((ftw & (1 << p)) == 0) return 3;
        int e = sexp[p] & 0x7fff;
        long m = mant[p];
        if (e == 0) return m == 0 ? 1 : 2;
        if (e == 0x7fff || m >= 0) return 2;
        return 0;
    }

    public int fullTagWord() {
        int t = 0;
        for (int p = 0; p < 8; p++) t |= tag(p) << (2 * p);
        return t;
    }

    /** Loads the abridged tags from a full tag word (11 = empty). */
    public void setFullTagWord(int t) {
        ftw = 0;
        for (int p = 0; p < 8; p++) if (((t >> (2 * p)) & 3) != 3) ftw |= 1 << p;
    }

    /** FNINIT: control, status, tags and pointers to their initial values; registers and SSE untouched. */
    public void finit() {
        fcw = 0x37f;
        fsw = 0;
        ftw = 0;
        fop = 0;
        fip = fdp = 0;
        fcs = fds = 0;
    }

    /** MMX register n (its alias, physical R_n). */
    public long mm(int n) {
        return mant[n];
    }

    /** Writes MMX register n: the exponent field of its x87 alias becomes all ones (SDM Vol. 1 §9.5.1). */
    public void setMm(int n, long v) {
        mant[n] = v;
        sexp[n] = 0xffff;
    }

    /** An MMX instruction's transition: TOP = 0 and every register tagged valid. */
    public void enterMmx() {
        fsw &= ~(7 << 11);
        ftw = 0xff;
    }

    /** FNINIT / reset state (MXCSR and XMM are untouched by FNINIT; {@link #reset} clears them too). */
    public void reset() {
        java.util.Arrays.fill(mant, 0);
        java.util.Arrays.fill(sexp, 0);
        java.util.Arrays.fill(xmm, 0);
        fcw = 0x37f;
        fsw = fop = ftw = 0;
        fip = fdp = 0;
        fcs = fds = 0;
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
        fcs = fds = 0;                                // the 64-bit image has no selectors: FXRSTOR64 clears them
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
