package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct kvm_dirty_log}: KVM_GET_DIRTY_LOG (§4.8). In Java the bitmap is a {@code long[]} given to
 * {@link io.jkvm.api.Vm#getDirtyLog(int, long[])}: bit {@code i} of the slot's bitmap is bit {@code i % 64}
 * of word {@code i / 64} — the same bytes Linux writes, read as little-endian longs.
 */
public record DirtyLog(int slot, int padding1, long dirty_bitmap) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("slot"), JAVA_INT.withName("padding1"), ADDRESS.withName("dirty_bitmap"))
            .withName("kvm_dirty_log");
}
