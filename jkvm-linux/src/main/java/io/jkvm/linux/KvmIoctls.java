package io.jkvm.linux;

import io.jkvm.api.uapi.AssignedIrq;
import io.jkvm.api.uapi.AssignedMsixEntry;
import io.jkvm.api.uapi.AssignedMsixNr;
import io.jkvm.api.uapi.AssignedPciDev;
import io.jkvm.api.uapi.ClockData;
import io.jkvm.api.uapi.CpuidEntry;
import io.jkvm.api.uapi.CpuidEntry2;
import io.jkvm.api.uapi.Debugregs;
import io.jkvm.api.uapi.DirtyLog;
import io.jkvm.api.uapi.EnableCap;
import io.jkvm.api.uapi.Fpu;
import io.jkvm.api.uapi.Interrupt;
import io.jkvm.api.uapi.IrqLevel;
import io.jkvm.api.uapi.IrqRoutingEntry;
import io.jkvm.api.uapi.Irqchip;
import io.jkvm.api.uapi.LapicState;
import io.jkvm.api.uapi.MemoryAlias;
import io.jkvm.api.uapi.MemoryRegion;
import io.jkvm.api.uapi.MpState;
import io.jkvm.api.uapi.MsrEntry;
import io.jkvm.api.uapi.PitState2;
import io.jkvm.api.uapi.PpcPvinfo;
import io.jkvm.api.uapi.Regs;
import io.jkvm.api.uapi.SignalMask;
import io.jkvm.api.uapi.Sregs;
import io.jkvm.api.uapi.Translation;
import io.jkvm.api.uapi.UserspaceMemoryRegion;
import io.jkvm.api.uapi.VcpuEvents;
import io.jkvm.api.uapi.XenHvmConfig;
import io.jkvm.api.uapi.Xcrs;
import io.jkvm.api.uapi.Xsave;
import java.lang.foreign.MemoryLayout;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every KVM ioctl request number jkvm issues, grouped by the fd it goes to, computed as Linux's
 * {@code _IO/_IOR/_IOW/_IOWR(KVMIO, nr, type)} macros do from the struct layouts in io.jkvm.api.uapi.
 * {@code KvmIoctlsTest} compares each against the C header.
 */
public final class KvmIoctls {
    private KvmIoctls() {}

    static final int KVMIO = 0xAE;
    private static final Map<String, Long> ALL = new LinkedHashMap<>();

    private static long ioc(String name, int dir, int nr, long size) {
        long v = ((long) dir << 30) | (size << 16) | (KVMIO << 8) | nr;
        ALL.put(name, v);
        return v;
    }

    private static long io(String name, int nr) { return ioc(name, 0, nr, 0); }
    private static long iow(String name, int nr, MemoryLayout l) { return ioc(name, 1, nr, l.byteSize()); }
    private static long ior(String name, int nr, MemoryLayout l) { return ioc(name, 2, nr, l.byteSize()); }
    private static long iowr(String name, int nr, MemoryLayout l) { return ioc(name, 3, nr, l.byteSize()); }
    private static long iow(String name, int nr, long size) { return ioc(name, 1, nr, size); }

    // ---- system ioctls (/dev/kvm) ----
    public static final long KVM_GET_API_VERSION = io("KVM_GET_API_VERSION", 0x00);
    public static final long KVM_CREATE_VM = io("KVM_CREATE_VM", 0x01);
    public static final long KVM_GET_MSR_INDEX_LIST = iowr("KVM_GET_MSR_INDEX_LIST", 0x02, MsrEntry.MSR_LIST_HEADER);
    public static final long KVM_CHECK_EXTENSION = io("KVM_CHECK_EXTENSION", 0x03);
    public static final long KVM_GET_VCPU_MMAP_SIZE = io("KVM_GET_VCPU_MMAP_SIZE", 0x04);
    public static final long KVM_GET_SUPPORTED_CPUID = iowr("KVM_GET_SUPPORTED_CPUID", 0x05, CpuidEntry2.CPUID2_HEADER);

