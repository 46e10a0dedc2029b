package io.jkvm.java;

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
import io.jkvm.api.uapi.MpState;
import io.jkvm.api.uapi.MsrEntry;
import io.jkvm.api.uapi.Regs;
import io.jkvm.api.uapi.SignalMask;
import io.jkvm.api.uapi.Sregs;
import io.jkvm.api.uapi.Translation;
import io.jkvm.api.uapi.VcpuEvents;
import io.jkvm.api.uapi.Xcr;
import io.jkvm.api.uapi.Xcrs;
import io.jkvm.api.uapi.Xsave;
import io.jkvm.x86.Cpu;
import io.jkvm.java.irq.IrqChip;
import io.jkvm.java.irq.Lapic;
import io.jkvm.java.timer.KvmClock;
import io.jkvm.x86.RamSlot;
import io.jkvm.x86.cpuid.CpuidTable;
import io.jkvm.x86.exec.Exit;
import io.jkvm.x86.exec.Interpreter;
import io.jkvm.x86.insn.Msrs;
import io.jkvm.x86.insn.XState;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * A vCPU of the java backend: the CPU core plus the kvm_run block. {@link #run()} executes on the caller's
 * thread; IO-in and MMIO-read exits are completed on the next run by replaying the instruction with the
 * data the caller left in kvm_run, as KVM's emulator does.
 */
final class JavaVcpu implements Vcpu, IrqChip.Target, GuestSampling {
    private static final int PIO_OFFSET = KvmRun.KVM_PIO_PAGE_OFFSET * 4096;

    private final JavaVm vm;
    private final int id;
    final Cpu cpu;
    /** KVM_CAP_ENFORCE_PV_FEATURE_CPUID enabled on this vCPU. */
    volatile boolean enforcePvCpuid;
    final Interpreter interp;
    private final KvmRun kvmRun;
    /** This vCPU's local APIC, or null without an in-kernel irqchip. */
    final Lapic lapic;
    private volatile boolean closed;
    private int slotGeneration = -1;
    /** What the previous exit left to complete: an IO-in or MMIO-read needing the caller's data. */
    private int pendingKind = Exit.NONE;
    private volatile int tscKhz = 2_000_000;
    /** Guest TSC = (host ns − tscBaseNs) × kHz / 10^6, plus the CPU's TSC offset. */
    private final long tscBaseNs;
    private volatile int mpState;
    private List<CpuidEntry2> cpuid2 = List.of();
    private boolean ranOnce;

    /** Set under the irqchip lock: an interrupt is deliverable to this CPU (read once per block). */
    volatile boolean irqPending;
    /** INIT/SIPI/NMI delivered by another thread, applied by this vCPU's thread. */
    private volatile boolean pendingNmi;
    private final StartupEvents startup = new StartupEvents();
    private volatile Thread runner;
    /** MSR_KVM_SYSTEM_TIME_NEW as written by the guest. */
    volatile long systemTimeMsr;

    JavaVcpu(JavaVm vm, int id) {
        this.vm = vm;
        this.id = id;
        this.tscBaseNs = vm.createdNs;
        this.cpu = new Cpu(id, new VcpuPlatform(vm, this));
        this.interp = new Interpreter(cpu);
        // kvm_run is freed with the vCPU object, never explicitly: a late reader can never touch freed memory
        this.kvmRun = new KvmRun(Arena.ofAuto().allocate(KvmRun.SIZE, 4096));
        cpu.apicBase = 0xfee00000L | (1L << 11) | (id == vm.bootCpuId() ? 1L << 8 : 0);
        IrqChip chip = vm.irqchip;
        this.lapic = chip == null ? null : chip.addVcpu(id, this);
        this.mpState = chip != null && id != vm.bootCpuId() ? MpState.KVM_MP_STATE_UNINITIALIZED : MpState.KVM_MP_STATE_RUNNABLE;
    }

    private void check() {
        if (closed) throw new KvmException(Errno.EBADF, "vCPU fd is closed");
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public KvmRun kvmRun() {
        check();
        return kvmRun;
    }

    // ================================================================ time

    /** The guest TSC at host time {@code nowNs}: the reference TSC plus the guest's offset. */
    long tscAt(long nowNs) {
        return referenceTscAt(nowNs) + cpu.tscOffset;
    }

    /** The TSC before the guest's offset: ticks at tscKhz since the vCPU's base time (split arithmetic: no overflow). */
    long referenceTscAt(long nowNs) {
        long dn = nowNs - tscBaseNs;
        long khz = tscKhz;
        return dn / 1_000_000L * khz + dn % 1_000_000L * khz / 1_000_000L;
    }

    @Override
    public long sampleRip() {
        return cpu.rip;
    }

    @Override
    public int sampleCpl() {
        return cpu.cpl;
    }

    @Override
    public long tscToNs(long tsc) {
        long t = tsc - cpu.tscOffset;
        long khz = tscKhz;
        if (t <= 0) return tscBaseNs;
        return tscBaseNs + t / khz * 1_000_000L + t % khz * 1_000_000L / khz;
    }

    /** MSR_KVM_SYSTEM_TIME_NEW: bit 0 enables; the rest is the guest-physical address of pvclock_vcpu_time_info. */
    void setSystemTimeMsr(long v) {
        systemTimeMsr = v;
        updateKvmClock();
    }

    /** Rewrites the pvclock structure (after enabling, KVM_SET_CLOCK, a TSC rate or offset change). */
    void updateKvmClock() {
        long v = systemTimeMsr;
        if ((v & 1) == 0) return;
        long gpa = v & ~1L;
        RamSlot s = vm.slots.find(gpa);
        if (s == null || gpa + 32 > s.gpa + s.size) return;
        long now = System.nanoTime();
        int[] scale = KvmClock.timeScale(1_000_000_000L, tscKhz * 1000L);
        KvmClock.writeTimeInfo(s.memory, gpa - s.gpa, tscAt(now), vm.kvmclockAt(now), scale[0], scale[1]);
        s.written(gpa);
    }

    // ================================================================ IrqChip.Target

    @Override
    public void interruptStateChanged() {
        boolean p = vm.irqchip.pending(lapic);
        irqPending = p;
        if (p) wake();
    }

    @Override
    public void timerChanged() {
        wake();
    }

    @Override
    public void init() {
        startup.add(StartupEvents.INIT);
        interp.requestEvent();
        wake();
    }

    @Override
    public void sipi(int vector) {
        startup.add(vector & 0xff);
        interp.requestEvent();
        wake();
    }

    @Override
    public void nmi() {
        pendingNmi = true;
        interp.requestEvent();
        wake();
    }

    private void wake() {
        Thread t = runner;
        if (t != null) LockSupport.unpark(t);
    }

    /** Applies INIT/SIPI/NMI that other threads delivered (SDM Vol. 3A §8.4, §10.6.1). */
    private void applyEvents() {
        for (int e; (e = startup.poll()) != StartupEvents.NONE; ) {
            if (e == StartupEvents.INIT) {
                cpu.reset();
                cpu.apicBase = lapic != null ? lapic.apicBase() : cpu.apicBase;
                interp.flushCache();
                if (lapic != null) vm.irqchip.resetLapic(lapic);
                mpState = MpState.KVM_MP_STATE_INIT_RECEIVED;
            } else if (mpState == MpState.KVM_MP_STATE_INIT_RECEIVED) {   // a SIPI elsewhere is ignored
                cpu.setSeg(Cpu.CS, e << 8, (long) e << 12, 0xffff, 0x9b);
                cpu.rip = 0;
                cpu.halted = false;
                mpState = MpState.KVM_MP_STATE_RUNNABLE;
            }
        }
        if (pendingNmi) {
            pendingNmi = false;
            cpu.nmiPending = true;
            cpu.halted = false;
        }
    }

    // ================================================================ KVM_RUN

    @Override
    public VcpuExit run() {
        check();
        runner = Thread.currentThread();
        ranOnce = true;
        if (slotGeneration != vm.slots.generation) {   // slots added, moved or deleted since the last run
            slotGeneration = vm.slots.generation;
            cpu.flushTlb();
            interp.flushCache();                         // blocks (and successor links) may name the old memory
        }
        completePending();
        if (kvmRun.immediate_exit() != 0) return finish(VcpuExit.KVM_EXIT_INTR);
        if (lapic == null) {
            interp.requestInterruptWindow = kvmRun.request_interrupt_window() != 0;
            cpu.cr8 = kvmRun.cr8() & 0xf;
        }
        while (true) {
            applyEvents();
            if (mpState == MpState.KVM_MP_STATE_UNINITIALIZED || mpState == MpState.KVM_MP_STATE_INIT_RECEIVED) {
                if (!waitFor(startup::pending)) return finish(VcpuExit.KVM_EXIT_INTR);
                continue;
            }
            int r = interp.run();
            if (r == Exit.EVENT) continue;
            if (r == Exit.HLT && lapic != null) {
                if (!waitFor(this::wakeable)) return finish(VcpuExit.KVM_EXIT_INTR);
                continue;
            }
            return finish(mapExit(r));
        }
    }

    /** A halted CPU resumes for an NMI, INIT/SIPI, or an interrupt it may take (IF=1). */
    private boolean wakeable() {
        return startup.pending() || pendingNmi || (cpu.nmiPending && !cpu.nmiMasked)
                || ((cpu.flags & Cpu.IF) != 0 && irqPending);
    }

    /**
     * Blocks the vCPU thread (in-kernel HLT / wait-for-SIPI) until {@code ready}, polling timers and sleeping
     * until the next timer deadline (after spinning for the VM's halt-poll time, if one was set). Returns false when kicked (the caller returns KVM_EXIT_INTR).
     */
    private boolean waitFor(java.util.function.BooleanSupplier ready) {
        long pollUntil = System.nanoTime() + vm.caps.haltPollNs;   // KVM_CAP_HALT_POLL: spin this long first
        while (true) {
            if (interp.consumeStop() || kvmRun.immediate_exit() != 0 || closed) return false;
            cpu.platform.poll(cpu);
            if (ready.getAsBoolean()) return true;
            long now = System.nanoTime();
            if (now - pollUntil < 0) {
                Thread.onSpinWait();
                continue;
            }
            long deadline = lapic != null ? lapic.timerDeadlineNs() : Long.MAX_VALUE;
            if (vm.pit != null) deadline = Math.min(deadline, vm.pit.nextDeadline());
            if (deadline == Long.MAX_VALUE) LockSupport.park(this);
            else if (deadline > now) LockSupport.parkNanos(this, deadline - now);
        }
    }

    /** Hands the caller's answer to the instruction that exited, so its replay completes. */
    private void completePending() {
        int kind = pendingKind;
        pendingKind = Exit.NONE;
        if (kind == Exit.IO) {
            MemorySegment d = kvmRun.io_data();
            int n = kvmRun.io_count(), size = kvmRun.io_size();
            if (stringIn) {
                MemorySegment.copy(d, JAVA_BYTE, 0, cpu.ioBuffer, 0, n * size);
                cpu.insReady = n;
            } else {
                long v = 0;
                for (int k = 0; k < size; k++) v |= (d.get(JAVA_BYTE, k) & 0xffL) << (8 * k);
                cpu.supplyReadAnswer(v);
            }
        } else if (kind == Exit.MMIO) {
            cpu.supplyReadAnswer(kvmRun.mmio_data());
        }
    }

    /** The pending IO-in came from INS: its answer is an array of elements. */
    private boolean stringIn;

    private int mapExit(int r) {
        kvmRun.clearUnion();
        switch (r) {
            case Exit.IO -> {
                boolean out = cpu.exitWrite;
                kvmRun.u8(0, out ? KvmRun.KVM_EXIT_IO_OUT : KvmRun.KVM_EXIT_IO_IN);
                kvmRun.u8(1, cpu.exitLen);
                kvmRun.u16(2, (int) cpu.exitAddr);
                kvmRun.u32(4, cpu.exitCount);
                kvmRun.u64(8, PIO_OFFSET);
                MemorySegment seg = kvmRun.segment();
                if (out && cpu.exitString) {
                    MemorySegment.copy(cpu.ioBuffer, 0, seg, JAVA_BYTE, PIO_OFFSET, cpu.exitCount * cpu.exitLen);
                } else if (out) {
                    for (int k = 0; k < cpu.exitLen; k++) seg.set(JAVA_BYTE, PIO_OFFSET + k, (byte) (cpu.exitData >>> (8 * k)));
                } else {
                    pendingKind = Exit.IO;
                    stringIn = cpu.exitString;
                }
                return VcpuExit.KVM_EXIT_IO;
            }
            case Exit.MMIO -> {
                kvmRun.u64(0, cpu.exitAddr);
                kvmRun.u64(8, cpu.exitWrite ? cpu.exitData : 0);
                kvmRun.u32(16, cpu.exitLen);
                kvmRun.u8(20, cpu.exitWrite ? 1 : 0);
                if (!cpu.exitWrite) pendingKind = Exit.MMIO;
                return VcpuExit.KVM_EXIT_MMIO;
            }
            case Exit.HLT -> {
                cpu.halted = false;          // KVM_EXIT_HLT: the VMM decides what halting means
                return VcpuExit.KVM_EXIT_HLT;
            }
            case Exit.SHUTDOWN -> {
                return VcpuExit.KVM_EXIT_SHUTDOWN;
            }
            case Exit.INTR -> {
                return VcpuExit.KVM_EXIT_INTR;
            }
            case Exit.IRQ_WINDOW_OPEN -> {
                return VcpuExit.KVM_EXIT_IRQ_WINDOW_OPEN;
            }
            default -> {
                fillInternalError();
                return VcpuExit.KVM_EXIT_INTERNAL_ERROR;
            }
        }
    }

    /**
     * KVM_EXIT_INTERNAL_ERROR, suberror KVM_INTERNAL_ERROR_EMULATION, in the ABI's emulation_failure
     * layout: data[0] = flags (instruction bytes valid), then insn_size and insn_bytes[15]; jkvm appends
     * the RIP as data[3] (debug data the ABI allows beyond the defined fields).
     */
    private void fillInternalError() {
        kvmRun.u32(0, KvmRun.KVM_INTERNAL_ERROR_EMULATION);
        kvmRun.u32(4, 4);
        kvmRun.u64(8, KvmRun.KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES);
        kvmRun.u8(16, interp.internalLen);
        for (int k = 0; k < interp.internalLen; k++) kvmRun.u8(17 + k, interp.internalBytes[k]);
        kvmRun.u64(32, interp.internalRip);
        lastInternalError = interp.internalError;
    }

    /** The java backend's description of the last INTERNAL_ERROR (for diagnostics). */
    String lastInternalError;

    private VcpuExit finish(int reason) {
        kvmRun.exit_reason(reason);
        boolean iff = (cpu.flags & Cpu.IF) != 0;
        kvmRun.if_flag(iff ? 1 : 0);
        kvmRun.ready_for_interrupt_injection(iff && cpu.interruptShadow == 0 && cpu.pendingIrq < 0 ? 1 : 0);
        kvmRun.cr8(cpu.platform.cr8(cpu));
        kvmRun.apic_base(lapic != null ? lapic.apicBase() : cpu.apicBase);
        kvmRun.flags(0);
        return kvmRun.exit();
    }

    @Override
    public void kick() {
        interp.requestStop();
        wake();
    }

    // ================================================================ registers

    @Override
    public Regs getRegs() {
        check();
        return StateMapping.regs(cpu);
    }

    @Override
    public void setRegs(Regs regs) {
        check();
        StateMapping.setRegs(cpu, regs);
    }

    @Override
    public Sregs getSregs() {
        check();
        Sregs s = StateMapping.sregs(cpu, lapic != null ? lapic.apicBase() : cpu.apicBase, cpu.pendingIrq);
        return lapic == null ? s : s.with(b -> b.cr8 = cpu.platform.cr8(cpu));
    }

    @Override
    public void setSregs(Sregs s) {
        check();
        SregsCheck.validate(cpu, s);
        int pending = StateMapping.setSregs(cpu, s);
        if (lapic != null) {
            vm.irqchip.setApicBase(lapic, s.apic_base(), true);
            cpu.platform.setCr8(cpu, s.cr8() & 0xf);
        } else {
            cpu.apicBase = s.apic_base();
        }
        cpu.pendingIrq = pending;
        interp.flushCache();
    }

    @Override
    public Translation translate(long la) {
        check();
        long pa = cpu.paging.probe(la);
        return new Translation(la, cpu.paging.probeValid ? pa : -1L, cpu.paging.probeValid ? 1 : 0, 1, 0);
    }

    @Override
    public void interrupt(int irq) {
        check();
        if (irq < 0 || irq > 255) throw new KvmException(Errno.EINVAL, "KVM_INTERRUPT: vector " + irq);
        if (lapic != null) throw new KvmException(Errno.ENXIO, "KVM_INTERRUPT: the in-kernel irqchip injects interrupts");
        if (cpu.pendingIrq >= 0) throw new KvmException(Errno.EEXIST, "KVM_INTERRUPT: an interrupt is already queued");
        cpu.pendingIrq = irq;
    }

    /** KVM_DEBUG_GUEST no longer exists; x86 answers EINVAL to vCPU ioctls it does not know. */
    @Override
    public void debugGuest() {
        check();
        throw new KvmException(Errno.EINVAL, "KVM_DEBUG_GUEST was removed (use KVM_SET_GUEST_DEBUG)");
    }

    // ================================================================ MSRs and CPUID

    @Override
    public MsrEntry[] getMsrs(int... indices) {
        check();
        if (indices.length >= 256) throw new KvmException(Errno.E2BIG, "KVM_GET_MSRS: " + indices.length + " entries");
        List<MsrEntry> out = new ArrayList<>();
        for (int idx : indices) {
            if (!Msrs.read(cpu, idx)) break;
            out.add(new MsrEntry(idx, cpu.msrValue));
        }
        return out.toArray(MsrEntry[]::new);
    }

    @Override
    public int setMsrs(MsrEntry... entries) {
        check();
        if (entries.length >= 256) throw new KvmException(Errno.E2BIG, "KVM_SET_MSRS: " + entries.length + " entries");
        int n = 0;
        for (MsrEntry e : entries) {
            if (!Msrs.write(cpu, e.index(), e.data(), true)) break;
            n++;
        }
        interp.flushCache();
        return n;
    }

    @Override
    public void setCpuid(List<CpuidEntry> entries) {
        check();
        if (entries.size() > io.jkvm.api.Kvm.KVM_MAX_CPUID_ENTRIES) throw new KvmException(Errno.E2BIG, "KVM_SET_CPUID: too many entries");
        List<CpuidEntry2> l = new ArrayList<>();
        for (CpuidEntry e : entries) l.add(new CpuidEntry2(e.function(), 0, 0, e.eax(), e.ebx(), e.ecx(), e.edx()));
        setCpuid2(l);
    }

    @Override
    public void setCpuid2(List<CpuidEntry2> entries) {
        check();
        if (ranOnce) throw new KvmException(Errno.EINVAL, "KVM_SET_CPUID2: the CPUID of a vCPU that has run cannot change");
        if (entries.size() > io.jkvm.api.Kvm.KVM_MAX_CPUID_ENTRIES) throw new KvmException(Errno.E2BIG, "KVM_SET_CPUID2: too many entries");
        int[][] t = new int[entries.size()][];
        for (int k = 0; k < t.length; k++) {
            CpuidEntry2 e = entries.get(k);
            t[k] = new int[] {e.function(), e.index(), e.flags(), e.eax(), e.ebx(), e.ecx(), e.edx()};
        }
        cpu.cpuid = new CpuidTable(t);
        cpuid2 = List.copyOf(entries);
    }

    @Override
    public List<CpuidEntry2> getCpuid2(int nent) {
        check();
        if (nent < cpuid2.size()) throw new KvmException(Errno.E2BIG, "KVM_GET_CPUID2: " + cpuid2.size() + " entries");
        return cpuid2;
    }

    @Override
    public void setSignalMask(SignalMask mask) {
        check();
        if (mask != null && mask.len() != 8) throw new KvmException(Errno.EINVAL, "KVM_SET_SIGNAL_MASK: len must be 8");
        // The java backend runs on a Java thread: signals never interrupt it, so the mask has nothing to block.
    }

    // ================================================================ FPU, XSAVE, XCRs

    @Override
    public Fpu getFpu() {
        check();
        return FpuMapping.getFpu(cpu);
    }

    @Override
    public void setFpu(Fpu fpu) {
        check();
        FpuMapping.setFpu(cpu, fpu);
    }

    @Override
    public Xsave getXsave() {
        check();
        return FpuMapping.getXsave(cpu);
    }

    @Override
    public void setXsave(Xsave x) {
        check();
        FpuMapping.setXsave(cpu, x);
    }

    @Override
    public Xcrs getXcrs() {
        check();
        return FpuMapping.getXcrs(cpu);
    }

    @Override
    public void setXcrs(Xcrs x) {
        check();
        FpuMapping.setXcrs(cpu, x);
    }

    // ================================================================ events, debug registers, MP state

    @Override
    public VcpuEvents getVcpuEvents() {
        check();
        return VcpuEvents.NONE.with(b -> {
            b.interrupt_injected = cpu.pendingIrq >= 0 ? 1 : 0;
            b.interrupt_nr = Math.max(cpu.pendingIrq, 0);
            b.interrupt_shadow = cpu.interruptShadow;
            b.nmi_pending = cpu.nmiPending ? 1 : 0;
            b.nmi_masked = cpu.nmiMasked ? 1 : 0;
            boolean queued = cpu.pendingException >= 0, payload = vm.caps.exceptionPayload;
            b.exception_injected = queued && !(payload && cpu.pendingNotInjected) ? 1 : 0;
            b.exception_pending = queued && payload && cpu.pendingNotInjected ? 1 : 0;
            b.exception_nr = Math.max(cpu.pendingException, 0);
            b.exception_has_error_code = cpu.pendingHasErrorCode ? 1 : 0;
            b.exception_error_code = cpu.pendingErrorCode;
            b.flags = VcpuEvents.KVM_VCPUEVENT_VALID_NMI_PENDING | VcpuEvents.KVM_VCPUEVENT_VALID_SHADOW;
            if (payload) {
                b.flags |= VcpuEvents.KVM_VCPUEVENT_VALID_PAYLOAD;
                b.exception_has_payload = queued && cpu.pendingHasPayload ? 1 : 0;
                b.exception_payload = b.exception_has_payload != 0 ? cpu.pendingPayload : 0;
            }
        });
    }

    @Override
    public void setVcpuEvents(VcpuEvents e) {
        check();
        int valid = VcpuEvents.KVM_VCPUEVENT_VALID_NMI_PENDING | VcpuEvents.KVM_VCPUEVENT_VALID_SIPI_VECTOR
                | VcpuEvents.KVM_VCPUEVENT_VALID_SHADOW | VcpuEvents.KVM_VCPUEVENT_VALID_SMM
                | VcpuEvents.KVM_VCPUEVENT_VALID_TRIPLE_FAULT | VcpuEvents.KVM_VCPUEVENT_VALID_PAYLOAD;
        if ((e.flags() & ~valid) != 0) throw new KvmException(Errno.EINVAL, "KVM_SET_VCPU_EVENTS: unsupported flags " + Integer.toHexString(e.flags()));
        // As Linux: payload fields count only with VALID_PAYLOAD, which needs KVM_CAP_EXCEPTION_PAYLOAD; a
        // "pending" exception is not also "injected", and only a pending one carries a payload.
        boolean withPayload = (e.flags() & VcpuEvents.KVM_VCPUEVENT_VALID_PAYLOAD) != 0;
        if (withPayload && !vm.caps.exceptionPayload)
            throw new KvmException(Errno.EINVAL, "KVM_SET_VCPU_EVENTS: KVM_VCPUEVENT_VALID_PAYLOAD without KVM_CAP_EXCEPTION_PAYLOAD");
        boolean pending = withPayload && e.exception_pending() != 0;
        boolean injected = e.exception_injected() != 0 && !pending;
        boolean hasPayload = pending && e.exception_has_payload() != 0;
        if ((injected || pending) && (e.exception_nr() > 31 || e.exception_nr() == 2))
            throw new KvmException(Errno.EINVAL, "KVM_SET_VCPU_EVENTS: bad exception vector " + e.exception_nr());
        cpu.pendingException = injected || pending ? e.exception_nr() : -1;
        cpu.pendingErrorCode = e.exception_error_code();
        cpu.pendingHasErrorCode = e.exception_has_error_code() != 0;
        cpu.pendingNotInjected = pending;
        cpu.pendingHasPayload = hasPayload;
        cpu.pendingPayload = hasPayload ? e.exception_payload() : 0;
        cpu.pendingIrq = e.interrupt_injected() != 0 ? e.interrupt_nr() : -1;
        if ((e.flags() & VcpuEvents.KVM_VCPUEVENT_VALID_SHADOW) != 0) cpu.interruptShadow = e.interrupt_shadow();
        cpu.nmiMasked = e.nmi_masked() != 0;
        if ((e.flags() & VcpuEvents.KVM_VCPUEVENT_VALID_NMI_PENDING) != 0) cpu.nmiPending = e.nmi_pending() != 0;
    }

    @Override
    public Debugregs getDebugregs() {
        check();
        return new Debugregs(new long[] {cpu.dr[0], cpu.dr[1], cpu.dr[2], cpu.dr[3]}, cpu.dr[6], cpu.dr[7], 0);
    }

    @Override
    public void setDebugregs(Debugregs d) {
        check();
        if (d.flags() != 0) throw new KvmException(Errno.EINVAL, "KVM_SET_DEBUGREGS: flags must be 0");
        if ((d.dr6() >>> 32) != 0 || (d.dr7() >>> 32) != 0) throw new KvmException(Errno.EINVAL, "KVM_SET_DEBUGREGS: DR6/DR7 bits 63:32 set");
        long[] db = d.db();
        System.arraycopy(db, 0, cpu.dr, 0, 4);
        cpu.dr[6] = (d.dr6() | 0xffff0ff0L) & 0xffffefffL;
        cpu.dr[7] = (d.dr7() | 0x400) & ~0xd800L;
    }

    @Override
    public void enableCap(EnableCap cap) {
        check();
        if (cap.flags() != 0) throw new KvmException(Errno.EINVAL, "KVM_ENABLE_CAP: flags must be 0");
        // KVM_CAP_ENFORCE_PV_FEATURE_CPUID: paravirtual MSRs #GP unless the guest's CPUID 0x40000001 offers them.
        if (cap.cap() == io.jkvm.api.Cap.KVM_CAP_ENFORCE_PV_FEATURE_CPUID.number) {
            enforcePvCpuid = cap.args()[0] != 0;
            return;
        }
        throw new KvmException(Errno.EINVAL, "KVM_ENABLE_CAP: capability " + cap.cap() + " cannot be enabled on this vCPU");
    }

    @Override
    public MpState getMpState() {
        check();
        applyEvents();                        // a pending SIPI is accepted first, as Linux does
        if (lapic != null && cpu.halted && mpState == MpState.KVM_MP_STATE_RUNNABLE) return MpState.HALTED;
        return new MpState(mpState);
    }

    /** Without an in-kernel irqchip only RUNNABLE is valid (Linux: userspace keeps MP state itself). */
    @Override
    public void setMpState(MpState s) {
        check();
        int v = s.mp_state();
        if (lapic == null && v != MpState.KVM_MP_STATE_RUNNABLE)
            throw new KvmException(Errno.EINVAL, "KVM_SET_MP_STATE: only RUNNABLE without an in-kernel irqchip");
        if (v < MpState.KVM_MP_STATE_RUNNABLE || v > MpState.KVM_MP_STATE_SIPI_RECEIVED)
            throw new KvmException(Errno.EINVAL, "KVM_SET_MP_STATE: " + v + " is not an x86 state");
        cpu.halted = v == MpState.KVM_MP_STATE_HALTED;
        if (v == MpState.KVM_MP_STATE_SIPI_RECEIVED) {         // as Linux: INIT_RECEIVED with the SIPI pending
            mpState = MpState.KVM_MP_STATE_INIT_RECEIVED;
            startup.clear();
            startup.add(cpu.segSel[Cpu.CS] >> 8);
        } else {
            mpState = v == MpState.KVM_MP_STATE_HALTED ? MpState.KVM_MP_STATE_RUNNABLE : v;
        }
    }

    @Override
    public void setTscKhz(int khz) {
        check();
        if (khz <= 0) throw new KvmException(Errno.EINVAL, "KVM_SET_TSC_KHZ: " + khz);
        long now = System.nanoTime(), tsc = tscAt(now);
        tscKhz = khz;
        cpu.tscOffset += tsc - tscAt(now);        // the TSC keeps its value, only its rate changes
        updateKvmClock();
    }

    @Override
    public int getTscKhz() {
        check();
        return tscKhz;
    }

    @Override
    public LapicState getLapic() {
        check();
        if (lapic == null) throw new KvmException(Errno.EINVAL, "KVM_GET_LAPIC: no in-kernel irqchip");
        return vm.irqchip.getLapic(lapic);
    }

    @Override
    public void setLapic(LapicState state) {
        check();
        if (lapic == null) throw new KvmException(Errno.EINVAL, "KVM_SET_LAPIC: no in-kernel irqchip");
        vm.irqchip.setLapic(lapic, state, System.nanoTime());
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        interp.requestStop();
        wake();
    }
}
