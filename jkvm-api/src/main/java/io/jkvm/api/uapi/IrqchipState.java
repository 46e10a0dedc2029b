package io.jkvm.api.uapi;

/** The chip-specific part of {@link Irqchip}: the union of kvm_pic_state and kvm_ioapic_state. */
public sealed interface IrqchipState permits PicState, IoapicState {}
