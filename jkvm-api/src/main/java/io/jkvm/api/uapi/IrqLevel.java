package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct kvm_irq_level}: KVM_IRQ_LINE (§4.25): drive GSI {@code irq} to {@code level} (0 or 1).
 * Edge-triggered inputs need 1 then 0. The union's other member, {@code status}, is KVM_IRQ_LINE_STATUS's output.
 */
public record IrqLevel(int irq, int level) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("irq"), JAVA_INT.withName("level")).withName("kvm_irq_level");
}
