package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/** {@code struct kvm_memory_region}: the removed KVM_SET_MEMORY_REGION (§4.6); modern Linux answers ENOTTY. */
public record MemoryRegion(int slot, int flags, long guest_phys_addr, long memory_size) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("slot"), JAVA_INT.withName("flags"), JAVA_LONG.withName("guest_phys_addr"),
            JAVA_LONG.withName("memory_size")).withName("kvm_memory_region");
}
