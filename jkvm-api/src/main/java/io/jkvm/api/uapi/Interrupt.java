package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/** {@code struct kvm_interrupt}: KVM_INTERRUPT (§4.16). On x86 {@code irq} is an interrupt vector, not a pin. */
public record Interrupt(int irq) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(JAVA_INT.withName("irq")).withName("kvm_interrupt");
}
