package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Arrays;

/**
 * {@code struct kvm_xsave}: the 4096-byte XSAVE image (KVM_GET/SET_XSAVE, §4.42–4.43): the legacy FXSAVE
 * area (bytes 0–511), the XSAVE header (512–575, XSTATE_BV at 512) and the extended components at the
 * offsets CPUID leaf 0xD gives (standard, uncompacted format).
 */
public record Xsave(int[] region) {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(1024, JAVA_INT).withName("region")).withName("kvm_xsave");

    public Xsave {
        if (region.length != 1024) throw new IllegalArgumentException("region has 1024 u32");
        region = region.clone();
    }

    @Override
    public int[] region() {
        return region.clone();
    }

    /** Little-endian 64-bit value at byte offset {@code off} (e.g. 512 for XSTATE_BV, 24 for MXCSR's word). */
    public long u64(int off) {
        return (region[off / 4] & 0xffffffffL) | ((long) region[off / 4 + 1] << 32);
    }

    public static Xsave read(MemorySegment m) {
        return new Xsave(m.asSlice(0, 4096).toArray(JAVA_INT));
    }

    public void write(MemorySegment m) {
        MemorySegment.copy(region, 0, m, Mem.U32, 0, 1024);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Xsave x && Arrays.equals(region, x.region);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(region);
    }

    @Override
    public String toString() {
        return "Xsave[xstate_bv=" + Long.toHexString(u64(512)) + ", mxcsr=" + Integer.toHexString(region[6]) + "]";
    }
}
