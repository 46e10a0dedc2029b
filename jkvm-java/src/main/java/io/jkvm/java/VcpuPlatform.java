package io.jkvm.java;

import io.jkvm.java.irq.IrqChip;
import io.jkvm.java.irq.Lapic;
import io.jkvm.java.timer.I8254;
import io.jkvm.java.timer.KvmClock;
import io.jkvm.x86.Cpu;
import io.jkvm.x86.Platform;
import io.jkvm.x86.RamSlot;

/**
 * What one vCPU sees around it — the part of KVM that lives "in the kernel": memory slots, the PIC/PIT
 * ports, the LAPIC and IOAPIC MMIO windows, the APIC/x2APIC/TSC-deadline/kvmclock MSRs, interrupt
 * acknowledgement and timer polling. Anything not handled here becomes an exit to the VMM.
 */
final class VcpuPlatform implements Platform {
    static final int MSR_IA32_APICBASE = 0x1b, MSR_IA32_TSC_DEADLINE = 0x6e0;

    private final JavaVm vm;
    private final JavaVcpu vcpu;
    /** x2APIC register reads land here: no allocation per RDMSR. */
    private final long[] x2apicOut = new long[1];

    VcpuPlatform(JavaVm vm, JavaVcpu vcpu) {
        this.vm = vm;
        this.vcpu = vcpu;
    }

    @Override
    public RamSlot slotOf(long gpa) {
        return vm.slots.find(gpa);
    }

    // ---------------------------------------------------------------- ports

    @Override
    public boolean portIn(Cpu cpu, int port, int size) {
        IrqChip chip = vm.irqchip;
        if (chip != null && IrqChip.isPicPort(port)) {
            cpu.ioValue = chip.picRead(port);
            return true;
        }
        I8254 pit = vm.pit;
        if (pit != null && I8254.handles(port)) {
            synchronized (pit) {
                cpu.ioValue = pit.read(port, System.nanoTime());
            }
            return true;
        }
        return false;
    }

    @Override
    public boolean portOut(Cpu cpu, int port, int size, int value) {
        IrqChip chip = vm.irqchip;
        if (chip != null && IrqChip.isPicPort(port)) {
            chip.picWrite(port, value);
            return true;
        }
        I8254 pit = vm.pit;
        if (pit != null && I8254.handles(port)) {
            synchronized (pit) {
                pit.write(port, value, System.nanoTime());
            }
            vcpu.timerChanged();
            return true;
        }
        return false;
    }

    // ---------------------------------------------------------------- MMIO

    @Override
    public boolean mmioRead(Cpu cpu, long gpa, int len) {
        IrqChip chip = vm.irqchip;
        if (chip == null) return false;
        Lapic l = vcpu.lapic;
        if (chip.isApicMmio(l, gpa)) {
            cpu.mmioValue = len == 4 || len == 8 ? chip.apicRead(l, (int) (gpa & 0xfff), System.nanoTime()) & 0xffffffffL : 0;
            return true;
        }
        if (chip.isIoapicMmio(gpa)) {
            cpu.mmioValue = chip.ioapicRead(gpa) & 0xffffffffL;
            return true;
        }
        return false;
    }

    @Override
    public boolean mmioWrite(Cpu cpu, long gpa, int len, long value) {
        IrqChip chip = vm.irqchip;
        if (chip == null) return false;
        Lapic l = vcpu.lapic;
        if (chip.isApicMmio(l, gpa)) {
            if (len == 4 || len == 8) chip.apicWrite(l, (int) (gpa & 0xfff), (int) value, System.nanoTime());
            return true;
        }
        if (chip.isIoapicMmio(gpa)) {
            chip.ioapicWrite(gpa, (int) value);
            return true;
        }
        return false;
    }

    // ---------------------------------------------------------------- MSRs

