package io.jkvm.vmm.vstate;

/**
 * An interrupt request line from a device to the interrupt controller. Devices drive it as a level: high
 * while they have an interrupt pending, low otherwise (a 16550A's INTR pin, virtio-mmio's InterruptStatus
 * != 0). The machine wires it to {@code Vm.irqLine(gsi, level)} (KVM_IRQ_LINE) — the in-kernel PIC and
 * IOAPIC turn the level into an edge or a level interrupt as the guest programmed them.
 */
@FunctionalInterface
public interface IrqLine {
    void set(boolean level);

    /** A line connected to nothing (tests, or a machine without an irqchip). */
    IrqLine NONE = level -> { };
}
