package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * {@code struct kvm_irq_routing_msi}: an MSI message. On x86 the address is 0xFEExxxxx with the destination
 * APIC id in bits 19:12; data bits 7:0 are the vector, 10:8 the delivery mode, 15 the trigger mode.
 * {@code devid} shares its word with {@code pad}.
 */
public record IrqRoutingMsi(int address_lo, int address_hi, int data, int devid) implements IrqRoutingEntry.Route {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("address_lo"), JAVA_INT.withName("address_hi"), JAVA_INT.withName("data"),
            JAVA_INT.withName("devid")).withName("kvm_irq_routing_msi");

    public long address() {
        return (address_lo & 0xffffffffL) | ((long) address_hi << 32);
    }
}
