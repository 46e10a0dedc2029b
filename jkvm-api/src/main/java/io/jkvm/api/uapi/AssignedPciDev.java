package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * {@code struct kvm_assigned_pci_dev}: KVM_ASSIGN_PCI_DEVICE / KVM_DEASSIGN_PCI_DEVICE (§4.48–4.49), the
 * device-assignment family Linux removed in 4.12 (it answers ENOTTY); kept so the seed's API is complete.
 */
public record AssignedPciDev(int assigned_dev_id, int busnr, int devfn, int flags, int segnr) {
    public static final int KVM_DEV_ASSIGN_ENABLE_IOMMU = 1;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("assigned_dev_id"), JAVA_INT.withName("busnr"), JAVA_INT.withName("devfn"),
            JAVA_INT.withName("flags"), JAVA_INT.withName("segnr"),
            MemoryLayout.sequenceLayout(11, JAVA_INT).withName("reserved")).withName("kvm_assigned_pci_dev");

    public void write(MemorySegment m) {
        int[] v = {assigned_dev_id, busnr, devfn, flags, segnr};
        for (int i = 0; i < v.length; i++) Mem.u32(m, 4L * i, v[i]);
    }
}
