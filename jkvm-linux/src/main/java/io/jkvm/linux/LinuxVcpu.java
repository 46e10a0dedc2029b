package io.jkvm.linux;

import static io.jkvm.linux.KvmIoctls.*;

import io.jkvm.api.Errno;
import io.jkvm.api.KvmException;
import io.jkvm.api.KvmRun;
import io.jkvm.api.Vcpu;
import io.jkvm.api.VcpuExit;
import io.jkvm.api.uapi.CpuidEntry;
import io.jkvm.api.uapi.CpuidEntry2;
import io.jkvm.api.uapi.Debugregs;
import io.jkvm.api.uapi.EnableCap;
import io.jkvm.api.uapi.Fpu;
import io.jkvm.api.uapi.LapicState;
import io.jkvm.api.uapi.Mem;
import io.jkvm.api.uapi.MpState;
import io.jkvm.api.uapi.MsrEntry;
import io.jkvm.api.uapi.Regs;
import io.jkvm.api.uapi.SignalMask;
import io.jkvm.api.uapi.Sregs;
import io.jkvm.api.uapi.Translation;
import io.jkvm.api.uapi.VcpuEvents;
import io.jkvm.api.uapi.Xcrs;
import io.jkvm.api.uapi.Xsave;
import io.jkvm.linux.sys.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.List;

/** vCPU ioctls on a vCPU fd; kvm_run is the fd's mmap. */
final class LinuxVcpu implements Vcpu {
    /** KVM_MAX_MSR_ENTRIES + 1: Linux answers E2BIG from this many entries on. */
    static final int MAX_IO_MSRS = 256;
    private static final VarHandle BYTE = ValueLayout.JAVA_BYTE.varHandle();

    private final int id;
    private final Fd fd;
    private final KvmRun kvmRun;
    private final MemorySegment runSeg;
    private final Arena runArena;
    /** errno capture for KVM_RUN, owned by this vCPU so the hot path does no ThreadLocal lookup. */
    private final MemorySegment errnoCapture = Libc.newCaptureSegment(Arena.ofAuto());

    private volatile boolean kickPending;
    /** Linux tid of the thread inside run(), or 0. */
    private volatile int runningTid;
    private Thread tidOwner;
    private int tid;

