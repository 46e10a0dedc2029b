package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * {@code struct kvm_xen_hvm_config}: KVM_XEN_HVM_CONFIG (§4.28): the MSR a Xen HVM guest writes to install
 * its hypercall page, and the userspace blobs KVM copies there.
 */
public record XenHvmConfig(int flags, int msr, long blob_addr_32, long blob_addr_64, int blob_size_32,
                           int blob_size_64) {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("flags"), JAVA_INT.withName("msr"), JAVA_LONG.withName("blob_addr_32"),
            JAVA_LONG.withName("blob_addr_64"), JAVA_BYTE.withName("blob_size_32"), JAVA_BYTE.withName("blob_size_64"),
            MemoryLayout.sequenceLayout(30, JAVA_BYTE).withName("pad2")).withName("kvm_xen_hvm_config");

    public void write(MemorySegment m) {
        Mem.u32(m, 0, flags);
        Mem.u32(m, 4, msr);
        Mem.u64(m, 8, blob_addr_32);
        Mem.u64(m, 16, blob_addr_64);
        Mem.u8(m, 24, blob_size_32);
        Mem.u8(m, 25, blob_size_64);
    }
}