    // ---- VM ioctls ----
    public static final long KVM_SET_MEMORY_REGION = iow("KVM_SET_MEMORY_REGION", 0x40, MemoryRegion.LAYOUT);
    public static final long KVM_CREATE_VCPU = io("KVM_CREATE_VCPU", 0x41);
    public static final long KVM_GET_DIRTY_LOG = iow("KVM_GET_DIRTY_LOG", 0x42, DirtyLog.LAYOUT);
    public static final long KVM_SET_MEMORY_ALIAS = iow("KVM_SET_MEMORY_ALIAS", 0x43, MemoryAlias.LAYOUT);
    public static final long KVM_SET_USER_MEMORY_REGION = iow("KVM_SET_USER_MEMORY_REGION", 0x46, UserspaceMemoryRegion.LAYOUT);
    public static final long KVM_SET_TSS_ADDR = io("KVM_SET_TSS_ADDR", 0x47);
    public static final long KVM_SET_IDENTITY_MAP_ADDR = iow("KVM_SET_IDENTITY_MAP_ADDR", 0x48, 8);
    public static final long KVM_CREATE_IRQCHIP = io("KVM_CREATE_IRQCHIP", 0x60);
    public static final long KVM_IRQ_LINE = iow("KVM_IRQ_LINE", 0x61, IrqLevel.LAYOUT);
    public static final long KVM_GET_IRQCHIP = iowr("KVM_GET_IRQCHIP", 0x62, Irqchip.LAYOUT);
    /** Linux declares SET_IRQCHIP with _IOR, a historical slip kept for ABI stability. */
    public static final long KVM_SET_IRQCHIP = ior("KVM_SET_IRQCHIP", 0x63, Irqchip.LAYOUT);
    public static final long KVM_ASSIGN_PCI_DEVICE = ior("KVM_ASSIGN_PCI_DEVICE", 0x69, AssignedPciDev.LAYOUT);
    public static final long KVM_SET_GSI_ROUTING = iow("KVM_SET_GSI_ROUTING", 0x6a, IrqRoutingEntry.ROUTING_HEADER);
    public static final long KVM_ASSIGN_DEV_IRQ = iow("KVM_ASSIGN_DEV_IRQ", 0x70, AssignedIrq.LAYOUT);
    public static final long KVM_DEASSIGN_PCI_DEVICE = iow("KVM_DEASSIGN_PCI_DEVICE", 0x72, AssignedPciDev.LAYOUT);
    public static final long KVM_ASSIGN_SET_MSIX_NR = iow("KVM_ASSIGN_SET_MSIX_NR", 0x73, AssignedMsixNr.LAYOUT);
    public static final long KVM_ASSIGN_SET_MSIX_ENTRY = iow("KVM_ASSIGN_SET_MSIX_ENTRY", 0x74, AssignedMsixEntry.LAYOUT);
    public static final long KVM_DEASSIGN_DEV_IRQ = iow("KVM_DEASSIGN_DEV_IRQ", 0x75, AssignedIrq.LAYOUT);
    public static final long KVM_CREATE_PIT2 = iow("KVM_CREATE_PIT2", 0x77, PitState2.PIT_CONFIG_SIZE);
    public static final long KVM_GET_PIT2 = ior("KVM_GET_PIT2", 0x9f, PitState2.LAYOUT);
    public static final long KVM_SET_PIT2 = iow("KVM_SET_PIT2", 0xa0, PitState2.LAYOUT);
    public static final long KVM_SET_BOOT_CPU_ID = io("KVM_SET_BOOT_CPU_ID", 0x78);
    public static final long KVM_XEN_HVM_CONFIG = iow("KVM_XEN_HVM_CONFIG", 0x7a, XenHvmConfig.LAYOUT);
    public static final long KVM_SET_CLOCK = iow("KVM_SET_CLOCK", 0x7b, ClockData.LAYOUT);
    public static final long KVM_GET_CLOCK = ior("KVM_GET_CLOCK", 0x7c, ClockData.LAYOUT);
    public static final long KVM_PPC_GET_PVINFO = iow("KVM_PPC_GET_PVINFO", 0xa1, PpcPvinfo.LAYOUT);
    public static final long KVM_SIGNAL_MSI = iow("KVM_SIGNAL_MSI", 0xa5, 32);
    /** On the VM fd with KVM_CAP_ENABLE_CAP_VM, on a vCPU fd otherwise; same number. */
    public static final long KVM_ENABLE_CAP = iow("KVM_ENABLE_CAP", 0xa3, EnableCap.LAYOUT);

