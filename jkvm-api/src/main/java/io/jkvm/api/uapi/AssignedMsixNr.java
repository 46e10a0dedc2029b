package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/** {@code struct kvm_assigned_msix_nr}: KVM_ASSIGN_SET_MSIX_NR (§4.53); removed from Linux (ENOTTY). */
public record AssignedMsixNr(int assigned_dev_id, int entry_nr) {
    public static final int KVM_MAX_MSIX_PER_DEV = 256;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("assigned_dev_id"), JAVA_SHORT.withName("entry_nr"), JAVA_SHORT.withName("padding"))
            .withName("kvm_assigned_msix_nr");

    public void write(MemorySegment m) {
        Mem.u32(m, 0, assigned_dev_id);
        Mem.u16(m, 4, entry_nr);
    }
}
