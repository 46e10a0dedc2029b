package io.jkvm.linux;

import static io.jkvm.linux.KvmIoctls.*;

import io.jkvm.api.Errno;
import io.jkvm.api.KvmException;
import io.jkvm.api.Vcpu;
import io.jkvm.api.Vm;
import io.jkvm.api.uapi.AssignedIrq;
import io.jkvm.api.uapi.AssignedMsixEntry;
import io.jkvm.api.uapi.AssignedMsixNr;
import io.jkvm.api.uapi.AssignedPciDev;
import io.jkvm.api.uapi.ClockData;
import io.jkvm.api.uapi.EnableCap;
import io.jkvm.api.uapi.Irqchip;
import io.jkvm.api.uapi.IrqLevel;
import io.jkvm.api.uapi.IrqRoutingEntry;
import io.jkvm.api.uapi.Mem;
import io.jkvm.api.uapi.MemoryAlias;
import io.jkvm.api.uapi.MemoryRegion;
import io.jkvm.api.uapi.PitState2;
import io.jkvm.api.uapi.PpcPvinfo;
import io.jkvm.api.uapi.UserspaceMemoryRegion;
import io.jkvm.api.uapi.XenHvmConfig;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** VM ioctls on a VM fd. */
final class LinuxVm implements Vm {
    private final LinuxKvm kvm;
    private final Fd fd;
    private final List<LinuxVcpu> vcpus = new CopyOnWriteArrayList<>();
    /** Keeps each slot's segment reachable while the kernel maps it, and knows slot sizes for GET_DIRTY_LOG. */
    private final Map<Integer, MemorySegment> slots = new ConcurrentHashMap<>();

    LinuxVm(LinuxKvm kvm, Fd fd) {
        this.kvm = kvm;
        this.fd = fd;
    }

    @Override
    public int checkExtension(int cap) {
        return fd.ioctl("KVM_CHECK_EXTENSION", KVM_CHECK_EXTENSION, cap);
    }

    @Override
    public void setMemoryRegion(MemoryRegion r) {
        fd.ioctl("KVM_SET_MEMORY_REGION", KVM_SET_MEMORY_REGION, MemoryRegion.LAYOUT.byteSize(), b -> {
            Mem.u32(b, 0, r.slot());
            Mem.u32(b, 4, r.flags());
            Mem.u64(b, 8, r.guest_phys_addr());
            Mem.u64(b, 16, r.memory_size());
        }, null);
    }

    @Override
    public Vcpu createVcpu(int id) {
        int vfd = fd.ioctl("KVM_CREATE_VCPU", KVM_CREATE_VCPU, id);
        LinuxVcpu v = new LinuxVcpu(id, new Fd(vfd, "vCPU"), kvm.mmapSize());
        vcpus.add(v);
        return v;
    }

    @Override
    public void getDirtyLog(int slot, long[] bitmap) {
        MemorySegment mem = slots.get(slot & 0xffff);
        long needed = mem == null ? 0 : (mem.byteSize() / 4096 + 63) / 64;
        if (bitmap.length < needed)
            throw new KvmException(Errno.EFAULT, "KVM_GET_DIRTY_LOG: bitmap has " + bitmap.length + " words, slot needs " + needed);
        long words = Math.max(needed, bitmap.length);
        try (var a = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment bits = a.allocate(Math.max(8, words * 8), 8);
            fd.ioctl("KVM_GET_DIRTY_LOG", KVM_GET_DIRTY_LOG, 16, b -> {
                Mem.u32(b, 0, slot);
                Mem.u64(b, 8, bits.address());
            }, null);
            for (int i = 0; i < bitmap.length; i++) bitmap[i] = i < words ? Mem.u64(bits, 8L * i) : 0;
        }
    }

    @Override
    public void setMemoryAlias(MemoryAlias al) {
        fd.ioctl("KVM_SET_MEMORY_ALIAS", KVM_SET_MEMORY_ALIAS, MemoryAlias.LAYOUT.byteSize(), b -> {
            Mem.u32(b, 0, al.slot());
            Mem.u32(b, 4, al.flags());
            Mem.u64(b, 8, al.guest_phys_addr());
            Mem.u64(b, 16, al.memory_size());
            Mem.u64(b, 24, al.target_phys_addr());
        }, null);
    }

