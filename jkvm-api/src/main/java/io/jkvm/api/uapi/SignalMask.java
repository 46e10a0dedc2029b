package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.util.Arrays;

/**
 * {@code struct kvm_signal_mask}: the signals blocked while KVM_RUN executes (§4.21). Linux accepts only
 * {@code len == 8} (the kernel's sigset_t); other lengths fail with EINVAL.
 */
public record SignalMask(int len, byte[] sigset) {

    public static final StructLayout HEADER = MemoryLayout.structLayout(JAVA_INT.withName("len")).withName("kvm_signal_mask");

    public SignalMask {
        sigset = sigset.clone();
    }

    @Override
    public byte[] sigset() {
        return sigset.clone();
    }

    /** A kernel sigset_t (len 8) where bit {@code n-1} blocks signal n. */
    public static SignalMask of(long bits) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) b[i] = (byte) (bits >>> (8 * i));
        return new SignalMask(8, b);
    }

    /** The mask as a 64-bit signal set (bytes past the 8th are ignored). */
    public long bits() {
        long v = 0;
        for (int i = 0; i < Math.min(8, sigset.length); i++) v |= (sigset[i] & 0xffL) << (8 * i);
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SignalMask m && len == m.len && Arrays.equals(sigset, m.sigset);
    }

    @Override
    public int hashCode() {
        return 31 * len + Arrays.hashCode(sigset);
    }

    @Override
    public String toString() {
        return "SignalMask[len=" + len + ", sigset=" + Arrays.toString(sigset) + "]";
    }
}
