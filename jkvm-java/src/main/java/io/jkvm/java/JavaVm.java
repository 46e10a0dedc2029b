package io.jkvm.java;

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
import io.jkvm.api.uapi.MemoryAlias;
import io.jkvm.api.uapi.MemoryRegion;
import io.jkvm.api.uapi.PpcPvinfo;
import io.jkvm.api.uapi.UserspaceMemoryRegion;
import io.jkvm.api.uapi.XenHvmConfig;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** VM ioctls of the java backend: memory slots, vCPUs, clock; the irqchip arrives with the platform devices. */
final class JavaVm implements Vm {
    final MemSlots slots = new MemSlots();
    private final List<JavaVcpu> vcpus = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    private long tssAddr = -1, identityMapAddr = -1;
    private int bootCpuId;
    /** kvmclock = host monotonic time + offset, in ns (KVM_GET/SET_CLOCK). */
    private volatile long clockOffset = -System.nanoTime();

    private void check() {
        if (closed) throw new KvmException(Errno.EBADF, "VM fd is closed");
    }

    private static KvmException notTty(String ioctl) {
        return new KvmException(Errno.ENOTTY, ioctl + " is not a KVM ioctl on x86 (removed or other architecture)");
    }

    @Override
    public int checkExtension(int cap) {
        check();
        return JavaKvm.extension(cap);
    }

    @Override
    public void setMemoryRegion(MemoryRegion region) {
        check();
        throw notTty("KVM_SET_MEMORY_REGION");
    }

    @Override
    public synchronized Vcpu createVcpu(int id) {
        check();
        if (id < 0 || id >= JavaKvm.MAX_VCPUS) throw new KvmException(Errno.EINVAL, "KVM_CREATE_VCPU: id " + id + " out of range");
        for (JavaVcpu v : vcpus) if (v.id() == id) throw new KvmException(Errno.EEXIST, "KVM_CREATE_VCPU: id " + id + " exists");
        JavaVcpu v = new JavaVcpu(this, id);
        vcpus.add(v);
        return v;
    }

    synchronized boolean hasVcpus() {
        return !vcpus.isEmpty();
    }

    @Override
    public void getDirtyLog(int slot, long[] bitmap) {
        check();
        slots.dirtyLog(slot, bitmap);
    }

    @Override
    public void setMemoryAlias(MemoryAlias alias) {
        check();
        throw notTty("KVM_SET_MEMORY_ALIAS");
    }

    @Override
    public void createIrqchip() {
        check();
        throw notTty("KVM_CREATE_IRQCHIP (the java backend's irqchip is not implemented yet)");
    }

    @Override
    public void irqLine(IrqLevel level) {
        check();
        throw new KvmException(Errno.ENXIO, "KVM_IRQ_LINE: no in-kernel irqchip");
    }

    @Override
    public Irqchip getIrqchip(int chipId) {
        check();
        throw new KvmException(Errno.ENXIO, "KVM_GET_IRQCHIP: no in-kernel irqchip");
    }

    @Override
    public void setIrqchip(Irqchip chip) {
        check();
        throw new KvmException(Errno.ENXIO, "KVM_SET_IRQCHIP: no in-kernel irqchip");
    }

    @Override
    public void xenHvmConfig(XenHvmConfig config) {
        check();
        throw notTty("KVM_XEN_HVM_CONFIG");
    }

    @Override
    public ClockData getClock() {
        check();
        return new ClockData(System.nanoTime() + clockOffset, 0, 0, 0);
    }

    @Override
    public void setClock(ClockData data) {
        check();
        if ((data.flags() & ~ClockData.KVM_CLOCK_REALTIME) != 0) throw new KvmException(Errno.EINVAL, "KVM_SET_CLOCK: invalid flags");
        clockOffset = data.clock() - System.nanoTime();
    }

    @Override
    public void setUserMemoryRegion(UserspaceMemoryRegion r) {
        check();
        MemorySegment m = r.memory_size() == 0 ? null : MemorySegment.ofAddress(r.userspace_addr()).reinterpret(r.memory_size());
        slots.set(r.slot(), r.flags(), r.guest_phys_addr(), m, r.userspace_addr());
    }

    @Override
    public void setUserMemoryRegion(int slot, int flags, long gpa, MemorySegment memory) {
        check();
        long addr = memory != null && memory.isNative() ? memory.address() : 0;
        slots.set(slot, flags, gpa, memory != null && memory.byteSize() == 0 ? null : memory, addr);
    }

    @Override
    public void setTssAddr(long addr) {
        check();
        tssAddr = addr;
    }

    @Override
    public void enableCap(EnableCap cap) {
        check();
        if (cap.flags() != 0) throw new KvmException(Errno.EINVAL, "KVM_ENABLE_CAP: flags must be 0");
        throw new KvmException(Errno.EINVAL, "KVM_ENABLE_CAP: capability " + cap.cap() + " cannot be enabled on this VM");
    }

    @Override
    public synchronized void setIdentityMapAddr(long addr) {
        check();
        if (hasVcpus()) throw new KvmException(Errno.EEXIST, "KVM_SET_IDENTITY_MAP_ADDR: vCPUs already exist");
        identityMapAddr = addr;
    }

    @Override
    public synchronized void setBootCpuId(long id) {
        check();
        if (hasVcpus()) throw new KvmException(Errno.EBUSY, "KVM_SET_BOOT_CPU_ID: vCPUs already exist");
        if (id < 0 || id >= JavaKvm.MAX_VCPUS) throw new KvmException(Errno.EINVAL, "KVM_SET_BOOT_CPU_ID: id out of range");
        bootCpuId = (int) id;
    }

    int bootCpuId() {
        return bootCpuId;
    }

    @Override
    public PpcPvinfo ppcGetPvinfo() {
        check();
        throw notTty("KVM_PPC_GET_PVINFO");
    }

    @Override
    public void assignPciDevice(AssignedPciDev dev) {
        check();
        throw notTty("KVM_ASSIGN_PCI_DEVICE");
    }

    @Override
    public void deassignPciDevice(AssignedPciDev dev) {
        check();
        throw notTty("KVM_DEASSIGN_PCI_DEVICE");
    }

    @Override
    public void assignDevIrq(AssignedIrq irq) {
        check();
        throw notTty("KVM_ASSIGN_DEV_IRQ");
    }

    @Override
    public void deassignDevIrq(AssignedIrq irq) {
        check();
        throw notTty("KVM_DEASSIGN_DEV_IRQ");
    }

    @Override
    public void setGsiRouting(List<IrqRoutingEntry> entries, int flags) {
        check();
        throw notTty("KVM_SET_GSI_ROUTING (the java backend's irqchip is not implemented yet)");
    }

    @Override
    public void assignSetMsixNr(AssignedMsixNr nr) {
        check();
        throw notTty("KVM_ASSIGN_SET_MSIX_NR");
    }

    @Override
    public void assignSetMsixEntry(AssignedMsixEntry entry) {
        check();
        throw notTty("KVM_ASSIGN_SET_MSIX_ENTRY");
    }

    @Override
    public int signalMsi(long address, int data) {
        check();
        throw notTty("KVM_SIGNAL_MSI (the java backend's irqchip is not implemented yet)");
    }

    @Override
    public void close() {
        closed = true;
        for (JavaVcpu v : vcpus) v.close();
    }
}
