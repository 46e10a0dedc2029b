package io.jkvm.api;

import io.jkvm.api.uapi.AssignedIrq;
import io.jkvm.api.uapi.AssignedMsixEntry;
import io.jkvm.api.uapi.AssignedMsixNr;
import io.jkvm.api.uapi.AssignedPciDev;
import io.jkvm.api.uapi.ClockData;
import io.jkvm.api.uapi.EnableCap;
import io.jkvm.api.uapi.Irqchip;
import io.jkvm.api.uapi.IrqLevel;
import io.jkvm.api.uapi.IrqRoutingEntry;
import io.jkvm.api.uapi.MemoryAlias;
import io.jkvm.api.uapi.MemoryRegion;
import io.jkvm.api.uapi.PitState2;
import io.jkvm.api.uapi.PpcPvinfo;
import io.jkvm.api.uapi.UserspaceMemoryRegion;
import io.jkvm.api.uapi.XenHvmConfig;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A virtual machine: the VM fd of seed 003 §2. VM ioctls are its methods. Errors are {@link KvmException}s
 * with the errno Linux gives; after {@link #close()} every method fails with EBADF.
 */
public interface Vm extends AutoCloseable {

    /** KVM_CHECK_EXTENSION on the VM fd (KVM_CAP_CHECK_EXTENSION_VM): answers for this VM. */
    int checkExtension(int cap);

    default int checkExtension(Cap cap) {
        return checkExtension(cap.number);
    }

    /** KVM_SET_MEMORY_REGION (§4.6): removed from Linux; always ENOTTY. */
    void setMemoryRegion(MemoryRegion region);

    /**
     * KVM_CREATE_VCPU (§4.7).
     *
     * @param id the vCPU (APIC) id, 0 ≤ id &lt; KVM_CAP_MAX_VCPU_ID
     * @throws KvmException EINVAL for an id out of range, EEXIST for an id already created
     */
    Vcpu createVcpu(int id);

    /**
     * KVM_GET_DIRTY_LOG (§4.8): copies, then clears, slot {@code slot}'s dirty bitmap into {@code bitmap}
     * (bit i = page i of the slot). The slot must have KVM_MEM_LOG_DIRTY_PAGES (ENOENT otherwise).
     *
     * @throws KvmException ENOENT for a slot without logging, EINVAL for a bad slot id
     */
    void getDirtyLog(int slot, long[] bitmap);

    /** KVM_SET_MEMORY_ALIAS (§4.9): removed from Linux; always ENOTTY. */
    void setMemoryAlias(MemoryAlias alias);

    /** KVM_CREATE_IRQCHIP (§4.24): PIC pair + IOAPIC, and a local APIC for every vCPU created afterwards. EEXIST if repeated. */
    void createIrqchip();

    /** KVM_IRQ_LINE (§4.25). ENXIO without an irqchip. */
    void irqLine(IrqLevel level);

    default void irqLine(int gsi, int level) {
        irqLine(new IrqLevel(gsi, level));
    }

    /** KVM_GET_IRQCHIP (§4.26) for chip 0 (master PIC), 1 (slave PIC) or 2 (IOAPIC); ENXIO without irqchip, EINVAL for other ids. */
    Irqchip getIrqchip(int chip_id);

    /** KVM_SET_IRQCHIP (§4.27). */
    void setIrqchip(Irqchip chip);

    /** KVM_XEN_HVM_CONFIG (§4.28). */
    void xenHvmConfig(XenHvmConfig config);

    /** KVM_GET_CLOCK (§4.29). */
    ClockData getClock();

    /** KVM_SET_CLOCK (§4.30); flags other than KVM_CLOCK_REALTIME give EINVAL. */
    void setClock(ClockData data);

    /**
     * KVM_SET_USER_MEMORY_REGION (§4.35) from the raw struct: {@code userspace_addr} must be the address of
     * native memory the caller keeps alive. Prefer {@link #setUserMemoryRegion(int, int, long, MemorySegment)}.
     */
    void setUserMemoryRegion(UserspaceMemoryRegion region);

    /**
     * KVM_SET_USER_MEMORY_REGION with the memory as a segment: creates, moves, changes flags of, or (with
     * {@code memory == null} or empty) deletes slot {@code slot}. The java backend uses the segment itself;
     * the linux backend needs a native segment (EFAULT for a heap one).
     *
     * @throws KvmException EINVAL for a misaligned address/size, bad slot id or flags, a resize of an
     *         existing slot; EEXIST when the range overlaps another slot
     */
    void setUserMemoryRegion(int slot, int flags, long guest_phys_addr, MemorySegment memory);

    /** KVM_SET_TSS_ADDR (§4.36): the three-page region KVM may use for real-mode emulation on Intel. */
    void setTssAddr(long addr);

    /** KVM_ENABLE_CAP on the VM fd (KVM_CAP_ENABLE_CAP_VM). EINVAL for a capability that cannot be enabled. */
    void enableCap(EnableCap cap);

    /** KVM_SET_IDENTITY_MAP_ADDR (§4.40). EINVAL once vCPUs exist. */
    void setIdentityMapAddr(long addr);

    /** KVM_SET_BOOT_CPU_ID (§4.41). EBUSY once vCPUs exist. */
    void setBootCpuId(long vcpu_id);

    /** KVM_PPC_GET_PVINFO (§4.47): powerpc only; x86 rejects it as Linux does. */
    PpcPvinfo ppcGetPvinfo();

    /** KVM_ASSIGN_PCI_DEVICE (§4.48): removed from Linux (ENOTTY). */
    void assignPciDevice(AssignedPciDev dev);

    /** KVM_DEASSIGN_PCI_DEVICE (§4.49): removed from Linux (ENOTTY). */
    void deassignPciDevice(AssignedPciDev dev);

    /** KVM_ASSIGN_DEV_IRQ (§4.50): removed from Linux (ENOTTY). */
    void assignDevIrq(AssignedIrq irq);

    /** KVM_DEASSIGN_DEV_IRQ (§4.51): removed from Linux (ENOTTY). */
    void deassignDevIrq(AssignedIrq irq);

    /** KVM_SET_GSI_ROUTING (§4.52): replaces the whole GSI routing table. EINVAL for bad entries or flags. */
    void setGsiRouting(List<IrqRoutingEntry> entries, int flags);

    default void setGsiRouting(List<IrqRoutingEntry> entries) {
        setGsiRouting(entries, 0);
    }

    /** KVM_ASSIGN_SET_MSIX_NR (§4.53): removed from Linux (ENOTTY). */
    void assignSetMsixNr(AssignedMsixNr nr);

    /** KVM_ASSIGN_SET_MSIX_ENTRY (§4.54): removed from Linux (ENOTTY). */
    void assignSetMsixEntry(AssignedMsixEntry entry);

    /** KVM_SIGNAL_MSI: injects one MSI directly; returns &gt;0 delivered, 0 blocked by the guest. EINVAL without an irqchip; EPERM (Linux's -1) when no vCPU exists to take it. */
    int signalMsi(long address, int data);

    /**
     * KVM_CREATE_PIT2 (KVM_CAP_PIT2): creates the in-kernel i8254 PIT (ports 0x40–0x43, and 0x61 with
     * {@link PitState2#KVM_PIT_SPEAKER_DUMMY}), wired to GSI 0. Needs an irqchip first.
     *
     * @throws KvmException EEXIST if repeated, ENOENT without an irqchip, ENOTTY where the backend has no PIT
     */
    default void createPit2(int flags) {
        throw new KvmException(Errno.ENOTTY, "KVM_CREATE_PIT2: not implemented by this backend");
    }

    /** KVM_GET_PIT2 (KVM_CAP_PIT_STATE2). ENXIO without a PIT. */
    default PitState2 getPit2() {
        throw new KvmException(Errno.ENOTTY, "KVM_GET_PIT2: not implemented by this backend");
    }

    /** KVM_SET_PIT2 (KVM_CAP_PIT_STATE2). ENXIO without a PIT. */
    default void setPit2(PitState2 state) {
        throw new KvmException(Errno.ENOTTY, "KVM_SET_PIT2: not implemented by this backend");
    }

    /** Closes the VM and every vCPU of it. */
    @Override
    void close();
}
