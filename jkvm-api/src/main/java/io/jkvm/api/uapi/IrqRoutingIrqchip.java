package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/** {@code struct kvm_irq_routing_irqchip}: route to pin {@code pin} of irqchip {@code irqchip} (0/1 PIC, 2 IOAPIC). */
public record IrqRoutingIrqchip(int irqchip, int pin) implements IrqRoutingEntry.Route {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("irqchip"), JAVA_INT.withName("pin")).withName("kvm_irq_routing_irqchip");
}