    @Override
    public boolean rdmsr(Cpu cpu, int msr) {
        IrqChip chip = vm.irqchip;
        Lapic l = vcpu.lapic;
        if (msr == MSR_IA32_APICBASE) {
            cpu.msrValue = l != null ? l.apicBase() : cpu.apicBase;
            return true;
        }
        if (chip != null && msr >= 0x800 && msr <= 0x8ff) {
            if (!chip.x2apicRead(l, msr, System.nanoTime(), x2apicOut)) return false;
            cpu.msrValue = x2apicOut[0];
            return true;
        }
        if (msr == MSR_IA32_TSC_DEADLINE) {   // without an in-kernel LAPIC it reads 0 and ignores writes, as in KVM
            cpu.msrValue = chip != null ? chip.tscDeadline(l) : 0;
            return true;
        }
        if (!pvMsrAllowed(cpu, msr)) return false;
        if (msr == KvmClock.MSR_KVM_SYSTEM_TIME_NEW || msr == KvmClock.MSR_KVM_SYSTEM_TIME) {
            cpu.msrValue = vcpu.systemTimeMsr;
            return true;
        }
        if (msr == KvmClock.MSR_KVM_WALL_CLOCK_NEW || msr == KvmClock.MSR_KVM_WALL_CLOCK) {
            cpu.msrValue = vm.wallClockMsr;
            return true;
        }
        return false;
    }

    @Override
    public boolean wrmsr(Cpu cpu, int msr, long v) {
        IrqChip chip = vm.irqchip;
        Lapic l = vcpu.lapic;
        if (msr == MSR_IA32_APICBASE) {
            if (chip == null) {
                cpu.apicBase = v;
                return true;
            }
            return chip.setApicBase(l, v, false);
        }
        if (chip != null && msr >= 0x800 && msr <= 0x8ff) return chip.x2apicWrite(l, msr, v, System.nanoTime());
        if (msr == MSR_IA32_TSC_DEADLINE) {
            if (chip != null) chip.setTscDeadline(l, v, System.nanoTime());
            return true;
        }
        if (!pvMsrAllowed(cpu, msr)) return false;
        if (msr == KvmClock.MSR_KVM_SYSTEM_TIME_NEW || msr == KvmClock.MSR_KVM_SYSTEM_TIME) {
            vcpu.setSystemTimeMsr(v);
            return true;
        }
        if (msr == KvmClock.MSR_KVM_WALL_CLOCK_NEW || msr == KvmClock.MSR_KVM_WALL_CLOCK) {
            vm.setWallClockMsr(v);
            return true;
        }
        return false;
    }

    /**
     * With KVM_CAP_ENFORCE_PV_FEATURE_CPUID a kvmclock MSR exists only if the guest's CPUID 0x40000001
     * offers it: KVM_FEATURE_CLOCKSOURCE (bit 0) for the old pair, KVM_FEATURE_CLOCKSOURCE2 (bit 3) for the new.
     */
    private boolean pvMsrAllowed(Cpu cpu, int msr) {
        if (!vcpu.enforcePvCpuid) return true;
        int bit = msr == KvmClock.MSR_KVM_SYSTEM_TIME_NEW || msr == KvmClock.MSR_KVM_WALL_CLOCK_NEW ? 3
                : msr == KvmClock.MSR_KVM_SYSTEM_TIME || msr == KvmClock.MSR_KVM_WALL_CLOCK ? 0 : -1;
        return bit < 0 || (cpu.cpuid.exactEax(0x4000_0001, 0) >>> bit & 1) != 0;
    }

    // ---------------------------------------------------------------- interrupts, timers, time

    @Override
    public boolean interruptPending(Cpu cpu) {
        return vcpu.irqPending;
    }

    @Override
    public int acknowledgeInterrupt(Cpu cpu) {
        IrqChip chip = vm.irqchip;
        return chip == null ? -1 : chip.acknowledge(vcpu.lapic);
    }

    @Override
    public void poll(Cpu cpu) {
        long now = System.nanoTime();
        IrqChip chip = vm.irqchip;
        if (chip != null) chip.pollTimer(vcpu.lapic, now);
        I8254 pit = vm.pit;
        if (pit != null && now >= pit.nextDeadline()) {
            synchronized (pit) {
                pit.poll(now);
            }
        }
    }

    @Override
    public long cr8(Cpu cpu) {
        IrqChip chip = vm.irqchip;
        return chip == null ? cpu.cr8 : (chip.tpr(vcpu.lapic) >> 4) & 0xf;
    }

    @Override
    public void setCr8(Cpu cpu, long v) {
        IrqChip chip = vm.irqchip;
        if (chip == null) cpu.cr8 = v;
        else chip.setTpr(vcpu.lapic, (int) (v & 0xf) << 4);
    }

    @Override
    public long rdtsc(Cpu cpu) {
        return vcpu.referenceTscAt(System.nanoTime());   // the core adds the guest's offset
    }
}
