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
import io.jkvm.api.uapi.PitState2;
import io.jkvm.java.irq.IrqChip;
import io.jkvm.java.timer.I8254;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** VM ioctls of the java backend: memory slots, vCPUs, clock; the irqchip arrives with the platform devices. */
final class JavaVm implements Vm {
    final MemSlots slots = new MemSlots();
    /** Host time when the VM was created: the origin of its TSC and kvmclock. */
    final long createdNs = System.nanoTime();
    /** KVM_CREATE_IRQCHIP's PIC/IOAPIC/LAPICs, or null. */
    volatile IrqChip irqchip;
    /** KVM_CREATE_PIT2's PIT, or null. */
    volatile I8254 pit;
    /** MSR_KVM_WALL_CLOCK_NEW as the guest last wrote it. */
    volatile long wallClockMsr;
    final VmCaps caps = new VmCaps();
    private final List<JavaVcpu> vcpus = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    private long tssAddr = -1, identityMapAddr = -1;
    private int bootCpuId;
    /** kvmclock = host monotonic time + offset, in ns (KVM_GET/SET_CLOCK); 0 at creation. */
    private volatile long clockOffset = -createdNs;
    /** Wall-clock ns since the epoch when kvmclock read 0. */
    private final long epochAtZeroNs = System.currentTimeMillis() * 1_000_000L - (System.nanoTime() - createdNs);

    long kvmclockAt(long nowNs) {
        return nowNs + clockOffset;
    }

    /** MSR_KVM_WALL_CLOCK_NEW: write pvclock_wall_clock at the given guest-physical address. */
    void setWallClockMsr(long gpa) {
        wallClockMsr = gpa;
        io.jkvm.x86.RamSlot s = slots.find(gpa);
        if (s == null || gpa + 12 > s.gpa + s.size) return;
        io.jkvm.java.timer.KvmClock.writeWallClock(s.memory, gpa - s.gpa, epochAtZeroNs - (clockOffset + createdNs));
        s.written(gpa);
    }

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
    public synchronized void createIrqchip() {
        check();
        if (irqchip != null) throw new KvmException(Errno.EEXIST, "KVM_CREATE_IRQCHIP: the VM already has one");
        if (hasVcpus()) throw new KvmException(Errno.EINVAL, "KVM_CREATE_IRQCHIP: vCPUs already exist");
        irqchip = new IrqChip(bootCpuId);
    }

    private IrqChip chip(String ioctl) {
        IrqChip c = irqchip;
        if (c == null) throw new KvmException(Errno.ENXIO, ioctl + ": no in-kernel irqchip");
        return c;
    }

    @Override
    public void irqLine(IrqLevel level) {
        check();
        chip("KVM_IRQ_LINE").setIrq(level.irq(), level.level() != 0 ? 1 : 0);
    }

    @Override
    public Irqchip getIrqchip(int chipId) {
        check();
        return chip("KVM_GET_IRQCHIP").get(chipId);
    }

    @Override
    public void setIrqchip(Irqchip c) {
        check();
        chip("KVM_SET_IRQCHIP").set(c);
    }

    @Override
    public void xenHvmConfig(XenHvmConfig config) {
        check();
        throw notTty("KVM_XEN_HVM_CONFIG");
    }

    @Override
    public ClockData getClock() {
        check();
        return new ClockData(kvmclockAt(System.nanoTime()), ClockData.KVM_CLOCK_TSC_STABLE, 0, 0);
    }

    @Override
    public void setClock(ClockData data) {
        check();
        if ((data.flags() & ~ClockData.KVM_CLOCK_REALTIME) != 0) throw new KvmException(Errno.EINVAL, "KVM_SET_CLOCK: invalid flags");
        clockOffset = data.clock() - System.nanoTime();
        for (JavaVcpu v : vcpus) v.updateKvmClock();
    }

    /** The top of a user address space on x86-64 Linux: a userspace_addr range must lie below it (access_ok). */
    private static final long TASK_SIZE_MAX = 0x0000_7fff_ffff_f000L;

    /**
     * The raw form: {@code userspace_addr} must name native memory the caller keeps mapped (the segment form
     * is the safe one). Ranges outside a user address space are EINVAL, as Linux's access_ok check.
     */
    @Override
    public void setUserMemoryRegion(UserspaceMemoryRegion r) {
        check();
        long a = r.userspace_addr(), n = r.memory_size();
        if (n != 0 && (Long.compareUnsigned(a, TASK_SIZE_MAX) >= 0 || Long.compareUnsigned(a + n, TASK_SIZE_MAX) > 0 || a == 0))
            throw new KvmException(Errno.EINVAL, "KVM_SET_USER_MEMORY_REGION: userspace_addr outside a user address space");
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
        synchronized (this) {
            caps.enable(cap, hasVcpus());
        }
    }

    @Override
    public synchronized void setIdentityMapAddr(long addr) {
        check();
        if (hasVcpus()) throw new KvmException(Errno.EINVAL, "KVM_SET_IDENTITY_MAP_ADDR: vCPUs already exist");
        identityMapAddr = addr;
    }

    @Override
    public synchronized void setBootCpuId(long id) {
        check();
        if (hasVcpus()) throw new KvmException(Errno.EBUSY, "KVM_SET_BOOT_CPU_ID: vCPUs already exist");
        if (id < 0 || id >= JavaKvm.MAX_VCPUS) throw new KvmException(Errno.EINVAL, "KVM_SET_BOOT_CPU_ID: id out of range");
        bootCpuId = (int) id;
        IrqChip c = irqchip;
        if (c != null) c.setBootCpu(bootCpuId);
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
        IrqChip c = irqchip;
        if (c == null) throw new KvmException(Errno.EINVAL, "KVM_SET_GSI_ROUTING: no in-kernel irqchip");
        c.setRouting(entries, flags);
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

    /** KVM_SIGNAL_MSI: EINVAL without an irqchip; like Linux, -1 (EPERM) when no vCPU takes the message. */
    @Override
    public int signalMsi(long address, int data) {
        check();
        IrqChip c = irqchip;
        if (c == null) throw new KvmException(Errno.EINVAL, "KVM_SIGNAL_MSI: no in-kernel irqchip");
        int n = c.signalMsi(address, data);
        if (n == 0 && !hasVcpus()) throw new KvmException(Errno.EPERM, "KVM_SIGNAL_MSI: no vCPU to deliver to");
        return n;
    }

    @Override
    public synchronized void createPit2(int flags) {
        check();
        IrqChip c = irqchip;
        if (c == null) throw new KvmException(Errno.ENOENT, "KVM_CREATE_PIT2: create the irqchip first");
        if (pit != null) throw new KvmException(Errno.EEXIST, "KVM_CREATE_PIT2: the VM already has a PIT");
        pit = new I8254(level -> c.setIrq(0, level), System.nanoTime());
    }

    @Override
    public PitState2 getPit2() {
        check();
        I8254 p = pit;
        if (p == null) throw new KvmException(Errno.ENXIO, "KVM_GET_PIT2: no PIT");
        synchronized (p) {
            return p.state(System.nanoTime());
        }
    }

    @Override
    public void setPit2(PitState2 state) {
        check();
        I8254 p = pit;
        if (p == null) throw new KvmException(Errno.ENXIO, "KVM_SET_PIT2: no PIT");
        synchronized (p) {
            p.setState(state, System.nanoTime());
        }
    }

    @Override
    public void close() {
        closed = true;
        for (JavaVcpu v : vcpus) v.close();
    }
}