    @Override
    public void createIrqchip() {
        fd.ioctl("KVM_CREATE_IRQCHIP", KVM_CREATE_IRQCHIP, 0);
    }

    @Override
    public void irqLine(IrqLevel l) {
        fd.ioctl("KVM_IRQ_LINE", KVM_IRQ_LINE, 8, b -> {
            Mem.u32(b, 0, l.irq());
            Mem.u32(b, 4, l.level());
        }, null);
    }

    @Override
    public Irqchip getIrqchip(int chipId) {
        return fd.ioctl("KVM_GET_IRQCHIP", KVM_GET_IRQCHIP, Irqchip.LAYOUT.byteSize(), b -> Mem.u32(b, 0, chipId),
                Irqchip::read);
    }

    @Override
    public void setIrqchip(Irqchip chip) {
        fd.ioctl("KVM_SET_IRQCHIP", KVM_SET_IRQCHIP, Irqchip.LAYOUT.byteSize(), chip::write, null);
    }

    @Override
    public void xenHvmConfig(XenHvmConfig c) {
        fd.ioctl("KVM_XEN_HVM_CONFIG", KVM_XEN_HVM_CONFIG, XenHvmConfig.LAYOUT.byteSize(), c::write, null);
    }

    @Override
    public ClockData getClock() {
        return fd.ioctl("KVM_GET_CLOCK", KVM_GET_CLOCK, ClockData.LAYOUT.byteSize(), null, ClockData::read);
    }

    @Override
    public void setClock(ClockData d) {
        fd.ioctl("KVM_SET_CLOCK", KVM_SET_CLOCK, ClockData.LAYOUT.byteSize(), d::write, null);
    }

    @Override
    public void setUserMemoryRegion(UserspaceMemoryRegion r) {
        fd.ioctl("KVM_SET_USER_MEMORY_REGION", KVM_SET_USER_MEMORY_REGION, UserspaceMemoryRegion.LAYOUT.byteSize(),
                r::write, null);
        int slot = r.slot() & 0xffff;
        if (r.memory_size() == 0) slots.remove(slot);
        else slots.put(slot, MemorySegment.ofAddress(r.userspace_addr()).reinterpret(r.memory_size()));
    }

    @Override
    public void setUserMemoryRegion(int slot, int flags, long gpa, MemorySegment memory) {
        long size = memory == null ? 0 : memory.byteSize();
        if (size != 0 && !memory.isNative())
            throw new KvmException(Errno.EFAULT, "KVM_SET_USER_MEMORY_REGION: /dev/kvm needs native memory, got a heap segment");
        long addr = size == 0 ? 0 : memory.address();
        setUserMemoryRegion(new UserspaceMemoryRegion(slot, flags, gpa, size, addr));
        if (size != 0) slots.put(slot & 0xffff, memory); // the caller's segment: keeps its arena reachable
    }

    @Override
    public void setTssAddr(long addr) {
        fd.ioctl("KVM_SET_TSS_ADDR", KVM_SET_TSS_ADDR, addr);
    }

    @Override
    public void enableCap(EnableCap cap) {
        fd.ioctl("KVM_ENABLE_CAP", KVM_ENABLE_CAP, EnableCap.LAYOUT.byteSize(), cap::write, null);
    }

    @Override
    public void setIdentityMapAddr(long addr) {
        fd.ioctl("KVM_SET_IDENTITY_MAP_ADDR", KVM_SET_IDENTITY_MAP_ADDR, 8, b -> Mem.u64(b, 0, addr), null);
    }

    @Override
    public void setBootCpuId(long id) {
        fd.ioctl("KVM_SET_BOOT_CPU_ID", KVM_SET_BOOT_CPU_ID, id);
    }

