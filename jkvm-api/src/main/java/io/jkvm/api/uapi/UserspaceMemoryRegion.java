package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * {@code struct kvm_userspace_memory_region}: KVM_SET_USER_MEMORY_REGION (§4.35). {@code memory_size == 0}
 * deletes the slot. The Java-friendly form is {@link io.jkvm.api.Vm#setUserMemoryRegion(int, int, long, MemorySegment)}.
 */
public record UserspaceMemoryRegion(int slot, int flags, long guest_phys_addr, long memory_size, long userspace_addr) {

    /** Track writes: KVM_GET_DIRTY_LOG returns a bit per dirtied page. */
    public static final int KVM_MEM_LOG_DIRTY_PAGES = 1;
    /** Guest writes exit as KVM_EXIT_MMIO instead of changing memory. */
    public static final int KVM_MEM_READONLY = 2;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("slot"), JAVA_INT.withName("flags"), JAVA_LONG.withName("guest_phys_addr"),
            JAVA_LONG.withName("memory_size"), JAVA_LONG.withName("userspace_addr"))
            .withName("kvm_userspace_memory_region");

    public void write(MemorySegment m) {
        Mem.u32(m, 0, slot);
        Mem.u32(m, 4, flags);
        Mem.u64(m, 8, guest_phys_addr);
        Mem.u64(m, 16, memory_size);
        Mem.u64(m, 24, userspace_addr);
    }
}
