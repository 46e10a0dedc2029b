package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/** {@code struct kvm_assigned_msix_entry}: KVM_ASSIGN_SET_MSIX_ENTRY (§4.54); removed from Linux (ENOTTY). */
public record AssignedMsixEntry(int assigned_dev_id, int gsi, int entry) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("assigned_dev_id"), JAVA_INT.withName("gsi"), JAVA_SHORT.withName("entry"),
            MemoryLayout.sequenceLayout(3, JAVA_SHORT).withName("padding")).withName("kvm_assigned_msix_entry");

    public void write(MemorySegment m) {
        Mem.u32(m, 0, assigned_dev_id);
        Mem.u32(m, 4, gsi);
        Mem.u16(m, 8, entry);
    }
}