    // ---- vCPU ioctls ----
    public static final long KVM_RUN = io("KVM_RUN", 0x80);
    public static final long KVM_GET_REGS = ior("KVM_GET_REGS", 0x81, Regs.LAYOUT);
    public static final long KVM_SET_REGS = iow("KVM_SET_REGS", 0x82, Regs.LAYOUT);
    public static final long KVM_GET_SREGS = ior("KVM_GET_SREGS", 0x83, Sregs.LAYOUT);
    public static final long KVM_SET_SREGS = iow("KVM_SET_SREGS", 0x84, Sregs.LAYOUT);
    public static final long KVM_TRANSLATE = iowr("KVM_TRANSLATE", 0x85, Translation.LAYOUT);
    public static final long KVM_INTERRUPT = iow("KVM_INTERRUPT", 0x86, Interrupt.LAYOUT);
    /** struct kvm_debug_guest (80 bytes) no longer exists in Linux; the number does. */
    public static final long KVM_DEBUG_GUEST = iow("KVM_DEBUG_GUEST", 0x87, 80);
    public static final long KVM_GET_MSRS = iowr("KVM_GET_MSRS", 0x88, MsrEntry.MSRS_HEADER);
    public static final long KVM_SET_MSRS = iow("KVM_SET_MSRS", 0x89, MsrEntry.MSRS_HEADER);
    public static final long KVM_SET_CPUID = iow("KVM_SET_CPUID", 0x8a, CpuidEntry.CPUID_HEADER);
    public static final long KVM_SET_SIGNAL_MASK = iow("KVM_SET_SIGNAL_MASK", 0x8b, SignalMask.HEADER);
    public static final long KVM_GET_FPU = ior("KVM_GET_FPU", 0x8c, Fpu.LAYOUT);
    public static final long KVM_SET_FPU = iow("KVM_SET_FPU", 0x8d, Fpu.LAYOUT);
    public static final long KVM_GET_LAPIC = ior("KVM_GET_LAPIC", 0x8e, LapicState.LAYOUT);
    public static final long KVM_SET_LAPIC = iow("KVM_SET_LAPIC", 0x8f, LapicState.LAYOUT);
    public static final long KVM_SET_CPUID2 = iow("KVM_SET_CPUID2", 0x90, CpuidEntry2.CPUID2_HEADER);
    public static final long KVM_GET_CPUID2 = iowr("KVM_GET_CPUID2", 0x91, CpuidEntry2.CPUID2_HEADER);
    public static final long KVM_GET_MP_STATE = ior("KVM_GET_MP_STATE", 0x98, MpState.LAYOUT);
    public static final long KVM_SET_MP_STATE = iow("KVM_SET_MP_STATE", 0x99, MpState.LAYOUT);
    public static final long KVM_NMI = io("KVM_NMI", 0x9a);
    public static final long KVM_GET_VCPU_EVENTS = ior("KVM_GET_VCPU_EVENTS", 0x9f, VcpuEvents.LAYOUT);
    public static final long KVM_SET_VCPU_EVENTS = iow("KVM_SET_VCPU_EVENTS", 0xa0, VcpuEvents.LAYOUT);
    public static final long KVM_GET_DEBUGREGS = ior("KVM_GET_DEBUGREGS", 0xa1, Debugregs.LAYOUT);
    public static final long KVM_SET_DEBUGREGS = iow("KVM_SET_DEBUGREGS", 0xa2, Debugregs.LAYOUT);
    public static final long KVM_SET_TSC_KHZ = io("KVM_SET_TSC_KHZ", 0xa2);
    public static final long KVM_GET_TSC_KHZ = io("KVM_GET_TSC_KHZ", 0xa3);
    public static final long KVM_GET_XSAVE = ior("KVM_GET_XSAVE", 0xa4, Xsave.LAYOUT);
    public static final long KVM_SET_XSAVE = iow("KVM_SET_XSAVE", 0xa5, Xsave.LAYOUT);
    public static final long KVM_GET_XCRS = ior("KVM_GET_XCRS", 0xa6, Xcrs.LAYOUT);
    public static final long KVM_SET_XCRS = iow("KVM_SET_XCRS", 0xa7, Xcrs.LAYOUT);

    /** Every request number above, by its Linux name (for the header cross-check). */
    public static Map<String, Long> all() {
        return java.util.Collections.unmodifiableMap(ALL);
    }
}
