package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * {@code struct kvm_assigned_irq}: KVM_ASSIGN_DEV_IRQ / KVM_DEASSIGN_DEV_IRQ (§4.50–4.51); removed from
 * Linux (ENOTTY). The union's {@code guest_msi} members are flattened.
 */
public record AssignedIrq(int assigned_dev_id, int host_irq, int guest_irq, int flags,
                          int guest_msi_addr_lo, int guest_msi_addr_hi, int guest_msi_data) {
    public static final int KVM_DEV_IRQ_HOST_INTX = 1 << 0;
    public static final int KVM_DEV_IRQ_HOST_MSI = 1 << 1;
    public static final int KVM_DEV_IRQ_HOST_MSIX = 1 << 2;
    public static final int KVM_DEV_IRQ_GUEST_INTX = 1 << 8;
    public static final int KVM_DEV_IRQ_GUEST_MSI = 1 << 9;
    public static final int KVM_DEV_IRQ_GUEST_MSIX = 1 << 10;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("assigned_dev_id"), JAVA_INT.withName("host_irq"), JAVA_INT.withName("guest_irq"),
            JAVA_INT.withName("flags"),
            MemoryLayout.unionLayout(
                    MemoryLayout.structLayout(JAVA_INT.withName("addr_lo"), JAVA_INT.withName("addr_hi"),
                            JAVA_INT.withName("data")).withName("guest_msi"),
                    MemoryLayout.sequenceLayout(12, JAVA_INT).withName("reserved")))
            .withName("kvm_assigned_irq");

    public void write(MemorySegment m) {
        int[] v = {assigned_dev_id, host_irq, guest_irq, flags, guest_msi_addr_lo, guest_msi_addr_hi, guest_msi_data};
        for (int i = 0; i < v.length; i++) Mem.u32(m, 4L * i, v[i]);
    }
}