    LinuxVcpu(int id, Fd fd, int mmapSize) {
        this.id = id;
        this.fd = fd;
        long addr = Libc.mmap(0, mmapSize, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd.get(), 0);
        if (addr < 0) {
            fd.close();
            throw new KvmException((int) -addr, "mmap of the vCPU's kvm_run");
        }
        // Closing the arena invalidates kvm_run before it is unmapped: a late access throws, never faults.
        this.runArena = Arena.ofShared();
        this.runSeg = MemorySegment.ofAddress(addr).reinterpret(mmapSize, runArena, s -> Libc.munmap(addr, mmapSize));
        this.kvmRun = new KvmRun(runSeg);
        KickSignal.install();
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public KvmRun kvmRun() {
        return kvmRun;
    }

    @Override
    public VcpuExit run() {
        int vfd = fd.get();
        runningTid = currentTid();
        try {
            while (true) {
                int r = Libc.ioctl(errnoCapture, vfd, KVM_RUN, 0);
                if (r >= 0) return kvmRun.exit();
                if (r != -Libc.EINTR && r != -Libc.EAGAIN) throw new KvmException(-r, "KVM_RUN");
                if (kickPending) {                               // our kick: undo its immediate_exit
                    kickPending = false;
                    BYTE.setVolatile(runSeg, 1L, (byte) 0);
                    kvmRun.exit_reason(VcpuExit.KVM_EXIT_INTR);
                    return kvmRun.exit();
                }
                if (kvmRun.immediate_exit() != 0) {              // the caller's own immediate_exit: theirs to clear
                    kvmRun.exit_reason(VcpuExit.KVM_EXIT_INTR);
                    return kvmRun.exit();
                }
                // A signal that is not ours (the JVM's, or a stale kick already consumed): re-enter.
            }
        } finally {
            runningTid = 0;
        }
    }

    private int currentTid() {
        Thread t = Thread.currentThread();
        if (t != tidOwner) {
            tidOwner = t;
            tid = Libc.gettid();
        }
        return tid;
    }

    @Override
    public void kick() {
        if (fd.isClosed()) return;                // a closed vCPU runs nothing: nothing to interrupt
        try {
            BYTE.setVolatile(runSeg, 1L, (byte) 1);  // kvm_run.immediate_exit: covers a run() about to enter
        } catch (IllegalStateException closedMeanwhile) {
            return;                               // close() won the race: kvm_run is gone, and so is the vCPU
        }
        // After immediate_exit, never before: a run() that sees kickPending then clears a flag that is
        // already set. In the other order a run() could consume the kick, and the immediate_exit written
        // after it would be taken for the caller's own and returned as KVM_EXIT_INTR on every later run().
        kickPending = true;
        int t = runningTid;
        if (t != 0) KickSignal.send(t);             // and the signal covers one already inside KVM_RUN
    }

    @Override
    public Regs getRegs() {
        return fd.ioctl("KVM_GET_REGS", KVM_GET_REGS, Regs.LAYOUT.byteSize(), null, Regs::read);
    }

    @Override
    public void setRegs(Regs regs) {
        fd.ioctl("KVM_SET_REGS", KVM_SET_REGS, Regs.LAYOUT.byteSize(), regs::write, null);
    }

    @Override
    public Sregs getSregs() {
        return fd.ioctl("KVM_GET_SREGS", KVM_GET_SREGS, Sregs.LAYOUT.byteSize(), null, Sregs::read);
    }

    @Override
    public void setSregs(Sregs sregs) {
        fd.ioctl("KVM_SET_SREGS", KVM_SET_SREGS, Sregs.LAYOUT.byteSize(), sregs::write, null);
    }

    @Override
    public Translation translate(long la) {
        return fd.ioctl("KVM_TRANSLATE", KVM_TRANSLATE, Translation.LAYOUT.byteSize(), b -> Mem.u64(b, 0, la),
                Translation::read);
    }

    @Override
    public void interrupt(int irq) {
        fd.ioctl("KVM_INTERRUPT", KVM_INTERRUPT, 4, b -> Mem.u32(b, 0, irq), null);
    }

    @Override
    public void debugGuest() {
        fd.ioctl("KVM_DEBUG_GUEST", KVM_DEBUG_GUEST, 80, b -> {}, null);
    }

    @Override
    public MsrEntry[] getMsrs(int... indices) {
        if (indices.length >= MAX_IO_MSRS)
            throw new KvmException(Errno.E2BIG, "KVM_GET_MSRS: " + indices.length + " entries");
        return fd.ioctlResult("KVM_GET_MSRS", KVM_GET_MSRS, 8 + 16L * indices.length, b -> {
            Mem.u32(b, 0, indices.length);
            for (int i = 0; i < indices.length; i++) Mem.u32(b, 8 + 16L * i, indices[i]);
        }, (b, n) -> {
            MsrEntry[] r = new MsrEntry[n];
            for (int i = 0; i < n; i++) r[i] = MsrEntry.read(b, 8 + 16L * i);
            return r;
        });
    }

    @Override
    public int setMsrs(MsrEntry... entries) {
        if (entries.length >= MAX_IO_MSRS)
            throw new KvmException(Errno.E2BIG, "KVM_SET_MSRS: " + entries.length + " entries");
        return fd.ioctlIn("KVM_SET_MSRS", KVM_SET_MSRS, 8 + 16L * entries.length, b -> {
            Mem.u32(b, 0, entries.length);
            for (int i = 0; i < entries.length; i++) entries[i].write(b, 8 + 16L * i);
        });
    }

    @Override
    public void setCpuid(List<CpuidEntry> entries) {
        if (entries.size() > io.jkvm.api.Kvm.KVM_MAX_CPUID_ENTRIES)
            throw new KvmException(Errno.E2BIG, "KVM_SET_CPUID: " + entries.size() + " entries");
        fd.ioctl("KVM_SET_CPUID", KVM_SET_CPUID, 8 + 24L * entries.size(), b -> {
            Mem.u32(b, 0, entries.size());
            for (int i = 0; i < entries.size(); i++) entries.get(i).write(b, 8 + 24L * i);
        }, null);
    }

    @Override
    public void setCpuid2(List<CpuidEntry2> entries) {
        if (entries.size() > io.jkvm.api.Kvm.KVM_MAX_CPUID_ENTRIES)
            throw new KvmException(Errno.E2BIG, "KVM_SET_CPUID2: " + entries.size() + " entries");
        fd.ioctl("KVM_SET_CPUID2", KVM_SET_CPUID2, 8 + 40L * entries.size(), b -> {
            Mem.u32(b, 0, entries.size());
            for (int i = 0; i < entries.size(); i++) entries.get(i).write(b, 8 + 40L * i);
        }, null);
    }

    @Override
    public List<CpuidEntry2> getCpuid2(int nent) {
        if (nent < 0) throw new KvmException(Errno.E2BIG, "KVM_GET_CPUID2: nent < 0");
        int room = Math.min(nent, io.jkvm.api.Kvm.KVM_MAX_CPUID_ENTRIES);
        return fd.ioctl("KVM_GET_CPUID2", KVM_GET_CPUID2, 8 + 40L * room, b -> Mem.u32(b, 0, room),
                LinuxKvm::readCpuid2);
    }

    @Override
    public void setSignalMask(SignalMask mask) {
        if (mask == null) {
            fd.ioctl("KVM_SET_SIGNAL_MASK", KVM_SET_SIGNAL_MASK, 0);
            return;
        }
        byte[] set = mask.sigset();
        fd.ioctl("KVM_SET_SIGNAL_MASK", KVM_SET_SIGNAL_MASK, 4 + Math.max(set.length, 8), b -> {
            Mem.u32(b, 0, mask.len());
            MemorySegment.copy(set, 0, b, ValueLayout.JAVA_BYTE, 4, set.length);
        }, null);
    }

    @Override
    public Fpu getFpu() {
        return fd.ioctl("KVM_GET_FPU", KVM_GET_FPU, Fpu.LAYOUT.byteSize(), null, Fpu::read);
    }

    @Override
    public void setFpu(Fpu fpu) {
        fd.ioctl("KVM_SET_FPU", KVM_SET_FPU, Fpu.LAYOUT.byteSize(), fpu::write, null);
    }

    @Override
    public VcpuEvents getVcpuEvents() {
        return fd.ioctl("KVM_GET_VCPU_EVENTS", KVM_GET_VCPU_EVENTS, VcpuEvents.LAYOUT.byteSize(), null, VcpuEvents::read);
    }

    @Override
    public void setVcpuEvents(VcpuEvents e) {
        fd.ioctl("KVM_SET_VCPU_EVENTS", KVM_SET_VCPU_EVENTS, VcpuEvents.LAYOUT.byteSize(), e::write, null);
    }

    @Override
    public Debugregs getDebugregs() {
        return fd.ioctl("KVM_GET_DEBUGREGS", KVM_GET_DEBUGREGS, Debugregs.LAYOUT.byteSize(), null, Debugregs::read);
    }

    @Override
    public void setDebugregs(Debugregs d) {
        fd.ioctl("KVM_SET_DEBUGREGS", KVM_SET_DEBUGREGS, Debugregs.LAYOUT.byteSize(), d::write, null);
    }

    @Override
    public void enableCap(EnableCap cap) {
        fd.ioctl("KVM_ENABLE_CAP", KVM_ENABLE_CAP, EnableCap.LAYOUT.byteSize(), cap::write, null);
    }

    @Override
    public MpState getMpState() {
        return fd.ioctl("KVM_GET_MP_STATE", KVM_GET_MP_STATE, 4, null, b -> new MpState(Mem.u32(b, 0)));
    }

    @Override
    public void setMpState(MpState s) {
        fd.ioctl("KVM_SET_MP_STATE", KVM_SET_MP_STATE, 4, b -> Mem.u32(b, 0, s.mp_state()), null);
    }

    @Override
    public Xsave getXsave() {
        return fd.ioctl("KVM_GET_XSAVE", KVM_GET_XSAVE, Xsave.LAYOUT.byteSize(), null, Xsave::read);
    }

    @Override
    public void setXsave(Xsave x) {
        fd.ioctl("KVM_SET_XSAVE", KVM_SET_XSAVE, Xsave.LAYOUT.byteSize(), x::write, null);
    }

    @Override
    public Xcrs getXcrs() {
        return fd.ioctl("KVM_GET_XCRS", KVM_GET_XCRS, Xcrs.LAYOUT.byteSize(), null, Xcrs::read);
    }

    @Override
    public void setXcrs(Xcrs x) {
        fd.ioctl("KVM_SET_XCRS", KVM_SET_XCRS, Xcrs.LAYOUT.byteSize(), x::write, null);
    }

    @Override
    public void setTscKhz(int khz) {
        fd.ioctl("KVM_SET_TSC_KHZ", KVM_SET_TSC_KHZ, khz & 0xffffffffL);
    }

    @Override
    public int getTscKhz() {
        return fd.ioctl("KVM_GET_TSC_KHZ", KVM_GET_TSC_KHZ, 0);
    }

    @Override
    public LapicState getLapic() {
        return fd.ioctl("KVM_GET_LAPIC", KVM_GET_LAPIC, LapicState.LAYOUT.byteSize(), null, LapicState::read);
    }

    @Override
    public void setLapic(LapicState s) {
        fd.ioctl("KVM_SET_LAPIC", KVM_SET_LAPIC, LapicState.LAYOUT.byteSize(), s::write, null);
    }

    @Override
    public synchronized void close() {
        if (fd.isClosed()) return;
        fd.close();
        runArena.close();
    }
}