    @Override
    public PpcPvinfo ppcGetPvinfo() {
        return fd.ioctl("KVM_PPC_GET_PVINFO", KVM_PPC_GET_PVINFO, PpcPvinfo.LAYOUT.byteSize(), null,
                b -> new PpcPvinfo(Mem.u32(b, 0), new int[] {Mem.u32(b, 4), Mem.u32(b, 8), Mem.u32(b, 12), Mem.u32(b, 16)}));
    }

    @Override
    public void assignPciDevice(AssignedPciDev d) {
        fd.ioctl("KVM_ASSIGN_PCI_DEVICE", KVM_ASSIGN_PCI_DEVICE, AssignedPciDev.LAYOUT.byteSize(), d::write, null);
    }

    @Override
    public void deassignPciDevice(AssignedPciDev d) {
        fd.ioctl("KVM_DEASSIGN_PCI_DEVICE", KVM_DEASSIGN_PCI_DEVICE, AssignedPciDev.LAYOUT.byteSize(), d::write, null);
    }

    @Override
    public void assignDevIrq(AssignedIrq i) {
        fd.ioctl("KVM_ASSIGN_DEV_IRQ", KVM_ASSIGN_DEV_IRQ, AssignedIrq.LAYOUT.byteSize(), i::write, null);
    }

    @Override
    public void deassignDevIrq(AssignedIrq i) {
        fd.ioctl("KVM_DEASSIGN_DEV_IRQ", KVM_DEASSIGN_DEV_IRQ, AssignedIrq.LAYOUT.byteSize(), i::write, null);
    }

    @Override
    public void setGsiRouting(List<IrqRoutingEntry> entries, int flags) {
        long es = IrqRoutingEntry.LAYOUT.byteSize();
        // Linux caps the table at KVM_MAX_IRQ_ROUTES (4096) and answers EINVAL above; don't allocate for more.
        if (entries.size() > 4096) throw new KvmException(Errno.EINVAL, "KVM_SET_GSI_ROUTING: " + entries.size() + " entries > KVM_MAX_IRQ_ROUTES");
        fd.ioctl("KVM_SET_GSI_ROUTING", KVM_SET_GSI_ROUTING, 8 + es * entries.size(), b -> {
            Mem.u32(b, 0, entries.size());
            Mem.u32(b, 4, flags);
            for (int i = 0; i < entries.size(); i++) entries.get(i).write(b, 8 + es * i);
        }, null);
    }

    @Override
    public void assignSetMsixNr(AssignedMsixNr nr) {
        fd.ioctl("KVM_ASSIGN_SET_MSIX_NR", KVM_ASSIGN_SET_MSIX_NR, AssignedMsixNr.LAYOUT.byteSize(), nr::write, null);
    }

    @Override
    public void assignSetMsixEntry(AssignedMsixEntry e) {
        fd.ioctl("KVM_ASSIGN_SET_MSIX_ENTRY", KVM_ASSIGN_SET_MSIX_ENTRY, AssignedMsixEntry.LAYOUT.byteSize(), e::write, null);
    }

    @Override
    public int signalMsi(long address, int data) {
        return fd.ioctlIn("KVM_SIGNAL_MSI", KVM_SIGNAL_MSI, 32, b -> {
            Mem.u32(b, 0, (int) address);
            Mem.u32(b, 4, (int) (address >>> 32));
            Mem.u32(b, 8, data);
        });
    }

    @Override
    public void createPit2(int flags) {
        fd.ioctl("KVM_CREATE_PIT2", KVM_CREATE_PIT2, PitState2.PIT_CONFIG_SIZE, b -> Mem.u32(b, 0, flags), null);
    }

    @Override
    public PitState2 getPit2() {
        return fd.ioctl("KVM_GET_PIT2", KVM_GET_PIT2, PitState2.LAYOUT.byteSize(), null, PitState2::read);
    }

    @Override
    public void setPit2(PitState2 state) {
        fd.ioctl("KVM_SET_PIT2", KVM_SET_PIT2, PitState2.LAYOUT.byteSize(), state::write, null);
    }

    @Override
    public void close() {
        for (LinuxVcpu v : vcpus) v.close();
        fd.close();
        slots.clear();
    }
}
