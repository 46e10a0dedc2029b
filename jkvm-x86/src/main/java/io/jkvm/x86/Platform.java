package io.jkvm.x86;

/**
 * The machine around a CPU: physical memory, and the devices KVM keeps "in the kernel" (PIC, IOAPIC,
 * LAPIC, PIT, kvmclock). The core asks here before turning an access into an exit to the VMM. Every
 * method answers "not handled" by default, so a bare CPU (unit tests, benchmarks) needs only memory.
 */
public interface Platform {

    /** The RAM slot holding {@code gpa}, or null when no slot does (then an access is MMIO). */
    RamSlot slotOf(long gpa);

    /** Port input handled in the kernel? The value goes to {@link Cpu#ioValue}. */
    default boolean portIn(Cpu cpu, int port, int size) { return false; }

    /** Port output handled in the kernel? */
    default boolean portOut(Cpu cpu, int port, int size, int value) { return false; }

    /** MMIO read handled in the kernel? The value goes to {@link Cpu#mmioValue}. */
    default boolean mmioRead(Cpu cpu, long gpa, int len) { return false; }

    /** MMIO write handled in the kernel? */
    default boolean mmioWrite(Cpu cpu, long gpa, int len, long value) { return false; }

    /** RDMSR of an MSR the core does not implement itself; value to {@link Cpu#msrValue}; false → #GP. */
    default boolean rdmsr(Cpu cpu, int index) { return false; }

    /** WRMSR of an MSR the core does not implement itself; false → #GP. */
    default boolean wrmsr(Cpu cpu, int index, long value) { return false; }

    /** True when an external interrupt (INTR) is pending for this CPU (in-kernel irqchip). */
    default boolean interruptPending(Cpu cpu) { return false; }

    /** Acknowledges the pending external interrupt (INTA) and returns its vector, or -1 if it went away. */
    default int acknowledgeInterrupt(Cpu cpu) { return -1; }

    /**
     * Called by the run loop every few hundred blocks and before halting: fire expired timers. The
     * interpreter itself never reads the clock on its hot path.
     */
    default void poll(Cpu cpu) { }

    /** CR8 read: the task-priority class (the LAPIC's TPR[7:4] when there is one). */
    default long cr8(Cpu cpu) { return cpu.cr8; }

    /** CR8 write (bits 3:0 already checked). */
    default void setCr8(Cpu cpu, long v) { cpu.cr8 = v; }

    /**
     * The reference TSC now, before this vCPU's offset: the guest sees {@code rdtsc(cpu) + cpu.tscOffset}
     * (RDTSC, IA32_TSC), so a write of IA32_TSC only moves the offset.
     */
    default long rdtsc(Cpu cpu) { return System.nanoTime() * 3; }
}
